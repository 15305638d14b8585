"""Published versions from the live services, against local servers that answer as Semantic
Scholar and DBLP document: one S2 batch for every arXiv ID, then only the tables of contents
S2 names (and the next year's, for a preprint's year), every candidate verified."""

from __future__ import annotations

import re

import pytest
from fake_indexes import FakeCrossref, FakeDblp, FakeDoiOrg, FakeS2, crossref_work, dblp_info, s2_paper
from hypothesis import example, given, settings
from hypothesis import strategies as st
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
    base = httpserver.url_for("/").rstrip("/")
    crossref, doi_org = FakeCrossref([]), FakeDoiOrg({}, agency=base)
    httpserver.expect_request("/graph/v1/paper/batch", method="POST").respond_with_handler(s2)
    httpserver.expect_request("/graph/v1/paper/search/match").respond_with_handler(s2)
    httpserver.expect_request("/search/publ/api").respond_with_handler(dblp)
    httpserver.expect_request("/works").respond_with_handler(crossref)
    httpserver.expect_request(re.compile(r"^/content/")).respond_with_handler(doi_org.content)
    httpserver.expect_request(re.compile(r"^/10\.")).respond_with_handler(doi_org.resolver)
    for name in ("S2", "DBLP", "CROSSREF", "DOI"):
        monkeypatch.setenv(f"SSL_BIB_{name}_URL", base)
    monkeypatch.setenv("XDG_CACHE_HOME", str(published_project / "cache"))
    monkeypatch.setenv("SSL_BIB_INDEX_DELAY", "0")
    return s2, dblp, crossref, doi_org


def _resolve(run, project):
    return run("resolve", "--snapshot", "snap.jsonl", "--retry-backoff", "0", cwd=project)


def test_one_batch_then_only_the_volumes_named_and_only_verified_records(run, published_project, services):  # noqa: F811 (the fixture, imported)
    s2, dblp, crossref, doi_org = services
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
    assert lock.published["2001.00001"].lookup.source.startswith("semantic-scholar+dblp+crossref:")
    assert len(s2.requests) == 1 and len(s2.requests[0]) == 7  # every arXiv ID in one batch
    asked = sorted(q.split(":")[1].removeprefix("db/").removesuffix(".bht") for q in dblp.requests)
    assert asked == [  # 2001.00005's title is in ICML 2020 (refused for its year): no 2021 asked
        "conf/cvpr/cvpr2019", "conf/cvpr/cvpr2020", "conf/cvpr/cvpr2021", "conf/iclr/iclr2015",
        "conf/icml/icml2020",
    ]  # fmt: skip
    # Crossref searched only for what nothing placed: S2 knows no venue for 2001.00007 (it
    # named a workshop and Findings for 2001.00002 and 2001.00004: no main venue to find)
    searched = sorted(r["query.bibliographic"] for r in crossref.requests)
    assert searched == ["Never Published Anywhere"]
    assert doi_org.requests == []
    code, _, err = _resolve(run, published_project)  # answered: nothing asked again
    assert len(s2.requests) == 1 and len(dblp.requests) == 5 and len(crossref.requests) == 1


def test_an_unavailable_index_stores_nothing_as_not_published(run, published_project, services):  # noqa: F811 (the fixture, imported)
    s2, dblp, crossref, doi_org = services
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


def test_a_title_95_percent_alike_in_a_volume_is_judged_and_taken(run, published_project, services):  # noqa: F811
    s2, dblp, crossref, doi_org = services
    moco = dict(dblp.volumes["conf/cvpr/cvpr2020"][0])
    moco["title"] = "Momentum Contrast for Visual Representation."  # the plural dropped: 99 % alike
    dblp.volumes["conf/cvpr/cvpr2020"] = [
        moco,
        dblp_info("conf/cvpr/Near20", "Momentum Contrast for Visual Reps", ["Kaiming He"], 2020, "CVPR"),
    ]  # 86 %: another paper
    code, _, err = _resolve(run, published_project)
    assert code == 0, err
    found = load_lock(published_project / "papers.lock").published["2001.00001"].found
    assert (found.key, found.title) == ("conf/cvpr/HeF20", "Momentum Contrast for Visual Representation")


