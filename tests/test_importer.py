"""Importing awesome-list markdown into the catalog."""

from __future__ import annotations

import tomllib

from conftest import ROOT, SEED_LIST

from ssl_bib.catalog import parse_catalog
from ssl_bib.importer import import_markdown


def test_seed_import_matches_reviewed_catalog(golden):
    golden("seed-import.toml", import_markdown(SEED_LIST))


def test_seed_import_keeps_every_row():
    catalog = parse_catalog(import_markdown(SEED_LIST))
    table_rows = [
        line for line in SEED_LIST.read_text().splitlines() if line.startswith("|") and "](" in line
    ]
    assert len(catalog.papers) == len(table_rows) == 94
    titles = [p.title for p in catalog.papers]
    assert "A Simple Framework for Contrastive Learning of Visual Representations" in titles
    assert titles.count("Distilled Semantics for Comprehensive Scene Understanding from Videos") == 2


def test_seed_import_is_byte_stable():
    assert import_markdown(SEED_LIST) == import_markdown(SEED_LIST)


def test_committed_catalog_is_the_import_plus_hand_written_metadata():
    imported = tomllib.loads(import_markdown(SEED_LIST))
    committed = tomllib.loads((ROOT / "papers.toml").read_text())
    assert imported["section"] == committed["section"]
    hand = {"authors", "year", "doi", "key"}
    assert len(imported["paper"]) == len(committed["paper"])
    for mine, theirs in zip(imported["paper"], committed["paper"], strict=True):
        assert {k: v for k, v in theirs.items() if k not in hand} == mine


def test_sections_nickname_ids_and_notes():
    catalog = parse_catalog(import_markdown(SEED_LIST))
    ids = [s.id for s in catalog.sections]
    assert ids[:4] == [
        "cv",
        "cv/pretraining",
        "cv/pretraining/contrastive",
        "cv/pretraining/contrastive/dense-contrastive",
    ]
    simclr = next(p for p in catalog.papers if p.short == "SimCLR")
    assert simclr.arxiv == "2002.05709"
    assert simclr.note == "ImageNet Acc (Top 1): 69.3 %"
    mocov2 = next(p for p in catalog.papers if p.short == "MoCo v2")
    assert mocov2.arxiv == "2003.04297"  # the link wins over the label arXiv:2003.12338
    assert mocov2.title == "Improved Baselines with Momentum Contrastive Learning"
    vq = next(p for p in catalog.papers if p.arxiv == "1910.05453")
    assert vq.venue == "arXiv:1910.05453v3"
    gen = next(p for p in catalog.papers if p.title == "Self-Supervised Variational Auto-Encoders")
    assert gen.venue == "ICLR 2021 under review"  # <br /> inside a cell


def test_bullet_lists_and_bold_titles(tmp_path):
    md = tmp_path / "list.md"
    md.write_text(
        "# My List\n\n## Vision\n\n"
        "- [Momentum Contrast (MoCo)](https://arxiv.org/abs/1911.05722v2) - CVPR 2020\n"
        "* **Bootstrap Your Own Latent** [[paper]](https://arxiv.org/pdf/2006.07733.pdf)\n"
        "- not a paper, just words\n\n"
        "## Old\n\n- [An old one](https://arxiv.org/abs/cs/0112017)\n",
        encoding="utf-8",
    )
    catalog = parse_catalog(import_markdown(md))
    assert catalog.title == "My List"
    assert [s.id for s in catalog.sections] == ["vision", "old"]
    moco, byol, old = catalog.papers
    assert (moco.title, moco.short, moco.arxiv, moco.venue) == (
        "Momentum Contrast",
        "MoCo",
        "1911.05722",
        "CVPR 2020",
    )
    assert (byol.title, byol.arxiv) == ("Bootstrap Your Own Latent", "2006.07733")
    assert old.arxiv == "cs/0112017"


def test_filler_rows_and_tables_without_links_are_skipped(tmp_path):
    md = tmp_path / "list.md"
    md.write_text(
        "# T\n\n## S\n\n| Venue | Paper |\n| --- | --- |\n| | |\n"
        "| arXiv:2002.05709 | [A & B % C](https://arxiv.org/pdf/2002.05709.pdf) |\n",
        encoding="utf-8",
    )
    catalog = parse_catalog(import_markdown(md))
    assert [p.title for p in catalog.papers] == ["A & B % C"]


def test_a_table_before_any_heading_gets_a_section(tmp_path):
    md = tmp_path / "list.md"
    md.write_text("| Venue | Paper |\n| --- | --- |\n| CVPR 2020 | [T](https://arxiv.org/abs/2002.05709) |\n")
    catalog = parse_catalog(import_markdown(md))
    assert [(s.id, s.title) for s in catalog.sections] == [("papers", "Papers")]
    assert [p.sections for p in catalog.papers] == [("papers",)]
