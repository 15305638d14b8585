"""Semantic Scholar's Graph API: many papers in one request (`POST /graph/v1/paper/batch`,
500 IDs), for where a paper was published (a venue and a year to look it up in DBLP).

The answer is a list in request order with `null` for an ID it does not know. Without an
API key, requests share a public pool that answers 429 often and without `Retry-After`: the
HTTP layer backs off and asks again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import http

DEFAULT_URL = "https://api.semanticscholar.org"
BATCH = 500  # IDs a request, as the API allows
FIELDS = "title,year,venue,publicationVenue,externalIds,publicationTypes"


@dataclass(frozen=True)
class S2Paper:
    """What Semantic Scholar says of a paper: where it appeared (its names vary: "Computer
    Vision and Pattern Recognition", "CVPR"), when, and the IDs it knows (DBLP, DOI)."""

    title: str
    year: int | None
    venue: str
    dblp: str | None = None
    doi: str | None = None


class SemanticScholar:
    """The batch endpoint through the project's HTTP layer (base URL, optional key)."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        delay: float | None = None,
        retries: int = 4,
        backoff: float = 3.0,
        sleep: Callable[[float], None] = time.sleep,
        state_dir: Path | None = None,
    ) -> None:
        # one request a second with a key (its terms); keyless, gentler still
        delay = (1.0 if api_key else 3.0) if delay is None else delay
        headers = {"x-api-key": api_key} if api_key else {}
        self._http = http.Client(
            base_url.rstrip("/"), delay=delay, retries=retries, backoff=backoff, sleep=sleep,
            state_dir=state_dir, headers=headers,
        )  # fmt: skip
        self.name = self._http.name

    @property
    def requests(self) -> int:
        return self._http.requests

    def batch(self, ids: Sequence[str]) -> list[S2Paper | None]:
        """Each ID (`ARXIV:2002.05709`, `DOI:…`) with what S2 knows of it, None where nothing;
        500 a request. Unavailable when S2 keeps failing."""
        out: list[S2Paper | None] = []
        for start in range(0, len(ids), BATCH):
            chunk = list(ids[start : start + BATCH])
            out += self._batch(chunk)
        return out

    def match(self, title: str) -> S2Paper | None:
        """The paper S2 matches a title to (`GET /graph/v1/paper/search/match`), None when it
        matches none (its 404 "Title match not found"): a hint to check, never an answer."""

        def read(response: http.Response) -> S2Paper | None:
            try:
                data = json.loads(response.body)["data"]
            except (ValueError, KeyError, TypeError):
                raise http.Transient("not a title match answer") from None
            return _paper(data[0]) if isinstance(data, list) and data else None

        url = f"{self._http.base_url}/graph/v1/paper/search/match?query={quote(title)}&fields={FIELDS}"
        return http.ask_index(self._http, "Semantic Scholar", url, read, absent={404: None})

    def _batch(self, ids: list[str]) -> list[S2Paper | None]:
        def read(response: http.Response) -> list[Any]:
            try:
                data = json.loads(response.body)
            except ValueError:
                raise http.Transient("not JSON") from None
            if not isinstance(data, list) or len(data) != len(ids):
                raise http.Transient("not one answer per ID asked")
            return data

        url = f"{self._http.base_url}/graph/v1/paper/batch?fields={FIELDS}"
        data = http.ask_index(
            self._http, "Semantic Scholar", url, read, body=json.dumps({"ids": ids}).encode()
        )
        return [_paper(item) for item in data]


def _paper(item: Any) -> S2Paper | None:
    if not isinstance(item, dict) or not isinstance(item.get("title"), str):
        return None
    venue_record = _object(item.get("publicationVenue"))
    venue = venue_record.get("name") or item.get("venue") or ""
    ids = _object(item.get("externalIds"))
    doi = ids.get("DOI") if isinstance(ids.get("DOI"), str) else None
    year = item.get("year")
    return S2Paper(
        title=item["title"],
        year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        venue=venue if isinstance(venue, str) else "",
        dblp=ids.get("DBLP") if isinstance(ids.get("DBLP"), str) else None,
        doi=None if doi is None or doi.lower().startswith("10.48550/") else doi,
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
