"""papers.lock: what resolve learned from arXiv, as sorted JSON, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import LockError, OutputError
from .model import ArxivRecord

SCHEMA = 1


@dataclass
class Lookup:
    """Where and when a lookup was made."""

    source: str
    fetched: str  # YYYY-MM-DD


@dataclass
class Lock:
    """Records by arXiv ID; IDs and titles arXiv did not know; the keys handed out."""

    records: dict[str, ArxivRecord] = field(default_factory=dict)
    fetched: dict[str, Lookup] = field(default_factory=dict)  # arXiv ID -> lookup
    missing: dict[str, Lookup] = field(default_factory=dict)  # arXiv ID -> failed lookup
    titles: dict[str, str | None] = field(default_factory=dict)  # normalized title -> ID
    title_lookups: dict[str, Lookup] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # identity -> citation key


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
    except (KeyError, TypeError, ValueError) as exc:
        raise LockError(str(path), f"malformed entry ({exc}); re-run resolve --refresh") from None


def _from_json(data: dict[str, Any]) -> Lock:
    lock = Lock(keys=dict(data.get("keys", {})))
    for arxiv_id, entry in data.get("papers", {}).items():
        entry = dict(entry)
        lock.fetched[arxiv_id] = Lookup(entry.pop("source"), entry.pop("fetched"))
        for name in ("authors", "categories"):
            entry[name] = tuple(entry.get(name, ()))
        lock.records[arxiv_id] = ArxivRecord(id=arxiv_id, **entry)
    for arxiv_id, entry in data.get("missing", {}).items():
        lock.missing[arxiv_id] = Lookup(**entry)
    for title, entry in data.get("titles", {}).items():
        entry = dict(entry)
        lock.titles[title] = entry.pop("arxiv")
        lock.title_lookups[title] = Lookup(**entry)
    return lock


def dumps_lock(lock: Lock) -> str:
    """Serialise a lock: sorted keys, one field a line, stable across runs."""
    papers = {}
    for arxiv_id, record in lock.records.items():
        entry = {k: v for k, v in asdict(record).items() if k != "id" and v not in (None, ())}
        entry.update(asdict(lock.fetched[arxiv_id]))
        papers[arxiv_id] = entry
    titles = {t: {"arxiv": a, **asdict(lock.title_lookups[t])} for t, a in lock.titles.items()}
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


def write_atomic(path: Path, text: str) -> None:
    """Write text to path through a temporary file in the same folder and a rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared files
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
