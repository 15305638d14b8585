"""What makes citeproc-py fast enough, on ssl-bib's own style objects only.

citeproc-py interprets the CSL style anew for every entry, and most of its time goes to
answering the same questions about the style tree again and again: lxml xpath look-ups of
macros, terms and options, the children of a node, the types a `cs:if` tests, whether a node
has any formatting or affixes at all. The style never changes while rendering, so the answers
are kept per (node, question).

Nothing in citeproc-py is changed. `parse_style` parses a style (and the locale files it
uses) with element classes of its own, registered through lxml's element-class lookup as
citeproc-py registers its own: each is a subclass of citeproc-py's class for the tag, with
mixins that do what the method they stand in for does, in the same order, with the same
result. tests/test_reflist.py renders each style both ways in one process and compares the
bytes; a style parsed by citeproc-py itself renders as citeproc-py does.

Never kept: anything about a `cs:date-part` node, whose attributes citeproc-py itself changes
while rendering (`Date_Part.process` merges the calling date's attributes into them).

Also here, behind `render_bibliography`: citation items that know their reference and
number, and a sort that computes a key only for entries still tied; long lists are sorted
and rendered by worker processes (workers.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import cmp_to_key, lru_cache
from types import SimpleNamespace
from typing import Any

from . import workers

CSL = "http://purl.org/net/xbiblio/csl"
_TEXT_MARKUP = ("strip-periods", "text-case", "quotes", "prefix", "suffix")
# What the mixins below need of citeproc-py; filled when the first style is parsed, so
# that importing this module does not import citeproc-py.
_cp = SimpleNamespace()

# The citeproc-py releases whose methods the mixins below were checked against (the
# equivalence test in tests/test_reflist.py and the source hashes in tests/data): on any
# other, citeproc-py renders as it is, slower but right.
VERIFIED = ("0.11.1",)


def citeproc_version() -> str:
    from importlib.metadata import version

    return version("citeproc-py")


@lru_cache(maxsize=1)
def verified() -> bool:
    """Whether the installed citeproc-py is one the speed-ups were verified on; if not, say
    so (once)."""
    if citeproc_version() in VERIFIED:
        return True
    logging.getLogger("ssl_bib").warning(
        "citeproc-py %s is not a version ssl-bib's speed-ups were verified on (%s); "
        "rendering with citeproc-py as it is, which is slower",
        citeproc_version(),
        ", ".join(VERIFIED),
    )
    return False


# --- the style, parsed with our element classes ---------------------------------------------


def parse_style(path: str) -> Any:
    """A citeproc-py CitationStylesStyle whose elements (and locales') answer faster."""
    return _style_class()(path)


@lru_cache(maxsize=1)
def _style_class() -> type:
    from citeproc import CitationStylesStyle
    from lxml import etree

    class Style(CitationStylesStyle):  # type: ignore[misc]
        """CitationStylesStyle(path, validate=False), parsed with our element classes."""

        def __init__(self, path: str) -> None:
            self.parser = _parser()
            self.xml = etree.parse(path, self.parser)
            self.root = self.xml.getroot()
            self.root.set_locale_list(self.root.get("default-locale", "en-US"), validate=False)

    return Style


def _parser() -> Any:
    """An XML parser like citeproc-py's (CitationStylesXML), with element classes of ours:
    new ones for each style, sharing one memo of answers that lives as long as the style."""
    from citeproc import model
    from citeproc.source import VariableError
    from citeproc.string import String, join
    from lxml import etree

    _cp.__dict__.update(model=model, VariableError=VariableError, String=String, join=join)
    answers: dict[Any, Any] = {}
    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace(CSL)
    namespace[None] = model.CitationStylesElement  # as citeproc-py: <info>, <terms>, …
    for cls in model.CitationStylesElement.__subclasses__():
        mixins = tuple(dict.fromkeys(mixin for mixin, base in _mixins(model) if issubclass(cls, base)))
        attributes = {"_answers": answers, "__module__": __name__, "_changes": cls is model.Date_Part}
        namespace[cls.__name__.replace("_", "-").lower()] = type(cls.__name__, (*mixins, cls), attributes)
    parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
    parser.set_element_class_lookup(lookup)
    return parser


def _mixins(model: Any) -> list[tuple[type, type]]:
    """Each mixin, and the citeproc-py class whose subclasses it goes on."""
    return [
        (_Kept, model.CitationStylesElement),
        (_KeptCalls, model.Parent),
        (_KeptCalls, model.Text),
        (_KeptCalls, model.Number),
        (_KeptCalls, model.Label),
        (_Parent, model.Parent),
        (_Choose, model.Choose),
        (_If, model.If),
        (_Formatted, model.Formatted),
        (_Affixed, model.Affixed),
        (_Text, model.Text),
        (_Group, model.Group),
        (_Sort, model.Sort),
        (_Style, model.Style),
    ]


def originals() -> dict[tuple[type, str], Any]:
    """citeproc-py's own methods that the mixins stand in for or mirror (for the source
    check): for each, the class that defines it."""
    from citeproc import CitationStylesStyle, model
    from citeproc.frontend import CitationStylesXML

    found: dict[tuple[type, str], Any] = {
        (CitationStylesXML, "__init__"): CitationStylesXML.__init__,  # _parser
        (CitationStylesStyle, "__init__"): CitationStylesStyle.__init__,  # Style.__init__
    }
    for mixin, base in _mixins(model):
        subclasses: list[type] = type.__subclasses__(base)
        upstream = [cls for cls in subclasses if cls.__module__ == model.__name__]
        for cls in [base, *upstream]:
            for name in vars(mixin):
                if not name.startswith("_") and hasattr(cls, name):
                    owner: type = next(k for k in cls.__mro__ if name in vars(k))
                    found[(owner, name)] = vars(owner)[name]
    return dict(sorted(found.items(), key=lambda pair: (pair[0][0].__name__, pair[0][1])))


# --- remembering answers --------------------------------------------------------------------


def _remembered(name: str) -> Callable[..., Any]:
    """A method that asks citeproc-py's `name` once per (node, arguments)."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        answers = self._answers
        key = (name, self, *args, *kwargs.items())
        try:
            return answers[key]
        except KeyError:
            result = answers[key] = getattr(super(_Kept, self), name)(*args, **kwargs)
            return result
        except TypeError:  # a dict among the arguments (a name's sort options)
            pass
        try:
            frozen = (name, self, *map(_frozen, args), *((k, _frozen(v)) for k, v in kwargs.items()))
            return answers[frozen]
        except KeyError:
            result = answers[frozen] = getattr(super(_Kept, self), name)(*args, **kwargs)
            return result
        except TypeError:  # not even then
            return getattr(super(_Kept, self), name)(*args, **kwargs)

    method.__name__ = name
    return method


def _frozen(value: Any) -> Any:
    return ("dict", *sorted(value.items())) if isinstance(value, dict) else value


def _kept(question: str, node: Any, answer: Callable[[Any], Any]) -> Any:
    """The answer to `question` about a style node, computed once."""
    answers = node._answers
    key = (question, node)
    try:
        return answers[key]
    except KeyError:
        result = answers[key] = answer(node)
        return result


class _Kept:
    """Questions whose answer depends only on the style tree (and the locales it loaded)."""

    get_root = _remembered("get_root")
    xpath_search = _remembered("xpath_search")
    get_option = _remembered("get_option")
    get_locale_option = _remembered("get_locale_option")
    get_macro = _remembered("get_macro")
    get_term = _remembered("get_term")


class _KeptCalls:
    def calls_variable(self) -> Any:
        return _kept("calls variable", self, _calls_variable)


def _calls_variable(node: Any) -> Any:
    return super(_KeptCalls, node).calls_variable()


# --- the mixins, each followed by what it keeps about a node --------------------------------


class _Parent:
    def render_children(self, item: Any, delimiter: str = "", **kwargs: Any) -> Any:
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


class _Choose:
    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        branches = _kept("branches", self, _Branches)
        if not branches.usual:
            return super().render(item, context, delimiter, **kwargs)  # type: ignore[misc]
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


class _If:  # and cs:else-if
    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        if not _kept("condition", self, _condition)(item, context):
            raise _cp.model.ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)  # type: ignore[attr-defined]


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


class _Formatted:
    _changes: bool  # a cs:date-part, whose attributes change while rendering (see above)

    def format(self, string: Any) -> Any:
        steps = _formatting(self) if self._changes else _kept("formatting", self, _formatting)
        if steps is None:
            return super().format(string)  # type: ignore[misc]
        if isinstance(string, (int, float)):
            string = str(string)
        if steps:
            formatter = self.get_formatter()  # type: ignore[attr-defined]
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


class _Affixed:
    _changes: bool

    def wrap(self, string: Any) -> Any:
        affixed = _has_affixes(self) if self._changes else _kept("affixed", self, _has_affixes)
        return super().wrap(string) if affixed or string is None else string  # type: ignore[misc]


def _has_affixes(node: Any) -> bool:
    return "prefix" in node.attrib or "suffix" in node.attrib


class _Text:
    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        node: Any = self
        if context is None:
            context = node
        reference = item.reference
        if "language" in reference:
            language = reference["language"][:2]
        else:
            language = _kept("default language", node, _default_language)
        attrib = node.attrib
        if "variable" in attrib:
            text = node._variable(item, context)
        elif "macro" in attrib:
            text = _kept("macro", node, _macro).render(item, context)
        elif "term" in attrib:
            text = node._term(item)
        elif "value" in attrib:
            text = _cp.String(node.preformat(node.get("value")))
        return text, language

    def markup(self, text: Any, language: Any) -> Any:
        if not text:
            return None
        if _kept("marked up", self, _has_markup):
            return super().markup(text, language)  # type: ignore[misc]
        return text


def _default_language(node: Any) -> str:
    return str(node.get_root().get("default-locale", "en")[:2])


def _macro(node: Any) -> Any:
    return node.get_macro(node.get("macro"))


def _has_markup(node: Any) -> bool:
    """Whether a cs:text changes what it renders: periods, case, quotes, format, affixes."""
    return any(name in node.attrib for name in (*_TEXT_MARKUP, *_FORMATS))


class _Group:
    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        node: Any = self
        output = []
        variable_called = False
        variable_rendered = False
        delimiter = node.get("delimiter", "")
        for child, choose, calls in _kept("group children", node, _group_children):
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
            return node.join(output)
        raise _cp.VariableError


def _group_children(node: Any) -> list[tuple[Any, bool, bool]]:
    return [(child, isinstance(child, _cp.model.Choose), child.calls_variable()) for child in node]


class _Sort:
    def sort(self, items: list[Any], context: Any) -> list[Any]:
        return _lazy_sort(self, items, context)


class _Style:
    def set_locale_list(self, output_locale: str, validate: bool = True) -> None:
        """citeproc-py's own, then each locale file it loaded parsed again with our classes
        (the style's own cs:locale elements are ours already)."""
        from lxml import etree

        node: Any = self
        super().set_locale_list(output_locale, validate)  # type: ignore[misc]
        parser = node.getroottree().parser  # the style's, with our classes and its memo
        locales = []
        for locale in node.locales:
            if not isinstance(locale, _Kept):
                locale = etree.parse(locale.getroottree().docinfo.URL, parser).getroot()
                locale.style = node
            locales.append(locale)
        node.locales = locales


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
        known = [vars(item).get("first_key", _UNSET) for item in batch] if level == 0 else []
        if known and not any(value is _UNSET for value in known):
            computed = known
        else:
            computed = workers.in_parallel(key_values, (key, batch), len(batch))
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


def render_bibliography(style: Any, data: Iterable[dict[str, Any]], formatter: Any) -> list[tuple[str, str]]:
    """Cite each CSL-JSON item once, sort and render, as citeproc-py's `register`, `sort` and
    `bibliography` do: with items that know their reference and number, and a long list
    rendered in worker processes; (key, text) in the style's order. When no entry's text
    depends on its place in the list (no citation numbers), the workers render the entries
    and compute their first sort key in one pass, before the sort."""
    from citeproc import CitationStylesBibliography

    bibliography = CitationStylesBibliography(style, _source_class()(data), formatter)
    items = [_item_class()(key) for key in bibliography.source]  # in the data's order
    _register(bibliography, items)
    _number(items, bibliography.keys)
    sort = style.root.bibliography.find("cs:sort", style.root.nsmap)
    first_key = None if sort is None else sort.find("cs:key", sort.nsmap)
    order_free = _kept("order free", style.root, _order_free)
    if first_key is None or not order_free or not workers.worth_it(len(items)):
        bibliography.sort()
        _number(items, bibliography.keys)
        texts = workers.in_parallel(_render_slice, (style, bibliography.items), len(items))
        return list(zip(bibliography.keys, texts, strict=True))
    layout = style.root.bibliography.layout  # the context citeproc-py sorts in
    pairs = workers.in_parallel(_key_and_render_slice, (style, items, first_key, layout), len(items))
    by_item: dict[int, str] = {}
    for item, (value, text) in zip(items, pairs, strict=True):
        object.__setattr__(item, "first_key", value)  # for the sort (_lazy_sort)
        by_item[id(item)] = text
    bibliography.sort()
    return [(item.key, by_item[id(item)]) for item in bibliography.items]


_UNSET = object()  # no first sort-key value computed beside the rendering


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
    `_register` and `_number`: citeproc-py's own looks the reference up in the source, and the
    number up with a `keys.index()` (O(n)), on every access."""
    from citeproc import CitationItem

    class Item(CitationItem):  # type: ignore[misc]
        reference: Any = None  # not a property: the instance's own value wins
        number: int = 0

    return Item


def _register(bibliography: Any, items: list[Any]) -> None:
    """Cite each item once, as `CitationStylesBibliography.register` does, without its
    `key not in keys` list scan (O(n) per item); give each its reference."""
    from citeproc import Citation

    seen = set(bibliography.keys)
    source = bibliography.source
    for item in items:
        Citation([item]).bibliography = bibliography
        if item.key in source and item.key not in seen:
            seen.add(item.key)
            object.__setattr__(item, "reference", source[item.key])
            bibliography.keys.append(item.key)
            bibliography.items.append(item)


def _number(items: list[Any], keys: list[str]) -> None:
    """Give fast items their citation number: their place in `keys`, as citeproc-py has it."""
    place = {key: i for i, key in enumerate(keys, 1)}
    for item in items:
        object.__setattr__(item, "number", place[item.key])


@lru_cache(maxsize=1)
def _source_class() -> type:
    """citeproc-py's CiteProcJSON, whose references find a missing variable by dict's own
    look-up (citeproc-py's catches a KeyError to raise its VariableError)."""
    from citeproc.source import Reference, VariableError
    from citeproc.source.json import CiteProcJSON

    class FastReference(Reference):  # type: ignore[misc]
        __getitem__ = dict.__getitem__

        def __missing__(self, key: str) -> Any:
            raise VariableError

    class Source(CiteProcJSON):  # type: ignore[misc]
        def add(self, entry: Any) -> None:
            # the same reference, as a FastReference: its fields (key and type among them,
            # which Reference keeps as items) copied, its constructor's checks already passed
            fast = FastReference.__new__(FastReference)
            dict.update(fast, entry)
            super().add(fast)

    return Source