def test_a_service_that_fails_late_keeps_what_the_others_proved(run, published_project, services):  # noqa: F811
    s2, dblp, crossref, doi_org = services
    crossref.failures = ["503"] * 5  # Crossref's search, the last stage, stays unavailable
    code, _, err = _resolve(run, published_project)
    assert code == 3 and "Crossref unavailable at" in err.splitlines()[-1]
    lock = load_lock(published_project / "papers.lock")
    kept = {i: s.found.key for i, s in lock.published.items()}
    assert kept == {  # what DBLP proved is saved; nothing is recorded as not published
        "2001.00001": "conf/cvpr/HeF20",
        "2001.00003": "conf/cvpr/ChenX21",
        "2001.00006": "journals/corr/KingmaB14",
    }
    code, _, err = _resolve(run, published_project)  # the next run asks only the rest
    assert code == 0, err
    assert [len(r) for r in s2.requests] == [7, 4]
    lock = load_lock(published_project / "papers.lock")
    assert len(lock.published) == 7 and lock.published["2001.00007"].found is None


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
    s2, dblp, crossref, doi_org = services
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


ECCV = "Contrastive Views in Two Places"  # PAPERS[3], here published at ECCV (a Springer chapter)


def test_dois_go_to_crossref_in_one_batch_then_doi_org_and_every_record_is_judged(
    run,
    published_project,  # noqa: F811 (the fixture, imported)
    services,
):
    s2, dblp, crossref, doi_org = services
    s2.papers["ARXIV:2001.00004"] = s2_paper(
        ECCV, "European Conference on Computer Vision", 2020, DOI="10.1007/978-3-030-58621-8_45"
    )
    s2.papers["ARXIV:2001.00007"] = s2_paper(
        PAPERS[6][1], "Pattern Recognition Letters", 2021, DOI="10.1016/j.patrec.2021.01.001"
    )  # another paper's DOI
    s2.papers["ARXIV:2001.00002"] = s2_paper(PAPERS[1][1], "", 2020, DOI="10.48550/arXiv.2001.00002")
    crossref.works += [
        crossref_work("10.1007/978-3-030-58621-8_45", ECCV, ["Yonglong Tian", "Dilip Krishnan"], 2020,
                      ["Lecture Notes in Computer Science", "Computer Vision – ECCV 2020"], "book-chapter",
                      page="776-794", event={"name": "European Conference on Computer Vision"}),
        crossref_work("10.1016/j.patrec.2021.01.001", "Never Published Anywhere Else", ["Zoe Smith"], 2021,
                      "Pattern Recognition Letters", "journal-article", ISSN=["0167-8655"]),
    ]  # fmt: skip
    catalog = published_project / "papers.toml"
    catalog.write_text(  # a paper not on arXiv whose link names a DOI only mEDRA holds
        catalog.read_text()
        + '[[paper]]\nsection = "s"\ntitle = "A Study Deposited Elsewhere"\nlisted_authors = ["Ada Rossi"]\n'
        + 'listed_year = 2021\ndoi = "10.3280/ABC2021-001"\n'
    )
    doi_org.records["10.3280/abc2021-001"] = {
        # an agency's JSON may hold what no lock or output can carry: a lone surrogate, a BEL
        "type": "article-journal", "DOI": "10.3280/ABC2021-001", "title": "A Study Deposited\u0007 Elsewhere",
        "author": [{"family": "Rossi\ud800", "given": "Ada"}], "container-title": "Rivista di Studi\u202e",
        "issued": {"date-parts": [[2021, 3]]}, "page": "1-20", "volume": "7",
    }  # fmt: skip
    code, _, err = _resolve(run, published_project)
    assert code == 0, err
    lock = load_lock(published_project / "papers.lock")
    eccv = lock.published["2001.00004"].found
    assert (eccv.key, eccv.kind, eccv.venue, eccv.year, eccv.pages) == (
        "10.1007/978-3-030-58621-8_45",
        "conference",
        "Computer Vision – ECCV 2020",
        2020,
        "776-794",
    )
    assert lock.published["2001.00007"].found is None  # a DOI S2 gives is checked like any record
    assert "another title" in lock.published["2001.00007"].not_taken.reason
    other = lock.published["title:a study deposited elsewhere"].found
    assert (other.title, other.authors) == ("A Study Deposited Elsewhere", ("Ada Rossi",))
    assert (other.key, other.kind, other.venue, other.volume) == (
        "10.3280/ABC2021-001",
        "journal",
        "Rivista di Studi",
        "7",
    )
    # one Crossref batch for every DOI (never arXiv's, which Crossref does not hold); doi.org
    # only for the DOI Crossref lacks
    batches = [r["filter"] for r in crossref.requests if "filter" in r]
    assert len(batches) == 1 and sorted(batches[0].split(",")) == [
        "doi:10.1007/978-3-030-58621-8_45",
        "doi:10.1016/j.patrec.2021.01.001",
        "doi:10.3280/abc2021-001",
    ]
    assert doi_org.requests == ["10.3280/abc2021-001"]
    assert run("export", "--offline", cwd=published_project)[0] == 0
    bib = (published_project / "output" / "papers.bib").read_text(encoding="utf-8")
    assert "booktitle = {European Conference on Computer Vision (ECCV)}" in bib
    assert "doi = {10.1007/978-3-030-58621-8_45}" in bib and "pages = {776--794}" in bib


