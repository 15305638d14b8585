"""Where arXiv metadata comes from: the API (via the `arxiv` package) or a Kaggle snapshot.

The only module that imports `arxiv`, `requests` or reads the snapshot. Both sources turn
what they read into `ArxivRecord`s and answer the same two questions: "these IDs, please"
(in batches) and "which papers have this title".
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from . import __version__
from .arxiv_id import is_arxiv_id, split_version
from .errors import ArxivUnavailable, ConfigError, SnapshotError
from .latex import decode_tex
from .model import ArxivRecord
from .titles import normalize_title

if TYPE_CHECKING:
    import arxiv
    import requests

log = logging.getLogger(__name__)

DEFAULT_URL = "https://export.arxiv.org/api/query"
USER_AGENT = f"ssl-bib/{__version__} (bibliography builder; https://github.com/ssl-bib/ssl-bib)"
BACKOFF = 3.0  # seconds before the first retry; doubled for each further one
BATCH = 100  # arXiv's API pages at most 100 entries per id_list request comfortably


@dataclass(frozen=True)
class Batch:
    """What one batch of IDs turned into: records found, IDs arXiv does not know, malformed IDs."""

    found: tuple[ArxivRecord, ...]
    missing: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()


class Source(Protocol):
    """A place to look papers up."""

    name: str

    def fetch(self, ids: Sequence[str]) -> Iterator[Batch]: ...

    def search_titles(self, titles: Sequence[str]) -> Iterator[tuple[str, list[ArxivRecord]]]: ...


# --- the API -------------------------------------------------------------------------------


class _Transient(Exception):
    """A failure worth retrying: 5xx/429, timeout, connection error, empty answer."""


class _BadRequest(Exception):
    def __init__(self, bad_ids: set[str]) -> None:
        self.bad_ids = bad_ids


class ApiSource:
    """The real arXiv API through `arxiv.Client`, with timeout, backoff and a descriptive UA."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        delay: float = 3.0,
        retries: int = 4,
        backoff: float | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import arxiv

        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"--arxiv-url {base_url!r} is not an http:// or https:// URL")
        self.name = base_url
        # Backing off starts at arXiv's 3 seconds and doubles (3, 6, 12, 24 s), whatever the
        # delay between ordinary requests: a server in trouble needs the pause either way.
        self.retries, self.backoff, self.sleep = retries, BACKOFF if backoff is None else backoff, sleep
        self.requests = 0
        self._session = _session(timeout)
        # arxiv.Client spaces its requests by delay_seconds (arXiv asks for 3 s); its own
        # retries are immediate and blind to 400s, so we retry here instead.
        self._client = arxiv.Client(page_size=BATCH, delay_seconds=delay, num_retries=0)
        self._client.query_url_format = base_url + "?{}"
        self._client._session = self._session  # no public hook for timeout and User-Agent

    def fetch(self, ids: Sequence[str]) -> Iterator[Batch]:
        """Yield one Batch per up to 100 IDs; every ID lands in found, missing or invalid."""
        ids = list(dict.fromkeys(ids))
        invalid = tuple(i for i in ids if not is_arxiv_id(i))
        valid = [i for i in ids if is_arxiv_id(i)]
        if invalid:
            yield Batch((), invalid=invalid)
        for start in range(0, len(valid), BATCH):
            yield self._batch(valid[start : start + BATCH])

    def _batch(self, ids: list[str]) -> Batch:
        found: dict[str, ArxivRecord] = {}
        invalid: set[str] = set()
        pending = ids
        # A partial answer is re-asked once for what is missing (the API drops entries under
        # load); what is still missing then is unknown to arXiv.
        for again in (False, True):
            records, bad = self._ask_ids(pending, empty_ok=again)
            invalid |= bad
            found.update((r.id, r) for r in records if r.id in pending)
            pending = [i for i in pending if i not in found and i not in invalid]
            if not pending or not found:
                break
        return Batch(tuple(found[i] for i in ids if i in found), tuple(pending), tuple(sorted(invalid)))

    def _ask_ids(self, ids: list[str], empty_ok: bool = False) -> tuple[list[ArxivRecord], set[str]]:
        """Ask for ids; on a 400 drop the IDs arXiv names as malformed and ask for the rest.

        An empty answer is retried (the API sends sporadic empty pages) unless `empty_ok`:
        when re-asking for IDs a first answer lacked, empty means arXiv does not know them.
        """
        import arxiv

        bad: set[str] = set()
        while ids:
            try:
                search = arxiv.Search(id_list=ids, max_results=len(ids))
                results = self._run(search, empty_ok=empty_ok)
                return [_from_result(r) for r in results], bad
            except _BadRequest as exc:
                named = exc.bad_ids & set(ids) or ({ids[0]} if len(ids) == 1 else set())
                if not named:  # the 400 did not say which: split the batch
                    half = len(ids) // 2
                    left, lbad = self._ask_ids(ids[:half], empty_ok)
                    right, rbad = self._ask_ids(ids[half:], empty_ok)
                    return left + right, bad | lbad | rbad
                bad |= named
                ids = [i for i in ids if i not in named]
        return [], bad

    def search_titles(self, titles: Sequence[str]) -> Iterator[tuple[str, list[ArxivRecord]]]:
        """Yield each title with the records of a `ti:` search for its words."""
        import arxiv

        for title in titles:
            words = re.findall(r"\w+", title)
            if not words:
                yield title, []
                continue
            query = 'ti:"' + " ".join(words) + '"'
            results = self._run(arxiv.Search(query=query, max_results=5), empty_ok=True)
            yield title, [_from_result(r) for r in results]

    def _run(self, search: arxiv.Search, *, empty_ok: bool = False) -> list[arxiv.Result]:
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                results = self._once(search)
            except _Transient as exc:
                reason = str(exc)
                log.info("arXiv attempt %d failed: %s", attempt + 1, reason)
                continue
            if results or empty_ok:
                return results
            reason = "empty answer"
        if reason == "empty answer":
            return []  # arXiv kept answering "nothing": the IDs are unknown to it
        raise ArxivUnavailable(self.name, reason, self.retries + 1, unresolved=0)

    def _once(self, search: arxiv.Search) -> list[arxiv.Result]:
        import arxiv
        import requests

        self.requests += 1
        try:
            return list(self._client.results(search))
        except arxiv.HTTPError as exc:
            if exc.status == 400:
                raise _BadRequest(_malformed_ids(self._session.last)) from None
            if exc.status == 429 or exc.status >= 500:
                raise _Transient(f"HTTP {exc.status}") from None
            raise ArxivUnavailable(self.name, f"HTTP {exc.status}", 1, unresolved=0) from None
        except arxiv.UnexpectedEmptyPageError:
            raise _Transient("empty page") from None
        except requests.Timeout:
            raise _Transient("timeout") from None
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
            raise ConfigError(f"--arxiv-url {self.name!r} cannot be used: {exc}") from None
        except requests.RequestException as exc:
            raise _Transient(type(exc).__name__) from None


