"""Published versions from the live services, against local servers that answer as Semantic
Scholar and DBLP document: one S2 batch for every arXiv ID, then only the tables of contents
S2 names (and the next year's, for a preprint's year), every candidate verified."""

from __future__ import annotations

import pytest
from fake_indexes import FakeDblp, FakeS2, dblp_info, s2_paper
from test_published import PAPERS, published_project  # noqa: F401 (a fixture)

from ssl_bib.lock import load_lock
from ssl_bib.sources.dblp_api import DblpApi
from ssl_bib.sources.semantic_scholar import SemanticScholar

S2 = {
    "ARXIV:2001.00001": s2_paper(
        PAPERS[0][1], "Computer Vision and Pattern Recognition", 2019
    ),  # preprint year
    "ARXIV:2001.00002": s2_paper(PAPERS[1][1], "CVPR Workshops", 2020),
    "ARXIV:2001.00003": s2_paper(PAPERS[2][1], "CVPR", 2021, DBLP="journals/corr/abs-2001-00003"),
    "ARXIV:2001.00004": s2_paper(PAPERS[3][1], "Findings of EMNLP", 2020),
    "ARXIV:2001.00005": s2_paper(PAPERS[4][1], "International Conference on Machine Learning", 2020),
    "ARXIV:2001.00006": s2_paper(PAPERS[5][1], "International Conference on Learning Representations", 2015),
}
VOLUMES = {
    "conf/cvpr/cvpr2019": [dblp_info("conf/cvpr/Z19", "Something Else Entirely", ["Zed Zee"], 2019, "CVPR")],
    "conf/cvpr/cvpr2020": [
        dblp_info("conf/cvpr/HeF20", "Momentum Contrast for Visual Repr&#233;sentations",
                  ["Kaiming He", "Haoqi Fan"], 2020, "CVPR", pages="9726-9735",
                  doi="10.1109/CVPR42600.2020.00975"),
        dblp_info("conf/cvpr/Other20", "Bootstrap Your Own Thing", ["Somebody Else"], 2020, "CVPR"),
    ],
    "conf/cvpr/cvpr2021": [
        dblp_info("conf/cvpr/ChenX21", "Masked Things Are Scalable Learners", ["Xinlei Chen", "Saining Xie"],
                  2021, ["CVPR", "CVPR (1)"]),
    ],
    "conf/icml/icml2020": [
        dblp_info("conf/icml/Lee20", "A Paper Published Much Later", ["Ann Lee"], 2020, "ICML"),
    ],
    "conf/iclr/iclr2015": [
        dblp_info("journals/corr/KingmaB14", "An Early ICLR Paper", ["Diederik P. Kingma", "Jimmy Ba"], 2015,
                  "ICLR"),
    ],
}  # fmt: skip


@pytest.fixture
def services(httpserver, published_project, monkeypatch):  # noqa: F811 (the fixture, imported)
    s2, dblp = FakeS2(dict(S2)), FakeDblp(dict(VOLUMES))
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_handler(s2)
    httpserver.expect_request("/graph/v1/paper/search/match").respond_with_handler(s2)
    httpserver.expect_request("/search/publ/api").respond_with_handler(dblp)
    monkeypatch.setenv("SSL_BIB_S2_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("SSL_BIB_DBLP_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(published_project / "cache"))
    monkeypatch.setenv("SSL_BIB_INDEX_DELAY", "0")
    return s2, dblp


def _resolve(run, project):
    return run("resolve", "--snapshot", "snap.jsonl", "--retry-backoff", "0", cwd=project)


def test_one_batch_then_only_the_volumes_named_and_only_verified_records(run, published_project, services):  # noqa: F811 (the fixture, imported)
    s2, dblp = services
    code, _, err = _resolve(run, published_project)
    assert code == 0, err
    assert "published versions: 3 found, 4 not found, 0 too close to call" in err
    lock = load_lock(published_project / "papers.lock")
    found = {i: s.found.key for i, s in lock.published.items() if s.found}
    assert found == {
        "2001.00001": "conf/cvpr/HeF20",  # in the next year's volume, after the preprint's
        "2001.00003": "conf/cvpr/ChenX21",  # venue given as a list: the first
        "2001.00006": "journals/corr/KingmaB14",  # ICLR under a CoRR key
    }
    moco = lock.published["2001.00001"].found
    assert (moco.title, moco.pages, moco.doi) == (PAPERS[0][1], "9726-9735", "10.1109/CVPR42600.2020.00975")
    assert lock.published["2001.00005"].not_taken.reason == "its year 2020 is not within -1..+3 of 2015"
    assert lock.published["2001.00001"].lookup.source.startswith("semantic-scholar+dblp:")
    assert len(s2.requests) == 1 and len(s2.requests[0]) == 7  # every arXiv ID in one batch
    asked = sorted(q.split(":")[1].removeprefix("db/").removesuffix(".bht") for q in dblp.requests)
    assert asked == [  # 2001.00005's title is in ICML 2020 (refused for its year): no 2021 asked
        "conf/cvpr/cvpr2019", "conf/cvpr/cvpr2020", "conf/cvpr/cvpr2021", "conf/iclr/iclr2015",
        "conf/icml/icml2020",
    ]  # fmt: skip
    code, _, err = _resolve(run, published_project)  # answered: nothing asked again
    assert len(s2.requests) == 1 and len(dblp.requests) == 5


