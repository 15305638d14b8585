"""Catalog + lock + an index -> each paper's published version, taken only on evidence.

A candidate is taken when its title is the paper's (after normalising, or 95 % alike), it shares a family
name with the paper's first three authors, its year is within -1..+3 of the paper's (arXiv's
first version, else the year the list or a maintainer gives), and it is a publication: not a
preprint record (DBLP's CoRR), not a workshop or Findings record. Two candidates that both
pass are too close to call: neither is taken. The lock keeps what was taken and why, and
the best candidate not taken and why not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from .links import doi_in_link, is_doi
from .lock import Lock, Lookup, NotTaken, Publication, PublishedSearch
from .model import Catalog, EntryKind, Paper
from .names import family_key, without_homonym
from .references import identity
from .titles import normalize_title, plain_text, title_matches, title_ratio
from .venues import registered, side_event, venue_in_link, venue_year

if TYPE_CHECKING:  # the sources are loaded only by those that ask them
    from .sources.records import IndexRecord

# the papers due (identity -> evidence), progress -> candidate records by normalized title, by
# DOI (lower case) and by pin (a DBLP key or DOI) as given
Progress = Callable[[str, int, int], None]  # stage (naming the service asked), done, total
Search = Callable[[Mapping[str, "Evidence"], Progress], Mapping[str, Sequence["IndexRecord"]]]
RECHECK_DAYS = 30  # "not published" is asked again after this long


@dataclass(frozen=True)
class Evidence:
    """What is known of a paper to check a candidate against."""

    title: str
    authors: tuple[str, ...]
    year: int | None
    pin: str | None = None  # the catalog's `published = "DBLP key or DOI"`
    doi: str | None = None  # a publisher's DOI the list or arXiv names: a candidate, judged alike
    place: tuple[str, int] | None = None  # the venue and year the paper's link names (CVF, PMLR)


class SearchCut(Exception):
    """A search that a service cut short: the records found before it stopped, and why it
    stopped. What they prove is kept; nothing is recorded as "not published"."""

    def __init__(self, hits: Mapping[str, Sequence[IndexRecord]], cause: Exception) -> None:
        super().__init__(str(cause))
        self.hits, self.cause = hits, cause


@dataclass
class PublishedReport:
    """What one pass found: identities upgraded, left as they are, too close to call."""

    found: list[str] = field(default_factory=list)
    none: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def wanted(
    catalog: Catalog, lock: Lock, today: date, refresh: bool = False, recheck: bool = True
) -> dict[str, Evidence]:
    """The papers whose published version is still to be looked for, with their evidence: not
    yet looked for, looked for and not found over 30 days ago (with recheck), or all with
    refresh."""
    rows = [(identity(p, lock), p) for p in catalog.papers]
    kept = {ident for ident, p in rows if p.published is False}  # stays a preprint
    pins = {ident: p.published for ident, p in reversed(rows) if isinstance(p.published, str)}
    out: dict[str, Evidence] = {}
    for ident, paper in rows:
        if ident in out or ident in kept or not _due(lock.published.get(ident), today, refresh, recheck):
            continue
        if (evidence := _evidence(paper, lock, ident)) is not None:
            out[ident] = replace(evidence, pin=pins.get(ident))
    return out


def _due(search: PublishedSearch | None, today: date, refresh: bool, recheck: bool) -> bool:
    if search is None or refresh:
        return True
    stale = (today - date.fromisoformat(search.lookup.fetched)).days > RECHECK_DAYS
    return recheck and search.found is None and stale


def _evidence(paper: Paper, lock: Lock, ident: str) -> Evidence | None:
    record = lock.record(ident)
    dois = [paper.doi, doi_in_link(paper.url), record.doi if record else None]
    doi = next((d for d in dois if d and not d.lower().startswith("10.48550/")), None)  # not arXiv's
    place = venue_in_link(paper.url)
    if record is not None:
        first = int(record.published[:4])
        return Evidence(record.title, paper.authors or record.authors, first, doi=doi, place=place)
    authors = paper.authors or paper.listed_authors
    year = paper.year or paper.listed_year or venue_year(paper.venue or "") or (place[1] if place else None)
    return Evidence(paper.title, authors, year, doi=doi, place=place) if paper.title else None


def find_published(
    catalog: Catalog,
    lock: Lock,
    search: Search,
    source: str,
    *,
    save: Callable[[Lock], None],
    today: Callable[[], date] = date.today,
    refresh: bool = False,
    recheck: bool = True,
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
) -> PublishedReport:
    """Look for every due paper's published version in one search, judge each, save. An
    export's own pass asks only what was never asked (recheck False): what the lock has
    answered is not asked again by an export, today or in a year."""
    due = wanted(catalog, lock, today(), refresh, recheck)
    report = PublishedReport()
    if not due:
        return report
    cut: SearchCut | None = None
    try:
        hits = search(due, progress)
    except SearchCut as stopped:  # keep what the services that answered proved, then fail
        cut, hits = stopped, stopped.hits
    stamp = Lookup(source, today().isoformat())
    for ident, evidence in due.items():
        if evidence.pin is not None:
            verdict = pinned(evidence, hits.get(evidence.pin, ()), stamp)
        else:
            verdict = judge(evidence, _candidates(evidence, hits), stamp)
        if cut is not None and verdict.found is None:
            continue  # a service did not answer: not looked for yet, never "not published"
        lock.published[ident] = verdict
        if verdict.found is not None:
            report.found.append(ident)
        elif verdict.not_taken is not None and verdict.not_taken.reason.startswith("too close to call"):
            report.ambiguous.append(ident)
        else:
            report.none.append(ident)
    save(lock)
    if cut is not None:
        raise cut.cause
    return report


def _candidates(evidence: Evidence, hits: Mapping[str, Sequence[IndexRecord]]) -> list[IndexRecord]:
    """The records found under the paper's title and under its DOI, each once."""
    places = [normalize_title(evidence.title), *([evidence.doi.lower()] if evidence.doi else [])]
    found = {record.key: record for place in places for record in hits.get(place, ())}
    return list(found.values())


