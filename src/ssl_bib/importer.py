"""Turn an awesome-list markdown file into catalog TOML; the only markdown-it-py user.

The list is parsed as CommonMark with GitHub tables, and read block by block: headings become
nested sections; a list item (with its continuation lines and nested items), a paragraph and a
table row each become at most one paper (`entries` reads their fields). Every block that holds a
paper link but gives no paper is reported, so nothing is left out silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import tomlkit
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from .arxiv_id import arxiv_label, malformed_arxiv_link
from .entries import (
    Entry,
    Line,
    Link,
    Span,
    SpanKind,
    decoration,
    is_paper,
    nickname_like,
    plain,
    read_entry,
    split_authors,
)
from .errors import CatalogError, Problem
from .model import Catalog
from .titles import normalize_title
from .venues import venue_year

HAND_FIELDS = ("authors", "year", "doi", "key", "sentence_case", "published")
_BREAK_HTML = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_VENUE_HEADER = re.compile(r"conf|journal|venue|publi|rnal|where", re.IGNORECASE)
_NAME_HEADER = re.compile(r"(?:model|name|nickname|short name|abbr\.?|abbreviation)s?", re.IGNORECASE)
_TITLE_HEADER = re.compile(r"title|paper|name|method", re.IGNORECASE)
_BEFORE_HEADINGS = 7  # deeper than any heading: the next heading of any level closes it
_EMPTY_CELL = {"", "-", "–", "—", "na", "n/a", "none", "/"}


@dataclass
class _Heading:
    level: int
    title: str
    parent: _Heading | None
    papers: int = 0
    id: str = ""


@dataclass
class _Row:
    heading: _Heading
    entry: Entry


@dataclass(frozen=True)
class Imported:
    """The catalog text an import produced, with its counts and what it left out."""

    text: str
    sections: int
    papers: int
    with_arxiv: int
    left_out: tuple[Problem, ...] = ()
    without_venue: int = 0
    without_year: int = 0
    without_title: int = 0

    @property
    def summary(self) -> str:
        """`15 sections, 94 papers, 90 with arXiv IDs; the list gives no title for 1, no venue
        for 2`: what the list did not say, so its maintainer sees it."""
        line = f"{self.sections} sections, {self.papers} papers, {self.with_arxiv} with arXiv IDs"
        lacks = [(self.without_title, "title"), (self.without_venue, "venue"), (self.without_year, "year")]
        if said := [f"no {what} for {n}" for n, what in lacks if n]:
            line += "; the list gives " + ", ".join(said)
        return line


@dataclass
class _Reader:
    path: str
    headings: list[_Heading] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    left_out: list[Problem] = field(default_factory=list)
    open: list[_Heading] = field(default_factory=list)

    # --- sections ---
    def heading(self, level: int, title: str) -> None:
        while self.open and self.open[-1].level >= level:
            self.open.pop()
        node = _Heading(level, title, self.open[-1] if self.open else None)
        self.headings.append(node)
        self.open.append(node)

    def current(self) -> _Heading:
        if not self.open:  # entries before any heading still need a section; the next heading closes it
            self.heading(_BEFORE_HEADINGS, "Papers")
        return self.open[-1]

    # --- entries ---
    def entry(self, lines: list[Line], line: int, fill: Callable[[Entry], None] | None = None) -> None:
        links = [s.link for ln in lines for s in ln if s.link]
        for link in links:  # an arXiv address whose ID arXiv never issues: said, never guessed at
            if malformed_arxiv_link(link.href):
                self.left_out.append(Problem(self.path, link.line, f"malformed arXiv link: {link.href}"))
        entry = read_entry(lines, line)
        if entry is not None and fill is not None:
            fill(entry)
        if entry is not None and not entry.arxiv:
            entry.arxiv = arxiv_label(" ".join(plain(ln) for ln in lines) + " " + entry.venue)
        if entry is not None and is_paper(entry, links):
            heading = self.current()
            heading.papers += 1
            entry.year = entry.year or _heading_year(heading)  # `#### 2019` above the entry
            self.rows.append(_Row(heading, entry))
            self.report(entry.unused)
        else:
            self.report([k for k in links if k.kind in ("arxiv", "paper")])

    def report(self, links: Sequence[Link]) -> None:
        for link in links:
            self.left_out.append(Problem(self.path, link.line, f"link not imported: {link.href}"))


# markdown-it stops reading a block nested deeper than this, silently; a list this deep is
# read whole, and one deeper is an error naming its line (never the rest of the list lost).
MAX_NESTING = 100


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable("table")


def _parsed(path: Path, text: str) -> SyntaxTreeNode:
    """The list's syntax tree; an error when a block is nested too deep to be read whole."""
    tokens = _parser().parse(text)
    deepest = max(tokens, key=lambda t: t.level, default=None)
    if deepest is not None and deepest.level >= MAX_NESTING - 2:
        line = deepest.map[0] + 1 if deepest.map else None
        why = f"lists and quotes nested too deep to read (over {MAX_NESTING} levels of lists, items, quotes)"
        raise CatalogError([Problem(str(path), line, why)])
    return SyntaxTreeNode(tokens)


