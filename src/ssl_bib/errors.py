"""The exception root of ssl-bib: every error a user can cause, with its exit code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class SslBibError(Exception):
    """Base of every error ssl-bib reports to a user instead of a traceback."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, located by line when known."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class CatalogError(SslBibError):
    """The catalog (papers.toml) or the imported list cannot be used as written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class LockError(SslBibError):
    """papers.lock is unreadable or of an unknown schema."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class ArxivUnavailable(SslBibError):
    """arXiv (or the configured server) kept failing after every retry."""

    exit_code = 3

    def __init__(self, url: str, reason: str, tries: int, unresolved: int) -> None:
        self.url, self.reason, self.tries, self.unresolved = url, reason, tries, unresolved
        super().__init__(
            f"arXiv unavailable at {url} ({reason}, {tries} tries); "
            f"{unresolved} paper(s) still unresolved, everything resolved so far is saved"
        )


class ArxivRejected(SslBibError):
    """arXiv answered 400 to a request ssl-bib made: a bug of ours or of the server, not to
    be retried, and said with what was sent."""

    def __init__(self, url: str, sent: str, reason: str) -> None:
        self.url, self.sent, self.reason = url, sent, reason
        shown = sent if len(sent) <= 300 else sent[:300] + "…"
        super().__init__(f"arXiv at {url} rejected the request ({reason}); sent {shown}")


class SnapshotError(SslBibError):
    """The arXiv metadata snapshot cannot be read."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(str(Problem(path, line, message)))


class StyleError(SslBibError):
    """A CSL style name or file that cannot be used."""

    def __init__(self, name: str, suggestions: Sequence[str] = (), reason: str = "") -> None:
        self.name, self.suggestions = name, tuple(suggestions)
        msg = reason or f"unknown CSL style {name!r}"
        if self.suggestions:
            msg += " (did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?)"
        super().__init__(msg)


class OutputError(SslBibError):
    """An output file or directory cannot be written."""


class ConfigError(SslBibError):
    """An option or setting that cannot work (a malformed --arxiv-url); never retried."""


class IndexUnavailable(SslBibError):
    """A bibliographic index (Semantic Scholar, DBLP) kept failing after every retry: no
    published version is recorded this run, and nothing is recorded as "not published"."""

    exit_code = 3

    def __init__(self, service: str, url: str, reason: str, tries: int) -> None:
        self.service, self.url, self.reason, self.tries = service, url, reason, tries
        super().__init__(
            f"{service} unavailable at {url} ({reason}, {tries} tries); published versions not "
            "looked up this run, everything else is saved"
        )
