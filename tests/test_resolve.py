"""Resolving against a local server that speaks arXiv's Atom format, and from a snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, SEED_SNAPSHOT
from fake_arxiv import FakeArxiv, catalog_for, synthetic_records

from ssl_bib.arxiv_source import ApiSource, SnapshotSource, split_author_string
from ssl_bib.catalog import load_catalog, parse_catalog
from ssl_bib.errors import ArxivUnavailable
from ssl_bib.lock import Lock, dumps_lock, load_lock, save_lock
from ssl_bib.resolve import resolve


def _source(url: str, **kw) -> ApiSource:
    return ApiSource(url, delay=0, backoff=0, **{"retries": 2, **kw})


def _resolve(catalog, lock, source, path: Path):
    return resolve(catalog, lock, source, save=lambda lk: save_lock(lk, path))


@pytest.fixture
def synthetic(httpserver):
    records = synthetic_records(250)
    fake = FakeArxiv(records)
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    fake.url = httpserver.url_for("/api/query")
    return fake


def test_250_papers_cost_3_requests_then_0(synthetic, tmp_path):
    catalog = parse_catalog(catalog_for(synthetic.records))
    lock = Lock()
    source = _source(synthetic.url)
    _resolve(catalog, lock, source, tmp_path / "papers.lock")
    assert len(synthetic.requests) == 3
    assert [len(r["id_list"].split(",")) for r in synthetic.requests] == [100, 100, 50]
    assert all(r["max_results"] == str(len(r["id_list"].split(","))) for r in synthetic.requests)
    assert len(lock.records) == 250
    warm = load_lock(tmp_path / "papers.lock")
    _resolve(catalog, warm, _source(synthetic.url), tmp_path / "papers.lock")
    assert len(synthetic.requests) == 3  # the warm run asked nothing


def test_retries_503_and_empty_pages(synthetic, tmp_path):
    synthetic.failures = ["503", "empty", "500"]
    catalog = parse_catalog(catalog_for(dict(list(synthetic.records.items())[:5])))
    lock = Lock()
    sleeps: list[float] = []
    source = ApiSource(synthetic.url, delay=0, backoff=1.0, retries=4, sleep=sleeps.append)
    _resolve(catalog, lock, source, tmp_path / "papers.lock")
    assert len(lock.records) == 5
    assert len(synthetic.requests) == 4
    assert sleeps == [1.0, 2.0, 4.0]  # exponential backoff


def test_garbage_answer_is_retried(synthetic, tmp_path):
    synthetic.failures = ["garbage"]
    catalog = parse_catalog(catalog_for(dict(list(synthetic.records.items())[:3])))
    lock = Lock()
    _resolve(catalog, lock, _source(synthetic.url), tmp_path / "papers.lock")
    assert len(lock.records) == 3


def test_failure_midway_keeps_earlier_batches(synthetic, tmp_path):
    synthetic.down_after = 1
    catalog = parse_catalog(catalog_for(synthetic.records))
    path = tmp_path / "papers.lock"
    with pytest.raises(ArxivUnavailable) as exc:
        _resolve(catalog, Lock(), _source(synthetic.url, retries=1), path)
    assert exc.value.unresolved == 150
    assert "HTTP 503, 2 tries" in str(exc.value)
    assert "150 paper(s) still unresolved" in str(exc.value)
    assert len(load_lock(path).records) == 100
    synthetic.down_after = None
    _resolve(catalog, load_lock(path), _source(synthetic.url), path)
    assert len(load_lock(path).records) == 250
    assert [len(r["id_list"].split(",")) for r in synthetic.requests[-2:]] == [100, 50]


def test_malformed_id_is_dropped_and_the_rest_resolved(synthetic, tmp_path):
    source = _source(synthetic.url)
    ids = list(synthetic.records)[:3]
    # Sent as is (the catalog would reject it): the server's 400 names it, the rest is re-asked.
    batches = list(source.fetch([ids[0], "2101.1", ids[1]]))
    found = [r.id for b in batches for r in b.found]
    invalid = [i for b in batches for i in b.invalid]
    assert found == [ids[0], ids[1]] and invalid == ["2101.1"]
    assert all("2101.1" not in r["id_list"].split(",") for r in synthetic.requests)  # never sent
    # An ID that only arXiv can reject: its 400 names it, and the rest is asked again.
    records, bad = source._ask_ids([ids[2], "0000"])
    assert [r.id for r in records] == [ids[2]] and bad == {"0000"}
    assert synthetic.requests[-2]["id_list"] == f"{ids[2]},0000"
    assert synthetic.requests[-1]["id_list"] == ids[2]


def test_unknown_id_is_reported_not_fatal(synthetic, tmp_path):
    known = list(synthetic.records)[0]
    source = _source(synthetic.url)
    (batch,) = list(source.fetch([known, "2912.99999"]))
    assert [r.id for r in batch.found] == [known]
    assert batch.missing == ("2912.99999",)
    assert len(synthetic.requests) == 1  # an answer with entries is proof for the rest


def test_a_400_is_not_retried_as_transient(synthetic):
    source = _source(synthetic.url, retries=5)
    assert source._ask_ids(["0000"]) == ([], {"0000"})
    assert len(synthetic.requests) == 1


def test_unreachable_server_raises_with_url(tmp_path):
    source = ApiSource("http://127.0.0.1:9/api/query", delay=0, backoff=0, retries=1, timeout=2)
    catalog = parse_catalog(catalog_for(synthetic_records(2)))
    with pytest.raises(ArxivUnavailable) as exc:
        _resolve(catalog, Lock(), source, tmp_path / "papers.lock")
    assert "http://127.0.0.1:9/api/query" in str(exc.value)
    assert exc.value.unresolved == 2


def test_user_agent_and_results_out_of_order(httpserver):
    records = synthetic_records(3)
    seen = []

    def handler(request):
        seen.append(request.headers.get("User-Agent"))
        fake = FakeArxiv(records)
        response = fake(request)
        body = response.get_data(as_text=True)
        # Serve entries in reverse order: the client must map them by ID.
        head, *entries = body.split("  <entry>")
        tail = entries[-1].split("</feed>")[0]
        entries[-1] = tail
        response.set_data(head + "".join("  <entry>" + e for e in reversed(entries)) + "</feed>\n")
        return response

    httpserver.expect_request("/api/query").respond_with_handler(handler)
    ids = list(records)
    (batch,) = list(_source(httpserver.url_for("/api/query")).fetch(ids))
    assert [r.id for r in batch.found] == ids
    assert seen[0].startswith("ssl-bib/")


def test_title_search_accepts_close_match_and_rejects_others(fake_arxiv, tmp_path):
    text = (
        'title = "t"\n[[section]]\nid = "s"\ntitle = "S"\n'
        '[[paper]]\nsection = "s"\ntitle = "SSD: A UNIFIED FRAMEWORK FOR SELFSUPERVISED OUTLIER DETECTION"\n'
        '[[paper]]\nsection = "s"\ntitle = "Wasserstein Dependency Measure for Representation"\n'
        '[[paper]]\nsection = "s"\ntitle = "Contrastive Predictive Coding"\n'
        '[[paper]]\nsection = "s"\ntitle = "Dimensionality Reduction by Learning an Invariant Mapping"\n'
    )
    lock = Lock()
    report = _resolve(parse_catalog(text), lock, _source(fake_arxiv.url), tmp_path / "papers.lock")
    assert lock.titles == {
        # capitals and a missing hyphen: the same paper
        "ssd a unified framework for selfsupervised outlier detection": "2103.12051",
        # one word dropped from a long title: still the same paper
        "wasserstein dependency measure for representation": "1903.11780",
        # two arXiv papers contain these words, neither is this title
        "contrastive predictive coding": None,
        # not on arXiv at all
        "dimensionality reduction by learning an invariant mapping": None,
    }
    assert len(report.titles_found) == 2 and len(report.titles_missing) == 2
    # one search of exact phrases, one of word combinations for the titles still unmatched
    assert len(fake_arxiv.requests) == 2
    assert fake_arxiv.requests[0]["search_query"].startswith('ti:"ssd a unified framework')
    assert fake_arxiv.requests[1]["search_query"].startswith("(ti:")


def test_snapshot_decodes_tex_names():
    (batch,) = list(SnapshotSource(SEED_SNAPSHOT).fetch(["1905.09272", "2006.07733", "2003.12283"]))
    henaff, byol, limp = batch.found
    assert henaff.authors[0] == "Olivier J. Hénaff"
    assert "Rémi Munos" in byol.authors and "Florent Altché" in byol.authors
    assert limp.authors[-1] == "Emanuele Rodolà"
    assert henaff.published == "2019-05-22" and henaff.categories == ()


def test_split_author_string_handles_suffixes():
    assert split_author_string("A B, C D, Jr. and E F") == ["A B", "C D Jr.", "E F"]


def test_snapshot_and_api_give_the_same_lock(fake_arxiv, tmp_path):
    catalog = load_catalog(ROOT / "papers.toml")
    api_lock, snap_lock = Lock(), Lock()
    _resolve(catalog, api_lock, _source(fake_arxiv.url), tmp_path / "a.lock")
    _resolve(catalog, snap_lock, SnapshotSource(SEED_SNAPSHOT), tmp_path / "b.lock")
    a, b = json.loads(dumps_lock(api_lock)), json.loads(dumps_lock(snap_lock))
    for entry in [
        *a["papers"].values(),
        *b["papers"].values(),
        *a["missing"].values(),
        *b["missing"].values(),
        *a["titles"].values(),
        *b["titles"].values(),
    ]:
        entry.pop("source")
    assert a == b
    # the whole seed list: 1 id_list request (its entries prove the unknown ID missing), one
    # search of the 4 titles as phrases, one of word combinations for the 3 left (typo included)
    assert len(fake_arxiv.requests) == 3
    assert (
        a["titles"]["ssd a unified framework for selfsupervised outlier detection"]["arxiv"] == "2103.12051"
    )


def test_committed_lock_is_what_the_snapshot_gives(tmp_path):
    catalog = load_catalog(ROOT / "papers.toml")
    lock = Lock()
    _resolve(catalog, lock, SnapshotSource(SEED_SNAPSHOT), tmp_path / "papers.lock")
    committed = json.loads((ROOT / "papers.lock").read_text())
    fresh = json.loads(dumps_lock(lock))
    for data in (committed, fresh):
        for table in ("papers", "missing", "titles"):
            for entry in data[table].values():
                entry.pop("fetched")
    assert fresh == committed
    assert "2004.05554" in committed["missing"]  # Feature Lenses: never invented
    assert "2004.05554" not in committed["keys"]  # its provisional key is not pinned


def test_snapshot_streams_and_reports_bad_lines(tmp_path):
    path = tmp_path / "snap.jsonl"
    path.write_text('{"id": "2002.05709", "title": \n', encoding="utf-8")
    from ssl_bib.errors import SnapshotError

    with pytest.raises(SnapshotError, match=r"snap.jsonl:1: not a JSON object"):
        list(SnapshotSource(path).fetch(["2002.05709"]))
    # a line whose ID is not wanted is never parsed
    (batch,) = list(SnapshotSource(path).fetch(["1501.00001"]))
    assert batch.missing == ("1501.00001",)
