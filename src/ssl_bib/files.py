"""Writing files: atomically, one or all (the only module that writes outputs to disk), and
the lock that keeps two runs from writing the same project at once."""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError


def write_atomic(path: Path, text: str, protected: Mapping[Path, str] | None = None) -> None:
    """Write text to path through a temporary file in the same folder and a rename."""
    write_all({path: text}, protected)


def write_all(files: Mapping[Path, str], protected: Mapping[Path, str] | None = None) -> None:
    """Write every file or none: each goes to a temporary file beside it first, and only
    when all of them are written are they renamed into place.

    Only regular files are replaced: a symbolic link is written through (its target is
    replaced), a character device or FIFO is written to as it is (`-o /dev/stdout`), anything
    else is refused; so is a path that is one of `protected` (path -> what it is)."""
    targets = {writable_target(path, protected or {}): text for path, text in files.items()}
    staged: list[tuple[str, Path]] = []
    current = Path()
    try:
        for current, text in targets.items():
            if not _streamed(current):
                staged.append((_stage(current, text), current))
        for tmp, current in staged:
            os.replace(tmp, current)
        for current, text in targets.items():
            if _streamed(current):
                with open(current, "w", encoding="utf-8", newline="\n") as stream:
                    stream.write(text)
    except OSError as exc:
        raise OutputError(f"{current}: cannot write: {_reason(exc)}") from None
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def writable_target(path: Path, protected: Mapping[Path, str]) -> Path:
    """Where writing path really writes: a symbolic link's target, a device or FIFO as it is;
    refused when that is one of the project's own inputs or not a file we may replace."""
    real = Path(os.path.realpath(path))
    for other, what in protected.items():
        same = real.exists() and other.exists() and real.samefile(other)  # a hard link too
        if same or real == Path(os.path.realpath(other)):
            raise OutputError(f"{path}: is the {what}; ssl-bib never writes over it, choose another -o")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return real  # a new file, or the target a dangling link names
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {_reason(exc)}") from None
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return path  # written to, never replaced (`/dev/stdout` is a link to a pipe)
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return real  # a folder is said to be one where it is staged
    raise OutputError(f"{path}: is not a regular file (a block device or a socket); not written")


def _streamed(path: Path) -> bool:
    """A character device or FIFO is written to, never replaced."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


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