def test_crossref_search_takes_only_the_record_the_evidence_backs(
    run,
    published_project,  # noqa: F811 (the fixture, imported)
    services,
):
    s2, dblp, crossref, doi_org = services
    title = PAPERS[6][1]  # S2 knows nothing of it
    crossref.works += [
        crossref_work("10.1101/2020.01.01.000001", title, ["Zoe Smith"], 2020, "bioRxiv", "posted-content"),
        crossref_work("10.1109/ACCESS.2021.1", title, ["Some Body"], 2021, "IEEE Access", "journal-article"),
        # by the authors, but a workshop: never the main venue (else two would be too close to call)
        crossref_work("10.1007/978-3-030-1_2", title, ["Zoe Smith"], 2020, ["LNCS", "ECCV 2020 Workshops"],
                      "book-chapter", event={"name": "ECCV Workshops"}),
        crossref_work("10.1109/TPAMI.2021.2", title, ["Zoe Smith", "Li Wu"], 2021,
                      "IEEE Transactions on Pattern Analysis and Machine Intelligence", "journal-article",
                      volume="43", page="1-12", ISSN=["0162-8828"]),
    ]  # fmt: skip
    code, _, err = _resolve(run, published_project)
    assert code == 0, err
    found = load_lock(published_project / "papers.lock").published["2001.00007"].found
    assert (found.key, found.kind, found.year, found.volume) == (
        "10.1109/TPAMI.2021.2",
        "journal",
        2021,
        "43",
    )
    assert [r.get("query.author") for r in crossref.requests if r.get("query.bibliographic") == title] == [
        "Smith"
    ]
    assert run("export", "--offline", cwd=published_project)[0] == 0
    bib = (published_project / "output" / "papers.bib").read_text(encoding="utf-8")
    assert "journal = {IEEE Transactions on Pattern Analysis and Machine Intelligence}" in bib


def test_pins_are_read_live_by_key_and_by_doi(run, published_project, services, httpserver):  # noqa: F811
    s2, dblp, crossref, doi_org = services
    xml = (
        '<?xml version="1.0" encoding="US-ASCII"?>\n<dblp>\n<inproceedings key="conf/iccv/GrillS21" '
        'mdate="2021-10-01"><author>Jean-Bastien Grill</author><title>Bootstrap Your Own Thing.</title>'
        "<pages>1-9</pages><year>2021</year><booktitle>ICCV</booktitle></inproceedings>\n</dblp>\n"
    )
    httpserver.expect_request("/rec/conf/iccv/GrillS21.xml").respond_with_data(xml, content_type="text/xml")
    httpserver.expect_request("/rec/conf/x/Gone.xml").respond_with_data("Not Found", status=404)
    cvpr = "2020 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"
    crossref.works.append(crossref_work("10.1109/X.2020.3", PAPERS[3][1], ["Yonglong Tian"], 2020, cvpr,
                                        "proceedings-article", page="5-6"))  # fmt: skip
    catalog = published_project / "papers.toml"
    text = catalog.read_text()
    for arxiv_id, pin in [("2001.00002", "conf/iccv/GrillS21"), ("2001.00004", "10.1109/x.2020.3"),
                          ("2001.00007", "conf/x/Gone")]:  # fmt: skip
        text = text.replace(f'arxiv = "{arxiv_id}"\n', f'arxiv = "{arxiv_id}"\npublished = "{pin}"\n')
    catalog.write_text(text)
    code, _, err = _resolve(run, published_project)
    assert code == 0, err
    lock = load_lock(published_project / "papers.lock")
    assert lock.published["2001.00002"].found.key == "conf/iccv/GrillS21"
    tian = lock.published["2001.00004"].found
    assert (tian.key, tian.venue, tian.pages) == ("10.1109/X.2020.3", tian.venue, "5-6")
    assert "CVPR" in tian.venue and "pinned" in tian.evidence
    assert lock.published["2001.00007"].not_taken.reason == "pinned, but not in the index"


