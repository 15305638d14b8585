"""Reference lists grouped by the list's sections: Markdown, HTML and plain text.

All three serialise one rendering of the entries (the engine's runs), so they always agree.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from ..engine import Entry, Link, Run, Styled, plain, render_entries
from ..model import Reference, Section
from . import Job

# --- grouping --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A section heading and the entries listed directly under it."""

    section: Section
    entries: tuple[Entry, ...]


def blocks(refs: Sequence[Reference], job: Job) -> list[Block]:
    """Lay the rendered entries out by section; sections with nothing under them vanish."""
    entries = render_entries(refs, job.style)
    members: dict[str, set[str]] = {}
    for ref in refs:
        for sid in ref.sections:
            members.setdefault(sid, set()).add(ref.key)
    shown = [s for s in job.sections if job.shows(s.id)]
    out = []
    for section in shown:
        inside = [s for s in members if s == section.id or s.startswith(section.id + "/")]
        if inside:
            keys = members.get(section.id, set())
            out.append(Block(section, tuple(e for e in entries if e.key in keys)))
    return out


def _depths(out: list[Block]) -> dict[str, int]:
    """Depth of each shown section relative to the shallowest shown one."""
    base = min((b.section.depth for b in out), default=0)
    return {b.section.id: b.section.depth - base for b in out}


# --- the three formats ----------------------------------------------------------------------


def render_markdown(refs: Sequence[Reference], job: Job) -> str:
    """Markdown for READMEs: `#` headings by nesting, one paragraph an entry."""
    out = blocks(refs, job)
    depth = _depths(out)
    lines: list[str] = []
    for block in out:
        lines += ["#" * (depth[block.section.id] + 1) + " " + _md_escape(block.section.title), ""]
        for entry in block.entries:
            bullet = "" if _numbered(entry) else "- "  # "[1] ..." entries carry their own mark
            lines += [bullet + _markdown(entry.runs), ""]
    return "\n".join(lines).rstrip() + "\n"


def _numbered(entry: Entry) -> bool:
    first = entry.runs[0] if entry.runs else None
    return isinstance(first, str) and re.match(r"^\[\d+\]", first) is not None


def _md_escape(text: str) -> str:
    """Escape what Markdown would read as markup, including `&` before an entity name."""
    text = re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", text)
    return re.sub(r"&(?=#?[A-Za-z0-9]+;)", r"\\&", text)


_MD_MARKS = {"italic": "*", "bold": "**"}  # the others have no Markdown


def _markdown(runs: tuple[Run, ...]) -> str:
    out = []
    for run in runs:
        if isinstance(run, Styled):
            mark = _MD_MARKS.get(run.mark, "")
            out.append(mark + _markdown(run.runs) + mark)
        elif isinstance(run, Link):
            out.append(f"<{run.url}>")
        else:
            out.append(_md_escape(run))
    return "".join(out)


def render_text(refs: Sequence[Reference], job: Job) -> str:
    """Plain text: headings underlined, entries wrapped at 78 columns, no markup."""
    out = blocks(refs, job)
    depth = _depths(out)
    lines: list[str] = []
    for block in out:
        title = block.section.title
        lines += [title, "=-~."[min(depth[block.section.id], 3)] * len(title), ""]
        for entry in block.entries:
            text = plain(entry.runs)
            lines += textwrap.wrap(
                text, 78, subsequent_indent="    ", break_long_words=False, break_on_hyphens=False
            ) + [""]
    return "\n".join(lines).rstrip() + "\n"


_CSS = """
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;
max-width:52rem;margin:0 auto;padding:1rem 1.25rem 3rem;background:#fff}
h1{font-size:1.7rem;margin:.5rem 0 1rem}h2{font-size:1.35rem;margin-top:2.2rem;
border-bottom:1px solid #d0d7de;padding-bottom:.25rem}h3{font-size:1.15rem;margin-top:1.6rem}
h4,h5{font-size:1rem;margin-top:1.3rem}nav{background:#f6f8fa;border:1px solid #d0d7de;
border-radius:6px;padding:.5rem 1rem}nav ul{padding-left:1.1rem;margin:.3rem 0}
ol.refs,ul.refs{padding-left:0;list-style:none}.refs li{margin:.55rem 0;padding-left:1.5rem;
text-indent:-1.5rem;overflow-wrap:anywhere}a{color:#0969da}li:target{background:#fff8c5}
@media (max-width:600px){body{font-size:15px;padding:.75rem}}
"""


def render_html(refs: Sequence[Reference], job: Job) -> str:
    """One self-contained HTML5 page: inline CSS, a table of contents, an anchor per entry."""
    out = blocks(refs, job)
    depth = _depths(out)
    title = html.escape(job.title or "References")
    toc, body, seen = [], [], set()
    for block in out:
        sid = "sec-" + block.section.id.replace("/", "-")
        name = html.escape(block.section.title)
        level = min(depth[block.section.id] + 2, 6)
        toc.append(f'<li style="margin-left:{depth[block.section.id]}rem"><a href="#{sid}">{name}</a></li>')
        body.append(f'<h{level} id="{sid}">{name}</h{level}>')
        items = []
        for entry in block.entries:
            anchor = entry.key if entry.key not in seen else f"{entry.key}-in-{sid}"
            seen.add(entry.key)
            items.append(f'<li id="{anchor}">{_html(entry.runs)}</li>')
        if items:
            body.append('<ul class="refs">\n' + "\n".join(items) + "\n</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<h1>{title}</h1>\n<nav aria-label="Sections"><strong>Contents</strong>\n<ul>\n'
        + "\n".join(toc)
        + "\n</ul></nav>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


# The tags citeproc-py's HTML formatter writes for each mark.
_HTML_TAGS = {
    "italic": ("<i>", "</i>"),
    "bold": ("<b>", "</b>"),
    "light": ("<l>", "</l>"),
    "underline": ("<u>", "</u>"),
    "superscript": ("<sup>", "</sup>"),
    "subscript": ("<sub>", "</sub>"),
    "small-caps": ('<span style="font-variant:small-caps;">', "</span>"),
}


def _html(runs: tuple[Run, ...]) -> str:
    out = []
    for run in runs:
        if isinstance(run, Styled):
            start, end = _HTML_TAGS[run.mark]
            out.append(start + _html(run.runs) + end)
        elif isinstance(run, Link):
            out.append(f'<a href="{html.escape(run.url)}">{html.escape(run.url, quote=False)}</a>')
        else:
            out.append(html.escape(run, quote=False))
    return "".join(out)
