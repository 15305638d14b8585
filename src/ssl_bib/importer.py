"""Turn an awesome-list markdown file into catalog TOML (headings = sections, rows = papers)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from .arxiv_id import parse_arxiv_id
from .errors import CatalogError, Problem
from .model import Catalog
from .titles import normalize_title

HAND_FIELDS = ("authors", "year", "doi", "key")

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\*\*([^*]+)\*\*\s*$")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])+)\]\(([^)\s]+)\)")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NICKNAME = re.compile(r"\s*\(([^()]{1,20})\)\s*$")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_GENERIC_LINK_TEXT = {"paper", "pdf", "arxiv", "link", "code", "project"}


@dataclass
class _Section:
    id: str
    title: str


@dataclass
class _Row:
    section: str
    title: str
    url: str
    venue: str = ""
    note: str = ""
    short: str = ""
    arxiv: str | None = None


@dataclass
class _List:
    title: str = ""
    sections: list[_Section] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)


def import_markdown(path: str | Path) -> str:
    """Read an awesome-list file and return the catalog as TOML text."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([Problem(str(path), None, f"cannot read: {exc}")]) from None
    parsed = parse_markdown(text)
    if not parsed.rows:
        raise CatalogError([Problem(str(path), None, "no papers found (no table rows or bullet links)")])
    return to_toml(parsed)


def parse_markdown(text: str) -> _List:
    """Parse headings, bold table captions, table rows and bullet entries, in order."""
    result = _List()
    stack: list[tuple[int, str]] = []  # (level, section id) of the open headings
    lines = [_BR.sub(" ", line) for line in text.splitlines()]
    table: list[str] | None = None
    for number, line in enumerate(lines):
        if line.lstrip().startswith("|"):
            cells = _cells(line)
            if table is None:
                table = cells
            elif not all(re.fullmatch(r":?-+:?", c) for c in cells if c):
                _add_row(result, stack, table, cells)
            continue
        table = None
        if m := _HEADING.match(line):
            _open(result, stack, len(m.group(1)), m.group(2))
        elif (m := _BOLD_LINE.match(line)) and _next_is_table(lines, number + 1):
            _open(result, stack, (stack[-1][0] if stack else 0) + 1, m.group(1))
        elif (m := _BULLET.match(line)) and stack:
            _add_bullet(result, stack, m.group(1))
    _drop_title_section(result)
    return result


def _next_is_table(lines: list[str], start: int) -> bool:
    for line in lines[start:]:
        if line.strip():
            return line.lstrip().startswith("|")
    return False


def _open(result: _List, stack: list[tuple[int, str]], level: int, title: str) -> None:
    title = _plain(title)
    while stack and stack[-1][0] >= level:
        stack.pop()
    parent = stack[-1][1] if stack else ""
    base = f"{parent}/{_slug(title)}" if parent else _slug(title)
    sid, n = base, 2
    while any(s.id == sid for s in result.sections):
        sid, n = f"{base}-{n}", n + 1
    result.sections.append(_Section(sid, title))
    stack.append((level, sid))


def _drop_title_section(result: _List) -> None:
    """Make the first heading the list's title when it heads no papers of its own and is
    either childless (the seed: `# Awesome-...` then `# Computer Vision`) or the only top
    heading (`# My List` then `## Vision`, whose sections then move up a level)."""
    if not result.sections:
        return
    first = result.sections[0]
    if any(r.section == first.id for r in result.rows):
        return
    prefix = first.id + "/"
    children = [s for s in result.sections if s.id.startswith(prefix)]
    tops = [s for s in result.sections if "/" not in s.id]
    if children and len(tops) > 1:
        return
    result.title = first.title
    result.sections.pop(0)
    for section in children:
        section.id = section.id.removeprefix(prefix)
    for row in result.rows:
        row.section = row.section.removeprefix(prefix)


