"""papers.lock: what resolve learned from arXiv, as sorted JSON, written atomically."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .arxiv_id import is_arxiv_id, split_version
from .errors import LockError
from .files import write_atomic
from .model import ArxivRecord

SCHEMA = 1


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


@dataclass
class Lock:
    """One frozen record per arXiv ID (fetched, or missing: arXiv said it has no such ID), per
    normalized title searched, and the citation keys handed out (identity -> key)."""

    papers: dict[str, Fetched] = field(default_factory=dict)
    missing: dict[str, Lookup] = field(default_factory=dict)
    titles: dict[str, TitleSearch] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

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
        """Keep what arXiv said about a paper (an ID arXiv now knows is no longer missing)."""
        self.papers[record.id] = Fetched(record, stamp)
        self.missing.pop(record.id, None)


def load_lock(path: str | Path) -> Lock:
    """Read a lock file; a missing file is an empty lock."""
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
    try:
        return _from_json(data)
    except ValueError as exc:
        raise LockError(str(path), f"{exc}; fix it or delete it and re-run resolve") from None


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


def _from_json(data: dict[str, Any]) -> Lock:
    lock = Lock()
    for arxiv_id, entry in _mapping(data, "papers").items():
        _check_record(arxiv_id, entry)
        entry = dict(entry)
        stamp = Lookup(entry.pop("source"), entry.pop("fetched"))
        for name in ("authors", "categories"):
            entry[name] = tuple(entry.get(name, ()))
        lock.papers[arxiv_id] = Fetched(ArxivRecord(id=arxiv_id, **entry), stamp)
    for arxiv_id, entry in _mapping(data, "missing").items():
        lock.missing[_checked_id(arxiv_id, "missing")] = _lookup(entry, f"missing {arxiv_id!r}")
    for title, entry in _mapping(data, "titles").items():
        found = entry.get("arxiv") if isinstance(entry, dict) else None
        if found is not None and not isinstance(found, str):
            raise ValueError(f"titles {title!r}: 'arxiv' must be an arXiv ID or null")
        near = entry.get("near")
        rest = {k: v for k, v in entry.items() if k not in ("arxiv", "near")}
        lock.titles[title] = TitleSearch(
            _checked_id(found, f"titles {title!r}") if found else None,
            _lookup(rest, f"titles {title!r}"),
            None if near is None else _near(near, f"titles {title!r}"),
        )
    for ident, key in _mapping(data, "keys").items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError(f"keys {ident!r}: {key!r} is not a citation key (a-z, 0-9, _:.-)")
        lock.keys[ident] = key
    return lock


def _mapping(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ValueError(f"{name!r} must be an object")
    return value


def _checked_id(arxiv_id: str, where: str) -> str:
    if not is_arxiv_id(arxiv_id) or split_version(arxiv_id)[1] is not None:
        raise ValueError(f"{where}: {arxiv_id!r} is not an arXiv ID")
    return arxiv_id


def _near(entry: Any, where: str) -> NearMiss:
    if not isinstance(entry, dict) or set(entry) != {"arxiv", "title", "reason"}:
        raise ValueError(f"{where}: 'near' must have 'arxiv', 'title' and 'reason'")
    if not all(isinstance(v, str) for v in entry.values()):
        raise ValueError(f"{where}: 'near' values must be strings")
    return NearMiss(_checked_id(entry["arxiv"], where), entry["title"], entry["reason"])


def _lookup(entry: Any, where: str) -> Lookup:
    if not isinstance(entry, dict) or set(entry) != {"source", "fetched"}:
        raise ValueError(f"{where}: expected 'source' and 'fetched'")
    if not isinstance(entry["source"], str) or not _DATE.match(str(entry["fetched"])):
        raise ValueError(f"{where}: 'fetched' must be a date YYYY-MM-DD")
    return Lookup(entry["source"], entry["fetched"])


def _check_record(arxiv_id: str, entry: Any) -> None:
    where = f"papers {arxiv_id!r}"
    _checked_id(arxiv_id, "papers")
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be an object")
    for name in _REQUIRED:
        if name not in entry:
            raise ValueError(f"{where}: no {name!r}")
    for name, value in entry.items():
        if name not in _RECORD:
            raise ValueError(f"{where}: unknown field {name!r}")
        kinds, pattern = _RECORD[name]
        items = value if isinstance(value, list) else [value]
        if (
            not isinstance(value, kinds)
            or isinstance(value, bool)
            or (kinds != (int,) and not all(isinstance(v, str) for v in items))
        ):
            expected = "a number" if kinds == (int,) else "a string" if kinds == _STR else "a list of strings"
            raise ValueError(f"{where}: {name!r} must be {expected}, not {value!r}")
        if pattern is not None and not all(pattern.match(v) for v in items):
            raise ValueError(f"{where}: {name!r} is malformed ({value!r})")


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
    data = {
        "schema": SCHEMA,
        "papers": papers,
        "missing": {k: asdict(v) for k, v in lock.missing.items()},
        "titles": titles,
        "keys": lock.keys,
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def save_lock(lock: Lock, path: str | Path) -> None:
    """Write the lock atomically: a reader sees the old file or the new one, never half."""
    write_atomic(Path(path), dumps_lock(lock))
