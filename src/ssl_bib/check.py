"""Catalog + lock -> findings a maintainer should look at (none of them fatal)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .arxiv_id import parse_arxiv_id
from .lock import Lock, PublishedSearch
from .model import ArxivRecord, Catalog, Paper
from .references import identity
from .titles import normalize_title
from .venues import index_venue, parse_venue


@dataclass(frozen=True)
class Finding:
    """One thing `check` reports about a paper."""

    kind: str
    line: int | None
    title: str
    message: str


# "Accepted at CVPR 2020", "To appear in NeurIPS 2021": a comment that names where a paper went.
_VENUE_IN_COMMENT = re.compile(
    r"\b(?:accepted|published|to appear|appears|appearing|presented)\b.{0,40}?"
    r"\b(?:at|in|by|to)\b\s*(.{2,60}?\d{4})",
    re.IGNORECASE,
)
Found = tuple[str, str]  # kind, message


def check(catalog: Catalog, lock: Lock) -> list[Finding]:
    """Report label/link mismatches, duplicates, papers not on arXiv or not resolved, titles
    that differ, publications the list does not know, and title matches not taken."""
    findings: list[Finding] = []
    seen: dict[str, int | None] = {}
    for paper in catalog.papers:
        ident = identity(paper, lock)
        found = [*_labels(paper), *_arxiv_status(paper, lock)]
        if ident in seen:
            found.append(
                ("duplicate", f"same paper as line {seen[ident]} (one record, listed in both sections)")
            )
        elif ident in lock.published:
            found += _index_status(paper, lock.published[ident])
        seen.setdefault(ident, paper.line)
        record = lock.record(ident)
        if record and paper.title and normalize_title(record.title) != normalize_title(paper.title):
            found.append(("title-differs", f"arXiv's title is {record.title!r}"))
        if not paper.title and not record:
            found.append(("no-title", "the list gives no title and no source has named the paper yet"))
        if record and parse_venue(paper.venue).kind == "preprint" and not _found(lock, ident):
            found += _published(record)
        name = paper.title or (record.title if record else "") or paper.short or paper.url or ""
        findings += [Finding(kind, paper.line, name, message) for kind, message in found]
    return findings


def _labels(paper: Paper) -> list[Found]:
    found = []
    label = parse_arxiv_id(paper.venue or "")
    if label and paper.arxiv and label != paper.arxiv:
        found.append(
            (
                "label-mismatch",
                f"venue label says arXiv:{label} but the link is {paper.arxiv}; using the link",
            )
        )
    if not parse_venue(paper.venue).known:
        found.append(
            ("unknown-venue", f"venue {paper.venue!r} is not in the venue table; exported as a preprint")
        )
    return found


def _arxiv_status(paper: Paper, lock: Lock) -> list[Found]:
    norm = normalize_title(paper.title)
    if paper.arxiv in lock.missing:
        when = lock.missing[paper.arxiv].fetched
        return [
            (
                "unresolved",
                f"arXiv:{paper.arxiv} was not found ({when}); exported with the catalog's fields only",
            )
        ]
    if paper.arxiv:
        if paper.arxiv in lock.papers:
            return []
        return [("unresolved", f"arXiv:{paper.arxiv} is not resolved yet (run resolve)")]
    if not paper.title:
        return [("no-arxiv-id", "no arXiv ID and no title to search arXiv by; using the catalog's fields")]
    if found := lock.title_id(norm):
        return [("no-arxiv-id", f"no arXiv ID in the list; title search found arXiv:{found}")]
    if norm not in lock.titles:
        return [("no-arxiv-id", "no arXiv ID in the list; not looked up yet (run resolve)")]
    out = [("no-arxiv-id", "no arXiv ID and no arXiv paper with this title; using the catalog's fields")]
    if near := lock.titles[norm].near:
        out.append(
            (
                "possible-match",
                f"possible arXiv match arXiv:{near.arxiv} {near.title!r}, not taken because {near.reason}",
            )
        )
    return out


def _found(lock: Lock, ident: str) -> bool:
    search = lock.published.get(ident)
    return search is not None and search.found is not None


def _index_status(paper: Paper, search: PublishedSearch) -> list[Found]:
    """What an index said of a paper's published version, against what the list says."""
    where = search.lookup.source
    found, not_taken = search.found, search.not_taken
    if found is None:
        if not_taken and not_taken.reason.startswith("too close to call"):
            return [("published-ambiguous", f"{where}: {not_taken.reason}; exported as the list says")]
        if not_taken and "workshop" in not_taken.reason:
            return [
                ("workshop-only", f"{where} has only {not_taken.key} ({not_taken.venue}): {not_taken.reason}")
            ]
        return []
    at = f"{found.venue} {found.year} ({found.key})"
    listed = parse_venue(paper.venue)
    theirs = index_venue(found.venue, "", "conference", found.year, found.venue_id)
    out: list[Found] = []
    if listed.kind == "preprint":
        out.append(
            ("published", f"the list calls it a preprint; {where} has it at {at}: exported as published")
        )
    elif listed.container != theirs.container:
        out.append(("venue-differs", f"the list says {paper.venue!r}, {where} has it at {at}; the list wins"))
    if not theirs.known:
        out.append(
            ("unknown-venue", f"{where}'s venue {found.venue!r} is not in the venue table; printed as is")
        )
    return out


def _published(record: ArxivRecord) -> list[Found]:
    """What arXiv knows about a paper's publication that the list does not say."""
    journal_doi = record.doi if record.doi and not record.doi.lower().startswith("10.48550/") else None
    if record.journal_ref or journal_doi:
        where = record.journal_ref or f"DOI {journal_doi}"
        return [("published", f"the list calls it a preprint; arXiv knows it as published: {where}")]
    if record.comment and (m := _VENUE_IN_COMMENT.search(record.comment)):
        return [("comment-venue", f"arXiv's comment names a venue: {m.group(0)!r} (the export is unchanged)")]
    return []