def _slug(title: str) -> str:
    """Slug a heading: a parenthesised acronym wins, else the part before the first '/'."""
    if m := re.search(r"\(([A-Z][A-Za-z0-9]*[A-Z])\)", title):
        return m.group(1).lower()
    head = re.sub(r"\([^)]*\)", " ", title).split("/")[0]
    ascii_text = unicodedata.normalize("NFKD", head).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    if len(words) > 1 and words[-1] == "learning":
        words.pop()
    return "-".join(words) or "section"


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return [" ".join(c.split()) for c in re.split(r"(?<!\\)\|", body)]


def _add_row(result: _List, stack: list[tuple[int, str]], header: list[str], cells: list[str]) -> None:
    paper_col = next((i for i, c in enumerate(cells) if _LINK.search(c)), None)
    if paper_col is None:
        return  # an empty filler row
    if not stack:  # a table before any heading: its papers still need a section
        _open(result, stack, 1, "Papers")
    m = _LINK.search(cells[paper_col])
    assert m is not None
    venue = cells[0] if paper_col != 0 else ""
    notes = []
    for i, cell in enumerate(cells):
        if i in (0, paper_col) or not cell or cell == "-":
            continue
        name = header[i].strip() if i < len(header) else ""
        notes.append(f"{name}: {cell}" if name else cell)
    row = _Row(stack[-1][1], m.group(1), m.group(2), venue=venue, note="; ".join(notes))
    result.rows.append(_finish(row))


def _add_bullet(result: _List, stack: list[tuple[int, str]], body: str) -> None:
    links = list(_LINK.finditer(body))
    if not links:
        return
    first = links[0]
    title, url = first.group(1), first.group(2)
    if title.strip("[] ").lower() in _GENERIC_LINK_TEXT:
        bold = re.search(r"\*\*(.+?)\*\*", body)
        if not bold:
            return
        title = bold.group(1)
    rest = _LINK.sub(" ", body)
    rest = re.sub(r"\*\*(.+?)\*\*", " ", rest) if title != first.group(1) else rest
    venue = " ".join(rest.replace("*", " ").split()).strip(" -–—,:|()")
    result.rows.append(_finish(_Row(stack[-1][1], title, url, venue=venue)))


def _finish(row: _Row) -> _Row:
    title = _plain(row.title)
    if m := _NICKNAME.search(title):
        row.short, title = m.group(1).strip(), title[: m.start()].rstrip()
    row.title = title
    row.arxiv = parse_arxiv_id(row.url) or parse_arxiv_id(row.venue)
    return row


def _plain(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), text)
    return " ".join(text.split())


def to_toml(parsed: _List) -> str:
    """Write the parsed list in the DESIGN.md catalog shape, stable byte for byte."""
    doc = tomlkit.document()
    doc.add("title", parsed.title or "Reading list")
    sections = tomlkit.aot()
    for s in parsed.sections:
        sections.append(tomlkit.table().add("id", s.id).add("title", s.title))
    doc.add(tomlkit.nl())
    doc.add("section", sections)
    papers = tomlkit.aot()
    for row in parsed.rows:
        table = tomlkit.table().add("section", row.section).add("title", row.title)
        for name in ("short", "arxiv", "url", "venue", "note"):
            if value := getattr(row, name):
                table.add(name, value)
        papers.append(table)
    doc.add("paper", papers)
    return tomlkit.dumps(doc)


def keep_hand_fields(text: str, previous: Catalog) -> str:
    """Carry hand-written fields (authors, year, doi, key) of the previous catalog over to a
    fresh import, matching papers by arXiv ID or title, so re-importing loses no work."""
    hand: dict[str, dict[str, object]] = {}
    for paper in previous.papers:
        fields = {name: getattr(paper, name) for name in HAND_FIELDS if getattr(paper, name)}
        if fields:
            hand.setdefault(paper.arxiv or normalize_title(paper.title), fields)
            hand.setdefault(normalize_title(paper.title), fields)
    if not hand:
        return text
    doc = tomlkit.parse(text)
    for table in doc.get("paper", []):
        found = hand.get(str(table.get("arxiv", ""))) or hand.get(normalize_title(str(table["title"])))
        for name, value in (found or {}).items():
            table[name] = list(value) if isinstance(value, tuple) else value
    return tomlkit.dumps(doc)
