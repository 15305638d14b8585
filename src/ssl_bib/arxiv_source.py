"""Where arXiv metadata comes from: the API (via the `arxiv` package) or a Kaggle snapshot.

The only module that imports `arxiv`, `requests` or reads the snapshot. Both sources turn
what they read into `ArxivRecord`s and answer the same two questions: "these IDs, please"
(in batches) and "which papers have this title".
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
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
from .errors import ArxivRejected, ArxivUnavailable, ConfigError, SnapshotError
from .latex import decode_tex
from .model import ArxivRecord
from .titles import NEAR_MATCH, STOP_WORDS, normalize_title, title_matches, title_ratio

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
    """A failure worth retrying: 5xx/429, timeout, connection error, an answer that is not a
    well-formed feed, an empty page."""


class _BadRequest(Exception):
    def __init__(self, bad_ids: set[str], text: str) -> None:
        self.bad_ids, self.text = bad_ids, text


# arXiv's first new-style paper. An empty answer proves nothing (the API sends sporadic empty
# pages under load), so a question whose answer might be empty also asks for this paper,
# which always exists: an answer that has it is a real answer.
CANARY_ID = "0704.0001"
CANARY_TITLE = "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
# Titles OR-ed into one search (a request stays a few kilobytes, well within what the API
# accepts), as whole phrases first, then as two half phrases each.
TITLES_PER_QUERY = 40
_HYPHENATED = ("self", "semi", "multi", "cross", "non", "pre", "meta", "co")


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
        clock: Callable[[], float] = time.time,
        state_dir: Path | None = None,
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
        # arXiv's 3-second rule holds across processes: every request takes a lock on a file
        # named after the host (in the user's cache folder) that holds the time of the last one.
        throttle = _Throttle(_state_file(state_dir, parts.netloc), delay, sleep, clock)
        self._session = _session(timeout, throttle)
        # The throttle spaces the requests, so arxiv.Client need not; its own retries are
        # immediate and blind to 400s, so we retry here instead.
        self._client = arxiv.Client(page_size=BATCH, delay_seconds=0, num_retries=0)
        self._client.query_url_format = base_url + "?{}"
        self._client._session = self._session  # no public hook for timeout and User-Agent

    # --- IDs ---

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
        """One request; a well-formed answer that has entries says the rest are not on arXiv.
        An answer without any entry is asked again with the canary, whose presence proves it."""
        records, bad = self._ask_ids(ids)
        ids = [i for i in ids if i not in bad]
        found = {r.id: r for r in records if r.id in ids}
        if ids and not found:
            records, _ = self._ask_ids([*ids, CANARY_ID], require=CANARY_ID)
            found = {r.id: r for r in records if r.id in ids}
        missing = tuple(i for i in ids if i not in found)
        return Batch(tuple(found[i] for i in ids if i in found), missing, tuple(sorted(bad)))

    def _ask_ids(self, ids: list[str], require: str | None = None) -> tuple[list[ArxivRecord], set[str]]:
        """Ask for ids; on a 400 drop the IDs arXiv names as malformed and ask for the rest
        (a 400 that names none of them is an error: we sent something arXiv cannot read)."""
        import arxiv

        bad: set[str] = set()
        while ids:
            try:
                search = arxiv.Search(id_list=ids, max_results=len(ids))
                return [_from_result(r) for r in self._run(search, require)], bad
            except _BadRequest as exc:
                named = exc.bad_ids & set(ids)
                if not named:
                    raise ArxivRejected(self.name, f"id_list={','.join(ids)}", exc.text) from None
                bad |= named
                ids = [i for i in ids if i not in named]
        return [], bad

    # --- titles ---

    def search_titles(self, titles: Sequence[str]) -> Iterator[tuple[str, list[ArxivRecord]]]:
        """Yield each title with the arXiv records whose titles are like it, best first.

        Titles are searched as exact phrases, many OR-ed into one request; those without a
        close match are searched again as two half phrases each (a short title by its
        words), so a typo, a dropped word or a lost hyphen still finds the paper."""
        hits: dict[str, list[ArxivRecord]] = {}
        phrases = {t: p for t in dict.fromkeys(titles) if (p := " ".join(_query_words(t)))}
        yield from ((t, []) for t in dict.fromkeys(titles) if t not in phrases)
        left = []
        for chunk in _chunks(list(phrases), TITLES_PER_QUERY):
            records = self._search([f'ti:"{phrases[t]}"' for t in chunk], 10 * len(chunk))
            for title in chunk:
                hits[title] = _alike(title, records)
                if any(title_matches(title, r.title) for r in hits[title]):
                    yield title, hits[title]
                else:
                    left.append(title)
        for chunk in _chunks(left, TITLES_PER_QUERY):
            records = self._search([c for t in chunk for c in _fallback_clauses(t)], 20 * len(chunk))
            for title in chunk:
                yield title, _alike(title, [*hits[title], *records])

    def _search(self, clauses: list[str], max_results: int) -> list[ArxivRecord]:
        """One search for the OR of clauses, with the canary's title as proof of an answer."""
        import arxiv

        query = " OR ".join([*clauses, f'ti:"{CANARY_TITLE}"'])
        search = arxiv.Search(query=query, max_results=max_results + 1)
        try:
            records = [_from_result(r) for r in self._run(search, require=CANARY_ID)]
        except _BadRequest as exc:
            raise ArxivRejected(self.name, f"search_query={query}", exc.text) from None
        return [r for r in records if r.id != CANARY_ID]

    # --- requests ---

    def _run(self, search: arxiv.Search, require: str | None = None) -> list[arxiv.Result]:
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
            if require is None or any(r.get_short_id().split("v")[0] == require for r in results):
                return results
            reason = "answers without the papers asked for"
        raise ArxivUnavailable(self.name, reason, self.retries + 1, unresolved=0)

    def _once(self, search: arxiv.Search) -> list[arxiv.Result]:
        import arxiv
        import requests

        self.requests += 1
        self._client.page_size = min(max(search.max_results or BATCH, 1), 2000)  # one page
        try:
            results = list(self._client.results(search))
        except arxiv.HTTPError as exc:
            if exc.status == 400:
                text = self._session.last.text if self._session.last is not None else ""
                raise _BadRequest(_malformed_ids(text), _error_summary(text)) from None
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
        _check_feed(self._session.last, len(results))
        return results


