"""papers.lock: what resolve learned from arXiv, as sorted JSON, written atomically."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .arxiv_id import is_arxiv_id, split_version
from .errors import LockError
from .files import write_atomic
from .model import ArxivRecord

SCHEMA = 1
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Lookup:
    """Where and when a lookup was made."""

    source: str
    fetched: str  # YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class NearMiss:
    """An arXiv paper whose title is like a catalog title but was not taken, and why."""

    arxiv: str
    title: str
    reason: str


@dataclass(frozen=True, slots=True)
class Fetched:
    """What arXiv said about one paper, and where and when it said so."""

    record: ArxivRecord
    lookup: Lookup


@dataclass(frozen=True, slots=True)
class TitleSearch:
    """What a search for one title found: an arXiv ID or nothing, and the match not taken."""

    arxiv: str | None
    lookup: Lookup
    near: NearMiss | None = None


@dataclass(frozen=True, slots=True)
class Publication:
    """A paper's published version as an index gives it, with the evidence it was taken on."""

    key: str  # the index's own key (a DBLP key) or a DOI
    kind: str  # "conference" or "journal"
    venue: str  # the venue registry's label ("CVPR"), else the index's name for it
    year: int
    title: str
    evidence: str  # why it is this paper: title, authors shared, years
    pages: str | None = None
    volume: str | None = None
    doi: str | None = None
    authors: tuple[str, ...] = ()  # as the index gives them (used for a paper not on arXiv)
    venue_id: str | None = None  # the venue registry's id ("CVPR"); None: a venue it does not know


@dataclass(frozen=True, slots=True)
class NotTaken:
    """The best candidate publication not taken, and why (another paper, a workshop, too close
    to call)."""

    key: str
    venue: str
    reason: str
    year: int | None = None


@dataclass(frozen=True, slots=True)
class PublishedSearch:
    """What a search for a paper's published version found (or not), where and when."""

    found: Publication | None
    lookup: Lookup
    not_taken: NotTaken | None = None


@dataclass
class Lock:
    """One frozen record per arXiv ID (fetched, or missing: arXiv said it has no such ID), per
    normalized title searched, and the citation keys handed out (identity -> key)."""

    papers: dict[str, Fetched] = field(default_factory=dict)
    missing: dict[str, Lookup] = field(default_factory=dict)
    titles: dict[str, TitleSearch] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    published: dict[str, PublishedSearch] = field(default_factory=dict)  # identity -> search
    left_out: int = field(default=0, compare=False)  # entries of the file read that broke its rules

    def record(self, arxiv_id: str) -> ArxivRecord | None:
        """What arXiv said about a paper, if it was fetched."""
        fetched = self.papers.get(arxiv_id)
        return fetched.record if fetched else None

    @property
    def records(self) -> dict[str, ArxivRecord]:
        """Every fetched record by arXiv ID (a new dict: for reading)."""
        return {arxiv_id: fetched.record for arxiv_id, fetched in self.papers.items()}

    def title_id(self, norm: str) -> str | None:
        """The arXiv ID a normalized title was found as, if it was."""
        search = self.titles.get(norm)
        return search.arxiv if search else None

    def store(self, record: ArxivRecord, stamp: Lookup) -> None:
        """Keep what arXiv said about a paper (an ID arXiv now knows is no longer missing);
        a record the lock could not read back is refused (ValueError, saying why)."""
        if (problem := record_problem(record)) is not None:
            raise ValueError(problem)
        self.papers[record.id] = Fetched(record, stamp)
        self.missing.pop(record.id, None)


def load_lock(path: str | Path) -> Lock:
    """Read a lock file; a missing file is an empty lock. An entry that breaks the lock's
    rules is named (a warning) and left out, so the rest stays usable and resolve looks it
    up again; only a file that is not a lock at all is an error."""
    path = Path(path)
    if not path.exists():
        return Lock()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(str(path), f"cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise LockError(str(path), f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise LockError(
            str(path), f"unknown lock schema (expected schema {SCHEMA}); re-run resolve --refresh"
        )
    lock = Lock()
    for problem in _from_json(data, lock):
        log.warning("%s: %s", path, problem)
        lock.left_out += 1
    return lock


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_:.\-]*$")
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z\-]+)?$")
# field -> (type, pattern or None); a record is checked field by field, so a hand-edited
# lock cannot put a number where a date goes or a `,}` into a citation key.
_STR, _LIST = (str,), (list,)
_RECORD: dict[str, tuple[tuple[type, ...], re.Pattern[str] | None]] = {
    "version": ((int,), None),
    "title": (_STR, None),
    "authors": (_LIST, None),
    "published": (_STR, _DATE),
    "updated": (_STR, _DATE),
    "categories": (_LIST, _CATEGORY),
    "doi": (_STR, None),
    "journal_ref": (_STR, None),
    "comment": (_STR, None),
    "source": (_STR, None),
    "fetched": (_STR, _DATE),
}
_REQUIRED = ("version", "title", "authors", "published", "updated", "source", "fetched")


