"""Where arXiv metadata comes from: the API (through `sources.http`) or a Kaggle snapshot.

The only module that speaks arXiv's API or reads the snapshot. Both sources turn what they
read into `ArxivRecord`s and answer the same two questions: "these IDs, please" (in
batches) and "which papers have this title".
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode
from xml.etree import ElementTree

from .arxiv_id import is_arxiv_id, split_version
from .errors import ArxivRejected, ArxivUnavailable, ConfigError, SnapshotError
from .latex import decode_tex
from .model import ArxivRecord
from .sources import http
from .titles import NEAR_MATCH, STOP_WORDS, normalize_title, title_matches, title_ratio

DEFAULT_URL = "https://export.arxiv.org/api/query"
BACKOFF = 3.0  # seconds before the first retry; doubled for each further one
BATCH = 100  # arXiv's API pages at most 100 entries per id_list request comfortably


@dataclass(frozen=True)
class Batch:
    """What one batch of IDs turned into: records found, IDs arXiv does not know, malformed IDs."""

    found: tuple[ArxivRecord, ...]
    missing: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()
    rejected: tuple[tuple[str, str], ...] = ()  # (ID, why its record cannot be kept)


class Source(Protocol):
    """A place to look papers up."""

    name: str

    def fetch(self, ids: Sequence[str]) -> Iterator[Batch]: ...

    def search_titles(self, titles: Sequence[str]) -> Iterator[tuple[str, list[ArxivRecord]]]: ...


# --- the API -------------------------------------------------------------------------------


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
    """The arXiv API, asked through the project's HTTP layer: one page per question (never
    a second), each answer read whole and strictly, trusted only for what was asked."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        delay: float = 3.0,
        retries: int = 4,
        backoff: float | None = None,
        timeout: float = http.DEADLINE,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        state_dir: Path | None = None,
    ) -> None:
        # Backing off starts at arXiv's 3 seconds and doubles (3, 6, 12, 24 s), whatever the
        # delay between ordinary requests: a server in trouble needs the pause either way.
        # arXiv's 3-second rule holds across processes (the layer's per-host state file).
        try:
            self._http = http.Client(
                base_url,
                delay=delay,
                retries=retries,
                backoff=BACKOFF if backoff is None else backoff,
                deadline=timeout,
                sleep=sleep,
                clock=clock,
                state_dir=state_dir,
            )
        except http.Refused as exc:
            raise ConfigError(f"--arxiv-url {exc}") from None
        self.name = self._http.name  # never with the credentials a URL may carry

    @property
    def requests(self) -> int:
        return self._http.requests

    # --- IDs ---

    def fetch(self, ids: Sequence[str]) -> Iterator[Batch]:
        """Yield one Batch per up to 100 IDs; every ID lands in found, missing, invalid or
        rejected (an entry that cannot be a record: the paper stays unresolved)."""
        ids = list(dict.fromkeys(ids))
        invalid = tuple(i for i in ids if not is_arxiv_id(i))
        valid = [i for i in ids if is_arxiv_id(i)]
        if invalid:
            yield Batch((), invalid=invalid)
        for start in range(0, len(valid), BATCH):
            yield self._batch(valid[start : start + BATCH])

    def _batch(self, ids: list[str]) -> Batch:
        """One request; an answer that has entries for what was asked says the rest are not
        on arXiv. An answer without any is asked again with the canary, whose presence proves it."""
        entries, bad = self._ask_ids(ids)
        ids = [i for i in ids if i not in bad]
        if ids and not entries.keys() - {""}:
            entries, _ = self._ask_ids([*ids, CANARY_ID], require=CANARY_ID)
            entries = {i: e for i, e in entries.items() if i in ("", *ids)}
        found = tuple(e for i in ids if isinstance(e := entries.get(i), ArxivRecord))
        rejected = tuple((i, e) for i in ids if isinstance(e := entries.get(i), str))
        missing = tuple(i for i in ids if i not in entries)
        if "" in entries:  # an entry that names no paper might be any of them: no proof
            rejected += tuple((i, f"arXiv's answer held {entries['']}") for i in missing)
            missing = ()
        return Batch(found, missing, tuple(sorted(bad)), rejected)

    def _ask_ids(self, ids: list[str], require: str | None = None) -> tuple[dict[str, Entry], set[str]]:
        """Ask for ids; on a 400 drop the IDs arXiv names as malformed and ask for the rest
        (a 400 that names none of them is an error: we sent something arXiv cannot read).
        Only entries for IDs asked for count, each once."""
        bad: set[str] = set()
        while ids:
            try:
                entries = self._ask({"id_list": ",".join(ids), "max_results": len(ids)}, require)
                return _answered(entries, ids), bad
            except _BadRequest as exc:
                named = exc.bad_ids & set(ids)
                if not named:
                    raise ArxivRejected(self.name, f"id_list={','.join(ids)}", exc.text) from None
                bad |= named
                ids = [i for i in ids if i not in named]
        return {}, bad

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
        """One search (one page) for the OR of clauses, with the canary's title as proof of
        an answer; entries that are not records are left out."""
        query = " OR ".join([*clauses, f'ti:"{CANARY_TITLE}"'])
        try:
            entries = self._ask({"search_query": query, "max_results": max_results + 1}, CANARY_ID)
        except _BadRequest as exc:
            raise ArxivRejected(self.name, f"search_query={query}", exc.text) from None
        unique = _answered(entries, None)
        return [e for i, e in unique.items() if isinstance(e, ArxivRecord) and i not in ("", CANARY_ID)]

    # --- requests ---

    def _ask(self, params: dict[str, object], require: str | None) -> list[tuple[str, Entry]]:
        """One question, asked until a whole feed answers it (holding `require` when given)."""
        url = f"{self._http.base_url}?{urlencode({'start': 0, **params})}"
        feed: list[list[tuple[str, Entry]]] = []

        def accept(response: http.Response) -> None:
            if response.status == 400:
                return
            if response.status != 200:
                raise http.Transient(f"HTTP {response.status}")
            entries = _read_feed(response.body, int(str(params["max_results"])))
            if require is not None and not any(i == require for i, _ in entries):
                raise http.Transient("answers without the papers asked for")
            feed.append(entries)

        try:
            response = self._http.get(url, accept)
        except http.Unavailable as exc:
            raise ArxivUnavailable(self.name, exc.reason, exc.tries, unresolved=0) from None
        except http.Refused as exc:
            raise ConfigError(f"--arxiv-url: {exc}") from None
        if response.status == 400:
            raise _BadRequest(_malformed_ids(response.text), _error_summary(response.text))
        return feed[-1]