def _session(timeout: float) -> Any:
    import requests

    class Session(requests.Session):
        """Add a timeout and our User-Agent to every request; remember the last response."""

        last: requests.Response | None = None

        def request(
            self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
        ) -> requests.Response:
            headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "user-agent"}
            kwargs["headers"] = {**headers, "User-Agent": USER_AGENT}
            kwargs.setdefault("timeout", timeout)
            self.last = super().request(method, url, *args, **kwargs)
            return self.last

    return Session()


def _malformed_ids(response: requests.Response | None) -> set[str]:
    """Read `incorrect id format for X` out of arXiv's 400 Error entry."""
    if response is None:
        return set()
    return set(re.findall(r"incorrect id format for ([^\s<]+)", response.text))


def _from_result(result: arxiv.Result) -> ArxivRecord:
    arxiv_id, version = split_version(result.get_short_id())
    categories = [result.primary_category] if result.primary_category else []
    categories += [c for c in result.categories if c not in categories] if categories else []
    return ArxivRecord(
        id=arxiv_id,
        version=version or 1,
        title=" ".join(result.title.split()),
        authors=tuple(a.name for a in result.authors),
        published=result.published.date().isoformat(),
        updated=result.updated.date().isoformat(),
        categories=tuple(categories),
        doi=result.doi or None,
        journal_ref=result.journal_ref or None,
        comment=result.comment or None,
    )


# --- the Kaggle snapshot ---------------------------------------------------------------------

