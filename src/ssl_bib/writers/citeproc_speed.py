"""What makes citeproc-py fast enough: faster versions of its hottest methods.

citeproc-py interprets the CSL style anew for every entry, and most of its time goes to
answering the same questions about the style tree again and again: lxml xpath look-ups of
macros, terms and options, the children of a node, the types a `cs:if` tests, whether a node
has any formatting or affixes at all. The style never changes while rendering, so the answers
are kept per (node, question). Each replacement below does what the method it replaces does,
in the same order, with the same result: tests/test_reflist.py renders with and without them
and compares the bytes. `set_fast(False)` puts citeproc-py's own methods back.

Never kept: anything about a `cs:date-part` node, whose attributes citeproc-py itself changes
while rendering (`Date_Part.process` merges the calling date's attributes into them).

Also here, behind `render_bibliography`: citation items that know their reference and number,
a sort that computes a key only for entries still tied, and the forked worker processes that
sort and render long lists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cmp_to_key, lru_cache
from types import SimpleNamespace
from typing import Any

from ..errors import SslBibError

_MEMO: dict[tuple[Any, ...], Any] = {}
_ORIGINALS: dict[tuple[type, str], Any] = {}
_FASTER: dict[tuple[type, str], Any] = {}
_FAST = [True]
_DECIDED = [False]  # set_fast has put one set of methods in place
# Questions whose answer depends only on the style tree (and the locale files it loaded).
_STRUCTURAL = ("xpath_search", "get_root", "get_option", "get_locale_option", "get_macro", "get_term")
_TEXT_MARKUP = ("strip-periods", "text-case", "quotes", "prefix", "suffix")
# What the replacements below need of citeproc-py (its classes, and its own methods where a
# replacement hands the uncommon case back); filled when the replacements are installed.
_cp = SimpleNamespace()


def fast() -> bool:
    """Whether the faster methods are in place (the default)."""
    return _FAST[0]


# The citeproc-py releases whose methods the replacements below were checked against (the
# equivalence test in tests/test_reflist.py and the source hashes in tests/data): on any
# other, citeproc-py renders as it is, slower but right.
VERIFIED = ("0.11.1",)


def citeproc_version() -> str:
    from importlib.metadata import version

    return version("citeproc-py")


def install() -> None:
    """Put the faster methods in place, unless set_fast has already decided, or the
    installed citeproc-py is not one they were verified on (then say so, once)."""
    if _DECIDED[0]:
        return
    if citeproc_version() not in VERIFIED:
        logging.getLogger("ssl_bib").warning(
            "citeproc-py %s is not a version ssl-bib's speed-ups were verified on (%s); "
            "rendering with citeproc-py as it is, which is slower",
            citeproc_version(),
            ", ".join(VERIFIED),
        )
        set_fast(False)
        return
    set_fast(True)


def originals() -> dict[tuple[type, str], Any]:
    """citeproc-py's own methods that the faster ones stand in for (for the source check)."""
    if not _ORIGINALS:
        from citeproc import model

        _record(model)
    return dict(_ORIGINALS)


def set_fast(enabled: bool) -> None:
    """Use the faster methods (the default), or citeproc-py as is; either way, forget every
    cached answer."""
    from citeproc import model

    _FAST[0] = enabled
    _DECIDED[0] = True
    if not _ORIGINALS:
        _record(model)
    for (cls, name), function in _ORIGINALS.items():
        setattr(cls, name, _FASTER[(cls, name)] if enabled else function)
    _MEMO.clear()


def _record(model: Any) -> None:
    """Keep citeproc-py's methods, and make the faster version of each."""
    from citeproc.source import VariableError
    from citeproc.string import String, join

    memoised = [(model.CitationStylesElement, name) for name in _STRUCTURAL]
    memoised += [(model.Locale, "get_option"), (model.Name, "get_option")]
    classes = [c for c in vars(model).values() if isinstance(c, type)]
    memoised += [(c, "calls_variable") for c in classes if "calls_variable" in vars(c)]
    replaced = {(getattr(model, cls), name): function for (cls, name), function in _REPLACEMENTS.items()}
    _ORIGINALS.update(((cls, name), vars(cls)[name]) for cls, name in [*memoised, *replaced])
    _FASTER.update((key, _memoised(_ORIGINALS[key])) for key in memoised)
    _FASTER.update(replaced)
    _cp.__dict__.update(
        model=model,
        VariableError=VariableError,
        String=String,
        join=join,
        format=_ORIGINALS[(model.Formatted, "format")],
        wrap=_ORIGINALS[(model.Affixed, "wrap")],
        text_markup=_ORIGINALS[(model.Text, "markup")],
        choose=_ORIGINALS[(model.Choose, "render")],
    )


