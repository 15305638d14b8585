"""Catalog + lock -> findings a maintainer should look at (none of them fatal)."""

from __future__ import annotations

from dataclasses import dataclass

from .arxiv_id import parse_arxiv_id
from .lock import Lock
from .model import Catalog
from .resolve import identity
from .titles import normalize_title
from .venues import parse_venue


@dataclass(frozen=True)
class Finding:
    """One thing `check` reports about a paper."""

    kind: str
    line: int | None
    title: str
    message: str


def check(catalog: Catalog, lock: Lock) -> list[Finding]:
    """Report label/link mismatches, duplicates, papers not on arXiv or not resolved."""
    findings: list[Finding] = []
    seen: dict[str, int | None] = {}
    for paper in catalog.papers:

        def add(kind: str, message: str) -> None:
            findings.append(Finding(kind, paper.line, paper.title, message))  # noqa: B023

        label = parse_arxiv_id(paper.venue or "")
        if label and paper.arxiv and label != paper.arxiv:
            add(
                "label-mismatch",
                f"venue label says arXiv:{label} but the link is {paper.arxiv}; using the link",
            )
        ident = identity(paper, lock)
        if ident in seen:
            add("duplicate", f"same paper as line {seen[ident]} (one record, listed in both sections)")
        seen.setdefault(ident, paper.line)
        venue = parse_venue(paper.venue)
        if not venue.known:
            add("unknown-venue", f"venue {paper.venue!r} is not in the venue table; exported as a preprint")
        if not paper.arxiv:
            found = lock.titles.get(normalize_title(paper.title))
            if found:
                add("no-arxiv-id", f"no arXiv ID in the list; title search found arXiv:{found}")
            elif normalize_title(paper.title) in lock.titles:
                add(
                    "no-arxiv-id",
                    "no arXiv ID and no arXiv paper with this title; using the catalog's fields",
                )
            else:
                add("no-arxiv-id", "no arXiv ID in the list; not looked up yet (run resolve)")
        elif paper.arxiv in lock.missing:
            add(
                "unresolved",
                f"arXiv:{paper.arxiv} was not found ({lock.missing[paper.arxiv].fetched}); "
                "exported with the catalog's fields only",
            )
        elif paper.arxiv not in lock.records:
            add("unresolved", f"arXiv:{paper.arxiv} is not resolved yet (run resolve)")
        record = lock.records.get(ident)
        if record and normalize_title(record.title) != normalize_title(paper.title):
            add("title-differs", f"arXiv's title is {record.title!r}")
    return findings