def _from_json(data: dict[str, Any], lock: Lock) -> Iterator[str]:
    """Fill lock from the file's data, entry by entry; yield why each entry left out was."""
    tables: tuple[tuple[str, Callable[[str, Any], None], str], ...] = (
        ("papers", lambda k, v: _read_paper(lock, k, v), "looked up again by resolve"),
        ("missing", lambda k, v: _read_missing(lock, k, v), "looked up again by resolve"),
        ("titles", lambda k, v: _read_title(lock, k, v), "searched again by resolve"),
        ("keys", lambda k, v: _read_key(lock, k, v), "a key is handed out again"),
        ("published", lambda k, v: _read_published(lock, k, v), "searched again by resolve"),
    )
    for name, read, then in tables:
        value = data.get(name, {})
        if not isinstance(value, dict):
            yield f"{name!r} must be an object; left out ({then})"
            continue
        for entry_key, entry in value.items():
            try:
                read(entry_key, entry)
            except (ValueError, TypeError, AttributeError, KeyError) as exc:
                yield f"{name} {entry_key!r}: {_why(exc)}; entry left out ({then})"


def _why(exc: Exception) -> str:
    return f"no {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__


def _read_paper(lock: Lock, arxiv_id: str, entry: Any) -> None:
    _check_record(arxiv_id, entry)
    entry = dict(entry)
    stamp = Lookup(entry.pop("source"), entry.pop("fetched"))
    for name in ("authors", "categories"):
        entry[name] = tuple(entry.get(name, ()))
    record = ArxivRecord(id=arxiv_id, **entry)
    if (problem := record_problem(record)) is not None:
        raise ValueError(problem)
    lock.papers[arxiv_id] = Fetched(record, stamp)


def _read_missing(lock: Lock, arxiv_id: str, entry: Any) -> None:
    lock.missing[_checked_id(arxiv_id, "")] = _lookup(entry, "")


def _read_title(lock: Lock, title: str, entry: Any) -> None:
    if not isinstance(entry, dict):
        raise ValueError("must be an object with 'arxiv', 'source' and 'fetched'")
    found = entry.get("arxiv")
    if found is not None and not isinstance(found, str):
        raise ValueError("'arxiv' must be an arXiv ID or null")
    near = entry.get("near")
    rest = {k: v for k, v in entry.items() if k not in ("arxiv", "near")}
    lock.titles[title] = TitleSearch(
        _checked_id(found, "") if found else None,
        _lookup(rest, ""),
        None if near is None else _near(near, ""),
    )


_PUBLICATION: dict[str, tuple[type, ...]] = {
    "key": (str,), "kind": (str,), "venue": (str,), "year": (int,), "title": (str,), "evidence": (str,),
    "pages": (str,), "volume": (str,), "doi": (str,), "authors": (list,), "venue_id": (str,),
}  # fmt: skip
_NOT_TAKEN: dict[str, tuple[type, ...]] = {"key": (str,), "venue": (str,), "year": (int,), "reason": (str,)}


def _read_published(lock: Lock, ident: str, entry: Any) -> None:
    if not isinstance(entry, dict):
        raise ValueError("must be an object with 'found', 'source' and 'fetched'")
    found, not_taken = entry.get("found"), entry.get("not_taken")
    rest = {k: v for k, v in entry.items() if k not in ("found", "not_taken")}
    fields = None if found is None else _fields(found, _PUBLICATION, "found")
    if fields is not None and not all(isinstance(a, str) and a.strip() for a in fields.get("authors", [])):
        raise ValueError("'found': 'authors' must be a list of names")
    if fields is not None:
        fields["authors"] = tuple(fields.get("authors", ()))
    publication = None if fields is None else Publication(**fields)
    if publication is not None and (
        publication.kind not in ("conference", "journal") or publication.year < 1450
    ):
        raise ValueError(f"'found' is not a publication ({publication.kind}, {publication.year})")
    lock.published[ident] = PublishedSearch(
        publication,
        _lookup(rest, ""),
        None if not_taken is None else NotTaken(**_fields(not_taken, _NOT_TAKEN, "not_taken")),
    )


def _fields(entry: Any, kinds: dict[str, tuple[type, ...]], where: str) -> dict[str, Any]:
    """entry checked against kinds: known fields only, each of its type (None for an absent
    one); a value a record needs (all but pages, volume, doi, authors, venue_id, year of
    not_taken) present."""
    if not isinstance(entry, dict) or not set(entry) <= set(kinds):
        raise ValueError(f"{where!r} must be an object with only {', '.join(kinds)}")
    optional = {"pages", "volume", "doi", "authors", "venue_id"}
    optional |= {"year"} if where == "not_taken" else set()
    for name, types in kinds.items():
        value = entry.get(name)
        if value is None and name in optional:
            continue
        if not isinstance(value, types) or isinstance(value, bool):
            raise ValueError(f"{where!r}: {name!r} must be a {types[0].__name__}, not {value!r}")
    return dict(entry)


def _read_key(lock: Lock, ident: str, key: Any) -> None:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"{key!r} is not a citation key (a-z, 0-9, _:.-)")
    lock.keys[ident] = key