_LINE_ID = re.compile(r'^\s*\{\s*"id"\s*:\s*"([^"]+)"')
_SUFFIX = re.compile(r"^(?:Jr|Sr|I{2,3}|IV)\.?$")


class SnapshotSource:
    """A Kaggle-format arXiv metadata snapshot (JSONL), streamed line by line."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = f"snapshot:{self.path.name}"
        if not self.path.is_file():
            raise SnapshotError(str(self.path), None, "no such snapshot file")

    def fetch(self, ids: Sequence[str]) -> Iterator[Batch]:
        """Stream the file once; parse only the lines whose ID is wanted."""
        wanted = set(ids)
        found: dict[str, ArxivRecord] = {}
        for number, line in enumerate(self._lines(), 1):
            m = _LINE_ID.match(line)
            if m is None or m.group(1) not in wanted:
                continue
            found[m.group(1)] = self._record(line, number)
            if len(found) == len(wanted):
                break
        missing = tuple(i for i in ids if i not in found and is_arxiv_id(i))
        invalid = tuple(i for i in ids if not is_arxiv_id(i))
        yield Batch(tuple(found[i] for i in ids if i in found), missing, invalid)

    def search_titles(self, titles: Sequence[str]) -> Iterator[tuple[str, list[ArxivRecord]]]:
        """Stream the file once, collecting records whose title shares the query's words."""
        wanted = {normalize_title(t): t for t in titles}
        hits: dict[str, list[ArxivRecord]] = {t: [] for t in titles}
        if wanted:
            for number, line in enumerate(self._lines(), 1):
                data = self._parse(line, number)
                if (title := wanted.get(normalize_title(str(data.get("title", ""))))) is not None:
                    hits[title].append(self._record(line, number))
        yield from hits.items()

    def _lines(self) -> Iterable[str]:
        try:
            with self.path.open(encoding="utf-8") as stream:
                yield from stream
        except (OSError, UnicodeDecodeError) as exc:
            raise SnapshotError(str(self.path), None, f"cannot read: {exc}") from None

    def _record(self, line: str, number: int) -> ArxivRecord:
        """Read one line's record; a line without the fields a record needs is an error."""
        data = self._parse(line, number)
        try:
            return _from_snapshot(data)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            reason = f"no {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
            raise SnapshotError(str(self.path), number, f"not an arXiv metadata record ({reason})") from None

    def _parse(self, line: str, number: int) -> dict[str, Any]:
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SnapshotError(str(self.path), number, f"not a JSON object: {exc.msg}") from None
        if not isinstance(data, dict):
            raise SnapshotError(str(self.path), number, "not a JSON object")
        return data


def _from_snapshot(data: dict[str, Any]) -> ArxivRecord:
    versions = data.get("versions") or [{"version": "v1", "created": data.get("update_date")}]
    title = " ".join(str(data["title"]).split()) if isinstance(data.get("title"), str) else ""
    if not title:
        raise ValueError("no title")
    return ArxivRecord(
        id=data["id"],
        version=int(str(versions[-1]["version"]).lstrip("v")),
        title=title,
        authors=tuple(split_author_string(data.get("authors") or "")),
        published=_rfc2822_date(versions[0]["created"]),
        updated=_rfc2822_date(versions[-1]["created"]),
        categories=tuple(str(data.get("categories") or "").split()),
        doi=data.get("doi") or None,
        journal_ref=data.get("journal-ref") or None,
        comment=data.get("comments") or None,
    )


def split_author_string(authors: str) -> list[str]:
    """Split arXiv's `A, B and C` author string into Unicode names; `, Jr.` stays attached.

    >>> split_author_string("Olivier J. H\\\\'enaff, Ali Razavi and John Smith, Jr.")
    ['Olivier J. Hénaff', 'Ali Razavi', 'John Smith Jr.']
    """
    flat = " ".join(authors.split())
    names: list[str] = []
    for part in re.split(r",\s*|\s+and\s+", flat):
        part = part.strip()
        if not part:
            continue
        if names and _SUFFIX.match(part):
            names[-1] += " " + part
        else:
            names.append(decode_tex(part))
    return names


def _rfc2822_date(text: str) -> str:
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError):
        try:
            return datetime.fromisoformat(str(text)).date().isoformat()
        except ValueError:
            raise ValueError(f"bad date {text!r}") from None
