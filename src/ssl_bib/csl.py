"""CSL-JSON data of a reference, shaped the way Zotero writes arXiv preprints: what the
CSL-JSON file holds and what the CSL engine renders from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .casing import as_written_pieces, sentence_pieces
from .latex import math_to_text
from .model import Name, Reference

_TYPES = {"preprint": "article", "conference": "paper-conference", "journal": "article-journal"}


def csl_title(
    title: str, nocase: bool = True, esc: Callable[[str], str] = str, as_written: str | None = None
) -> str:
    """Turn a title into CSL rich text in sentence case (CSL's and Zotero's convention):
    protected words in nocase spans, formulas as text; `esc` escapes the title's own text
    (for HTML), never the spans added here; `as_written` is a maintainer's sentence case.

    >>> csl_title("MoCo with $\\\\ell_1$ in Wasserstein Space")
    '<span class="nocase">MoCo</span> with ℓ_1 in <span class="nocase">Wasserstein</span> space'
    """
    out = []
    for piece in as_written_pieces(as_written) if as_written else sentence_pieces(title):
        if piece.kind == "keep" and nocase:
            out.append(f'<span class="nocase">{esc(piece.text)}</span>')
        elif piece.kind == "math":
            out.append(esc(math_to_text(piece.text)))
        else:
            out.append(esc(piece.text))
    return "".join(out)


def csl_name(name: Name) -> dict[str, str]:
    """Keep a particle inside `family` and a suffix after `given`: Zotero drops the CSL
    fields `non-dropping-particle` and `suffix` on import, CSL processors parse them back."""
    out = {"family": name.full_family}
    given = f"{name.given}, {name.suffix}" if name.suffix else name.given
    if given:
        out["given"] = given
    return out


def item(r: Reference, nocase: bool = True, esc: Callable[[str], str] = str) -> dict[str, Any]:
    """Build one CSL-JSON item (`esc` escapes the title's own text, as in csl_title)."""
    data: dict[str, Any] = {"id": r.key, "citation-key": r.key, "type": _TYPES[r.kind]}
    data["title"] = csl_title(r.title, nocase, esc=esc, as_written=r.sentence_title)
    if r.authors:
        data["author"] = [csl_name(a) for a in r.authors]
    if r.date or r.year:
        data["issued"] = {"date-parts": [list(r.date) if r.date else [r.year]]}
    if r.container:
        data["container-title"] = r.container
    if r.container_short:
        data["container-title-short"] = r.container_short
    if r.volume:
        data["volume"] = r.volume
    if r.pages:
        data["page"] = r.pages
    if r.kind == "preprint" and r.arxiv:
        data["number"] = f"arXiv:{r.arxiv}"
    if r.publisher:
        data["publisher"] = r.publisher
    if doi := r.printed_doi:
        data["DOI"] = doi
    if r.url:
        data["URL"] = r.url
    if r.note:
        data["note"] = r.note
    data["keyword"] = ", ".join(r.sections)
    return data
