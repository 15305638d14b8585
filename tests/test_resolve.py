"""Resolving against a local server that speaks arXiv's Atom format, and from a snapshot."""

from __future__ import annotations

import json
import re
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
    assert list(records) == [ids[2]] and bad == {"0000"}
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
    assert source._ask_ids(["0000"]) == ({}, {"0000"})
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
    assert {title: search.arxiv for title, search in lock.titles.items()} == {
        # capitals and a missing hyphen: the same paper
        "ssd a unified framework for selfsupervised outlier detection": "2103.12051",
        # one word dropped ("... Representation Learning"): 93 % alike, under the 95 % every
        # source must reach, and the list names no author or year to back it
        "wasserstein dependency measure for representation": None,
        # two arXiv papers contain these words, neither is this title
        "contrastive predictive coding": None,
        # not on arXiv at all
        "dimensionality reduction by learning an invariant mapping": None,
    }
    assert len(report.titles_found) == 1 and len(report.titles_missing) == 3
    near = lock.titles["wasserstein dependency measure for representation"].near
    assert (near.arxiv, near.reason) == ("1903.11780", "the title differs")
    # one search of exact phrases, one of half phrases for the titles still unmatched
    assert len(fake_arxiv.requests) == 2
    assert fake_arxiv.requests[0]["search_query"].startswith('ti:"ssd a unified framework for selfsupervised')
    assert fake_arxiv.requests[1]["search_query"].startswith(
        'ti:"ssd a unified framework" OR ti:"for selfsupervised outlier detection" OR '
        'ti:"for self supervised outlier detection"'
    )


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
    committed.pop("published")  # what DBLP's records add (test_published_versions_of_the_seed)
    fresh.pop("published")
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
    (batch,) = list(SnapshotSource(path).fetch(["2002.05709"]))  # the paper stays unresolved
    assert not batch.found and not batch.missing
    ((arxiv_id, why),) = batch.rejected
    assert arxiv_id == "2002.05709" and why.startswith(f"{path}:1: not a JSON object")
    # a line whose ID is not wanted is never parsed
    (batch,) = list(SnapshotSource(path).fetch(["1501.00001"]))
    assert batch.missing == ("1501.00001",)


# --- trouble at arXiv: nothing it has is recorded as missing, nothing learned is lost -----


@pytest.mark.parametrize("kind", ["503", "empty", "nothing", "garbage", "truncated"])
def test_trouble_leaves_papers_unresolved_never_missing(synthetic, tmp_path, kind):
    """Five bad answers in a row (all retries): exit 3 with nothing stored as missing; the
    next run asks again and resolves everything."""
    catalog = parse_catalog(catalog_for(dict(list(synthetic.records.items())[:20])))
    path = tmp_path / "papers.lock"
    synthetic.failures = [kind] * 6  # the first answer and all five tries of the check
    with pytest.raises(ArxivUnavailable) as exc:
        _resolve(catalog, Lock(), _source(synthetic.url, retries=4), path)
    assert exc.value.unresolved == 20
    saved = load_lock(path) if path.exists() else Lock()
    assert not saved.missing and not saved.records
    report = _resolve(catalog, saved, _source(synthetic.url), path)
    assert len(report.fetched) == 20 and not report.missing


def test_a_good_answer_is_kept_when_the_next_batch_fails(synthetic, tmp_path):
    catalog = parse_catalog(catalog_for(synthetic.records))
    path = tmp_path / "papers.lock"
    synthetic.down_after = 2  # two batches answered, then 503s
    with pytest.raises(ArxivUnavailable) as exc:
        _resolve(catalog, Lock(), _source(synthetic.url, retries=2), path)
    assert exc.value.unresolved == 50
    saved = load_lock(path)
    assert len(saved.records) == 200 and not saved.missing


def test_an_empty_answer_is_checked_with_the_canary(synthetic, tmp_path):
    """Asking only for unknown IDs: the empty answer is asked again with arXiv's first paper;
    the answer that has it proves the IDs missing."""
    source = _source(synthetic.url)
    (batch,) = list(source.fetch(["2912.99998", "2912.99999"]))
    assert batch.missing == ("2912.99998", "2912.99999") and not batch.found
    assert synthetic.requests[-1]["id_list"] == "2912.99998,2912.99999,0704.0001"


