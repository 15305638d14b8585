"""DBLP's search API (`/search/publ/api?format=json`), asked for whole proceedings volumes:
one table-of-contents query (`toc:db/conf/cvpr/cvpr2020.bht:`) returns up to 1,000 records a
page, matched locally, instead of one search a paper; and the one record a key names
(`/rec/KEY.xml`), for a maintainer's pin.

DBLP's JSON has quirks: a single hit or author is an object, not a list; `venue` and `ee` may
be lists; titles end with a period; names may carry a homonym number (`Wei Wang 0001`) and
HTML entities. It asks for a second or two between requests and answers 429 with
`Retry-After` when pressed, which the HTTP layer obeys.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from . import http
from .dblp_dump import records_in
from .records import IndexRecord, dblp_series

DEFAULT_URL = "https://dblp.org"
PAGE = 1000  # records a page, the API's most
MAX_PAGES = 5  # a volume of 5,000 papers is the largest there is; never more pages than that
_KINDS = {"Conference and Workshop Papers": "inproceedings", "Journal Articles": "article"}


class DblpApi:
    """Tables of contents through the project's HTTP layer, 2 s apart across processes."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        delay: float = 2.0,
        retries: int = 4,
        backoff: float = 3.0,
        sleep: Callable[[float], None] = time.sleep,
        state_dir: Path | None = None,
    ) -> None:
        self._http = http.Client(
            base_url.rstrip("/"),
            delay=delay,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
            state_dir=state_dir,
        )
        self.name = self._http.name

    @property
    def requests(self) -> int:
        return self._http.requests

    def toc(self, volume: str) -> list[IndexRecord]:
        """Every record of a proceedings volume (`conf/cvpr/cvpr2020`), page by page."""
        records: list[IndexRecord] = []
        for page in range(MAX_PAGES):
            hits, total = self._page(f"toc:db/{volume}.bht:", page * PAGE)
            records += hits
            if (page + 1) * PAGE >= total or not hits:
                break
        return records

    def record(self, key: str) -> IndexRecord | None:
        """The record a DBLP key names (`/rec/KEY.xml`, the dump's format); None when DBLP
        has no such key (404) or it is no conference or journal record."""

        def read(response: http.Response) -> IndexRecord | None:
            try:
                found = records_in(response.body)
            except ElementTree.ParseError:
                raise http.Transient("not DBLP XML") from None
            return next((r for r in found if r.key == key), None)

        url = f"{self._http.base_url}/rec/{quote(key, safe='/')}.xml"
        return http.ask_index(self._http, "DBLP", url, read, absent={404: None, 410: None})

    def _page(self, query: str, first: int) -> tuple[list[IndexRecord], int]:
        query = quote(query, safe=":/")
        url = f"{self._http.base_url}/search/publ/api?q={query}&format=json&h={PAGE}&f={first}"
        return http.ask_index(self._http, "DBLP", url, lambda response: _hits(response.body))


def _hits(body: bytes) -> tuple[list[IndexRecord], int]:
    """The records of one page and the total the query has; Transient when it is no answer."""
    try:
        hits = json.loads(body)["result"]["hits"]
        total = int(hits.get("@total", 0))
    except (ValueError, KeyError, TypeError):
        raise http.Transient("not a DBLP search answer") from None
    found = hits.get("hit", [])
    found = [found] if isinstance(found, dict) else found  # one hit comes as an object
    return [
        r for hit in found if isinstance(hit, dict) and (r := _record(hit.get("info"))) is not None
    ], total


def _record(info: Any) -> IndexRecord | None:
    """A hit's `info` as a record; None when it names no key or title. Any other field of an
    unexpected shape is left out, never a crash."""
    if (
        not isinstance(info, dict)
        or not isinstance(info.get("key"), str)
        or not isinstance(info.get("title"), str)
    ):
        return None
    people = info.get("authors")
    authors = people.get("author", []) if isinstance(people, dict) else []
    authors = [authors] if isinstance(authors, dict | str) else authors if isinstance(authors, list) else []
    names = [_string(a.get("text") if isinstance(a, dict) else a) for a in authors]
    venue = info.get("venue", "")
    venue = venue[0] if isinstance(venue, list) and venue else venue
    year = info.get("year")
    year = (
        year
        if isinstance(year, str)
        else str(year)
        if isinstance(year, int) and not isinstance(year, bool)
        else ""
    )
    kind = _string(info.get("type"))
    return IndexRecord(
        key=info["key"],
        kind=_KINDS.get(kind, "other"),
        title=html.unescape(info["title"]).rstrip("."),
        authors=tuple(n for n in names if n),
        year=int(year) if year.isascii() and year.isdigit() else None,
        venue=_string(venue),
        pages=_string(info.get("pages")) or None,
        volume=_string(info.get("volume")) or None,
        doi=_string(info.get("doi")) or None,
        informal=kind == "Informal and Other Publications",
        series=dblp_series(info["key"]),
    )


def _string(value: Any) -> str:
    """A text field as DBLP's JSON gives it (with HTML entities), "" when it is not text."""
    return html.unescape(value) if isinstance(value, str) else ""