def _memoised(function: Any) -> Any:
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = (function, self, *args, *kwargs.items())
        try:
            return _MEMO[key]
        except KeyError:
            result = _MEMO[key] = function(self, *args, **kwargs)
            return result
        except TypeError:  # a dict among the arguments (a name's sort options)
            pass
        try:
            frozen = (function, self, *map(_frozen, args), *((k, _frozen(v)) for k, v in kwargs.items()))
            return _MEMO[frozen]
        except KeyError:
            result = _MEMO[frozen] = function(self, *args, **kwargs)
            return result
        except TypeError:  # not even then
            return function(self, *args, **kwargs)

    return wrapper


def _frozen(value: Any) -> Any:
    return ("dict", *sorted(value.items())) if isinstance(value, dict) else value


def _kept(question: str, node: Any, answer: Callable[[Any], Any]) -> Any:
    """The answer to `question` about a style node, computed once."""
    key = (question, node)
    try:
        return _MEMO[key]
    except KeyError:
        result = _MEMO[key] = answer(node)
        return result


# --- the replacements, each followed by what it keeps about a node ----------------------------


def _render_children(self: Any, item: Any, delimiter: str = "", **kwargs: Any) -> Any:
    output = []
    for child, choose in _kept("children", self, _children):
        try:
            if choose:
                text = child.render(item, delimiter=delimiter, **kwargs)
            else:
                text = child.render(item, **kwargs)
            if text is not None:
                output.append(text)
        except _cp.VariableError:
            pass
    return _cp.join(output, delimiter) if output else None


def _children(node: Any) -> list[tuple[Any, bool]]:
    return [(child, isinstance(child, _cp.model.Choose)) for child in node]