def _check_feed(response: requests.Response | None, entries: int) -> None:
    """A real answer is an Atom feed that says how many results there are and has them."""
    text = response.text if response is not None else ""
    m = re.search(r"<opensearch:totalResults[^>]*>\s*(\d+)\s*<", text)
    if "<feed" not in text or m is None:
        raise _Transient("not an arXiv feed")
    if int(m.group(1)) > 0 and entries == 0:
        raise _Transient("empty page")


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _query_words(title: str) -> list[str]:
    """The words of a title as the API's index splits them (letters and digits only)."""
    return re.findall(r"[^\W_]+", title.lower())


def _fallback_clauses(title: str) -> list[str]:
    """Search clauses that find a title despite one wrong word (a typo, a dropped word, a lost
    hyphen): a long title as its two halves, each an exact phrase, of which the wrong word
    spoils one; a short one as its significant words ANDed, each left out in turn."""
    words = _query_words(title)
    if len(words) >= 6:
        half = len(words) // 2
        phrases = [words[:half], words[half:]]
        # a hyphen the list dropped ("selfsupervised") may spoil both halves: also ask for
        # each half with such words split where arXiv's hyphen would be
        phrases += [split for p in phrases if (split := [x for w in p for x in _unfuse(w)]) != p]
        return [f'ti:"{" ".join(p)}"' for p in phrases]
    significant = [w for w in dict.fromkeys(words) if w not in STOP_WORDS and len(w) > 1]
    if len(significant) < 2:
        return []
    if len(significant) < 3:
        sets = [significant]
    else:
        sets = [significant[:i] + significant[i + 1 :] for i in range(len(significant))]
    return ["(" + " AND ".join(f"ti:{w}" for w in group) + ")" for group in sets]


def _unfuse(word: str) -> list[str]:
    """Split a prefix that titles often hyphenate: `selfsupervised` -> `self`, `supervised`."""
    prefix = next((p for p in _HYPHENATED if word.startswith(p) and len(word) - len(p) >= 4), None)
    return [prefix, word[len(prefix) :]] if prefix else [word]


def _alike(title: str, records: Sequence[ArxivRecord]) -> list[ArxivRecord]:
    """The records whose titles are at least somewhat like title, most alike first."""
    scored = {r.id: (title_ratio(title, r.title), r) for r in records}
    return [r for score, r in sorted(scored.values(), key=lambda x: -x[0]) if score >= NEAR_MATCH][:5]


def _session(timeout: float, throttle: _Throttle) -> Any:
    import requests

    class Session(requests.Session):
        """Add a timeout and our User-Agent to every request, space requests by the throttle,
        remember the last response."""

        last: requests.Response | None = None

        def request(
            self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
        ) -> requests.Response:
            headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "user-agent"}
            kwargs["headers"] = {**headers, "User-Agent": USER_AGENT}
            kwargs.setdefault("timeout", timeout)
            with throttle:
                self.last = super().request(method, url, *args, **kwargs)
            return self.last

    return Session()


def _state_file(state_dir: Path | None, host: str) -> Path:
    if state_dir is None:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        state_dir = Path(cache) / "ssl-bib"
    return state_dir / f"last-request-{re.sub(r'[^A-Za-z0-9.-]', '_', host)}"


class _Throttle:
    """Hold the host's lock file during a request, starting it no sooner than `delay`
    seconds after the last request any process made to that host ended."""

    def __init__(self, path: Path, delay: float, sleep: Callable[[float], None], clock: Callable[[], float]):
        self.path, self.delay, self.sleep, self.clock = path, delay, sleep, clock
        self._handle: Any = None

    def __enter__(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "a+")  # noqa: SIM115 (held until __exit__)
        except OSError:
            return  # no cache folder to share: this process still spaces its own requests
        fcntl.flock(self._handle, fcntl.LOCK_EX)
        self._handle.seek(0)
        try:
            last = float(self._handle.read().strip() or 0)
        except ValueError:
            last = 0.0
        wait = last + self.delay - self.clock()
        if wait > 0 and self.delay > 0:  # never more than the delay: a clock set back must not stall us
            self.sleep(min(wait, self.delay))

    def __exit__(self, *exc: object) -> None:
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(f"{self.clock()!r}\n")
        self._handle.flush()
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


def _malformed_ids(text: str) -> set[str]:
    """Read `incorrect id format for X` out of arXiv's 400 Error entry."""
    return set(re.findall(r"incorrect id format for ([^\s<]+)", text))


def _error_summary(text: str) -> str:
    m = re.search(r"<summary>(.*?)</summary>", text, re.DOTALL)
    return " ".join((m.group(1) if m else text[:200]).split()) or "no reason given"


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