def _checked_id(arxiv_id: Any, where: str) -> str:
    if not isinstance(arxiv_id, str) or not is_arxiv_id(arxiv_id) or split_version(arxiv_id)[1] is not None:
        raise ValueError(f"{where}{arxiv_id!r} is not an arXiv ID")
    return arxiv_id


def _near(entry: Any, where: str) -> NearMiss:
    if not isinstance(entry, dict) or set(entry) != {"arxiv", "title", "reason"}:
        raise ValueError(f"{where}'near' must have 'arxiv', 'title' and 'reason'")
    if not all(isinstance(v, str) for v in entry.values()):
        raise ValueError(f"{where}'near' values must be strings")
    return NearMiss(_checked_id(entry["arxiv"], where), entry["title"], entry["reason"])


def _lookup(entry: Any, where: str) -> Lookup:
    if not isinstance(entry, dict) or set(entry) != {"source", "fetched"}:
        raise ValueError(f"{where}expected 'source' and 'fetched'")
    if not isinstance(entry["source"], str) or not _DATE.match(str(entry["fetched"])):
        raise ValueError(f"{where}'fetched' must be a date YYYY-MM-DD")
    return Lookup(entry["source"], entry["fetched"])


def _check_record(arxiv_id: str, entry: Any) -> None:
    _checked_id(arxiv_id, "")
    if not isinstance(entry, dict):
        raise ValueError("must be an object")
    for name in _REQUIRED:
        if name not in entry:
            raise ValueError(f"no {name!r}")
    for name, value in entry.items():
        if name not in _RECORD:
            raise ValueError(f"unknown field {name!r}")
        kinds, pattern = _RECORD[name]
        items = value if isinstance(value, list) else [value]
        if (
            not isinstance(value, kinds)
            or isinstance(value, bool)
            or (kinds != (int,) and not all(isinstance(v, str) for v in items))
        ):
            expected = "a number" if kinds == (int,) else "a string" if kinds == _STR else "a list of strings"
            raise ValueError(f"{name!r} must be {expected}, not {value!r}")
        if pattern is not None and not all(pattern.match(v) for v in items):
            raise ValueError(f"{name!r} is malformed ({value!r})")


def record_problem(record: ArxivRecord) -> str | None:
    """Why a record cannot be kept in the lock (None when it can): the rules the lock is read
    with, so that a lock ssl-bib wrote always loads again."""
    if not is_arxiv_id(record.id) or split_version(record.id)[1] is not None:
        return f"{record.id!r} is not an arXiv ID"
    if record.version < 1:
        return f"version {record.version} (versions count from 1)"
    if not record.title.strip():
        return "no title"
    if not record.authors or not all(a.strip() for a in record.authors):
        return "no authors" if not record.authors else "an author without a name"
    for name in ("published", "updated"):
        value = getattr(record, name)
        if not _DATE.match(value) or not _real_date(value):
            return f"{name} date {value!r} is not a date from 1991 to 2100"
    if bad := [c for c in record.categories if not _CATEGORY.match(c)]:
        return f"category {bad[0]!r} is not an arXiv category"
    texts = (record.title, *record.authors, record.doi or "", record.journal_ref or "", record.comment or "")
    if any(not _encodable(t) for t in texts):
        return "text that is not valid Unicode (a lone surrogate)"
    return None


def _real_date(text: str) -> bool:
    try:
        return 1991 <= date.fromisoformat(text).year <= 2100
    except ValueError:
        return False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def dumps_lock(lock: Lock) -> str:
    """Serialise a lock: sorted keys, one field a line, stable across runs."""
    papers = {}
    for arxiv_id, fetched in lock.papers.items():
        entry = {k: v for k, v in asdict(fetched.record).items() if k != "id" and v not in (None, ())}
        papers[arxiv_id] = {**entry, **asdict(fetched.lookup)}
    titles: dict[str, dict[str, Any]] = {}
    for t, search in lock.titles.items():
        titles[t] = {"arxiv": search.arxiv, **asdict(search.lookup)}
        if search.near is not None:
            titles[t]["near"] = asdict(search.near)
    published: dict[str, dict[str, Any]] = {}
    for ident, looked in lock.published.items():
        published[ident] = {"found": _plain(looked.found), **asdict(looked.lookup)}
        if looked.not_taken is not None:
            published[ident]["not_taken"] = _plain(looked.not_taken)
    data = {
        "schema": SCHEMA,
        "published": published,
        "papers": papers,
        "missing": {k: asdict(v) for k, v in lock.missing.items()},
        "titles": titles,
        "keys": lock.keys,
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _plain(value: Publication | NotTaken | None) -> dict[str, Any] | None:
    """A record as JSON, without the fields it does not have."""
    return None if value is None else {k: v for k, v in asdict(value).items() if v not in (None, ())}


def save_lock(lock: Lock, path: str | Path) -> None:
    """Write the lock atomically: a reader sees the old file or the new one, never half."""
    write_atomic(Path(path), dumps_lock(lock))