def judge(evidence: Evidence, candidates: Sequence[IndexRecord], stamp: Lookup) -> PublishedSearch:
    """Take the one candidate the evidence backs; none when none does or two do. The best
    candidate not taken (the runner-up, when one is taken) is kept with the reason."""
    backed = [c for c in candidates if _doubt(evidence, c) is None]
    if len(backed) > 1:
        first, second = backed[:2]
        reason = (
            f"too close to call: {first.key} ({first.venue}) and {second.key} ({second.venue}) both match"
        )
        return PublishedSearch(None, stamp, _not_taken(first, reason))
    refused = [(c, doubt) for c in candidates if not _preprint(c) and (doubt := _doubt(evidence, c))]
    runner_up = _not_taken(*refused[0]) if refused else None
    return PublishedSearch(_publication(evidence, backed[0]) if backed else None, stamp, runner_up)


def pinned(evidence: Evidence, records: Sequence[IndexRecord], stamp: Lookup) -> PublishedSearch:
    """The record a maintainer pinned: taken on their word, when the index has it."""
    if not records:
        return PublishedSearch(None, stamp, NotTaken(evidence.pin or "", "", "pinned, but not in the index"))
    taken = _publication(evidence, records[0])
    return PublishedSearch(
        replace(taken, evidence=f"pinned in the catalog (published = {evidence.pin!r})"), stamp
    )


def _not_taken(record: IndexRecord, reason: str) -> NotTaken:
    return NotTaken(plain_text(record.key), plain_text(record.venue), plain_text(reason), record.year)


def _clean(text: str | None) -> str | None:
    """An index's text as the lock may keep it: only what every output can carry (a lone
    surrogate or a control character from a service's JSON would make a lock that cannot be
    written or read back); None when nothing is left."""
    return (plain_text(text) or None) if text is not None else None


def _preprint(record: IndexRecord) -> bool:
    return record.informal or record.venue.strip().lower() == "corr"


def _doubt(evidence: Evidence, record: IndexRecord) -> str | None:
    """Why a candidate is not the paper's publication, if it is not."""
    if _preprint(record):
        return "a preprint record"
    if not title_matches(evidence.title, record.title):
        return f"another title ({record.title!r})"
    if record.kind not in ("inproceedings", "article"):
        return "not a conference or journal paper"
    if side_event(record.venue) or re.search(r"w$", record.series):
        return f"a workshop or companion record ({record.venue}), not the main venue"
    if evidence.year is None or record.year is None:
        return "no year to check it against"
    if not -1 <= record.year - evidence.year <= 3:
        return f"its year {record.year} is not within -1..+3 of {evidence.year}"
    ours = {family_key(a) for a in evidence.authors[:3]} - {""}
    if not ours:
        return "no authors to check it against"
    if not ours & {family_key(a) for a in record.authors}:
        return f"no family name shared with the first three authors ({', '.join(sorted(ours))})"
    return None


def _publication(evidence: Evidence, record: IndexRecord) -> Publication:
    kind: EntryKind = "journal" if record.kind == "article" else "conference"
    year = record.year or 0
    known = registered(record.venue, record.series)
    shared = sorted({family_key(a) for a in evidence.authors[:3]} & {family_key(a) for a in record.authors})
    alike = title_ratio(evidence.title, record.title)
    same = "title the same" if alike == 1.0 else f"title {alike:.0%} alike"
    proof = f"{same}; shares {', '.join(shared)} with the first three authors; {year} against {evidence.year}"
    # the index's own name when the registry reads it (NeurIPS), else the registry's id
    own = known is not None and registered(record.venue) is not None
    label = record.venue if own or known is None else known.id
    authors = (_clean(without_homonym(a)) for a in record.authors)
    return Publication(
        key=plain_text(record.key),
        kind=kind,
        venue=plain_text(label),
        year=year,
        title=plain_text(record.title),
        evidence=plain_text(proof),
        pages=_clean(record.pages),
        volume=_clean(record.volume) if kind == "journal" else None,
        doi=record.doi if record.doi and is_doi(record.doi) else None,
        authors=tuple(a for a in authors if a),
        venue_id=known.id if known else None,
    )