def test_an_unavailable_index_stores_nothing_as_not_published(run, published_project, services):  # noqa: F811 (the fixture, imported)
    s2, dblp = services
    s2.failures = ["500"] * 5
    code, _, err = _resolve(run, published_project)
    assert code == 3, err
    assert err.splitlines()[-1].startswith("ssl-bib: error: Semantic Scholar unavailable at http://")
    lock = load_lock(published_project / "papers.lock")
    assert len(lock.papers) == 7 and not lock.published  # arXiv's answers kept, nothing else
    s2.failures, dblp.failures = [], ["429"] * 5
    code, _, err = _resolve(run, published_project)
    assert code == 3 and "DBLP unavailable at" in err and "(HTTP 429, 5 tries)" in err
    assert not load_lock(published_project / "papers.lock").published


def test_semantic_scholar_429_without_retry_after_backs_off_and_a_key_is_sent(httpserver, tmp_path):
    s2 = FakeS2(dict(S2), failures=["429", "429"])
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_handler(s2)
    sleeps: list[float] = []
    client = SemanticScholar(
        httpserver.url_for("/"), api_key="k3y", delay=0, backoff=1.0, sleep=sleeps.append, state_dir=tmp_path
    )
    ids = ["ARXIV:2001.00001", "ARXIV:9999.99999"] + [f"ARXIV:2101.{i:05d}" for i in range(600)]
    papers = client.batch(ids)
    assert len(papers) == 602 and papers[0].venue == "Computer Vision and Pattern Recognition"
    assert papers[1] is None  # null for an ID S2 does not know, in request order
    assert [len(r) for r in s2.requests] == [500, 500, 500, 102] and sleeps[:2] == [1.0, 2.0]
    assert s2.keys == ["k3y"] * 4


def test_dblp_pages_a_large_volume_and_obeys_retry_after(httpserver, tmp_path):
    records = [dblp_info(f"conf/cvpr/P{i}", f"Paper {i}", ["Ann Lee"], 2020, "CVPR") for i in range(2500)]
    dblp = FakeDblp({"conf/cvpr/cvpr2020": records}, failures=["429"])
    httpserver.expect_request("/search/publ/api").respond_with_handler(dblp)
    sleeps: list[float] = []
    api = DblpApi(httpserver.url_for("/"), delay=0, backoff=0.5, sleep=sleeps.append, state_dir=tmp_path)
    got = api.toc("conf/cvpr/cvpr2020")
    assert len(got) == 2500 and got[0].title == "Paper 0" and got[0].authors == ("Ann Lee",)
    assert [r.split()[-1] for r in dblp.requests] == ["f=0", "f=0", "f=1000", "f=2000"]
    assert sleeps == [2.0]  # DBLP's Retry-After, longer than the backoff


def test_a_single_hit_and_an_empty_volume_read_right(httpserver, tmp_path):
    one = [dblp_info("conf/x/A20", "Only &amp; One", ["Solo Author"], 2020, "X")]
    httpserver.expect_request("/search/publ/api").respond_with_handler(FakeDblp({"conf/x/x2020": one}))
    api = DblpApi(httpserver.url_for("/"), delay=0, state_dir=tmp_path)
    (record,) = api.toc("conf/x/x2020")
    assert (record.title, record.authors, record.kind) == ("Only & One", ("Solo Author",), "inproceedings")
    assert api.toc("conf/x/x1999") == []


def test_a_dblp_answer_that_is_not_one_is_retried(httpserver, tmp_path):
    calls: list[int] = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            from werkzeug import Response

            return Response("<html>maintenance</html>", status=200)
        return FakeDblp({})(request)

    httpserver.expect_request("/search/publ/api").respond_with_handler(handler)
    api = DblpApi(httpserver.url_for("/"), delay=0, backoff=0, state_dir=tmp_path)
    assert api.toc("conf/x/x2020") == [] and len(calls) == 2


def test_a_paper_not_on_arxiv_is_matched_by_title_then_verified(run, published_project, services):  # noqa: F811 (the fixture)
    s2, dblp = services
    catalog = published_project / "papers.toml"
    catalog.write_text(
        catalog.read_text()
        + '[[paper]]\nsection = "s"\ntitle = "A Paper Only in Proceedings"\nlisted_authors = ["Ann Lee"]\n'
        + "listed_year = 2020\n"
        + '[[paper]]\nsection = "s"\ntitle = "Nowhere to Be Found"\nlisted_authors = ["Ann Lee"]\n'
    )
    s2.papers["CorpusId:9"] = s2_paper("A paper only in proceedings", "ICML", 2020)
    dblp.volumes["conf/icml/icml2020"] = [
        *dblp.volumes["conf/icml/icml2020"],
        dblp_info(
            "conf/icml/LeeC20", "A Paper Only in Proceedings", ["Ann Lee 0001", "Bo Chen"], 2020, "ICML"
        ),
    ]
    code, _, err = _resolve(run, published_project)
    assert code == 0, err
    lock = load_lock(published_project / "papers.lock")
    assert lock.published["title:a paper only in proceedings"].found.key == "conf/icml/LeeC20"
    assert lock.published["title:a paper only in proceedings"].found.authors == ("Ann Lee", "Bo Chen")
    assert lock.published["title:nowhere to be found"].found is None
    assert [len(r) for r in s2.requests] == [7, 1, 1]  # one batch, then one match a title
