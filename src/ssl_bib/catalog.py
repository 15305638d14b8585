"""Load and validate papers.toml; the only module that reads TOML."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .arxiv_id import is_arxiv_id, split_version
from .errors import CatalogError, Problem
from .links import is_doi, is_web_url
from .model import Catalog, Paper, Section
from .titles import normalize_title, plain_text

_SECTION_FIELDS = {"id": str, "title": str}
_PAPER_FIELDS: dict[str, type | tuple[type, ...]] = {
    "section": (str, list),
    "title": str,
    "short": str,
    "arxiv": str,
    "url": str,
    "code": str,
    "venue": str,
    "note": str,
    "key": str,
    "authors": list,
    "year": int,
    "doi": str,
    "listed_authors": list,
    "listed_year": int,
    "sentence_case": str,
    "published": (bool, str),  # false keeps a preprint; a DBLP key or DOI pins the publication
}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_:.\-]*$")
_DBLP_KEY = re.compile(r"^(?:conf|journals|books|series|reference)/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
MIN_YEAR, MAX_YEAR = 1450, 2100


class _Lines:
    """Find the line of the n-th `[[table]]` and of a key inside it (tomllib gives no lines)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines, 1):
            if m := re.match(r"\s*\[\[\s*([A-Za-z_]+)\s*\]\]", line):
                self.headers.setdefault(m.group(1), []).append(number)

    def of(self, table: str, index: int, key: str | None = None) -> int | None:
        starts = self.headers.get(table, [])
        if index >= len(starts):
            return None
        start = starts[index]
        if key is None:
            return start
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if re.match(r"\s*\[", line):
                break
            if re.match(rf"\s*{re.escape(key)}\s*=", line):
                return number
        return start


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog, raising CatalogError with one line per problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError([Problem(str(path), None, "no such catalog file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([Problem(str(path), None, f"cannot read: {exc}")]) from None
    return parse_catalog(text, str(path))


def parse_catalog(text: str, path: str = "papers.toml") -> Catalog:
    """Validate catalog text; `path` is only used in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python < 3.14 has no lineno attribute: the position is only in the message.
        m = re.match(r"(.*) \(at line (\d+), column (\d+)\)$", str(exc))
        if m is None:
            raise CatalogError([Problem(path, None, f"invalid TOML: {exc}")]) from None
        problem = Problem(path, int(m.group(2)), f"invalid TOML: {m.group(1)} (column {m.group(3)})")
        raise CatalogError([problem]) from None
    validator = _Validator(path, _Lines(text))
    catalog = validator.catalog(data)
    problems = validator.problems or _duplicate_keys(catalog.papers, path)
    if not problems and not catalog.papers:
        problems = [Problem(path, None, "the catalog has no papers (add [[paper]] tables or run import)")]
    if problems:
        raise CatalogError(problems)
    return catalog


class _Validator:
    def __init__(self, path: str, lines: _Lines) -> None:
        self.path, self.lines = path, lines
        self.problems: list[Problem] = []

    def report(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def catalog(self, data: dict[str, Any]) -> Catalog:
        for name in sorted(set(data) - {"title", "section", "paper"}):
            self.report(
                None, f"unknown top-level key {name!r}{_suggest(name, ['title', 'section', 'paper'])}"
            )
        title = data.get("title", "")
        if not isinstance(title, str):
            self.report(None, "'title' must be a string")
            title = ""
        sections = tuple(self.sections(_table_list(data, "section")))
        known = {s.id for s in sections}
        papers = tuple(self.papers(_table_list(data, "paper"), known))
        return Catalog(plain_text(title), sections, papers, self.path)

    def sections(self, rows: list[Any]) -> Iterator[Section]:
        seen: dict[str, int | None] = {}
        for index, row in enumerate(rows):
            line = self.lines.of("section", index)
            if not self.fields(row, "section", index, _SECTION_FIELDS, required=("id", "title")):
                continue
            sid = row["id"]
            if not _SLUG.match(sid):
                self.report(line, f"section id {sid!r} must be lower-case words joined by '-', nested by '/'")
            elif sid in seen:
                self.report(line, f"duplicate section id {sid!r} (first at line {seen[sid]})")
            else:
                seen[sid] = line
                yield Section(sid, plain_text(row["title"]), line)

    def papers(self, rows: list[Any], known: set[str]) -> Iterator[Paper]:
        for index, row in enumerate(rows):
            if self.fields(row, "paper", index, _PAPER_FIELDS, required=("section",)):
                if paper := self.paper(row, index, known):
                    yield paper

    def fields(
        self,
        row: Any,
        table: str,
        index: int,
        spec: Mapping[str, type | tuple[type, ...]],
        required: tuple[str, ...],
    ) -> bool:
        line = self.lines.of(table, index)
        if not isinstance(row, dict):
            self.report(line, f"[[{table}]] #{index + 1} must be a table")
            return False
        ok = True
        for name in row:
            if name not in spec:
                at = self.lines.of(table, index, name)
                self.report(at, f"unknown {table} field {name!r}{_suggest(name, list(spec))}")
                ok = False
            elif not isinstance(row[name], spec[name]) or (
                isinstance(row[name], bool) and name != "published"
            ):
                at = self.lines.of(table, index, name)
                self.report(at, f"{table} field {name!r} must be {_type_name(spec[name])}")
                ok = False
        for name in required:
            if name not in row or (isinstance(row[name], str) and not row[name].strip()):
                self.report(line, f"{table} has no {name!r}")
                ok = False
        return ok

    def check_values(self, row: dict[str, Any], at: Callable[[str], int | None]) -> None:
        """Years are years; only web links and well-formed DOIs (they become links in HTML)."""
        for name in ("year", "listed_year"):
            if name in row and not MIN_YEAR <= row[name] <= MAX_YEAR:
                self.report(at(name), f"{name} {row[name]} is not a year ({MIN_YEAR} to {MAX_YEAR})")
        for name in ("url", "code"):
            if name in row and not is_web_url(row[name]):
                self.report(
                    at(name),
                    f"{name} {row[name]!r} must be an http:// or https:// address "
                    "(no spaces, double quotes, <> or backslashes)",
                )
        published = row.get("published", False)
        if published is True or (
            isinstance(published, str) and not (is_doi(published) or _DBLP_KEY.match(published))
        ):
            self.report(
                at("published"),
                f"published {published!r} must be false (keep it a preprint), a DBLP key "
                "('conf/cvpr/He0WXG20') or a DOI",
            )
        if "doi" in row and not is_doi(row["doi"]):
            self.report(
                at("doi"), f"doi {row['doi']!r} is not a DOI (expected e.g. '10.1109/CVPR.2020.00975')"
            )

    def paper(self, row: dict[str, Any], index: int, known: set[str]) -> Paper | None:
        def at(key: str) -> int | None:
            return self.lines.of("paper", index, key)

        before = len(self.problems)
        sections = row["section"] if isinstance(row["section"], list) else [row["section"]]
        if not sections:
            self.report(at("section"), "paper has an empty 'section' list")
        for sid in sections:
            if not isinstance(sid, str):
                self.report(at("section"), "section ids must be strings")
            elif sid not in known:
                self.report(at("section"), f"unknown section {sid!r}{_suggest(sid, sorted(known))}")
        arxiv = row.get("arxiv")
        if arxiv is not None and not is_arxiv_id(arxiv):
            self.report(
                at("arxiv"), f"malformed arXiv ID {arxiv!r} (expected e.g. '2002.05709' or 'cs/0112017')"
            )
        for name in ("authors", "listed_authors"):
            if not all(isinstance(a, str) and a.strip() for a in row.get(name, [])):
                self.report(at(name), f"{name!r} must be a list of non-empty strings")
        key = row.get("key")
        if key is not None and not _KEY.match(key):
            self.report(at("key"), f"citation key {key!r} must be lower-case ASCII (a-z, 0-9, _:.-)")
        self.check_values(row, at)
        if not str(row.get("title", "")).strip() and not any(row.get(k) for k in ("arxiv", "doi", "url")):
            self.report(
                self.lines.of("paper", index),
                "paper has no 'title' (and no arXiv ID, DOI or link whose source could give one)",
            )
        if len(self.problems) > before:
            return None
        return Paper(
            title=plain_text(row.get("title", "")),
            sections=tuple(sections),
            short=plain_text(row["short"]) if "short" in row else None,
            arxiv=split_version(arxiv)[0] if arxiv else None,
            url=row.get("url"),
            venue=plain_text(row["venue"]) if "venue" in row else None,
            note=plain_text(row["note"]) if "note" in row else None,
            key=key,
            authors=tuple(row.get("authors", [])),
            year=row.get("year"),
            code=row.get("code"),
            listed_authors=tuple(row.get("listed_authors", [])),
            listed_year=row.get("listed_year"),
            sentence_case=plain_text(row["sentence_case"]) if "sentence_case" in row else None,
            published=row.get("published"),
            doi=row.get("doi"),
            line=self.lines.of("paper", index),
        )


def _duplicate_keys(papers: tuple[Paper, ...], path: str) -> list[Problem]:
    """A hand-written key names one paper: the rows of one paper (same arXiv ID or title)
    may share it, two different papers may not (keys are compared case-insensitively)."""
    owners: dict[str, Paper] = {}
    problems = []
    for paper in papers:
        if not paper.key:
            continue
        first = owners.setdefault(paper.key.lower(), paper)
        same = (first.arxiv and first.arxiv == paper.arxiv) or (
            (first.title or first.url)
            and normalize_title(first.title) == normalize_title(paper.title)
            and (first.title or first.url == paper.url)
        )
        if not same:
            problems.append(
                Problem(path, paper.line, f"citation key {paper.key!r} is also the key of line {first.line}")
            )
    return problems


def _table_list(data: dict[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    return value if isinstance(value, list) else [value]


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list", int: "an integer"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names[k] for k in kinds)


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