def test_a_hanging_server_times_out_and_leaves_papers_unresolved(tmp_path):
    # A server of its own: the requests it is still sleeping on must not reach other tests.
    import threading

    from werkzeug import Request
    from werkzeug.serving import make_server

    records = synthetic_records(3)
    fake = FakeArxiv(records, failures=["slow"] * 3)
    server = make_server("127.0.0.1", 0, lambda env, start: fake(Request(env))(env, start), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        source = ApiSource(
            f"http://127.0.0.1:{server.port}/api/query", delay=0, backoff=0, retries=2, timeout=0.5
        )
        path = tmp_path / "papers.lock"
        with pytest.raises(ArxivUnavailable, match=r"no answer within 0.5 s, 3 tries"):
            _resolve(parse_catalog(catalog_for(records)), Lock(), source, path)
        assert not path.exists() or not load_lock(path).missing
    finally:
        server.shutdown()


def test_a_400_naming_nothing_we_sent_is_one_error(synthetic, tmp_path):
    from ssl_bib.errors import ArxivRejected

    synthetic.failures = ["400"]
    catalog = parse_catalog(catalog_for(dict(list(synthetic.records.items())[:30])))
    with pytest.raises(ArxivRejected) as exc:
        _resolve(catalog, Lock(), _source(synthetic.url), tmp_path / "papers.lock")
    assert len(synthetic.requests) == 1  # no bisection storm
    assert "rejected the request (bad query); sent id_list=2101.10000,2101.10001" in str(exc.value)


def _catalog(*papers: str) -> str:
    return 'title = "t"\n[[section]]\nid = "s"\ntitle = "S"\n' + "".join(
        f'[[paper]]\nsection = "s"\n{p}\n' for p in papers
    )


def test_a_title_match_needs_the_lists_evidence(fake_arxiv, tmp_path):
    from ssl_bib.check import check

    catalog = parse_catalog(
        _catalog(
            'title = "Wasserstein Dependency Measure for Representation Learning"\n'
            'listed_authors = ["Somebody Else"]',
            'title = "SSD: A Unified Framework for Self-Supervised Outlier Detection"\nlisted_year = 2015',
            'title = "Self-Supervised Learning of Pretext-Invariant Representations"\n'
            'listed_authors = ["Ishan Misra", "Laurens van der Maaten"]\nlisted_year = 2020',
        )
    )
    lock = Lock()
    _resolve(catalog, lock, _source(fake_arxiv.url), tmp_path / "papers.lock")
    assert [search.arxiv for search in lock.titles.values()] == [None, None, "1912.01991"]
    near = [
        f.message for f in check(catalog, load_lock(tmp_path / "papers.lock")) if f.kind == "possible-match"
    ]
    assert near == [
        "possible arXiv match arXiv:1903.11780 'Wasserstein Dependency Measure for Representation Learning', "
        "not taken because the list's first authors (Somebody Else) share no family name with arXiv's "
        "(Sherjil Ozair, Corey Lynch, Yoshua Bengio, ...)",
        "possible arXiv match arXiv:2103.12051 'SSD: A Unified Framework for Self-Supervised Outlier "
        "Detection', not taken because the list says 2015, arXiv's first version is from 2021",
    ]


def test_what_arxiv_knows_about_publication_is_kept_reported_and_exported(httpserver, tmp_path):
    from ssl_bib.check import check
    from ssl_bib.pipeline import render_all
    from ssl_bib.references import build_references

    records = synthetic_records(3)
    first, second, third = records
    records[first]["journal-ref"] = (
        "IEEE Transactions on Pattern Analysis and Machine Intelligence 43(5), 2021"
    )
    records[first]["doi"] = "10.1109/TPAMI.2021.1234567"
    records[second]["comments"] = "Accepted at CVPR 2021; 10 pages"
    fake = FakeArxiv(records)
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    catalog = parse_catalog(catalog_for(records))
    path = tmp_path / "papers.lock"
    lock = Lock()
    _resolve(catalog, lock, _source(httpserver.url_for("/api/query")), path)
    saved = load_lock(path)
    assert saved.records[first].journal_ref.startswith("IEEE Transactions")
    assert saved.records[second].comment == "Accepted at CVPR 2021; 10 pages"
    kinds = {(f.kind, f.message.split(":")[0]) for f in check(catalog, saved)}
    assert ("published", "the list calls it a preprint; arXiv knows it as published") in kinds
    assert ("comment-venue", "arXiv's comment names a venue") in kinds
    refs = {r.arxiv: r for r in build_references(catalog, saved)}
    assert refs[first].kind == "journal" and refs[first].container.startswith("IEEE Transactions")
    assert refs[first].doi == "10.1109/TPAMI.2021.1234567"
    assert refs[second].kind == refs[third].kind == "preprint"  # a comment never changes the export
    bib = render_all(list(refs.values()), catalog, ["bibtex"])["papers.bib"]
    assert "@article{" in bib and f"eprint = {{{first}}}" in bib


# --- several processes ---------------------------------------------------------------------


def _resolve_process(cwd: Path, url: str, cache: Path, delay: str = "0.4"):
    import os
    import subprocess
    import sys

    env = {**os.environ, "SSL_BIB_ARXIV_URL": url, "SSL_BIB_ARXIV_DELAY": delay, "XDG_CACHE_HOME": str(cache)}
    return subprocess.Popen(
        [sys.executable, "-m", "ssl_bib.cli", "resolve"],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_runs_at_once_keep_the_rate_limit_and_one_writer(httpserver, tmp_path):
    """Two runs on one catalog and a third on another, started together: requests stay
    `--delay` apart across the processes, and the second run on the same catalog waits for
    the first and then has nothing to ask."""
    records = synthetic_records(300)
    fake = FakeArxiv(records, min_interval=0.4)
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    url = httpserver.url_for("/api/query")
    one, other = tmp_path / "one", tmp_path / "other"
    for folder, subset in ((one, records), (other, dict(list(records.items())[:150]))):
        folder.mkdir()
        (folder / "papers.toml").write_text(catalog_for(subset))
    runs = [_resolve_process(folder, url, tmp_path / "cache") for folder in (one, one, other)]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], results
    assert fake.violations == 0, (fake.gaps, fake.requests, results)
    assert len(fake.requests) == 3 + 2  # 300 IDs in 3 batches, 150 in 2; the waiting run asks nothing
    assert len(load_lock(one / "papers.lock").records) == 300
    assert any("waiting for it to finish" in err for _, err in results)


def test_a_run_killed_midway_loses_nothing_it_learned(httpserver, tmp_path):
    import signal
    import time

    records = synthetic_records(500)
    fake = FakeArxiv(records)
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    (tmp_path / "papers.toml").write_text(catalog_for(records))
    run = _resolve_process(tmp_path, httpserver.url_for("/api/query"), tmp_path / "cache", delay="0.5")
    lock_path = tmp_path / "papers.lock"
    deadline = time.monotonic() + 60
    while not lock_path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    saved = load_lock(lock_path)  # whole, never half-written
    assert 100 <= len(saved.records) < 500 and len(saved.records) % 100 == 0 and not saved.missing
    again = _resolve_process(tmp_path, httpserver.url_for("/api/query"), tmp_path / "cache", delay="0")
    assert again.wait(timeout=120) == 0
    assert len(load_lock(lock_path).records) == 500


def test_the_delay_holds_between_sources_that_share_the_state(synthetic, tmp_path):
    """The time of the last request is kept in a file: a second source (another process, in
    real life) waits the delay out, exactly (0.4 s, where float rounding once made it 0)."""
    now, sleeps = [1000.0006], []

    def sleep(seconds: float) -> None:
        sleeps.append(round(seconds, 4))
        now[0] += seconds

    kw = {
        "delay": 0.4,
        "backoff": 0,
        "retries": 0,
        "sleep": sleep,
        "clock": lambda: now[0],
        "state_dir": tmp_path,
    }
    first, second = (ApiSource(synthetic.url, **kw) for _ in range(2))
    ids = list(synthetic.records)
    list(first.fetch(ids[:1]))
    list(second.fetch(ids[1:2]))
    assert sleeps == [0.4]
    assert len(list(tmp_path.iterdir())) == 1  # one file per host


# --- answers that cannot lie ---------------------------------------------------------------


def _tampered(records, tamper):
    """A FakeArxiv whose answers to id_list questions pass through tamper(entries, asked)."""
    from fake_arxiv import entry_xml

    fake = FakeArxiv(records)

    def handler(request):
        asked = [i for i in request.args.get("id_list", "").split(",") if i]
        response = fake(request)
        if not asked or response.status_code != 200:
            return response
        entries = [entry_xml(fake.served()[i]) for i in asked if i in fake.served()]
        return FakeArxiv._xml(tamper(entries, asked, entry_xml))

    return fake, handler


def test_entries_nobody_asked_for_and_duplicates_never_push_papers_out(httpserver, tmp_path):
    from fake_arxiv import feed_xml

    records = synthetic_records(6)
    asked, other = list(records)[:4], list(records)[4:]

    def tamper(entries, ids, entry_xml):
        extra = entry_xml(records[other[0]])  # nobody asked for it
        twin = entries[0].replace("<title>", "<title>Another paper: ")  # the same ID, other content
        return feed_xml([extra, entries[1], *entries, twin])

    fake, handler = _tampered(records, tamper)
    httpserver.expect_request("/api/query").respond_with_handler(handler)
    catalog = parse_catalog(catalog_for({i: records[i] for i in asked}))
    lock = Lock()
    report = _resolve(catalog, lock, _source(httpserver.url_for("/api/query")), tmp_path / "papers.lock")
    assert sorted(lock.papers) == asked[1:]  # none pushed out, none missing
    assert not lock.missing and other[0] not in lock.papers
    assert report.rejected == [(asked[0], "the answer holds this paper twice, differently")]
    assert lock.papers[asked[1]].record.title == " ".join(records[asked[1]]["title"].split())


@pytest.mark.parametrize(
    "kind",
    [
        "an entry without a title",
        "a document type with entities",
        "a feed cut short",
        "fewer entries than it says",
    ],
)
def test_a_feed_read_only_in_part_is_no_answer(httpserver, tmp_path, kind):
    from fake_arxiv import feed_xml

    records = synthetic_records(3)
    tries: list[int] = []

    def tamper(entries, ids, entry_xml):
        tries.append(1)
        if len(tries) > 1:
            return feed_xml(entries)
        if kind == "an entry without a title":
            return feed_xml(
                [entries[0].split("<title>")[0] + "<title></title>" + entries[0].split("</title>")[1]]
            )
        if kind == "a document type with entities":
            body = feed_xml(entries)
            return body.replace("<feed", '<!DOCTYPE feed [<!ENTITY a "aaaa">]>\n<feed', 1)
        if kind == "a feed cut short":
            return feed_xml(entries)[:-200]
        return feed_xml(entries[:1], total=3)

    fake, handler = _tampered(records, tamper)
    httpserver.expect_request("/api/query").respond_with_handler(handler)
    lock = Lock()
    _resolve(
        parse_catalog(catalog_for(records)), lock, _source(httpserver.url_for("/api/query")), tmp_path / "l"
    )
    assert len(tries) == 2  # asked again
    assert sorted(lock.papers) == sorted(records) and not lock.missing


def test_odd_values_in_an_answer_leave_that_paper_unresolved(httpserver, tmp_path):
    from fake_arxiv import feed_xml

    records = synthetic_records(6)
    ids = list(records)

    def tamper(entries, asked, entry_xml):
        odd = list(entries)
        odd[0] = odd[0].replace("<published>20", "<published>00", 1)  # year 0021
        odd[1] = odd[1].replace("<updated>", "<updated>garbage", 1)
        odd[2] = odd[2].replace("Z</published>", "+99:99</published>", 1)
        odd[3] = re.sub(r"\s*<author>.*?</author>", "", odd[3], flags=re.DOTALL)
        odd[4] = odd[4].replace('term="cs', 'term="Computer Science', 1)
        return feed_xml(odd)

    fake, handler = _tampered(records, tamper)
    httpserver.expect_request("/api/query").respond_with_handler(handler)
    lock, path = Lock(), tmp_path / "papers.lock"
    report = _resolve(
        parse_catalog(catalog_for(records)), lock, _source(httpserver.url_for("/api/query")), path
    )
    assert list(lock.papers) == [ids[5]] and not lock.missing
    reasons = dict(report.rejected)
    assert sorted(reasons) == ids[:5]
    assert "is not a date from 1991 to 2100" in reasons[ids[0]]
    assert reasons[ids[1]].startswith("bad date 'garbage")
    assert reasons[ids[2]].startswith("bad date")
    assert reasons[ids[3]] == "no authors"
    assert reasons[ids[4]].startswith("category 'Computer Science")
    assert sorted(load_lock(path).papers) == [ids[5]]  # and the lock loads again


def test_an_entry_id_that_is_no_arxiv_id_is_left_out(httpserver, tmp_path):
    from fake_arxiv import feed_xml

    records = synthetic_records(2)
    first, second = records

    def tamper(entries, asked, entry_xml):
        version0 = re.sub(rf"abs/{first}v\d+<", f"abs/{first}v0<", entries[0])
        return feed_xml([version0, entries[1].replace(f"abs/{second}", "abs/not-an-id"), *entries[2:]])

    fake, handler = _tampered(records, tamper)
    httpserver.expect_request("/api/query").respond_with_handler(handler)
    lock = Lock()
    report = _resolve(
        parse_catalog(catalog_for(records)), lock, _source(httpserver.url_for("/api/query")), tmp_path / "l"
    )
    assert not lock.papers and not lock.missing  # an entry that names no paper proves nothing
    assert dict(report.rejected) == {
        first: "version 0 (versions count from 1)",
        second: "arXiv's answer held an entry whose ID is 'http://arxiv.org/abs/not-an-idv1'",
    }


def test_credentials_in_the_arxiv_url_stay_out_of_the_lock_and_messages(fake_arxiv, tmp_path):
    url = fake_arxiv.url.replace("http://", "http://user:hunter2@")
    catalog = parse_catalog(catalog_for({"1905.09272": fake_arxiv.records["1905.09272"]}))
    path = tmp_path / "papers.lock"
    source = ApiSource(url, delay=0, backoff=0, retries=0, state_dir=tmp_path / "cache")
    _resolve(catalog, Lock(), source, path)
    assert "hunter2" not in path.read_text() and "user" not in path.read_text()
    assert all("hunter2" not in p.name for p in (tmp_path / "cache").iterdir())
    fake_arxiv.down_after = 0
    with pytest.raises(ArxivUnavailable) as exc:
        _resolve(catalog, Lock(), ApiSource(url, delay=0, backoff=0, retries=0), tmp_path / "other.lock")
    assert "hunter2" not in str(exc.value) and "user:" not in str(exc.value)


def test_a_title_search_asks_for_one_page_only(httpserver, tmp_path):
    from fake_arxiv import entry_xml, feed_xml

    records = synthetic_records(40)
    fake = FakeArxiv(records)

    def handler(request):  # a full page, and a total that would take 9,000 more
        response = fake(request)
        if "search_query" not in request.args:
            return response
        served = list(fake.served().values())[: int(request.args["max_results"])]
        return FakeArxiv._xml(feed_xml([entry_xml(r) for r in served], total=100_000))

    httpserver.expect_request("/api/query").respond_with_handler(handler)
    source = _source(httpserver.url_for("/api/query"))
    title = " ".join(list(records.values())[0]["title"].split())
    results = dict(source.search_titles([title]))
    assert [r.title for r in results[title]][:1] == [title]
    assert len(fake.requests) == 1
