"""Runs: an entry as text with formatting, which is what the engine hands the writers.

This module is also the output formatter the engine gives citeproc-py (a formatter is what
citeproc-py calls `preformat` and `Italic`, `Bold`, …). It writes each mark as an HTML tag of
its own, around text that is HTML-escaped (the data on the way in, because citeproc-py reads
`<span class="nocase">` in its input; citeproc-py's terms in `preformat`), so that `parse`
reads an entry back with an HTML parser, and so that citeproc-py, which sorts entries by
their rendered keys, marks included, sorts them exactly as with its own HTML formatter.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TypeAlias

# The tag each of citeproc-py's marks is written as (those of its own HTML formatter, so that
# sort keys compare alike), and the mark each tag is read back as. Oblique reads as italic.
_TAGS = {
    "italic": "i",
    "oblique": "i",
    "bold": "b",
    "light": "l",
    "underline": "u",
    "superscript": "sup",
    "subscript": "sub",
    "small-caps": 'span style="font-variant:small-caps;"',
}
_MARKS = {
    "i": "italic",
    "b": "bold",
    "l": "light",
    "u": "underline",
    "sup": "superscript",
    "sub": "subscript",
    "span": "small-caps",
}
# A URL in rendered text ends before white space, quotes or angle brackets (or their entity
# names written out as text), and before trailing punctuation or an unbalanced ")".
_URL = re.compile(r"https?://(?:(?!&lt;|&gt;|&quot;)[^\s<>\"])+(?<![.,;:])")


@dataclass(frozen=True, slots=True)
class Styled:
    """Runs under one mark: italic, bold, light, underline, superscript, subscript or
    small-caps."""

    mark: str
    runs: tuple[Run, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """An http(s) URL in the rendered text."""

    url: str


Run: TypeAlias = "str | Styled | Link"


def text(value: str) -> str:
    """Data as citeproc-py's input takes it, and as this formatter writes text: HTML-escaped."""
    return html.escape(value, quote=False)


def opening(mark: str) -> str:
    """How a mark starts in citeproc-py's output."""
    return f"<{_TAGS[mark]}>"


def parse(output: str) -> tuple[Run, ...]:
    """Read what citeproc-py wrote with this formatter back as runs. A mark left open is
    closed at the end; a close with nothing open is dropped."""
    parser = _Reader()
    parser.feed(output)
    parser.close()
    return parser.runs()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, list[Run]]] = [("", [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _MARKS:
            self.stack.append((_MARKS[tag], []))
        else:  # written by the style itself (an affix, say): text like any other
            self.handle_data(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag and tag not in _MARKS:
            self.handle_data(f"</{tag}>")
        elif len(self.stack) > 1:
            mark, runs = self.stack.pop()
            self.stack[-1][1].append(Styled(mark, tuple(runs)))

    def handle_data(self, data: str) -> None:
        self.stack[-1][1].extend(_linked(data))

    def runs(self) -> tuple[Run, ...]:
        while len(self.stack) > 1:
            self.handle_endtag("")
        return tuple(self.stack[0][1])


def _linked(value: str) -> list[Run]:
    """Text, with each URL in it a Link (ending before an unbalanced ")")."""
    out: list[Run] = []
    pos = 0
    for m in _URL.finditer(value):
        url = m.group(0)
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(".,;:")
        if value[pos : m.start()]:
            out.append(value[pos : m.start()])
        out.append(Link(url))
        pos = m.start() + len(url)
    if value[pos:]:
        out.append(value[pos:])
    return out


def plain(runs: tuple[Run, ...]) -> str:
    """The runs' text, without formatting."""
    return "".join(
        run if isinstance(run, str) else run.url if isinstance(run, Link) else plain(run.runs) for run in runs
    )


# --- the formatter citeproc-py calls --------------------------------------------------------


def preformat(value: object) -> str:
    """Text citeproc-py takes from the style or its locale (terms), escaped as data is."""
    return text(str(value))


class _Marked(str):
    mark = ""

    def __new__(cls, value: object) -> _Marked:
        tag = _TAGS[cls.mark]
        return super().__new__(cls, f"<{tag}>{value}</{tag.split()[0]}>")


def _marked(mark: str) -> type[_Marked]:
    return type(mark.title().replace("-", ""), (_Marked,), {"mark": mark})


# The classes citeproc-py asks its formatter for, one a mark.
Italic, Oblique, Bold, Light = _marked("italic"), _marked("oblique"), _marked("bold"), _marked("light")
Underline, Superscript, Subscript = _marked("underline"), _marked("superscript"), _marked("subscript")
SmallCaps = _marked("small-caps")
