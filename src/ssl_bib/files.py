"""Writing files: atomically, one or all (the only module that writes outputs to disk), and
the lock that keeps two runs from writing the same project at once."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError


def write_atomic(path: Path, text: str) -> None:
    """Write text to path through a temporary file in the same folder and a rename."""
    write_all({path: text})


def write_all(files: Mapping[Path, str]) -> None:
    """Write every file or none: each goes to a temporary file beside it first, and only
    when all of them are written are they renamed into place."""
    staged: list[tuple[str, Path]] = []
    current = Path()
    try:
        for current, text in files.items():
            staged.append((_stage(current, text), current))
        for tmp, current in staged:
            os.replace(tmp, current)
    except OSError as exc:
        raise OutputError(f"{current}: cannot write: {_reason(exc)}") from None
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def _stage(path: Path, text: str) -> str:
    for folder in path.parents:  # say which part of the path is a file, not "File exists"
        if folder.exists():
            if not folder.is_dir():
                raise NotADirectoryError(0, f"{folder} is not a directory")
            break
    if path.is_dir():
        raise IsADirectoryError(0, f"{path} is a directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared files
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def exclusive(path: Path, on_wait: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold an exclusive lock on path (created if needed) for the block: a second process
    asking for it waits until the first is done (`on_wait` is called once, when it must)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
