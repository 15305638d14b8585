"""Published versions from DBLP's XML dump: decoys of every kind the complaints name (a
near-identical title by other authors, workshop and journal versions, CoRR records, a
published venue far from the preprint's year) and not one wrong upgrade."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ssl_bib.lock import load_lock

# arXiv ID, title, authors, first-version year: the papers of the test catalog
PAPERS = [
    ("2001.00001", "Momentum Contrast for Visual Représentations", ["Kaiming He", "Haoqi Fan"], 2019),
    ("2001.00002", "Bootstrap Your Own Thing", ["Jean-Bastien Grill", "Florian Strub"], 2020),
    ("2001.00003", "Masked Things Are Scalable Learners", ["Xinlei Chen", "Saining Xie"], 2020),
    ("2001.00004", "Contrastive Views in Two Places", ["Yonglong Tian", "Dilip Krishnan"], 2020),
    ("2001.00005", "A Paper Published Much Later", ["Ann Lee", "Bo Chen"], 2015),
    ("2001.00006", "An Early ICLR Paper", ["Diederik P. Kingma", "Jimmy Ba"], 2014),
    ("2001.00007", "Never Published Anywhere", ["Zoe Smith"], 2020),
]


def _record(tag: str, key: str, title: str, authors: list[str], year: int, venue: str, **extra: str) -> str:
    attrs = f' key="{key}"' + (' publtype="informal"' if extra.pop("informal", "") else "")
    venue_tag = "journal" if tag == "article" else "booktitle"
    lines = [f'<{tag} mdate="2021-01-01"{attrs}>']
    lines += [f"<author>{a}</author>" for a in authors]
    lines += [f"<title>{title}.</title>", f"<year>{year}</year>", f"<{venue_tag}>{venue}</{venue_tag}>"]
    lines += [f"<{k}>{v}</{k}>" for k, v in extra.items()]
    return "\n".join([*lines, f"</{tag}>"])


def _dump(path: Path) -> Path:
    records = [
        # 1: the paper at CVPR (its title with DBLP's entity and trailing dot), its CoRR twin,
        #    and the same title by other authors
        _record("inproceedings", "conf/cvpr/HeF20", "Momentum Contrast for Visual Repr&eacute;sentations",
                ["Kaiming He", "Haoqi Fan"], 2020, "CVPR", pages="9726-9735",
                ee="https://doi.org/10.1109/CVPR42600.2020.00975"),
        _record("article", "journals/corr/abs-2001-00001",
                "Momentum Contrast for Visual Repr&eacute;sentations",
                ["Kaiming He", "Haoqi Fan"], 2019, "CoRR", informal="1"),
        _record("inproceedings", "conf/kdd/Other20", "Momentum Contrast for Visual Repr&eacute;sentations",
                ["Somebody Else", "Another Person"], 2020, "KDD"),
        # 2: only a workshop version
        _record("inproceedings", "conf/cvprw/GrillS20", "Bootstrap Your Own Thing", ["Jean-Bastien Grill"],
                2020, "CVPR Workshops"),
        # 3: a conference and a journal version, both by the authors: too close to call
        _record("inproceedings", "conf/cvpr/ChenX21", "Masked Things Are Scalable Learners",
                ["Xinlei Chen", "Saining Xie"], 2021, "CVPR"),
        _record("article", "journals/pami/ChenX22", "Masked Things Are Scalable Learners",
                ["Xinlei Chen", "Saining Xie"], 2022, "IEEE Trans. Pattern Anal. Mach. Intell.", volume="44"),
        # 4: Findings only
        _record("inproceedings", "conf/acl/Tian20", "Contrastive Views in Two Places",
                ["Yonglong Tian", "Dilip Krishnan"], 2020, "Findings of EMNLP"),
        # 5: published five years after the preprint: another paper, most likely
        _record("inproceedings", "conf/icml/Lee20", "A Paper Published Much Later", ["Ann Lee"], 2020,
                "ICML"),
        # 6: an early ICLR paper that DBLP files under a CoRR key, as an inproceedings of ICLR
        _record("inproceedings", "journals/corr/KingmaB14", "An Early ICLR Paper",
                ["Diederik P. Kingma", "Jimmy Ba"], 2015, "ICLR"),
    ]  # fmt: skip
    text = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>\n'
    text += "\n".join(records) + "\n</dblp>\n"
    path.write_bytes(gzip.compress(text.encode("iso-8859-1")))
    return path


@pytest.fixture
def published_project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("SSL_BIB_NO_PUBLISHED")
    rows = ['title = "T"\n[[section]]\nid = "s"\ntitle = "S"\n']
    snapshot = []
    for arxiv_id, title, authors, year in PAPERS:
        rows.append(f'[[paper]]\nsection = "s"\ntitle = "{title}"\narxiv = "{arxiv_id}"\nvenue = "arXiv"\n')
        snapshot.append(
            json.dumps(
                {
                    "id": arxiv_id,
                    "title": title,
                    "authors": ", ".join(authors),
                    "categories": "cs.LG",
                    "versions": [{"version": "v1", "created": f"Mon, 6 Jan {year} 10:00:00 GMT"}],
                }  # fmt: skip
            )
        )
    (tmp_path / "papers.toml").write_text("".join(rows), encoding="utf-8")
    (tmp_path / "snap.jsonl").write_text("\n".join(snapshot) + "\n", encoding="utf-8")
    _dump(tmp_path / "dblp.xml.gz")
    return tmp_path


def test_only_the_verified_publication_is_taken_and_the_lock_says_why(run, published_project):
    code, _, err = run(
        "resolve", "--snapshot", "snap.jsonl", "--dblp-dump", "dblp.xml.gz", cwd=published_project
    )
    assert code == 0, err
    assert "published versions: 2 found, 4 not found, 1 too close to call" in err
    lock = load_lock(published_project / "papers.lock")
    found = {i: s.found.key for i, s in lock.published.items() if s.found}
    assert found == {"2001.00001": "conf/cvpr/HeF20", "2001.00006": "journals/corr/KingmaB14"}
    moco = lock.published["2001.00001"].found
    assert (moco.venue, moco.year, moco.pages, moco.doi) == (
        "CVPR",
        2020,
        "9726-9735",
        "10.1109/CVPR42600.2020.00975",
    )
    assert "shares fan, he" in moco.evidence
    runner_up = lock.published["2001.00001"].not_taken  # the lock keeps the runner-up and why
    assert (runner_up.key, runner_up.reason) == (
        "conf/kdd/Other20",
        "no family name shared with the first three authors (fan, he)",
    )
    reasons = {i: s.not_taken.reason for i, s in lock.published.items() if s.not_taken}
    assert "workshop" in reasons["2001.00002"]
    assert reasons["2001.00003"].startswith("too close to call")
    assert "workshop or companion" in reasons["2001.00004"]  # Findings is no main conference
    assert reasons["2001.00005"] == "its year 2020 is not within -1..+3 of 2015"
    assert "2001.00007" not in reasons and lock.published["2001.00007"].found is None


def test_the_upgrade_reaches_every_output_and_check_says_so(run, published_project):
    run("resolve", "--snapshot", "snap.jsonl", "--dblp-dump", "dblp.xml.gz", cwd=published_project)
    assert run("export", "--offline", cwd=published_project)[0] == 0
    out = published_project / "output"
    bib = (out / "papers.bib").read_text(encoding="utf-8")
    assert bib.count("@inproceedings{") == 2 and bib.count("@misc{") == 5
    assert "pages = {9726--9735}" in bib and "doi = {10.1109/CVPR42600.2020.00975}" in bib
    assert "eprint = {2001.00001}" in bib  # the eprint fields stay
    items = {
        i["number"] if "number" in i else i["title"]: i for i in json.loads((out / "papers.json").read_text())
    }
    moco = next(i for i in items.values() if i.get("page"))
    assert moco["type"] == "paper-conference" and moco["page"] == "9726-9735"
    assert moco["container-title"].endswith("(CVPR)") and moco["issued"] == {"date-parts": [[2020]]}
    apa = (out / "references-apa.html").read_text(encoding="utf-8")
    assert "(2020). Momentum contrast for visual représentations. <i>Proceedings of the IEEE/CVF" in apa
    assert '(CVPR)</i>, 9726–9735. <a href="https://doi.org/10.1109/CVPR42600.2020.00975">' in apa
    code, text, _ = run("check", "--format", "json", cwd=published_project)
    kinds = {(f["kind"], f["line"]) for f in json.loads(text)}
    assert {k for k, _ in kinds} >= {"published", "workshop-only", "published-ambiguous"}


def test_export_never_asks_again_what_the_lock_answered(run, published_project):
    run("resolve", "--snapshot", "snap.jsonl", "--dblp-dump", "dblp.xml.gz", cwd=published_project)
    before = (published_project / "papers.lock").read_bytes()
    (published_project / "dblp.xml.gz").write_bytes(gzip.compress(b"<dblp></dblp>"))  # says nothing now
    code, _, err = run(
        "export", "--snapshot", "snap.jsonl", "--dblp-dump", "dblp.xml.gz", cwd=published_project
    )
    assert code == 0, err
    assert (published_project / "papers.lock").read_bytes() == before


def test_not_published_is_asked_again_after_30_days_and_only_by_resolve(published_project):
    from datetime import date

    from ssl_bib.catalog import load_catalog
    from ssl_bib.lock import Lock
    from ssl_bib.published import find_published

    catalog = load_catalog(published_project / "papers.toml")
    lock = Lock()
    dump = published_project / "dblp.xml.gz"
    for arxiv_id, title, authors, year in PAPERS:  # as arXiv would say
        from ssl_bib.lock import Lookup
        from ssl_bib.model import ArxivRecord

        lock.store(
            ArxivRecord(arxiv_id, 1, title, tuple(authors), f"{year}-01-06", f"{year}-01-06"),
            Lookup("t", "2026-01-01"),
        )

    from ssl_bib.indexes import dump_search

    search = dump_search(dump)

    first = find_published(catalog, lock, search, "d", save=lambda lk: None, today=lambda: date(2026, 1, 1))
    assert len(first.found) == 2
    later = find_published(catalog, lock, search, "d", save=lambda lk: None, today=lambda: date(2026, 1, 20))
    assert not (later.found or later.none or later.ambiguous)  # nothing due yet
    export = find_published(
        catalog, lock, search, "d", save=lambda lk: None, today=lambda: date(2026, 3, 1), recheck=False
    )
    assert not (export.found or export.none or export.ambiguous)  # an export never re-asks
    again = find_published(catalog, lock, search, "d", save=lambda lk: None, today=lambda: date(2026, 3, 1))
    assert sorted(again.none + again.ambiguous) == [
        "2001.00002",
        "2001.00003",
        "2001.00004",
        "2001.00005",
        "2001.00007",
    ]


def test_a_dump_that_is_not_one_is_one_line(run, published_project):
    (published_project / "bad.xml").write_text("<dblp><article>")
    code, _, err = run("resolve", "--snapshot", "snap.jsonl", "--dblp-dump", "bad.xml", cwd=published_project)
    assert (
        code == 2
        and err.startswith("ssl-bib: error: bad.xml: not a DBLP XML dump")
        and len(err.splitlines()) == 1
    )


def test_the_committed_seed_cites_what_was_published():
    """The committed lock was resolved with DBLP's records of the seed (README): MoCo, SimCLR
    and BYOL are cited as published, each with its evidence; MoCo v2 stays a preprint."""
    from conftest import ROOT

    lock = load_lock(ROOT / "papers.lock")
    found = {i: s.found for i, s in lock.published.items() if s.found}
    assert len(found) == 49
    assert (found["1911.05722"].venue, found["1911.05722"].year) == ("CVPR", 2020)
    assert (found["2002.05709"].venue, found["2006.07733"].venue) == ("ICML", "NeurIPS")
    assert all(f.evidence.startswith("title the same; shares ") for f in found.values())
    assert "2003.04297" not in found
    bib = (ROOT / "output" / "papers.bib").read_text(encoding="utf-8")
    assert "@inproceedings{he2019momentum," in bib and "@misc{chen2020improved," in bib


def test_a_maintainer_keeps_a_preprint_or_pins_the_publication(run, published_project):
    catalog = published_project / "papers.toml"
    text = catalog.read_text(encoding="utf-8")
    text = text.replace('arxiv = "2001.00001"\n', 'arxiv = "2001.00001"\npublished = false\n')
    text = text.replace(
        'arxiv = "2001.00003"\n', 'arxiv = "2001.00003"\npublished = "journals/pami/ChenX22"\n'
    )
    text = text.replace('arxiv = "2001.00007"\n', 'arxiv = "2001.00007"\npublished = "10.1234/not.there"\n')
    catalog.write_text(text, encoding="utf-8")
    code, _, err = run(
        "resolve", "--snapshot", "snap.jsonl", "--dblp-dump", "dblp.xml.gz", cwd=published_project
    )
    assert code == 0, err
    lock = load_lock(published_project / "papers.lock")
    assert "2001.00001" not in lock.published  # kept a preprint: never looked for
    pinned = lock.published["2001.00003"].found
    assert (pinned.key, pinned.kind, pinned.volume) == ("journals/pami/ChenX22", "journal", "44")
    assert pinned.evidence == "pinned in the catalog (published = 'journals/pami/ChenX22')"
    assert lock.published["2001.00007"].not_taken.reason == "pinned, but not in the index"
    run("export", "--offline", "-f", "bibtex", "-o", "out.bib", cwd=published_project)
    bib = (published_project / "out.bib").read_text(encoding="utf-8")
    assert "@misc{he2019momentum," in bib and "@article{chen2020masked," in bib and "volume = {44}" in bib


def test_published_true_is_one_line(run, published_project):
    catalog = published_project / "papers.toml"
    catalog.write_text(
        catalog.read_text().replace('arxiv = "2001.00001"\n', 'arxiv = "2001.00001"\npublished = true\n')
    )
    code, _, err = run("export", "--offline", cwd=published_project)
    assert code == 2 and err == (
        "ssl-bib: error: papers.toml:9: published True must be false (keep it a preprint), "
        "a DBLP key ('conf/cvpr/He0WXG20') or a DOI\n"
    )


def test_every_published_search_the_lock_writes_loads_again(tmp_path):
    from ssl_bib.lock import Lock, Lookup, NotTaken, Publication, PublishedSearch, save_lock

    stamp = Lookup("dblp-dump:x.xml.gz", "2026-12-07")
    lock = Lock()
    lock.published = {
        "2001.00001": PublishedSearch(
            Publication("conf/cvpr/A20", "conference", "CVPR", 2020, "T", "e"), stamp
        ),
        "2001.00002": PublishedSearch(
            Publication("journals/pami/B", "journal", "TPAMI", 2021, "T", "e", "1-9", "44", "10.1/x"), stamp
        ),
        "2001.00003": PublishedSearch(None, stamp, NotTaken("10.1234/x", "", "pinned, but not in the index")),
        "2001.00004": PublishedSearch(None, stamp, NotTaken("conf/x/Y", "X Workshops", "a workshop", 2020)),
        "title:a title": PublishedSearch(None, stamp),
    }
    save_lock(lock, tmp_path / "papers.lock")
    again = load_lock(tmp_path / "papers.lock")
    assert again.published == lock.published and again.left_out == 0


def test_a_paper_not_on_arxiv_gets_the_indexs_authors_year_and_venue(run, published_project):
    catalog = published_project / "papers.toml"
    catalog.write_text(
        catalog.read_text()
        + '[[paper]]\nsection = "s"\ntitle = "A Paper Only in Proceedings"\n'
        + 'url = "https://proceedings.mlr.press/v1/lee20.html"\n'
        + 'listed_authors = ["A. Lee"]\nlisted_year = 2020\n'
    )
    dump = published_project / "dblp.xml.gz"
    text = (
        gzip.decompress(dump.read_bytes())
        .decode("iso-8859-1")
        .replace(
            "</dblp>",
            _record(
                "inproceedings",
                "conf/icml/LeeC20",
                "A Paper Only in Proceedings",
                ["Ann Lee 0001", "Bo Chen"],
                2020,
                "ICML",
                pages="1-9",
            )
            + "\n</dblp>",  # fmt: skip
        )
    )
    dump.write_bytes(gzip.compress(text.encode("iso-8859-1")))
    code, _, err = run(
        "resolve", "--snapshot", "snap.jsonl", "--dblp-dump", "dblp.xml.gz", cwd=published_project
    )
    assert code == 0, err
    run("export", "--offline", "-f", "bibtex", "-o", "out.bib", cwd=published_project)
    bib = (published_project / "out.bib").read_text(encoding="utf-8")
    entry = bib[bib.index("@inproceedings{lee2020paper,") :].split("\n}\n")[0]
    assert "author = {Lee, Ann and Chen, Bo}" in entry and "year = {2020}" in entry
    assert (
        "booktitle = {International Conference on Machine Learning (ICML)}" in entry
        and "pages = {1--9}" in entry
    )


def test_progress_names_the_index_on_a_terminal(published_project, monkeypatch):
    from test_cli import _Terminal

    from ssl_bib.cli import main

    monkeypatch.chdir(published_project)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["resolve", "--snapshot", "snap.jsonl", "--dblp-dump", "dblp.xml.gz"]) == 0
    assert "published versions: dblp-dump 7/7\n" in terminal.text


def test_a_dump_record_with_odd_values_is_read_without_them(tmp_path):
    from ssl_bib.sources.dblp_dump import scan

    text = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<dblp>\n'
        '<article key="journals/x/A20"><author>Ann Lee</author><title>Odd &amp; Year.</title>'
        "<year>&#178;&#8304;&#178;&#8304;</year><journal>X</journal></article>\n</dblp>\n"
    )
    (tmp_path / "d.xml").write_text(text, encoding="iso-8859-1")
    (record,) = scan(tmp_path / "d.xml", ["Odd & Year"])["odd year"]
    assert (record.title, record.year, record.authors) == ("Odd & Year", None, ("Ann Lee",))
