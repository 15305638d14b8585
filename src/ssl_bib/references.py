"""Catalog + lock -> references: each paper's catalog rows merged with its arXiv record,
with the citation key it keeps (pinned keys never change)."""

from __future__ import annotations

from dataclasses import replace

from .arxiv_id import id_year
from .errors import CatalogError, Problem
from .keys import assign_keys, base_key
from .links import is_doi
from .lock import Lock, Publication, PublishedSearch
from .model import ArxivRecord, Catalog, EntryKind, Paper, Reference
from .names import split_name
from .titles import normalize_title, plain_text
from .venues import Venue, index_venue, parse_venue, published_venue, venue_year


def identity(paper: Paper, lock: Lock) -> str:
    """Name a paper by its arXiv ID, the ID its title resolved to, or its title."""
    if paper.arxiv:
        return paper.arxiv
    if not paper.title:  # only a nickname: the paper is its link (or DOI) until a source names it
        return f"link:{paper.doi or paper.url}"
    norm = normalize_title(paper.title)
    return lock.title_id(norm) or f"title:{norm}"


def _drafts(catalog: Catalog, lock: Lock) -> dict[str, tuple[list[Paper], Reference]]:
    """Each paper identity with its catalog rows and its (still keyless) reference."""
    return {
        ident: (rows, _draft(rows, lock.record(ident), lock.published.get(ident)))
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


def preprint_only(rows: list[Paper]) -> bool:
    """Whether a maintainer keeps the paper a preprint (`published = false`)."""
    return any(r.published is False for r in rows)


def _columns(paper: Paper) -> tuple[tuple[str, str], ...]:
    """The list's columns for a paper, as the import kept them: its venue as written and the
    `Header: value; Header: value` of its note (a cell of `-` is no value)."""
    pairs = [("Venue", paper.venue or "")]
    for part in (paper.note or "").split("; "):
        header, sep, value = part.partition(": ")
        pairs.append((header, value) if sep else ("Note", header))
    return tuple((h.strip(), v.strip()) for h, v in pairs if v.strip() not in ("", "-"))


def _venue_of(found: Publication) -> Venue:
    """A publication's venue, spelled out by the registry (or as the index names it)."""
    kind: EntryKind = "journal" if found.kind == "journal" else "conference"
    return index_venue(found.venue, "", kind, found.year, found.venue_id)


def _same_venue(listed: Venue, found: Publication) -> bool:
    """Whether the list names the venue the index found (then the index adds pages, DOI)."""
    return (
        listed.known and listed.container == _venue_of(found).container and listed.year in (None, found.year)
    )


def _draft(rows: list[Paper], record: ArxivRecord | None, search: PublishedSearch | None = None) -> Reference:
    """Build the reference of one paper from its rows (first row wins), its arXiv record and
    the publication an index verified: the list's venue wins, a publication fills in what
    the list left a preprint (or under review), and adds pages and DOI when it agrees."""
    paper = rows[0]
    venue = parse_venue(paper.venue)
    preprint = preprint_only(rows)  # a maintainer keeps it a preprint
    found = search.found if search and not preprint else None
    listed = venue
    if found is not None and (venue.kind == "preprint" or _same_venue(venue, found)):
        venue = _venue_of(found)
    elif venue.kind == "preprint" and not venue.note and record and record.journal_ref and not preprint:
        venue = published_venue(record.journal_ref)  # the list has no venue; arXiv knows one
    agreed = found if found is not None and venue is not listed else None
    authors = (
        paper.authors
        or next((r.authors for r in rows if r.authors), ())
        or (record.authors if record else ())
        or (search.found.authors if search and search.found and not preprint_only(rows) else ())
        or next((r.listed_authors for r in rows if r.listed_authors), ())
    )
    first_version = tuple(int(x) for x in record.published.split("-")) if record else ()
    year = _first(rows, "year") or (venue.year if venue.kind != "preprint" else None)
    year = year or (first_version[0] if first_version else None)
    year = year or (id_year(paper.arxiv) if paper.arxiv else None)  # unresolved: the ID's year
    year = year or _first(rows, "listed_year") or venue_year(paper.venue or "")  # what the list says
    arxiv = record.id if record else paper.arxiv  # an unresolved ID is still a fact of the list
    sections = tuple(dict.fromkeys(s for r in rows for s in r.sections))
    record_doi = record.doi if record and record.doi and is_doi(record.doi) else None
    return Reference(
        key="",
        kind=venue.kind,
        # a paper the list gives no title is named by its nickname until a source names it
        title=plain_text(record.title if record else (paper.title or paper.short or paper.url or "")),
        authors=tuple(split_name(plain_text(a)) for a in authors if plain_text(a)),
        year=year if isinstance(year, int) else None,
        sections=sections,
        date=first_version if venue.kind == "preprint" and not paper.year else (),
        arxiv=arxiv,
        primary_class=record.primary_category if record else None,
        doi=str(_first(rows, "doi") or (agreed.doi if agreed else None) or record_doi or "") or None,
        pages=agreed.pages if agreed else None,
        volume=agreed.volume if agreed else None,
        url=f"https://arxiv.org/abs/{arxiv}" if arxiv else paper.url,
        container=plain_text(venue.container) if venue.container else None,
        container_short=venue.abbreviation if venue.container else None,
        publisher="arXiv" if arxiv and venue.kind == "preprint" else None,
        note=plain_text(venue.note) if venue.note else None,
        short=plain_text(paper.short) if paper.short else None,
        columns=_columns(paper),
        places=tuple(dict.fromkeys((s, r.line or 0) for r in rows for s in r.sections)),
        sentence_title=next((r.sentence_case for r in rows if r.sentence_case), None),
    )
