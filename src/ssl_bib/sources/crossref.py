"""Crossref's REST API, the authority once a DOI is known: many DOIs in one request
(`/works?filter=doi:A,doi:B`, 50 a request), and `query.bibliographic` for a title nothing
else placed. The polite pool is asked when a `mailto` is given (SSL_BIB_MAILTO).

Crossref holds only the DOIs it registered: arXiv's (DataCite) are not there, and a DOI it
does not hold is simply absent from the answer. Its limits: lists and queries 1 a second in
the public pool, 3 a second in the polite pool; 429 when pressed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import http
from .records import IndexRecord, work_record

DEFAULT_URL = "https://api.crossref.org"
BATCH = 50  # DOIs a request: longer filters meet URL size limits
SEARCH_ROWS = 5
SELECT = "DOI,title,subtitle,author,container-title,event,issued,page,volume,type,ISSN"


class Crossref:
    """The works endpoint through the project's HTTP layer (base URL, optional mailto)."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        mailto: str | None = None,
        delay: float | None = None,
        retries: int = 4,
        backoff: float = 3.0,
        sleep: Callable[[float], None] = time.sleep,
        state_dir: Path | None = None,
    ) -> None:
        # lists and queries: 3 a second in the polite pool, 1 a second in the public one
        delay = (0.34 if mailto else 1.0) if delay is None else delay
        self._mailto = mailto
        self._http = http.Client(
            base_url.rstrip("/"), delay=delay, retries=retries, backoff=backoff, sleep=sleep,
            state_dir=state_dir,
        )  # fmt: skip
        self.name = self._http.name

    @property
    def requests(self) -> int:
        return self._http.requests

    def works(self, dois: Sequence[str]) -> dict[str, IndexRecord]:
        """What Crossref holds of each DOI (lower-cased DOI -> record); a DOI it does not hold
        is absent. 50 DOIs a request; a DOI with a comma (which the filter cannot carry) is
        left to doi.org."""
        wanted = list(dict.fromkeys(d.lower() for d in dois if "," not in d))
        out: dict[str, IndexRecord] = {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            query = {"filter": ",".join(f"doi:{d}" for d in chunk), "rows": str(len(chunk))}
            for record in self._works(query):
                if record.key.lower() in chunk:
                    out[record.key.lower()] = record
        return out

    def search(self, title: str, author: str | None = None) -> list[IndexRecord]:
        """The few works Crossref ranks nearest a title (and an author's family name):
        candidates to judge, never an answer."""
        query = {"query.bibliographic": title, "rows": str(SEARCH_ROWS)}
        if author:
            query["query.author"] = author
        return self._works(query)

    def _works(self, query: dict[str, str]) -> list[IndexRecord]:
        params = {**query, "select": SELECT, **({"mailto": self._mailto} if self._mailto else {})}
        url = f"{self._http.base_url}/works?{urlencode(params)}"
        items = http.ask_index(self._http, "Crossref", url, _items)
        return [record for item in items if (record := work_record(item)) is not None]


def _items(response: http.Response) -> list[Any]:
    """The works of a `/works` answer; Transient when it is none."""
    try:
        items = json.loads(response.body)["message"]["items"]
    except (ValueError, KeyError, TypeError):
        raise http.Transient("not a Crossref works answer") from None
    if not isinstance(items, list):
        raise http.Transient("not a Crossref works answer")
    return items