def test_links_that_name_a_volume_or_a_doi_are_used_before_any_search(run, published_project, services):  # noqa: F811
    s2, dblp, crossref, doi_org = services
    catalog = published_project / "papers.toml"
    catalog.write_text(
        catalog.read_text()
        # the CVF page names CVPR 2020: its table of contents, no title match
        + '[[paper]]\nsection = "s"\ntitle = "Rotation Is All You Need"\nlisted_authors = ["Ann Lee"]\n'
        + 'url = "https://openaccess.thecvf.com/content_CVPR_2020/papers/Lee_Rotation_CVPR_2020_paper.pdf"\n'
        # the ACM page and the ACL Anthology page hold DOIs: one Crossref batch
        + '[[paper]]\nsection = "s"\ntitle = "Graphs Without Labels"\nlisted_authors = ["Bo Chen"]\n'
        + 'listed_year = 2020\nurl = "https://dl.acm.org/doi/abs/10.1145/3394486.3403168"\n'
        + '[[paper]]\nsection = "s"\ntitle = "Speech Without Labels"\nlisted_authors = ["Cy Dee"]\n'
        + 'listed_year = 2020\nurl = "https://aclanthology.org/2020.acl-main.703.pdf"\n'
    )
    dblp.volumes["conf/cvpr/cvpr2020"] = [
        *dblp.volumes["conf/cvpr/cvpr2020"],
        dblp_info("conf/cvpr/Lee20", "Rotation Is All You Need", ["Ann Lee"], 2020, "CVPR", pages="1-8"),
    ]
    crossref.works += [
        crossref_work("10.1145/3394486.3403168", "Graphs without labels", ["Bo Chen"], 2020,
                      "Proceedings of the 26th ACM SIGKDD", "proceedings-article", page="1150-1160"),
        crossref_work("10.18653/v1/2020.acl-main.703", "Speech Without Labels", ["Cy Dee"], 2020,
                      "Proceedings of the 58th Annual Meeting of the ACL",
                      "proceedings-article"),
    ]  # fmt: skip
    code, _, err = _resolve(run, published_project)
    assert code == 0, err
    lock = load_lock(published_project / "papers.lock")
    found = {i: s.found.key for i, s in lock.published.items() if s.found and i.startswith("title:")}
    assert found == {
        "title:rotation is all you need": "conf/cvpr/Lee20",
        "title:graphs without labels": "10.1145/3394486.3403168",
        "title:speech without labels": "10.18653/v1/2020.acl-main.703",
    }
    assert lock.published["title:speech without labels"].found.venue.startswith("Proceedings of the 58th")
    # the DOIs went in the S2 batch and one Crossref batch; no title was matched or searched
    assert [len(r) for r in s2.requests] == [9]
    assert sum("filter" in r for r in crossref.requests) == 1
    assert [r["query.bibliographic"] for r in crossref.requests if "query.bibliographic" in r] == [
        PAPERS[6][1]
    ]


def test_crossref_batches_fifty_dois_asks_the_polite_pool_and_backs_off(httpserver, tmp_path):
    from ssl_bib.sources.crossref import Crossref

    works = [crossref_work(f"10.5555/{i}", f"Paper {i}", ["Ann Lee"], 2020, "J", "journal-article")
             for i in range(120)]  # fmt: skip
    fake = FakeCrossref(works, failures=["429"])
    httpserver.expect_request("/works").respond_with_handler(fake)
    sleeps: list[float] = []
    client = Crossref(httpserver.url_for("/"), mailto="me@example.org", delay=0, backoff=1.5,
                      sleep=sleeps.append, state_dir=tmp_path)  # fmt: skip
    dois = [f"10.5555/{i}" for i in range(120)] + ["10.48550/arXiv.2001.00001", "10.5555/a,b"]
    found = client.works(dois)
    assert len(found) == 120 and found["10.5555/7"].title == "Paper 7"
    assert [len(r["filter"].split(",")) for r in fake.requests] == [50, 50, 50, 21]  # a 429, then 3
    assert {r["mailto"] for r in fake.requests} == {"me@example.org"} and sleeps == [1.5]
    assert all(r["select"].startswith("DOI,title") for r in fake.requests)