Entry = ArxivRecord | str  # a record, or why the entry cannot be one

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_ENTRY_ID = re.compile(r"^https?://arxiv\.org/abs/(.+)$")
_STAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$"
)


def _read_feed(body: bytes, page: int) -> list[tuple[str, Entry]]:
    """The entries of a whole, well-formed Atom feed as (arXiv ID, record or reason), in
    order; Transient for anything else (a feed parsed only in part is no answer)."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:  # arXiv's feeds declare nothing
        raise http.Transient("not an arXiv feed (it declares a document type)")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise http.Transient(f"not an arXiv feed ({exc})") from None
    total = root.findtext(f"{_OPENSEARCH}totalResults")
    if root.tag != f"{_ATOM}feed" or total is None or not total.strip().isdigit():
        raise http.Transient("not an arXiv feed")
    elements = list(root.iter(f"{_ATOM}entry"))
    if len(elements) < min(int(total), page):  # one page holds what there is, up to its size
        raise http.Transient("empty page" if not elements else "a page with fewer entries than it says")
    entries = [_entry(e) for e in elements]
    if any(not (e.findtext(f"{_ATOM}title") or "").strip() for e in elements):
        raise http.Transient("an entry without a title (a feed read only in part)")
    return entries


def _entry(entry: ElementTree.Element) -> tuple[str, Entry]:
    """One entry as (ID, record or why not); the ID is "" when the entry names none."""
    written = (entry.findtext(f"{_ATOM}id") or "").strip()
    raw = m.group(1) if (m := _ENTRY_ID.match(written)) else ""
    if raw.endswith("v0") and is_arxiv_id(raw[:-2]):
        return raw[:-2], "version 0 (versions count from 1)"
    if not is_arxiv_id(raw):
        return "", f"an entry whose ID is {written[:80]!r}"
    arxiv_id, version = split_version(raw)
    try:
        return arxiv_id, _entry_record(entry, arxiv_id, version or 1)
    except ValueError as exc:
        return arxiv_id, str(exc)


def _entry_record(entry: ElementTree.Element, arxiv_id: str, version: int) -> ArxivRecord:
    primary = entry.find(f"{_ARXIV}primary_category")
    categories = [primary.get("term", "")] if primary is not None else []
    categories += [t for c in entry.iter(f"{_ATOM}category") if (t := c.get("term", "")) not in categories]

    def text(path: str) -> str | None:
        return " ".join((entry.findtext(path) or "").split()) or None

    return ArxivRecord(
        id=arxiv_id,
        version=version,
        title=text(f"{_ATOM}title") or "",
        authors=tuple(
            n
            for a in entry.iter(f"{_ATOM}author")
            if (n := " ".join((a.findtext(f"{_ATOM}name") or "").split()))
        ),
        published=_stamp_date(entry.findtext(f"{_ATOM}published")),
        updated=_stamp_date(entry.findtext(f"{_ATOM}updated")),
        categories=tuple(c for c in categories if c),
        doi=text(f"{_ARXIV}doi"),
        journal_ref=text(f"{_ARXIV}journal_ref"),
        comment=text(f"{_ARXIV}comment"),
    )


def _stamp_date(stamp: str | None) -> str:
    """The day of an Atom timestamp as written (arXiv writes UTC), checked to be a real date."""
    m = _STAMP.match((stamp or "").strip())
    try:
        if m is None:
            raise ValueError
        return date.fromisoformat(m.group(1)).isoformat()
    except ValueError:
        raise ValueError(f"bad date {stamp!r}") from None


def _answered(entries: list[tuple[str, Entry]], asked: Sequence[str] | None) -> dict[str, Entry]:
    """The entries for what was asked (everything, for a search), each ID once: an ID the
    answer holds twice, differently, is no answer for that paper (it stays unresolved)."""
    wanted = None if asked is None else {"", *asked}
    seen: dict[str, Entry] = {}
    for arxiv_id, entry in entries:
        if wanted is not None and arxiv_id not in wanted:
            continue
        if arxiv_id in seen and seen[arxiv_id] != entry:
            seen[arxiv_id] = "the answer holds this paper twice, differently"
        else:
            seen.setdefault(arxiv_id, entry)
    return seen


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


def _malformed_ids(text: str) -> set[str]:
    """Read `incorrect id format for X` out of arXiv's 400 Error entry."""
    return set(re.findall(r"incorrect id format for ([^\s<]+)", text))


