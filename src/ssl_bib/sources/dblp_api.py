"""DBLP's search API (`/search/publ/api?format=json`), asked for whole proceedings volumes:
one table-of-contents query (`toc:db/conf/cvpr/cvpr2020.bht:`) returns up to 1,000 records a
page, matched locally, instead of one search a paper.

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

from ..errors import ConfigError, IndexUnavailable
from . import http
from .dblp_dump import DblpRecord

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

    def toc(self, volume: str) -> list[DblpRecord]:
        """Every record of a proceedings volume (`conf/cvpr/cvpr2020`), page by page."""
        records: list[DblpRecord] = []
        for page in range(MAX_PAGES):
            hits, total = self._page(f"toc:db/{volume}.bht:", page * PAGE)
            records += hits
            if (page + 1) * PAGE >= total or not hits:
                break
        return records

    def _page(self, query: str, first: int) -> tuple[list[DblpRecord], int]:
        answer: list[tuple[list[DblpRecord], int]] = []

        def accept(response: http.Response) -> None:
            if response.status != 200:
                raise http.Transient(f"HTTP {response.status}")
            answer.append(_hits(response.body))

        query = quote(query, safe=":/")
        url = f"{self._http.base_url}/search/publ/api?q={query}&format=json&h={PAGE}&f={first}"
        try:
            self._http.get(url, accept)
        except http.Unavailable as exc:
            raise IndexUnavailable("DBLP", self.name, exc.reason, exc.tries) from None
        except http.Refused as exc:
            raise ConfigError(str(exc)) from None
        return answer[-1]


def _hits(body: bytes) -> tuple[list[DblpRecord], int]:
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


def _record(info: Any) -> DblpRecord | None:
    if (
        not isinstance(info, dict)
        or not isinstance(info.get("key"), str)
        or not isinstance(info.get("title"), str)
    ):
        return None
    authors = (info.get("authors") or {}).get("author", [])
    authors = [authors] if isinstance(authors, dict | str) else authors
    names = [html.unescape(a.get("text", "") if isinstance(a, dict) else str(a)) for a in authors]
    venue = info.get("venue", "")
    venue = venue[0] if isinstance(venue, list) and venue else venue
    year = str(info.get("year", ""))
    kind = info.get("type", "")
    return DblpRecord(
        key=info["key"],
        kind=_KINDS.get(kind, "other"),
        title=html.unescape(info["title"]).rstrip("."),
        authors=tuple(n for n in names if n),
        year=int(year) if year.isdigit() else None,
        venue=html.unescape(venue) if isinstance(venue, str) else "",
        pages=info.get("pages") if isinstance(info.get("pages"), str) else None,
        volume=info.get("volume") if isinstance(info.get("volume"), str) else None,
        doi=info.get("doi") if isinstance(info.get("doi"), str) else None,
        informal=kind == "Informal and Other Publications",
    )
