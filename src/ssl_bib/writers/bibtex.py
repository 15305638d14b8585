"""BibTeX (LaTeX-encoded) and BibLaTeX (UTF-8) files; the only bibtexparser user."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import quote

from ..casing import title_case
from ..latex import escape, escape_utf8
from ..model import Name, Reference
from ..titles import pieces
from . import Job

Escape = Callable[[str], str]


def render_bibtex(refs: Sequence[Reference], job: Job) -> str:
    """Write a .bib for bibtex/natbib: @misc preprints, @inproceedings/@article publications."""
    return _write([(_BIBTEX_TYPES[r.kind], r.key, _bibtex_fields(r)) for r in refs])


def render_biblatex(refs: Sequence[Reference], job: Job) -> str:
    """Write a .bib for biblatex/biber: @online preprints with eprinttype, dates, UTF-8."""
    return _write([(_BIBLATEX_TYPES[r.kind], r.key, _biblatex_fields(r)) for r in refs])


_BIBTEX_TYPES = {"preprint": "misc", "conference": "inproceedings", "journal": "article"}
_BIBLATEX_TYPES = {"preprint": "online", "conference": "inproceedings", "journal": "article"}


def format_title(title: str, esc: Escape = escape) -> str:
    """Escape a title, brace-protecting acronyms/CamelCase and formulas from case changes.

    >>> format_title("MoCo & $\\\\ell_1$: 100% BERT")
    '{MoCo} \\\\& {$\\\\ell_1$}: 100\\\\% {BERT}'
    """
    out = []
    for piece in pieces(title_case(title)):  # a shouting title is recased first
        if piece.kind == "text":
            out.append(esc(piece.text))
        elif piece.kind == "keep":
            out.append("{" + esc(piece.text) + "}")
        else:
            out.append("{" + piece.text + "}")
    return "".join(out)


def format_name(name: Name, esc: Escape = escape) -> str:
    """Write a name as `von Last, Jr, First` so BibTeX's parser reads the same split.

    >>> format_name(Name(family="Oord", given="Aaron", particle="van den"))
    'van den Oord, Aaron'
    """
    last = _name_part(name.full_family, esc)
    if " " in name.family and not name.particle and name.family[0].islower():
        last = "{" + last + "}"
    parts = [last, _name_part(name.suffix, esc)] if name.suffix else [last]
    if name.given:
        parts.append(_name_part(name.given, esc))
    return ", ".join(parts) if len(parts) > 1 else last


def _name_part(text: str, esc: Escape) -> str:
    """Escape one part of a name, bracing the word `and` and commas, which BibTeX would
    otherwise read as the end of a name or of a name part.

    >>> _name_part("Smith and Wesson, Inc", escape), _name_part("Evil and", escape)
    ('Smith {and} Wesson{,} Inc', 'Evil {and}')
    """
    return re.sub(r"(?<!\S)and(?!\S)|,", lambda m: "{" + m.group(0) + "}", esc(text), flags=re.IGNORECASE)


def _verbatim_url(url: str) -> str:
    # url/doi/eprint are read verbatim by url.sty and biber; only characters that would
    # unbalance the field are percent-encoded (the URL stays equivalent).
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def _common(r: Reference, esc: Escape) -> list[tuple[str, str]]:
    fields = [("title", format_title(r.title, esc))]
    if r.authors:
        fields.insert(0, ("author", " and ".join(format_name(a, esc) for a in r.authors)))
    return fields


def _eprint(r: Reference, prefix: tuple[str, str], cls: str) -> list[tuple[str, str]]:
    if not r.arxiv:
        return []
    fields = [("eprint", r.arxiv), (prefix[0], prefix[1])]
    if r.primary_class:
        fields.append((cls, r.primary_class))
    return fields


def _links(r: Reference, esc: Escape) -> list[tuple[str, str]]:
    fields = []
    if doi := r.printed_doi:
        fields.append(("doi", _verbatim_url(doi)))
    if r.url:
        fields.append(("url", _verbatim_url(r.url)))
    if r.note:
        fields.append(("note", esc(r.note)))
    fields.append(("keywords", ", ".join(r.sections)))
    return fields


def _container(r: Reference, esc: Escape, journal: str) -> list[tuple[str, str]]:
    if not r.container or r.kind == "preprint":
        return []
    fields = [("booktitle" if r.kind == "conference" else journal, esc(r.container))]
    if r.volume:
        fields.append(("volume", esc(r.volume)))
    if r.pages:
        fields.append(("pages", esc(r.pages).replace("-", "--")))
    return fields


def _bibtex_fields(r: Reference) -> list[tuple[str, str]]:
    fields = _common(r, escape) + _container(r, escape, "journal")
    if r.year:
        fields.append(("year", str(r.year)))
    if not r.authors:  # BibTeX sorts and labels an authorless entry by its `key` field
        fields.append(("key", escape(r.short or r.title)))
    fields += _eprint(r, ("archivePrefix", "arXiv"), "primaryClass")
    return fields + _links(r, escape)


def _biblatex_fields(r: Reference) -> list[tuple[str, str]]:
    fields = _common(r, escape_utf8) + _container(r, escape_utf8, "journaltitle")
    if r.date:
        fields.append(("date", "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(r.date))))
    elif r.year:
        fields.append(("date", str(r.year)))
    fields += _eprint(r, ("eprinttype", "arxiv"), "eprintclass")
    if r.kind == "preprint" and r.arxiv:
        fields.append(("pubstate", "prepublished"))
    return fields + _links(r, escape_utf8)


def _write(entries: list[tuple[str, str, list[tuple[str, str]]]]) -> str:
    from bibtexparser.entrypoint import write_string
    from bibtexparser.library import Library
    from bibtexparser.middlewares import default_unparse_stack
    from bibtexparser.model import Entry, Field
    from bibtexparser.writer import BibtexFormat

    library = Library()
    for entry_type, key, fields in entries:
        library.add(Entry(entry_type, key, [Field(k, v) for k, v in fields]))
    fmt = BibtexFormat()  # type: ignore[no-untyped-call]
    fmt.indent = "  "
    fmt.block_separator = "\n"
    fmt.trailing_comma = True
    # The library is thrown away after writing: let the middlewares work in place instead of
    # deep-copying every block (bibtexparser warns that copying 10,000 entries is slow).
    stack = default_unparse_stack(allow_inplace_modification=True)
    return write_string(library, unparse_stack=stack, bibtex_format=fmt)
