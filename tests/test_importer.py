"""Importing awesome-list markdown into the catalog."""

from __future__ import annotations

import tomllib

import pytest
from conftest import ROOT, SEED_LIST
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssl_bib.catalog import parse_catalog
from ssl_bib.importer import import_markdown


def test_seed_import_matches_reviewed_catalog(golden):
    golden("seed-import.toml", import_markdown(SEED_LIST).text)


def test_seed_import_keeps_every_row():
    catalog = parse_catalog(import_markdown(SEED_LIST).text)
    table_rows = [
        line for line in SEED_LIST.read_text().splitlines() if line.startswith("|") and "](" in line
    ]
    assert len(catalog.papers) == len(table_rows) == 94
    titles = [p.title for p in catalog.papers]
    assert "A Simple Framework for Contrastive Learning of Visual Representations" in titles
    assert titles.count("Distilled Semantics for Comprehensive Scene Understanding from Videos") == 2


def test_seed_import_is_byte_stable():
    assert import_markdown(SEED_LIST).text == import_markdown(SEED_LIST).text


def test_committed_catalog_is_the_import_plus_hand_written_metadata():
    imported = tomllib.loads(import_markdown(SEED_LIST).text)
    committed = tomllib.loads((ROOT / "papers.toml").read_text())
    assert imported["section"] == committed["section"]
    hand = {"authors", "year", "doi", "key"}
    assert len(imported["paper"]) == len(committed["paper"])
    for mine, theirs in zip(imported["paper"], committed["paper"], strict=True):
        assert {k: v for k, v in theirs.items() if k not in hand} == mine


def test_sections_nickname_ids_and_notes():
    catalog = parse_catalog(import_markdown(SEED_LIST).text)
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
    catalog = parse_catalog(import_markdown(md).text)
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
    catalog = parse_catalog(import_markdown(md).text)
    assert [p.title for p in catalog.papers] == ["A & B % C"]


def test_a_table_before_any_heading_gets_a_section(tmp_path):
    md = tmp_path / "list.md"
    md.write_text("| Venue | Paper |\n| --- | --- |\n| CVPR 2020 | [T](https://arxiv.org/abs/2002.05709) |\n")
    catalog = parse_catalog(import_markdown(md).text)
    assert [(s.id, s.title) for s in catalog.sections] == [("papers", "Papers")]
    assert [p.sections for p in catalog.papers] == [("papers",)]


LISTS = ROOT / "tests" / "lists"


@pytest.mark.parametrize("name", sorted(p.stem for p in LISTS.glob("*.md")))
def test_entry_shapes_import_as_reviewed(name, golden):
    """Each file in tests/lists is one shape of list that real maintainers write; its
    reviewed catalog is tests/golden/lists/NAME.toml, what it leaves out NAME.left-out."""
    imported = import_markdown(LISTS / f"{name}.md")
    parse_catalog(imported.text)  # what import writes, the catalog accepts
    golden(f"lists/{name}.toml", imported.text)
    left_out = "".join(f"{p.line}: {p.message}\n" for p in imported.left_out)
    golden(f"lists/{name}.left-out", left_out)


def test_list_authors_and_year_are_evidence_not_hand_fields():
    catalog = parse_catalog(import_markdown(LISTS / "tables.md").text)
    paper = next(p for p in catalog.papers if p.title == "Learning With Links In Cells")
    assert (paper.authors, paper.year) == ((), None)
    assert (paper.listed_authors, paper.listed_year) == (("Ada Lovelace", "Alan Turing"), 2021)


def test_reimport_keeps_hand_fields():
    from dataclasses import replace

    from ssl_bib.importer import keep_hand_fields

    first = parse_catalog(import_markdown(LISTS / "numbered-bold.md").text)
    edited = replace(first.papers[0], key="mine2023graph", year=2022)
    previous = replace(first, papers=(edited, *first.papers[1:]))
    again = parse_catalog(keep_hand_fields(import_markdown(LISTS / "numbered-bold.md").text, previous))
    assert (again.papers[0].key, again.papers[0].year) == ("mine2023graph", 2022)
    assert [replace(p, line=None) for p in again.papers[1:]] == [
        replace(p, line=None) for p in first.papers[1:]
    ]


def test_a_line_of_brackets_is_read_in_linear_time(tmp_path):
    """80,000 `[` took seconds with regular expressions; the parser reads it in one pass."""
    md = tmp_path / "list.md"
    md.write_text("# T\n\n" + "[" * 80_000 + "\n\n- [A Real Paper Title](https://arxiv.org/abs/2002.05709)\n")
    catalog = parse_catalog(import_markdown(md).text)
    assert [p.arxiv for p in catalog.papers] == ["2002.05709"]


@given(st.text())
def test_every_string_survives_the_catalog_writer(text):
    from ssl_bib.importer import _toml_table

    assert tomllib.loads(_toml_table({"title": text or "x"}))["title"] == (text or "x")


def test_a_list_nested_ten_deep_is_read_whole(tmp_path):
    lines = ["# Deep", ""]
    lines += ["  " * d + f"- Paper {d} [[pdf]](https://arxiv.org/abs/2101.{d:05d})" for d in range(12)]
    lines += ["", "# After", "", "- Later [[pdf]](https://arxiv.org/abs/2102.00001)"]
    (tmp_path / "deep.md").write_text("\n".join(lines) + "\n")
    catalog = parse_catalog(import_markdown(tmp_path / "deep.md").text)
    assert [p.arxiv for p in catalog.papers] == [f"2101.{d:05d}" for d in range(12)] + ["2102.00001"]
    assert [s.title for s in catalog.sections] == ["Deep", "After"]


_PIECES = [*"[]()*_\\`'\",.:|-", " ", "  ", "1", "2020", "CVPR", "Title", "et al", "arXiv", "**",
           "[[pdf]]", "(https://arxiv.org/abs/2101.00001)", "https://arxiv.org/abs/2101.00002", "\n",
           "\n  - "]  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join), st.sampled_from(["- ", "1. ", "| ", ""]))
def test_any_entry_of_list_characters_imports_or_says_why(text, shape):
    import tempfile
    from pathlib import Path

    from ssl_bib.errors import CatalogError

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.md"
        table = "| Title | Link |\n| --- | --- |\n" if shape == "| " else ""
        path.write_text(f"# Section\n\n{table}{shape}{text}\n", encoding="utf-8")
        try:
            imported = import_markdown(path)
        except CatalogError as exc:
            assert str(exc).startswith(str(path))
        else:
            parse_catalog(imported.text)


def test_a_line_that_once_took_hours_imports(tmp_path):
    """A venue, a comma and many apostrophes made a regular expression backtrack (time
    doubled with each one: 2 s at 24, days at 40). Run apart, so a regression fails instead
    of hanging."""
    import subprocess
    import sys

    (tmp_path / "list.md").write_text(
        "# S\n\n- Some Title. *CVPR 2020, " + "'" * 200 + "!* [[pdf]](https://arxiv.org/abs/2101.00001)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "ssl_bib.cli", "import", "list.md", "-o", "-"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0 and 'arxiv = "2101.00001"' in result.stdout, result.stderr
