"""Local stand-ins for Semantic Scholar's batch endpoint and DBLP's search API, answering as
their documentation says: S2 a JSON list in request order with null for an unknown ID, at
most 500 IDs, 429 without Retry-After when pressed; DBLP `{"result": {"hits": ...}}` pages of
at most 1,000 (`h`, `f`), a single hit or author as an object instead of a list, titles
ending with a period, 429 with Retry-After."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response


@dataclass
class FakeS2:
    """`papers`: "ARXIV:ID" -> the paper's JSON as the API gives it."""

    papers: dict[str, dict[str, Any]]
    failures: list[str] = field(default_factory=list)  # "429", "500", "garbage" served first
    requests: list[list[str]] = field(default_factory=list)
    keys: list[str | None] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        if request.path.endswith("/paper/search/match"):
            return self._match(request)
        if request.method != "POST" or "fields" not in request.args:
            return Response(json.dumps({"error": "Unrecognized or unsupported fields"}), status=400)
        ids = json.loads(request.get_data())["ids"]
        self.requests.append(ids)
        self.keys.append(request.headers.get("x-api-key"))
        if len(ids) > 500:
            return Response(json.dumps({"error": "-- 500 IDs at most --"}), status=400)
        if self.failures:
            kind = self.failures.pop(0)
            if kind == "garbage":
                return Response("<html>busy</html>", status=200)
            return Response(json.dumps({"message": "Too Many Requests"}), status=int(kind))
        answer = [self.papers.get(i) for i in ids]
        return Response(json.dumps(answer), content_type="application/json")

    def _match(self, request: Request) -> Response:
        """The title match: the paper whose title is the query's (case and punctuation aside)."""
        self.requests.append([request.args.get("query", "")])

        def words(text: str) -> list[str]:
            return re.findall(r"[a-z0-9]+", text.lower())

        wanted = words(request.args.get("query", ""))
        for paper in self.papers.values():
            if paper and words(paper["title"]) == wanted:
                return Response(
                    json.dumps({"data": [{**paper, "matchScore": 171.2}]}), content_type="application/json"
                )
        return Response(
            json.dumps({"error": "Title match not found"}), status=404, content_type="application/json"
        )


def s2_paper(title: str, venue: str, year: int, **ids: str) -> dict[str, Any]:
    """A paper as the batch endpoint answers with fields title,year,venue,publicationVenue,..."""
    return {
        "paperId": f"{abs(hash(title)):040x}"[:40],
        "title": title,
        "year": year,
        "venue": venue,
        "publicationVenue": {"id": "x", "name": venue, "type": "conference"} if venue else None,
        "externalIds": {"CorpusId": 1, **ids},
        "publicationTypes": ["Conference"],
    }


@dataclass
class FakeDblp:
    """`volumes`: "conf/cvpr/cvpr2020" -> the records of that table of contents (info objects)."""

    volumes: dict[str, list[dict[str, Any]]]
    failures: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        query = request.args.get("q", "")
        self.requests.append(f"{query} f={request.args.get('f', '0')}")
        if self.failures:
            self.failures.pop(0)
            return Response("", status=429, headers={"Retry-After": "2"})  # DBLP's empty 429
        m = re.fullmatch(r"toc:db/(.+)\.bht:", query)
        records = self.volumes.get(m.group(1), []) if m else []
        first, size = int(request.args.get("f", 0)), min(int(request.args.get("h", 30)), 1000)
        page = records[first : first + size]
        hits: Any = [{"@score": "1", "@id": str(i), "info": info} for i, info in enumerate(page)]
        hits = hits[0] if len(hits) == 1 else hits  # one hit comes as an object
        body = {"result": {"query": query, "status": {"@code": "200", "text": "OK"},
                           "hits": {"@total": str(len(records)), "@computed": str(len(records)),
                                    "@sent": str(len(page)), "@first": str(first), "hit": hits}}}  # fmt: skip
        if not page:
            del body["result"]["hits"]["hit"]
        return Response(json.dumps(body), content_type="application/json")


