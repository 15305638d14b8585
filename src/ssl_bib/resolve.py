"""Catalog + lock + source -> an updated lock; catalog + lock -> references.

Resolving fills the lock incrementally (saving after every batch, so a failure keeps what was
learned); building references merges each paper's catalog row(s) with its arXiv record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from .arxiv_id import id_year
from .errors import ArxivUnavailable, CatalogError, Problem
from .keys import ascii_fold, assign_keys, base_key
from .links import DOI
from .lock import Lock, Lookup, NearMiss
from .model import ArxivRecord, Catalog, Paper, Reference
from .names import split_name
from .titles import normalize_title, plain_text, title_matches
from .venues import parse_venue, published_venue, venue_year

if TYPE_CHECKING:  # the sources themselves are imported only by those that resolve
    from .arxiv_source import Source


def identity(paper: Paper, lock: Lock) -> str:
    """Name a paper by its arXiv ID, the ID its title resolved to, or its title."""
    if paper.arxiv:
        return paper.arxiv
    norm = normalize_title(paper.title)
    return lock.titles.get(norm) or f"title:{norm}"


@dataclass
class ResolveReport:
    """What one resolve run did."""

    fetched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    titles_found: list[str] = field(default_factory=list)
    titles_missing: list[str] = field(default_factory=list)


def pending(catalog: Catalog, lock: Lock, refresh: bool = False) -> tuple[list[str], list[str]]:
    """List the arXiv IDs and titles a resolve would look up."""
    ids = list(dict.fromkeys(p.arxiv for p in catalog.papers if p.arxiv))
    titles = list(dict.fromkeys(p.title for p in catalog.papers if not p.arxiv))
    if not refresh:
        ids = [i for i in ids if i not in lock.records and i not in lock.missing]
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
                _store(lock, record, stamp)
                lock.missing.pop(record.id, None)
            lock.missing.update((i, stamp) for i in batch.missing)
            report.fetched += [r.id for r in batch.found]
            report.missing += batch.missing
            report.invalid += batch.invalid
            save(lock)
            progress("ID batches", min(done, batches), batches)
        evidence = {normalize_title(p.title): p for p in reversed(catalog.papers) if not p.arxiv}
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


def _store(lock: Lock, record: ArxivRecord, stamp: Lookup) -> None:
    lock.records[record.id] = record
    lock.fetched[record.id] = stamp


def _store_title(
    lock: Lock, paper: Paper, candidates: list[ArxivRecord], stamp: Lookup, report: ResolveReport
) -> None:
    """Take the first candidate whose title matches and that the list's evidence backs;
    keep the best one not taken for `check`."""
    norm = normalize_title(paper.title)
    match, near = None, None
    for record in candidates:
        doubt = _doubt(paper, record) if title_matches(paper.title, record.title) else "the title differs"
        if doubt is None:
            match = record
            break
        near = near or NearMiss(record.id, record.title, doubt)
    lock.titles[norm] = match.id if match else None
    lock.title_lookups[norm] = stamp
    lock.near.pop(norm, None)
    if match:
        _store(lock, match, stamp)
        report.titles_found.append(paper.title)
    else:
        if near:
            lock.near[norm] = near
        report.titles_missing.append(paper.title)


def _doubt(paper: Paper, record: ArxivRecord) -> str | None:
    """Why the list's own evidence speaks against a title match, if it does: the first
    author's family name must agree, and arXiv's first version be within a year."""
    authors = paper.authors or paper.listed_authors
    if authors and record.authors:
        ours, theirs = _family(authors[0]), _family(record.authors[0])
        if ours and theirs and ours != theirs and ours not in theirs and theirs not in ours:
            return f"the list's first author is {authors[0]!r}, arXiv's is {record.authors[0]!r}"
    year = paper.year or paper.listed_year or venue_year(paper.venue or "")
    first = int(record.published[:4])
    if year and abs(first - year) > 1:
        return f"the list says {year}, arXiv's first version is from {first}"
    return None


def _family(name: str) -> str:
    """A family name reduced to its letters: `van den Oord`, `M"uller` and `Müller` compare."""
    return re.sub(r"[^a-z]", "", ascii_fold(split_name(name).family).lower())


# --- references ----------------------------------------------------------------------------


def _drafts(catalog: Catalog, lock: Lock) -> dict[str, tuple[list[Paper], Reference]]:
    """Each paper identity with its catalog rows and its (still keyless) reference."""
    return {
        ident: (rows, _draft(rows, lock.records.get(ident)))
        for ident, rows in _grouped(catalog, lock).items()
    }


def _keys(
    drafts: dict[str, tuple[list[Paper], Reference]], pinned: dict[str, str], path: str
) -> dict[str, str]:
    """Assign every paper identity its citation key (pinned keys never change, so a
    hand-written key that another listed paper holds in the lock is an error)."""
    wanted = []
    owner = {key: ident for ident, key in pinned.items() if ident in drafts}
    for ident, (rows, ref) in drafts.items():
        family = ref.authors[0].family if ref.authors else ""
        fixed = next((r.key for r in rows if r.key), None)
        if fixed and owner.get(fixed, ident) != ident:
            other = drafts[owner[fixed]][0][0]
            line = next(r.line for r in rows if r.key)
            message = (
                f"citation key {fixed!r} is pinned in the lock to {other.title!r} "
                f"(line {other.line}); pinned keys never change, choose another"
            )
            raise CatalogError([Problem(path, line, message)])
        wanted.append((ident, base_key(family, ref.year, ref.title), fixed))
    return assign_keys(wanted, pinned)


def pinned_keys(catalog: Catalog, lock: Lock) -> dict[str, str]:
    """The lock's keys plus those of papers that now have authors. A paper without authors
    (arXiv did not know it yet) gets a provisional key that is not pinned, so it takes its
    proper `{family}{year}{word}` key once it resolves."""
    drafts = _drafts(catalog, lock)
    keys = _keys(drafts, lock.keys, catalog.path)
    return {**lock.keys, **{ident: keys[ident] for ident, (_, ref) in drafts.items() if ref.authors}}


def build_references(catalog: Catalog, lock: Lock) -> list[Reference]:
    """Merge catalog rows and arXiv records into one Reference per distinct paper."""
    drafts = _drafts(catalog, lock)
    keys = _keys(drafts, lock.keys, catalog.path)
    return [replace(ref, key=keys[ident]) for ident, (_, ref) in drafts.items()]


def _grouped(catalog: Catalog, lock: Lock) -> dict[str, list[Paper]]:
    groups: dict[str, list[Paper]] = {}
    for paper in catalog.papers:
        groups.setdefault(identity(paper, lock), []).append(paper)
    return groups


def _first(rows: list[Paper], name: str) -> object:
    return next((getattr(r, name) for r in rows if getattr(r, name)), None)


def _draft(rows: list[Paper], record: ArxivRecord | None) -> Reference:
    """Build the reference of one paper from its rows (first row wins) and its record."""
    paper = rows[0]
    venue = parse_venue(paper.venue)
    if venue.kind == "preprint" and not venue.note and record and record.journal_ref:
        venue = published_venue(record.journal_ref)  # the list has no venue; arXiv knows one
    authors = (
        paper.authors
        or next((r.authors for r in rows if r.authors), ())
        or (record.authors if record else ())
        or next((r.listed_authors for r in rows if r.listed_authors), ())
    )
    first_version = tuple(int(x) for x in record.published.split("-")) if record else ()
    year = _first(rows, "year") or (venue.year if venue.kind != "preprint" else None)
    year = year or (first_version[0] if first_version else None)
    year = year or (id_year(paper.arxiv) if paper.arxiv else None)  # unresolved: the ID's year
    year = year or _first(rows, "listed_year") or venue_year(paper.venue or "")  # what the list says
    arxiv = record.id if record else paper.arxiv  # an unresolved ID is still a fact of the list
    sections = tuple(dict.fromkeys(s for r in rows for s in r.sections))
    record_doi = record.doi if record and record.doi and DOI.match(record.doi) else None
    return Reference(
        key="",
        kind=venue.kind,
        title=plain_text(record.title if record else paper.title),
        authors=tuple(split_name(plain_text(a)) for a in authors if plain_text(a)),
        year=year if isinstance(year, int) else None,
        sections=sections,
        date=first_version if venue.kind == "preprint" and not paper.year else (),
        arxiv=arxiv,
        primary_class=record.primary_category if record else None,
        doi=str(_first(rows, "doi") or record_doi or "") or None,
        url=f"https://arxiv.org/abs/{arxiv}" if arxiv else paper.url,
        container=venue.container,
        publisher="arXiv" if arxiv and venue.kind == "preprint" else None,
        note=plain_text(venue.note) if venue.note else None,
        short=plain_text(paper.short) if paper.short else None,
        sentence_title=next((r.sentence_case for r in rows if r.sentence_case), None),
    )