def import_markdown(path: str | Path) -> Imported:
    """Read an awesome-list file and return the catalog as TOML text, with a report."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([Problem(str(path), None, f"cannot read: {exc}")]) from None
    reader = _Reader(str(path))
    _blocks(reader, _parsed(path, text).children)
    if not reader.rows:
        raise CatalogError([Problem(str(path), None, "no papers found (no table rows or list entries)")])
    title = _title_heading(reader)
    sections = _sections(reader.headings)
    toml = to_toml(title, sections, reader.rows)
    with_arxiv = sum(1 for r in reader.rows if r.entry.arxiv)
    no_title = sum(1 for r in reader.rows if not r.entry.title)
    no_venue = sum(1 for r in reader.rows if not r.entry.venue)
    # an arXiv ID says its year (2002.05709: 2020): only a paper with none of these lacks one
    no_year = sum(1 for r in reader.rows if not (r.entry.year or venue_year(r.entry.venue) or r.entry.arxiv))
    return Imported(
        toml, len(sections), len(reader.rows), with_arxiv, tuple(reader.left_out), no_venue, no_year, no_title
    )


# --- blocks ------------------------------------------------------------------------------------


def _blocks(reader: _Reader, nodes: Sequence[SyntaxTreeNode]) -> None:
    for index, node in enumerate(nodes):
        if node.type == "heading":
            reader.heading(int(node.tag[1:]), _heading_text(_inline_lines(node)))
        elif node.type == "paragraph":
            lines = _inline_lines(node)
            following = nodes[index + 1].type if index + 1 < len(nodes) else ""
            if following == "table" and _bold_only(lines):  # a bold caption heading a table
                level = reader.open[-1].level + 1 if reader.open else 1
                reader.heading(level, _heading_text(lines))
            else:
                _paragraph(reader, lines, _line(node))
        elif node.type in ("bullet_list", "ordered_list"):
            for item in node.children:
                _list_item(reader, item)
        elif node.type == "table":
            _table(reader, node)
        elif node.type == "blockquote":
            _blocks(reader, node.children)
        elif node.type == "html_block":  # raw HTML is not read as entries: say what it links
            reader.report([k for k in _html_links(node) if k.kind in ("arxiv", "paper")])


def _html_links(node: SyntaxTreeNode) -> list[Link]:
    """The links of a raw HTML block (read by the standard library's HTML parser), each
    with the line it stands on."""
    first = _line(node)
    links: list[Link] = []

    class Anchors(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            href = dict(attrs).get("href")
            if tag == "a" and href:
                links.append(Link("", href, first + self.getpos()[0] - 1))

    Anchors(convert_charrefs=True).feed(node.content)
    return links


def _line(node: SyntaxTreeNode) -> int:
    return node.map[0] + 1 if node.map else 0


def _paragraph(reader: _Reader, lines: list[Line], line: int) -> None:
    """A paragraph is an entry only when it starts with its title (bold or a titled link);
    running text (an introduction) is not, though its paper links are reported."""
    lines = [ln for ln in lines if plain(ln) or any(s.link for s in ln)]
    firsts = [
        next((s for s in ln if (s.text.strip() and not decoration(s.text)) or s.link), None) for ln in lines
    ]
    first = firsts[0] if firsts else None
    if len(lines) > 1 and all(f and f.link and f.link.titled for f in firsts):
        for ln in lines:  # one titled link a line (`[A](…) <br>` / `[B](…)`): one entry each
            reader.entry([ln], next(s.link.line for s in ln if s.link))
    elif first and (first.kind == "strong" or (first.link and first.link.titled)):
        reader.entry(lines, line)
    else:
        reader.report([s.link for ln in lines for s in ln if s.link and s.link.kind in ("arxiv", "paper")])


def _list_item(reader: _Reader, item: SyntaxTreeNode) -> None:
    """A list item is one entry with its nested items, unless those are entries of their own."""
    own: list[Line] = []
    subitems: list[SyntaxTreeNode] = []
    for child in item.children:
        if child.type == "paragraph":
            own += _inline_lines(child)
        elif child.type in ("bullet_list", "ordered_list"):
            subitems += child.children
        elif child.type == "table":
            _table(reader, child)
    if own and _metadata(own, subitems):
        reader.entry(own + [ln for sub in subitems for ln in _all_lines(sub)], _line(item))
        return
    if own:
        reader.entry(own, _line(item))
    for sub in subitems:
        _list_item(reader, sub)


def _metadata(own: list[Line], subitems: list[SyntaxTreeNode]) -> bool:
    """Nested items are the entry's own details (authors, venue, `[paper]` links) when none
    names a paper by a titled link and at most one place holds the paper link."""
    if not subitems:
        return True
    with_paper = int(_has_paper_link(own))
    for sub in subitems:
        lines = _all_lines(sub)
        if any(s.link.titled and s.link.kind != "code" for ln in lines for s in ln if s.link):
            return False
        with_paper += _has_paper_link(lines)
    return with_paper <= 1


def _has_paper_link(lines: list[Line]) -> bool:
    return any(s.link.kind in ("arxiv", "paper") for ln in lines for s in ln if s.link)


def _all_lines(node: SyntaxTreeNode) -> list[Line]:
    if node.type == "inline":
        return _inline_lines(node)
    return [ln for child in node.children for ln in _all_lines(child)]


def _table(reader: _Reader, node: SyntaxTreeNode) -> None:
    rows = [tr for part in node.children for tr in part.children]
    if not rows:
        return
    header = [plain(_joined(_inline_lines(cell))) for cell in rows[0].children]
    for tr in rows[1:]:
        cells = [_joined(_inline_lines(cell)) for cell in tr.children]
        _table_row(reader, header, cells, _line(tr))


def _table_row(reader: _Reader, header: list[str], cells: list[Line], line: int) -> None:
    """A row is a paper when a cell holds a titled link (or sits under a title header)."""
    names = [header[i] if i < len(header) else "" for i in range(len(cells))]
    col = next((i for i, c in enumerate(cells) if any(s.link and s.link.titled for s in c)), None)
    if col is None:
        col = next((i for i, n in enumerate(names) if _TITLE_HEADER.search(n) and plain(cells[i])), None)
    links = [s.link for c in cells for s in c if s.link]
    if col is None:
        reader.report([k for k in links if k.kind in ("arxiv", "paper")])
        return
    venue_col = next((i for i, n in enumerate(names) if _VENUE_HEADER.search(n) and i != col), None)
    name_col = next((i for i, n in enumerate(names) if _NAME_HEADER.fullmatch(n.strip()) and i != col), None)
    if (
        venue_col is None
        and col != 0
        and name_col != 0
        and not any(s.link for s in cells[0])
        and _words(plain(cells[0]))
        and not nickname_like(plain(cells[0]).strip())  # `MoCoX` names the paper, not where it went
    ):
        venue_col = 0
    title_cell = tuple(s for s in cells[col] if s.link is None or s.link.titled) or cells[col]
    others = [s for i, c in enumerate(cells) if i != col for s in c if s.link]

    def fill(entry: Entry) -> None:
        _row_fields(entry, names, cells, skip={col, venue_col, name_col})
        if venue_col is not None and plain(cells[venue_col]).lower() not in _EMPTY_CELL:
            entry.venue = plain(cells[venue_col])
            entry.year = entry.year or venue_year(entry.venue)
        if name_col is not None and (name := plain(cells[name_col])).lower() not in _EMPTY_CELL:
            entry.short = entry.short or name  # a `Name` or `Model` column: the paper's nickname
        if _NAME_HEADER.fullmatch(names[col].strip()) and nickname_like(entry.title):
            entry.short, entry.title = entry.short or entry.title, ""  # `| NetX | [[4](…)] |`

    reader.entry([title_cell + tuple(others)], line, fill)


_DATE_COLUMN = re.compile(r"\b(?:date|published|release[ds]?|time)\b", re.IGNORECASE)


def _row_fields(entry: Entry, names: list[str], cells: list[Line], skip: set[int | None]) -> None:
    """Year and author columns are evidence; other text columns become the note."""
    notes = []
    for i, cell in enumerate(cells):
        text = plain(cell)
        if i in skip or any(s.link for s in cell) or text.lower() in _EMPTY_CELL:
            continue
        name = names[i].strip()
        if re.fullmatch(r"years?", name, re.IGNORECASE) and (m := re.fullmatch(r"(?:19|20)\d{2}", text)):
            entry.year = int(m.group(0))
        elif _DATE_COLUMN.search(name) and (m := re.search(r"\b(?:19|20)\d{2}\b", text)):
            entry.year = entry.year or int(m.group(0))  # a `Date` column: `2023-01-05`, `Jan 2023`
        elif re.search(r"author", name, re.IGNORECASE) and (authors := split_authors(text)):
            entry.authors = authors
        else:
            notes.append(f"{name}: {text}" if name else text)
    entry.note = "; ".join(notes)


def _words(text: str) -> bool:
    return re.search(r"[A-Za-z]", text) is not None


# --- inline content ----------------------------------------------------------------------------


def _inline_lines(node: SyntaxTreeNode) -> list[Line]:
    """The lines of a block's inline content, as spans of one style each."""
    inline = next((c for c in node.children if c.type == "inline"), None) if node.type != "inline" else node
    if inline is None or inline.token is None:
        return []
    token = inline.token
    return list(_spans(token.children or [], token.map[0] + 1 if token.map else 0))


def _spans(tokens: list[Token], first_line: int) -> Iterator[Line]:
    reader = _InlineReader(first_line)
    for tok in tokens:
        yield from reader.feed(tok)
    yield tuple(reader.line)


@dataclass
class _InlineReader:
    """Turn inline tokens into lines of spans; a break ends a line unless inside bold text."""

    number: int
    line: list[Span] = field(default_factory=list)
    strong: int = 0
    em: int = 0
    href: str | None = None  # inside a link: its target, text and whether it shows an image
    text: list[str] = field(default_factory=list)
    image: bool = False
    src: str = ""  # the image a link shows (a badge's address says what it shows)

    def style(self) -> SpanKind:
        return "strong" if self.strong else "em" if self.em else "text"

    def feed(self, tok: Token) -> Iterator[Line]:
        kind = tok.type
        if kind in ("softbreak", "hardbreak") or (kind == "html_inline" and _BREAK_HTML.match(tok.content)):
            if self.strong or self.em:
                _add_text(self.line, self.style(), " ")
            elif self.href is None:
                yield tuple(self.line)
                self.line = []
            self.number += kind != "html_inline"
        elif kind == "link_open":
            self.href, self.text, self.image, self.src = str(tok.attrs.get("href", "")), [], False, ""
        elif kind == "link_close" and self.href is not None:
            text = "".join(self.text)
            badge = self.image and not text.strip()
            link = Link(text, self.href, self.number, badge=badge, image=self.src if badge else "")
            self.line.append(Span("link", text, link))
            self.href = None
        elif kind == "image":
            self.image, self.src = True, str(tok.attrs.get("src", ""))
        elif kind in ("strong_open", "strong_close"):
            self.strong += 1 if kind.endswith("open") else -1
        elif kind in ("em_open", "em_close"):
            self.em += 1 if kind.endswith("open") else -1
        elif kind in ("text", "code_inline"):
            if self.href is not None:
                self.text.append(tok.content)
            else:
                _add_text(self.line, self.style(), tok.content)


def _add_text(line: list[Span], kind: SpanKind, text: str) -> None:
    """Append text, joining it to the span before when that has the same style."""
    if line and line[-1].kind == kind:
        line[-1] = Span(kind, line[-1].text + text)
    else:
        line.append(Span(kind, text))


def _joined(lines: list[Line]) -> Line:
    """A table cell's lines (split by `<br>`) as one line."""
    out: list[Span] = []
    for index, ln in enumerate(lines):
        if index:
            out.append(Span("text", " "))
        out += ln
    return tuple(out)


def _bold_only(lines: list[Line]) -> bool:
    spans = [s for ln in lines for s in ln if s.text.strip() or s.link]
    return len(spans) == 1 and spans[0].kind == "strong"


def _heading_text(lines: list[Line]) -> str:
    text = " ".join(plain(tuple(s for s in ln if not (s.link and s.link.badge))) for ln in lines)
    text = re.sub(r":[a-z0-9_+-]+:", " ", text)
    return " ".join(text.split()) or "Section"


# --- sections ----------------------------------------------------------------------------------


def _heading_year(heading: _Heading | None) -> int | None:
    """The year a heading (or the nearest heading above it) is titled with, if any."""
    while heading is not None:
        if m := re.fullmatch(r"\W*((?:19|20)\d{2})\W*", heading.title):
            return int(m.group(1))
        heading = heading.parent
    return None


def _title_heading(reader: _Reader) -> str:
    """Make the first heading the list's title when it heads no papers of its own and is
    either childless (the seed: `# Awesome-...` then `# Computer Vision`) or the only top
    heading (`# My List` then `## Vision`, whose sections then move up a level)."""
    if not reader.headings:
        return ""
    first = reader.headings[0]
    children = [h for h in reader.headings if h.parent is first]
    holding = _holding(reader.headings)
    tops = [h for h in reader.headings if h.parent is None and id(h) in holding]
    if first.papers or first.level > min(h.level for h in reader.headings):
        return ""
    if children and len(tops) > 1 and first in tops:
        return ""
    reader.headings.pop(0)
    for heading in reader.headings:
        if heading.parent is first:
            heading.parent = None
    return first.title


def _holding(headings: list[_Heading]) -> set[int]:
    """The headings (by id()) that hold papers or have a descendant that does: each heading
    with papers marks its ancestors, stopping at one marked already (linear time)."""
    holding: set[int] = set()
    for heading in headings:
        current: _Heading | None = heading if heading.papers > 0 else None
        while current is not None and id(current) not in holding:
            holding.add(id(current))
            current = current.parent
    return holding


def _sections(headings: list[_Heading]) -> list[_Heading]:
    """Keep the headings that hold papers (or whose children do) and give them slug ids."""
    holding = _holding(headings)
    kept = [h for h in headings if id(h) in holding]
    used: set[str] = set()
    tried: dict[str, int] = {}  # base -> the next number to try: no slug tried twice
    for heading in kept:
        parent = heading.parent
        while parent is not None and id(parent) not in holding:
            parent = parent.parent
        base = f"{parent.id}/{_slug(heading.title)}" if parent else _slug(heading.title)
        sid, n = base, tried.get(base, 2)
        while sid in used:
            sid, n = f"{base}-{n}", n + 1
        tried[base] = n
        heading.id = sid
        used.add(sid)
    return kept


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


# --- TOML --------------------------------------------------------------------------------------


def to_toml(title: str, sections: list[_Heading], rows: list[_Row]) -> str:
    """Write the parsed list in the DESIGN.md catalog shape, stable byte for byte."""
    parts = [_toml_table({"title": title or "Reading list"})]
    parts += [f"\n[[section]]\n{_toml_table({'id': s.id, 'title': s.title})}" for s in sections]
    for row in rows:
        entry = row.entry
        values: dict[str, str | int | list[str] | None] = {
            "section": row.heading.id,
            "title": entry.title,
            "short": entry.short,
            "arxiv": entry.arxiv,
            "url": entry.url,
            "code": entry.code,
            "venue": entry.venue,
            "note": entry.note,
            "listed_authors": entry.authors,
            "listed_year": entry.year if entry.year != venue_year(entry.venue) else None,
        }
        parts.append(f"\n[[paper]]\n{_toml_table(values)}")
    return "".join(parts)


def _toml_table(values: Mapping[str, str | int | list[str] | None]) -> str:
    """The `key = value` lines of a table, skipping empty values (as tomlkit writes them;
    its document model grows slowly with thousands of tables, so the importer writes these
    few value types itself, and the tests parse the result with tomllib)."""
    return "".join(f"{k} = {_value(v)}\n" for k, v in values.items() if v)


def _value(value: str | int | list[str]) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return '"' + "".join(_escape(c) for c in value) + '"'


def _escape(char: str) -> str:
    if char in '"\\':
        return "\\" + char
    if unicodedata.category(char) == "Cc":  # control characters (and DEL) are not allowed raw
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\u{ord(char):04X}")
    return char


def keep_hand_fields(text: str, previous: Catalog) -> str:
    """Carry hand-written fields (authors, year, doi, key) of the previous catalog over to a
    fresh import, matching papers by arXiv ID or title, so re-importing loses no work."""
    hand: dict[str, dict[str, object]] = {}
    for paper in previous.papers:
        fields = {
            name: getattr(paper, name) for name in HAND_FIELDS if getattr(paper, name) not in (None, (), "")
        }
        if fields:
            hand.setdefault(paper.arxiv or normalize_title(paper.title), fields)
            if paper.title:
                hand.setdefault(normalize_title(paper.title), fields)
    if not hand:
        return text
    doc = tomlkit.parse(text)
    for table in doc.get("paper", []):
        found = hand.get(str(table.get("arxiv", ""))) or hand.get(
            normalize_title(str(table.get("title", "")))
        )
        for name, value in (found or {}).items():
            table[name] = list(value) if isinstance(value, tuple) else value
    return tomlkit.dumps(doc)