def _choose_render(self: Any, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
    branches = _kept("branches", self, _Branches)
    if not branches.usual:
        return _cp.choose(self, item, context, delimiter, **kwargs)
    branch = branches.choose(item, context)
    if branch is None:
        return None
    return branch.render_children(item, context=context, delimiter=delimiter, **kwargs)


class _Branches:
    """Which branch of a cs:choose applies to an item: the first whose condition holds, as
    citeproc-py decides it. When the conditions test only an item's type and which variables
    it has, the answer is the same for every item alike in those two, and is kept for them."""

    def __init__(self, choose: Any) -> None:
        self.usual = all(isinstance(child, (_cp.model.If, _cp.model.Else)) for child in choose)
        self.branches = [
            (child, _kept("condition", child, _condition) if _is_if(child) else None) for child in choose
        ]
        self.by_shape: dict[tuple[str, frozenset[str]], Any] | None = None
        if all(_is_if(child) is False or _tests_only_shape(child) for child in choose):
            self.by_shape = {}

    def choose(self, item: Any, context: Any) -> Any:
        if self.by_shape is None:
            return self._first(item, context)
        reference = item.reference
        shape = (reference.type, _variables(reference))
        try:
            return self.by_shape[shape]
        except KeyError:
            branch = self.by_shape[shape] = self._first(item, context)
            return branch

    def _first(self, item: Any, context: Any) -> Any:
        for child, condition in self.branches:
            if condition is None or condition(item, context):
                return child
        return None


def _is_if(node: Any) -> bool:
    return isinstance(node, _cp.model.If)  # cs:else-if is an If too


def _tests_only_shape(node: Any) -> bool:
    attrib = node.attrib
    return (
        set(attrib) <= {"type", "variable", "match"} and "locator" not in attrib.get("variable", "").split()
    )


def _variables(reference: Any) -> frozenset[str]:
    """The names of the variables a reference has, worked out once per reference."""
    try:
        return reference.__dict__["variables"]  # type: ignore[no-any-return]
    except KeyError:
        names = reference.__dict__["variables"] = frozenset(reference)
        return names


def _if_render(self: Any, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
    if not _kept("condition", self, _condition)(item, context):
        raise _cp.model.ConditionFailed
    return self.render_children(item, context=context, delimiter=delimiter, **kwargs)


def _condition(node: Any) -> Callable[[Any, Any], bool]:
    """A `cs:if`'s test as one function of (item, context): its `type` and `variable` tests
    read once, the rarer ones left to citeproc-py's own methods, all in citeproc-py's order."""
    attrib = node.attrib
    tests: list[Callable[[Any, Any], list[bool]]] = []
    if "type" in attrib:
        types = [name.lower() for name in attrib["type"].split()]
        tests.append(lambda item, context: [name == item.reference.type for name in types])
    if "variable" in attrib:
        names = [name.replace("-", "_") for name in attrib["variable"].split()]
        tests.append(lambda item, context: [_has(item, name) for name in names])
    for test in ("is-numeric", "is-uncertain-date", "locator"):
        if test in attrib:
            tests.append(_without_context(getattr(node, "_" + test.replace("-", "_"))))
    if "position" in attrib:
        tests.append(node._position)
    match = attrib.get("match")

    def condition(item: Any, context: Any) -> bool:
        results: list[bool] = []
        for test in tests:
            results += test(item, context)
        if match == "any":
            return any(results)
        if match == "none":
            return not any(results)
        return all(results)

    return condition


def _without_context(method: Callable[[Any], list[bool]]) -> Callable[[Any, Any], list[bool]]:
    return lambda item, context: method(item)


def _has(item: Any, variable: str) -> bool:
    return ("locator" in item) if variable == "locator" else (variable in item.reference)


def _format(self: Any, string: Any) -> Any:
    # a cs:date-part's attributes change while rendering (see above): ask it every time
    steps = _formatting(self) if type(self) is _cp.model.Date_Part else _kept("formatting", self, _formatting)
    if steps is None:
        return _cp.format(self, string)
    if isinstance(string, (int, float)):
        string = str(string)
    if steps:
        formatter = self.get_formatter()
        for markup in steps:
            string = getattr(formatter, markup)(string)
    return string


# What Formatted.format applies for each attribute value, in its order ("" for nothing).
_FORMATS = {
    "font-style": {"normal": "", "italic": "Italic", "oblique": "Oblique"},
    "font-variant": {"normal": "", "small-caps": "SmallCaps"},
    "font-weight": {"normal": "", "bold": "Bold", "light": "Light"},
    "text-decoration": {"none": "", "underline": "Underline"},
    "vertical-align": {"baseline": "", "sup": "Superscript", "sub": "Subscript"},
}


def _formatting(node: Any) -> list[str] | None:
    """The formatter's markup classes a node applies, in order; None for a value citeproc-py
    does not know (its own method then fails as it always has)."""
    steps = []
    for attribute, values in _FORMATS.items():
        value = node.get(attribute, next(iter(values)))
        if value not in values:
            return None
        if values[value]:
            steps.append(values[value])
    return steps


def _wrap(self: Any, string: Any) -> Any:
    if type(self) is _cp.model.Date_Part:
        affixed = _has_affixes(self)
    else:
        affixed = _kept("affixed", self, _has_affixes)
    return _cp.wrap(self, string) if affixed or string is None else string


def _has_affixes(node: Any) -> bool:
    return "prefix" in node.attrib or "suffix" in node.attrib


def _text_process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
    if context is None:
        context = self
    reference = item.reference
    if "language" in reference:
        language = reference["language"][:2]
    else:
        language = _kept("default language", self, _default_language)
    attrib = self.attrib
    if "variable" in attrib:
        text = self._variable(item, context)
    elif "macro" in attrib:
        text = _kept("macro", self, _macro).render(item, context)
    elif "term" in attrib:
        text = self._term(item)
    elif "value" in attrib:
        text = _cp.String(self.preformat(self.get("value")))
    return text, language


def _default_language(node: Any) -> str:
    return str(node.get_root().get("default-locale", "en")[:2])


def _macro(node: Any) -> Any:
    return node.get_macro(node.get("macro"))


def _text_markup(self: Any, text: Any, language: Any) -> Any:
    if not text:
        return None
    if _kept("marked up", self, _has_markup):
        return _cp.text_markup(self, text, language)
    return text


def _has_markup(node: Any) -> bool:
    """Whether a cs:text changes what it renders: periods, case, quotes, format, affixes."""
    return any(name in node.attrib for name in (*_TEXT_MARKUP, *_FORMATS))


def _group_process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
    output = []
    variable_called = False
    variable_rendered = False
    delimiter = self.get("delimiter", "")
    for child, choose, calls in _kept("group children", self, _group_children):
        variable_called = variable_called or calls
        try:
            if choose:
                text = child.render(item, context=context, delimiter=delimiter, **kwargs)
            else:
                text = child.render(item, context=context, **kwargs)
            if text is not None:
                output.append(text)
                variable_rendered = variable_rendered or calls
        except _cp.VariableError:
            pass
    if output and (not variable_called or variable_rendered):
        return self.join(output)
    raise _cp.VariableError


def _group_children(node: Any) -> list[tuple[Any, bool, bool]]:
    return [(child, isinstance(child, _cp.model.Choose), child.calls_variable()) for child in node]


def _lazy_sort(sort: Any, items: list[Any], context: Any) -> list[Any]:
    """Sort like citeproc-py's cs:sort, computing a key only for items still tied on the
    keys before it. citeproc-py renders every key (APA has ten, four of them macros) for
    every item up front; most items are told apart by the first one or two. Each key is
    computed for all the tied items at once, in worker processes when they are many."""

    def key_values(work: tuple[Any, list[Any]], start: int, stop: int) -> list[Any]:
        key, batch = work
        return list(key.sort_keys(batch[start:stop], context))

    groups = [list(items)]
    for level, key in enumerate(sort.findall("cs:key", sort.nsmap)):
        batch = [item for group in groups if len(group) > 1 for item in group]
        if not batch:
            break
        if level == 0 and _FIRST_KEYS:
            computed = [_FIRST_KEYS[id(item)] for item in batch]
        else:
            computed = in_parallel(key_values, (key, batch), len(batch))
        values = iter([_sortable(value) for value in computed])
        descending = key.get("sort", "ascending").lower() == "descending"

        def by_value(a: tuple[Any, Any], b: tuple[Any, Any], descending: bool = descending) -> int:
            return _compare(a[1], b[1], descending)

        regrouped = []
        for group in groups:
            if len(group) < 2:
                regrouped.append(group)
                continue
            pairs = sorted(((item, next(values)) for item in group), key=cmp_to_key(by_value))
            start = 0
            for i in range(1, len(pairs) + 1):
                if i == len(pairs) or by_value(pairs[start], pairs[i]):
                    regrouped.append([item for item, _ in pairs[start:i]])
                    start = i
        groups = regrouped
    return [item for group in groups for item in group]


def _sortable(value: Any) -> tuple[Any, int | None] | None:
    """A sort-key value as citeproc-py compares it: text without regard to case, and the
    number it reads as, if any."""
    if value is None:
        return None
    try:
        value = str(value.lower())
    except AttributeError:
        pass
    try:
        return value, int(str(value))
    except ValueError:
        return value, None


def _compare(left: Any, right: Any, descending: bool) -> int:
    """Compare two _sortable values as citeproc-py does: missing values last whatever the
    direction, numbers as numbers when both are numbers, text otherwise."""
    if left is None or right is None:
        return (left is None) - (right is None)
    if left[1] is not None and right[1] is not None:
        left, right = left[1], right[1]
    else:
        left, right = left[0], right[0]
    result: int = (left > right) - (left < right)
    return -result if descending else result


_REPLACEMENTS: dict[tuple[str, str], Callable[..., Any]] = {
    ("Parent", "render_children"): _render_children,
    ("Choose", "render"): _choose_render,
    ("If", "render"): _if_render,
    ("Formatted", "format"): _format,
    ("Affixed", "wrap"): _wrap,
    ("Text", "process"): _text_process,
    ("Text", "markup"): _text_markup,
    ("Group", "process"): _group_process,
    ("Sort", "sort"): _lazy_sort,
}


# citeproc-py renders every entry on its own (no state passes between entries), so a long
# bibliography is split over the machine's cores: forked workers share the parsed style.
PARALLEL_MIN = 300
_WORK: list[Any] = []


def _parallel(n: int) -> bool:
    """Whether n entries are worth worker processes, and this machine can fork them."""
    import multiprocessing

    return n >= PARALLEL_MIN and _workers() >= 2 and "fork" in multiprocessing.get_all_start_methods()


def _workers() -> int:
    import os

    return min(os.cpu_count() or 1, 8)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops them: no traceback from each worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def in_parallel(function: Callable[[Any, int, int], list[Any]], work: Any, n: int) -> list[Any]:
    """`function(work, 0, n)`, computed in slices by forked worker processes when n is large:
    each slice's list, joined in order. `work` reaches the workers by the fork, not pickled.
    A worker that dies (killed, out of memory) is an SslBibError, not a hang."""
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if not _parallel(n):
        return function(work, 0, n)
    workers = _workers()
    size = -(-n // (workers * 8))
    _WORK[:] = [function, work]
    gc.freeze()  # the workers' garbage collector leaves the parent's objects (and pages) alone
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_interrupts) as pool:
            slices = [(start, min(start + size, n)) for start in range(0, n, size)]
            try:
                parts = list(pool.map(_work_on, slices))
            except BrokenProcessPool:
                raise SslBibError(
                    "a worker process died while rendering (out of memory, or killed)"
                ) from None
            except BaseException:
                pool.shutdown(cancel_futures=True)  # do not render the rest of a failed list
                raise
    finally:
        gc.unfreeze()
        _WORK.clear()
    return [value for part in parts for value in part]


def _work_on(bounds: tuple[int, int]) -> list[Any]:
    function, work = _WORK
    return function(work, *bounds)  # type: ignore[no-any-return]


def render_bibliography(bibliography: Any, keys: list[str]) -> list[Any]:
    """Cite each key once, sort and render, as citeproc-py's `register`, `sort` and
    `bibliography` do: with items that know their reference and number, and a long list
    rendered in worker processes. When no entry's text depends on its place in the list (no
    citation numbers), the workers render the entries and compute their first sort key in one
    pass, before the sort."""
    items = [_item_class()(key) for key in keys]
    _register(bibliography, items)
    _attach(items, bibliography.source)
    _number(items, bibliography.keys)
    style = bibliography.style
    sort = style.root.bibliography.find("cs:sort", style.root.nsmap)
    first_key = None if sort is None else sort.find("cs:key", sort.nsmap)
    if first_key is None or not _kept("order free", style.root, _order_free) or not _parallel(len(items)):
        bibliography.sort()
        _number(items, bibliography.keys)
        return in_parallel(_render_slice, (style, bibliography.items), len(items))
    layout = style.root.bibliography.layout  # the context citeproc-py sorts in
    pairs = in_parallel(_key_and_render_slice, (style, items, first_key, layout), len(items))
    texts = {id(item): text for item, (_, text) in zip(items, pairs, strict=True)}
    _FIRST_KEYS.update((id(item), value) for item, (value, _) in zip(items, pairs, strict=True))
    try:
        bibliography.sort()
    finally:
        _FIRST_KEYS.clear()
    _number(items, bibliography.keys)
    return [texts[id(item)] for item in bibliography.items]


# First sort-key values computed beside the rendering (by item id), for _lazy_sort to use.
_FIRST_KEYS: dict[int, Any] = {}


def _order_free(root: Any) -> bool:
    """Whether no entry's text depends on the entry's place in the list."""
    from lxml import etree

    return b"citation-number" not in etree.tostring(root)


def _key_and_render_slice(work: tuple[Any, list[Any], Any, Any], start: int, stop: int) -> list[Any]:
    style, items, first_key, layout = work
    chunk = items[start:stop]
    values = first_key.sort_keys(chunk, layout)
    return list(zip(values, (str(text) for text in style.render_bibliography(chunk)), strict=True))


def _render_slice(work: tuple[Any, list[Any]], start: int, stop: int) -> list[str]:
    style, items = work
    return [str(text) for text in style.render_bibliography(items[start:stop])]


@lru_cache(maxsize=1)
def _item_class() -> type:
    """A CitationItem that keeps its reference and number as plain attributes, set once by
    `_attach` and `_number`: citeproc-py's own looks the reference up in the source, and the
    number up with a `keys.index()` (O(n)), on every access."""
    from citeproc import CitationItem

    class Item(CitationItem):  # type: ignore[misc]
        reference: Any = None  # not a property: the instance's own value wins
        number: int = 0

    return Item


def _register(bibliography: Any, items: list[Any]) -> None:
    """Cite each item once, as `CitationStylesBibliography.register` does, without its
    `key not in keys` list scan (O(n) per item)."""
    from citeproc import Citation

    seen = set(bibliography.keys)
    for item in items:
        Citation([item]).bibliography = bibliography
        if item.key in bibliography.source and item.key not in seen:
            seen.add(item.key)
            bibliography.keys.append(item.key)
            bibliography.items.append(item)


def _attach(items: list[Any], source: Any) -> None:
    """Give fast items their reference, with a faster look-up of its variables."""
    from citeproc.source import Reference

    fast_reference = _reference_class(Reference)
    for item in items:
        reference = source[item.key]
        if type(reference) is Reference:
            object.__setattr__(reference, "__class__", fast_reference)
        object.__setattr__(item, "reference", reference)


def _number(items: list[Any], keys: list[str]) -> None:
    """Give fast items their citation number: their place in `keys`, as citeproc-py has it."""
    place = {key: i for i, key in enumerate(keys, 1)}
    for item in items:
        object.__setattr__(item, "number", place[item.key])


@lru_cache(maxsize=1)
def _reference_class(base: type) -> type:
    """citeproc-py's Reference, with a missing variable found by dict's own look-up."""
    from citeproc.source import VariableError

    class FastReference(base):  # type: ignore[misc]
        __getitem__ = dict.__getitem__

        def __missing__(self, key: str) -> Any:
            raise VariableError

    return FastReference
