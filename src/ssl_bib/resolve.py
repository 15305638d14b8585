"""Catalog + lock + source -> an updated lock, filled incrementally (saved after every batch
and title, so a failure keeps what was learned)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .errors import ArxivUnavailable
from .lock import Lock, Lookup, NearMiss, TitleSearch, record_problem
from .model import ArxivRecord, Catalog, Paper
from .names import family_key
from .references import pinned_keys
from .titles import normalize_title, title_matches
from .venues import venue_year

if TYPE_CHECKING:  # the sources themselves are imported only by those that resolve
    from .arxiv_source import Source


@dataclass
class ResolveReport:
    """What one resolve run did."""

    fetched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    titles_found: list[str] = field(default_factory=list)
    titles_missing: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (arXiv ID, why not kept)
    published: list[str] = field(default_factory=list)  # identities an index found published
    unpublished: list[str] = field(default_factory=list)  # looked for, no verified publication
    ambiguous: list[str] = field(default_factory=list)  # two candidates too close to call


def pending(catalog: Catalog, lock: Lock, refresh: bool = False) -> tuple[list[str], list[str]]:
    """List the arXiv IDs and titles a resolve would look up."""
    ids = list(dict.fromkeys(p.arxiv for p in catalog.papers if p.arxiv))
    titles = list(dict.fromkeys(p.title for p in catalog.papers if not p.arxiv and p.title))
    if not refresh:
        ids = [i for i in ids if i not in lock.papers and i not in lock.missing]
        titles = [t for t in titles if normalize_title(t) not in lock.titles]
    return ids, titles


Progress = Callable[[str, int, int], None]  # stage ("ID batches", "title searches"), done, total
BATCH_SIZE = 100  # IDs per request, as the sources batch them (for progress)


def resolve(
    catalog: Catalog,
    lock: Lock,
    source: Source,
    *,
    save: Callable[[Lock], None],
    refresh: bool = False,
    today: Callable[[], date] = date.today,
    progress: Progress = lambda stage, done, total: None,
) -> ResolveReport:
    """Look up what the lock lacks, saving the lock after every batch and every title.

    Only an answer can say a paper is not on arXiv: when the source is unavailable the
    papers not looked up yet stay unresolved (asked again next run), never missing."""
    ids, titles = pending(catalog, lock, refresh)
    report = ResolveReport()
    stamp = Lookup(source.name, today().isoformat())
    batches = -(-len(ids) // BATCH_SIZE)
    try:
        for done, batch in enumerate(source.fetch(ids), 1):
            for record in batch.found:
                _keep(lock, record, stamp, report)
            for arxiv_id in batch.missing:
                lock.missing[arxiv_id] = stamp
            report.missing += batch.missing
            report.invalid += batch.invalid
            report.rejected += batch.rejected
            save(lock)
            progress("ID batches", min(done, batches), batches)
        evidence = {normalize_title(p.title): p for p in reversed(catalog.papers) if not p.arxiv and p.title}
        for done, (title, candidates) in enumerate(source.search_titles(titles), 1):
            _store_title(lock, evidence[normalize_title(title)], candidates, stamp, report)
            save(lock)
            progress("title searches", done, len(titles))
    except ArxivUnavailable as exc:
        left = sum(map(len, pending(catalog, lock)))
        raise ArxivUnavailable(exc.url, exc.reason, exc.tries, unresolved=left) from None
    lock.keys = pinned_keys(catalog, lock)
    save(lock)
    return report


def _keep(lock: Lock, record: ArxivRecord, stamp: Lookup, report: ResolveReport) -> bool:
    """Store a record the lock can keep; one it could not read back leaves the paper
    unresolved, with the reason in the report."""
    try:
        lock.store(record, stamp)
    except ValueError as exc:
        report.rejected.append((record.id, str(exc)))
        return False
    report.fetched.append(record.id)
    return True


def _store_title(
    lock: Lock, paper: Paper, candidates: list[ArxivRecord], stamp: Lookup, report: ResolveReport
) -> None:
    """Take the first candidate whose title matches and that the list's evidence backs;
    keep the best one not taken for `check`."""
    norm = normalize_title(paper.title)
    match, near = None, None
    for record in candidates:
        if record_problem(record) is not None:
            continue
        doubt = _doubt(paper, record) if title_matches(paper.title, record.title) else "the title differs"
        if doubt is None:
            match = record
            break
        near = near or NearMiss(record.id, record.title, doubt)
    lock.titles[norm] = TitleSearch(match.id if match else None, stamp, None if match else near)
    if match:
        lock.store(match, stamp)
        report.titles_found.append(paper.title)
    else:
        report.titles_missing.append(paper.title)


def _doubt(paper: Paper, record: ArxivRecord) -> str | None:
    """Why a record whose title is like the paper's is not the paper, if it is not: the rule
    every index's candidate meets. A family name of the list's first three authors must be
    among arXiv's, and arXiv's first version from 3 years before the list's year to 1 after
    (a paper is listed under its publication's year). A list that names neither authors nor
    a year backs only a title that is the same after normalising."""
    authors = paper.authors or paper.listed_authors
    ours = {family_key(a) for a in authors[:3]} - {""}
    if ours and record.authors and not ours & {family_key(a) for a in record.authors}:
        listed = ", ".join(authors[:3])
        theirs = ", ".join(record.authors[:3]) + (", ..." if len(record.authors) > 3 else "")
        return f"the list's first authors ({listed}) share no family name with arXiv's ({theirs})"
    year = paper.year or paper.listed_year or venue_year(paper.venue or "")
    first = int(record.published[:4])
    if year and not -3 <= first - year <= 1:
        return f"the list says {year}, arXiv's first version is from {first}"
    if not ours and not year and normalize_title(paper.title) != normalize_title(record.title):
        return "only a like title: the list names no author and no year to back it"
    return None