def dblp_info(
    key: str, title: str, authors: list[str], year: int, venue: str | list[str], **extra: str
) -> dict[str, Any]:
    """A record as DBLP's JSON gives it (one author as an object, the title with its period)."""
    people = [{"@pid": f"{i}/1", "text": a} for i, a in enumerate(authors)]
    kind = (
        "Journal Articles"
        if key.startswith("journals/") and venue != "ICLR"
        else "Conference and Workshop Papers"
    )
    if venue == "CoRR":
        kind = "Informal and Other Publications"
    return {
        "authors": {"author": people[0] if len(people) == 1 else people},
        "title": f"{title}.",
        "venue": venue,
        "year": str(year),
        "type": kind,
        "key": key,
        **extra,
        "url": f"https://dblp.org/rec/{key}",
    }


@dataclass
class FakeCrossref:
    """Crossref's `/works`: `filter=doi:A,doi:B` answers with the works it holds among those
    (an arXiv DOI, registered with DataCite, never), `query.bibliographic` with the `rows`
    works sharing most words with the query, each with a `score`; `select` keeps only the
    fields named; a bad filter is a 400 `validation-failure`; 429 when pressed."""

    works: list[dict[str, Any]]
    failures: list[str] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        args = dict(request.args)
        self.requests.append(args)
        if self.failures:
            return Response("Too Many Requests", status=int(self.failures.pop(0)))
        rows = int(args.get("rows", 20))
        if "filter" in args:
            filters = [f.partition(":") for f in args["filter"].split(",")]
            if any(name != "doi" for name, _, _ in filters) or rows > 1000:
                body = {"status": "failed", "message-type": "validation-failure",
                        "message": [{"type": "filter-not-available", "value": args["filter"]}]}  # fmt: skip
                return Response(json.dumps(body), status=400, content_type="application/json")
            asked = {value.lower() for _, _, value in filters}
            items = [w for w in self.works if w["DOI"].lower() in asked]
        elif "query.bibliographic" in args:
            words = set(re.findall(r"[a-z0-9]+", args["query.bibliographic"].lower()))
            scored = []
            for work in self.works:
                theirs = set(re.findall(r"[a-z0-9]+", " ".join(work.get("title", [])).lower()))
                if shared := len(words & theirs):
                    scored.append({**work, "score": float(shared)})
            items = sorted(scored, key=lambda w: -w["score"])
        else:
            items = list(self.works)
        if "select" in args:
            keep = set(args["select"].split(",")) | {"score"}
            items = [{k: v for k, v in w.items() if k in keep} for w in items]
        message = {"facets": {}, "total-results": len(items), "items": items[:rows], "items-per-page": rows,
                   "query": {"start-index": 0, "search-terms": None}}  # fmt: skip
        body = {"status": "ok", "message-type": "work-list", "message-version": "1.0.0", "message": message}
        return Response(json.dumps(body), content_type="application/json")


def crossref_work(
    doi: str, title: str, authors: list[str], year: int, container: str | list[str], kind: str, **extra: Any
) -> dict[str, Any]:
    """A work as Crossref's REST API gives it: title and container-title as lists, authors
    split into given and family, the date as date-parts."""
    people = [{"given": " ".join(a.split()[:-1]), "family": a.split()[-1], "sequence": "additional",
               "affiliation": []} for a in authors]  # fmt: skip
    return {
        "DOI": doi,
        "title": [title],
        "author": people,
        "container-title": container if isinstance(container, list) else [container],
        "issued": {"date-parts": [[year, 6]]},
        "type": kind,
        "publisher": "IEEE",
        **extra,
    }


@dataclass
class FakeDoiOrg:
    """doi.org: a registered DOI is a 302 to its agency (`agency` + `/content/<doi>`), which
    answers CSL-JSON when asked for it (406 otherwise); an unknown DOI is a 404 page."""

    records: dict[str, dict[str, Any]]  # lower-cased DOI -> CSL-JSON
    agency: str  # base URL of the agency's server
    requests: list[str] = field(default_factory=list)

    def resolver(self, request: Request) -> Response:
        doi = request.path.lstrip("/")
        self.requests.append(doi)
        if doi.lower() not in self.records:
            return Response("<html><body>DOI Not Found</body></html>", status=404, content_type="text/html")
        return Response("", status=302, headers={"Location": f"{self.agency}/content/{doi}"})

    def content(self, request: Request) -> Response:
        doi = request.path.removeprefix("/content/")
        if "application/vnd.citationstyles.csl+json" not in request.headers.get("Accept", ""):
            return Response("Not Acceptable", status=406)
        return Response(
            json.dumps(self.records[doi.lower()]), content_type="application/vnd.citationstyles.csl+json"
        )
