"""What every index answers with: one candidate record of a published paper, in the same
shape whoever gave it (DBLP's dump or API, Crossref, doi.org), for `published` to judge."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IndexRecord:
    """One record as an index gives it (title without DBLP's trailing period)."""

    key: str  # the index's own key: a DBLP key (`conf/cvpr/HeFWXG20`) or a DOI
    kind: str  # "inproceedings", "article", or "other"
    title: str
    authors: tuple[str, ...]
    year: int | None
    venue: str  # booktitle, journal or container title as the index writes it ("CVPR", "CoRR")
    pages: str | None = None
    volume: str | None = None
    doi: str | None = None
    informal: bool = False  # a preprint or other non-publication (DBLP's publtype="informal")
    series: str = ""  # DBLP's series (`conf/cvpr`) or a journal's ISSN: how the registry knows it


def dblp_series(key: str) -> str:
    """`conf/cvpr` of `conf/cvpr/HeFWXG20`: the venue's series in DBLP."""
    return "/".join(key.split("/")[:2])


# What a work's type means, in Crossref's words and CSL's (doi.org's CSL-JSON)
_KINDS = {
    "proceedings-article": "inproceedings",
    "paper-conference": "inproceedings",
    "journal-article": "article",
    "article-journal": "article",
}
_PREPRINTS = frozenset({"posted-content", "preprint"})
_PREPRINT_DOI = ("10.48550/", "10.1101/")  # arXiv's (DataCite) and bioRxiv's
_TAG = re.compile(r"<[^<>]*>")  # Crossref's titles may carry JATS markup (<i>, <sub>)


def work_record(item: Any) -> IndexRecord | None:
    """A work as Crossref's REST API (`title` a list, type `proceedings-article`) or CSL-JSON
    from doi.org (`title` a string, type `paper-conference`) describes it; None when it names
    no DOI or no title. A book chapter of a conference (Springer's LNCS proceedings name their
    `event`) is a conference paper; a posted or arXiv DOI is a preprint."""
    if not isinstance(item, dict) or not isinstance(item.get("DOI"), str):
        return None
    title = _text(_first(item.get("title")))
    if not title:
        return None
    if subtitle := _text(_first(item.get("subtitle"))):
        title = f"{title}: {subtitle}"  # ACM and IEEE deposit the part after a colon apart
    kind_name: str = item["type"] if isinstance(item.get("type"), str) else ""
    kind = _KINDS.get(kind_name, "other")
    if kind_name in ("book-chapter", "chapter") and isinstance(item.get("event"), dict | str):
        kind = "inproceedings"
    doi = item["DOI"]
    containers = [_text(c) for c in _list(item.get("container-title")) if _text(c)]
    issn = [i for i in _list(item.get("ISSN")) if isinstance(i, str)]
    return IndexRecord(
        key=doi,
        kind=kind,
        title=title,
        authors=tuple(n for a in _list(item.get("author")) if (n := _person(a))),
        year=_year(item.get("issued")),
        venue=containers[-1] if containers else "",  # a series (LNCS) comes before its book
        pages=_text(item.get("page")) or None,
        volume=_text(item.get("volume")) or None,
        doi=doi,
        informal=kind_name in _PREPRINTS or doi.lower().startswith(_PREPRINT_DOI),
        series=issn[0] if issn else "",
    )


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def _text(value: Any) -> str:
    return " ".join(html.unescape(_TAG.sub("", value)).split()) if isinstance(value, str) else ""


def _person(author: Any) -> str:
    if not isinstance(author, dict):
        return ""
    parts = [_text(author.get("given")), _text(author.get("family"))]
    return " ".join(p for p in parts if p) or _text(author.get("name")) or _text(author.get("literal"))


def _year(date: Any) -> int | None:
    parts = date.get("date-parts") if isinstance(date, dict) else None
    first = parts[0] if isinstance(parts, list) and parts else None
    year = first[0] if isinstance(first, list) and first else None
    if isinstance(year, str) and year.isdigit():
        year = int(year)
    return year if isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 2999 else None