def _error_summary(text: str) -> str:
    m = re.search(r"<summary>(.*?)</summary>", text, re.DOTALL)
    return " ".join((m.group(1) if m else text[:200]).split()) or "no reason given"


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
        found: dict[str, ArxivRecord | str] = {}
        for number, line in enumerate(self._lines(), 1):
            m = _LINE_ID.match(line)
            if m is None or m.group(1) not in wanted:
                continue
            found[m.group(1)] = self._record(line, number)
            if len(found) == len(wanted):
                break
        missing = tuple(i for i in ids if i not in found and is_arxiv_id(i))
        invalid = tuple(i for i in ids if not is_arxiv_id(i))
        records = tuple(r for i in ids if isinstance(r := found.get(i), ArxivRecord))
        rejected = tuple((i, r) for i in ids if isinstance(r := found.get(i), str))
        yield Batch(records, missing, invalid, rejected)

    def search_titles(self, titles: Sequence[str]) -> Iterator[tuple[str, list[ArxivRecord]]]:
        """Stream the file once, collecting records whose title shares the query's words."""
        wanted = {normalize_title(t): t for t in titles}
        hits: dict[str, list[ArxivRecord]] = {t: [] for t in titles}
        if wanted:
            for number, line in enumerate(self._lines(), 1):
                data = self._parse(line, number)
                title = wanted.get(normalize_title(str(data.get("title", ""))))
                if title is not None and isinstance(record := self._record(line, number), ArxivRecord):
                    hits[title].append(record)
        yield from hits.items()

    def _lines(self) -> Iterable[str]:
        try:
            with self.path.open(encoding="utf-8") as stream:
                yield from stream
        except (OSError, UnicodeDecodeError) as exc:
            raise SnapshotError(str(self.path), None, f"cannot read: {exc}") from None

    def _record(self, line: str, number: int) -> ArxivRecord | str:
        """Read one line's record, or say (naming the line) why it is not one."""
        try:
            return _from_snapshot(self._parse(line, number))
        except SnapshotError as exc:
            return str(exc)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
            reason = f"no {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
            return f"{self.path}:{number}: not an arXiv metadata record ({reason})"

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


_RFC2822_DAY = re.compile(r"^\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _rfc2822_date(text: Any) -> str:
    """The day of an RFC 2822 (or ISO) date as written: a four-digit year is never widened
    from two digits, and a date that cannot be is an error, not a guess.

    >>> _rfc2822_date("Mon, 4 Jan 2021 10:00:00 GMT"), _rfc2822_date("2021-01-04")
    ('2021-01-04', '2021-01-04')
    """
    try:
        if m := _RFC2822_DAY.match(str(text) + " "):
            day, month, year = m.groups()
            return date(int(year), _MONTHS.index(month.lower()) + 1, int(day)).isoformat()
        if m := re.match(r"^\s*(\d{4}-\d{2}-\d{2})\b", str(text)):
            return date.fromisoformat(m.group(1)).isoformat()
    except ValueError:
        pass
    raise ValueError(f"bad date {text!r}")
