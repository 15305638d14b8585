"""doi.org content negotiation: a DOI's metadata as CSL-JSON from whichever agency registered
it (Crossref, DataCite, mEDRA, JaLC, ...), one DOI a request, for DOIs Crossref does not hold.

doi.org answers with a redirect to the agency's own host: those hosts, and only those, may
be followed. A DOI nobody registered is a 404; an agency that has no CSL-JSON for it, 406.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

from . import http
from .records import IndexRecord, work_record

DEFAULT_URL = "https://doi.org"
CSL_JSON = "application/vnd.citationstyles.csl+json"
# the registration agencies' content-negotiation hosts doi.org sends a request on to
AGENCIES = frozenset({
    "data.crossref.org", "api.crossref.org", "data.datacite.org", "api.datacite.org",
    "data.medra.org", "data.jalc.or.jp", "api.japanlinkcenter.org", "data.chinadoi.cn",
})  # fmt: skip


class DoiOrg:
    """Content negotiation through the project's HTTP layer, redirects kept to the agencies."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        agencies: Iterable[str] = AGENCIES,
        delay: float = 0.2,
        retries: int = 4,
        backoff: float = 3.0,
        sleep: Callable[[float], None] = time.sleep,
        state_dir: Path | None = None,
    ) -> None:
        self._http = http.Client(
            base_url.rstrip("/"), delay=delay, retries=retries, backoff=backoff, sleep=sleep,
            state_dir=state_dir, headers={"Accept": CSL_JSON},
            redirect_hosts=frozenset(h.lower() for h in agencies),
        )  # fmt: skip
        self.name = self._http.name

    @property
    def requests(self) -> int:
        return self._http.requests

    def work(self, doi: str) -> IndexRecord | None:
        """The DOI's record, None when no agency has it (404) or none gives CSL-JSON (406)."""
        url = f"{self._http.base_url}/{quote(doi, safe='/:;()')}"
        return http.ask_index(self._http, "doi.org", url, _csl_record, absent={404: None, 406: None})


def _csl_record(response: http.Response) -> IndexRecord | None:
    """The record of a CSL-JSON answer (an alias DOI answers with its primary DOI: judged
    alike); Transient when it is none."""
    try:
        record = work_record(json.loads(response.body))
    except ValueError:
        raise http.Transient("not CSL-JSON") from None
    if record is None:
        raise http.Transient("not CSL-JSON with a DOI and a title")
    return record