def test_doi_org_follows_only_the_agencies_and_keeps_credentials_home(httpserver, tmp_path):
    from pytest_httpserver import HTTPServer

    from ssl_bib.errors import ConfigError
    from ssl_bib.sources.doi_org import DoiOrg

    agency = HTTPServer(host="127.0.0.1", port=0)
    agency.start()
    try:
        record = {"type": "paper-conference", "DOI": "10.1145/1.2", "title": "A Talk",
                  "author": [{"family": "Lee", "given": "Ann"}], "issued": {"date-parts": [[2020]]},
                  "container-title": "Proceedings of Something"}  # fmt: skip
        fake = FakeDoiOrg({"10.1145/1.2": record}, agency=agency.url_for("/").rstrip("/"))
        seen: list[str | None] = []

        def content(request):
            seen.append(request.headers.get("Authorization"))
            return fake.content(request)

        agency.expect_request(re.compile(r"^/content/")).respond_with_handler(content)
        httpserver.expect_request(re.compile(r"^/10\.")).respond_with_handler(fake.resolver)
        base = httpserver.url_for("/").replace("http://", "http://user:pw@")
        client = DoiOrg(base, agencies=["127.0.0.1"], delay=0, state_dir=tmp_path)
        work = client.work("10.1145/1.2")
        assert (work.kind, work.title, work.year, work.authors) == (
            "inproceedings",
            "A Talk",
            2020,
            ("Ann Lee",),
        )
        assert seen == [None]  # the user's credentials never left for the agency
        assert client.work("10.1145/404") is None  # doi.org's 404: nobody registered it
        with pytest.raises(ConfigError, match="off the host"):
            DoiOrg(httpserver.url_for("/"), agencies=["data.crossref.org"], delay=0, state_dir=tmp_path).work(
                "10.1145/1.2"
            )
    finally:
        agency.stop()


@pytest.mark.parametrize(
    ("option", "url", "said"),
    [
        ("--crossref-url", "ftp://api.crossref.org", "--crossref-url 'ftp://api.crossref.org': not an http"),
        ("--doi-url", "https://user:secret@[bad", "--doi-url 'https://[bad': Invalid IPv6 URL"),
    ],
)
def test_a_service_url_that_is_none_is_one_line_before_anything_is_written(
    run,
    published_project,  # noqa: F811 (the fixture, imported)
    option,
    url,
    said,
):
    code, _, err = run("resolve", "--snapshot", "snap.jsonl", option, url, cwd=published_project)
    assert code == 2 and err.startswith(f"ssl-bib: error: {said}") and len(err.splitlines()) == 1, err
    assert "secret" not in err and not (published_project / "papers.lock").exists()


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_FIELDS = [
    *("DOI", "title", "subtitle", "author", "container-title", "issued", "page", "volume", "type", "ISSN"),
    *("event", "key", "authors", "venue", "year", "externalIds", "publicationVenue", "given", "family"),
]
_BASE = {"DOI": "10.1/x", "key": "conf/x/A20", "title": "T"}  # what each reader needs before it reads on


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=8).map(lambda d: {**_BASE, **d}) | _JSON)
@example({**_BASE, "authors": ["A"]})
@example({**_BASE, "authors": {"author": [{"text": 5}]}, "venue": [3], "year": [2020]})
@example({**_BASE, "author": [{"given": ["x"], "family": None}], "issued": {"date-parts": [[True]]}})
@example({**_BASE, "externalIds": [], "publicationVenue": "x", "year": True})
def test_any_json_a_service_answers_is_read_or_left_never_a_crash(item):
    """Whatever JSON Crossref, doi.org, DBLP or Semantic Scholar send for a work, reading it
    gives a record or nothing: never an exception."""
    from ssl_bib.sources import dblp_api, semantic_scholar
    from ssl_bib.sources.records import work_record

    for read in (work_record, dblp_api._record, semantic_scholar._paper):
        record = read(item)
        assert record is None or isinstance(record.title, str)
