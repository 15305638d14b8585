"""Where published versions are looked for: DBLP's XML dump, offline; or the live services,
IDs first, batches first, search last:

1. Semantic Scholar, 500 IDs a request (`ARXIV:` IDs, the list's `DOI:`s), says where each
   paper went and the publisher's DOI; its title match places a paper it has no ID for;
2. DBLP answers with whole tables of contents (1,000 records a request) for just those
   venues and years, matched locally; a pinned DBLP key is read on its own;
3. Crossref, 50 DOIs a request, reads every DOI the list, arXiv, Semantic Scholar or a pin
   names for a paper DBLP did not place; doi.org the DOIs Crossref does not hold;
4. Crossref's bibliographic search, one a title, only for what nothing else placed.

Every candidate is then judged by `published`: found is never taken on the index's word.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IndexUnavailable
from .published import Evidence, Progress, Search, SearchCut
from .sources.crossref import Crossref
from .sources.dblp_api import DblpApi
from .sources.dblp_dump import scan
from .sources.doi_org import DoiOrg
from .sources.records import IndexRecord
from .sources.semantic_scholar import S2Paper, SemanticScholar
from .titles import TITLE_MATCH, normalize_title, title_matches
from .venues import dblp_volume, side_event

Hits = dict[str, list[IndexRecord]]


def dump_search(path: Path) -> Search:
    """Search DBLP's dump: one pass over the file for every title, DOI and pin."""

    def search(due: Mapping[str, Evidence], progress: Progress) -> Mapping[str, list[IndexRecord]]:
        progress("published versions: dblp-dump", 0, len(due))
        pins = [e.pin for e in due.values() if e.pin] + [e.doi.lower() for e in due.values() if e.doi]
        hits = scan(path, [e.title for e in due.values()], pins)
        progress("published versions: dblp-dump", len(due), len(due))
        return hits

    return search


@dataclass(frozen=True)
class Services:
    """The live services a search asks."""

    s2: SemanticScholar
    dblp: DblpApi
    crossref: Crossref
    doi_org: DoiOrg


def live_search(services: Services) -> Search:
    """Search the live services, in the order the module says."""

    def search(due: Mapping[str, Evidence], progress: Progress) -> Mapping[str, list[IndexRecord]]:
        return _Live(services, due, progress).run()

    return search


@dataclass
class _Live:
    services: Services
    due: Mapping[str, Evidence]
    progress: Progress
    hits: Hits = field(default_factory=dict)

    def run(self) -> Hits:
        """Every stage in turn; a service that stays unavailable cuts the search short with
        what the others found (SearchCut), which is kept."""
        try:
            hints = self._hints()
            self._tables_of_contents(hints)
            self._dblp_pins()
            self._dois(hints)
            self._searches(hints)
        except IndexUnavailable as exc:
            raise SearchCut(self.hits, exc) from None
        return self.hits

    def _place(self, where: str, records: list[IndexRecord]) -> None:
        for record in records:
            if record not in self.hits.get(where, []):
                self.hits.setdefault(where, []).append(record)

    def _placed(self, ident: str) -> bool:
        return normalize_title(self.due[ident].title) in self.hits

    def _hints(self) -> dict[str, S2Paper | None]:
        """What Semantic Scholar says of each paper: by arXiv ID or the list's DOI in batches,
        else by its title."""
        stage, s2 = "published versions: semantic-scholar", self.services.s2
        by_id = {i: f"ARXIV:{i}" for i in self.due if not i.startswith(("title:", "link:"))}
        by_id |= {i: f"DOI:{e.doi}" for i, e in self.due.items() if i not in by_id and e.doi}
        # a paper whose link names its proceedings needs no title match to find its volume
        titled = [i for i, e in self.due.items() if i not in by_id and e.place is None]
        self.progress(stage, 0, len(self.due))
        hints = dict(zip(by_id, s2.batch(list(by_id.values())) if by_id else [], strict=True))
        self.progress(stage, len(by_id), len(self.due))
        for done, ident in enumerate(titled, len(by_id) + 1):
            hints[ident] = s2.match(self.due[ident].title)
            self.progress(stage, done, len(self.due))
        return hints

    def _tables_of_contents(self, hints: dict[str, S2Paper | None]) -> None:
        """Each named volume's table of contents once (and, for a title not in it, the next
        year's: a preprint's year is often the year before the proceedings')."""
        tries: dict[str, list[str]] = {}  # title -> volumes to look in, in turn
        for ident, evidence in self.due.items():
            places = [evidence.place] if evidence.place else []  # the link's proceedings first
            if (hint := hints.get(ident)) is not None and hint.venue and hint.year is not None:
                places += [(hint.venue, hint.year), (hint.venue, hint.year + 1)]
            volumes = [v for v in dict.fromkeys(dblp_volume(*place) for place in places) if v]
            if volumes:
                tries[normalize_title(evidence.title)] = volumes
        contents: dict[str, Hits] = {}
        wanted = {volumes[0] for volumes in tries.values()}
        for turn in range(3):
            for title, volumes in tries.items():
                if title in self.hits or turn >= len(volumes):
                    continue
                volume = volumes[turn]
                if volume not in contents:
                    self.progress("published versions: dblp", len(contents), len(wanted))
                    contents[volume] = _by_title(self.services.dblp.toc(volume))
                self._place(title, contents[volume].get(title, []))
        titles = {volume: list(records) for volume, records in contents.items()}
        for title, volumes in tries.items():  # a title 95 % alike (a typo, a changed word) is judged too
            for volume in (v for v in volumes if title not in self.hits and v in contents):
                for near in difflib.get_close_matches(title, titles[volume], n=3, cutoff=TITLE_MATCH):
                    if title_matches(title, near):  # the same numbers too
                        self._place(title, contents[volume][near])

    def _dblp_pins(self) -> None:
        for pin in dict.fromkeys(e.pin for e in self.due.values() if e.pin and not _is_doi(e.pin)):
            record = self.services.dblp.record(pin)
            self._place(pin, [record] if record else [])

    def _dois(self, hints: dict[str, S2Paper | None]) -> None:
        """Every DOI known for a paper not placed yet (and every pinned DOI): Crossref in
        batches, doi.org for what Crossref does not hold."""
        wanted: dict[str, list[str]] = {}  # lower-cased DOI -> where to place its record
        for ident, evidence in self.due.items():
            if evidence.pin and _is_doi(evidence.pin):
                wanted.setdefault(evidence.pin.lower(), []).append(evidence.pin)
            if self._placed(ident) or evidence.pin:
                continue
            hint = hints.get(ident)
            for doi in {evidence.doi, hint.doi if hint else None} - {None}:
                assert doi is not None
                wanted.setdefault(doi.lower(), []).append(normalize_title(evidence.title))
        if not wanted:
            return
        self.progress("published versions: crossref", 0, len(wanted))
        found = self.services.crossref.works(list(wanted))
        rest = [doi for doi in wanted if doi not in found]
        for done, doi in enumerate(rest, 1):
            self.progress("published versions: doi.org", done, len(rest))
            if (record := self.services.doi_org.work(doi)) is not None:
                found[doi] = record
        for doi, record in found.items():
            for where in (doi, *wanted[doi]):
                self._place(where, [record])

    def _searches(self, hints: dict[str, S2Paper | None]) -> None:
        """Crossref's search, one a title, for what no ID and no batch could place."""
        left = [i for i, e in self.due.items() if self._unplaced(i, e, hints.get(i))]
        for done, ident in enumerate(left, 1):
            self.progress("published versions: crossref search", done, len(left))
            evidence = self.due[ident]
            names = evidence.authors[0].split() if evidence.authors else []
            found = self.services.crossref.search(evidence.title, names[-1] if names else None)
            self._place(normalize_title(evidence.title), [r for r in found if not r.informal])

    def _unplaced(self, ident: str, evidence: Evidence, hint: S2Paper | None) -> bool:
        """Whether a paper is worth a search: nothing placed it, no DOI or pin names it, and no
        table of contents was read for it: Semantic Scholar does not know it, or names a main
        venue DBLP has no table of contents for (ECCV, a journal). A volume that was read and
        lacks the title is an answer, not a reason to search."""
        if evidence.pin or self._placed(ident) or (evidence.doi and evidence.doi.lower() in self.hits):
            return False
        if evidence.place is not None and dblp_volume(*evidence.place) is not None:
            return False
        if hint is None:
            return True
        volume = dblp_volume(hint.venue, hint.year) if hint.year is not None else None
        return _published_hint(hint) and volume is None


def _published_hint(hint: S2Paper) -> bool:
    """Whether Semantic Scholar names a main venue for the paper: not arXiv, not a workshop
    (a search would find that workshop paper, which is never taken)."""
    preprint = re.sub(r"[^a-z]", "", hint.venue.lower()) in ("", "arxiv", "arxivorg", "corr")
    return not preprint and not side_event(hint.venue)


def _is_doi(pin: str) -> bool:
    return pin.startswith("10.")


def _by_title(records: list[IndexRecord]) -> Hits:
    out: Hits = {}
    for record in records:
        out.setdefault(normalize_title(record.title), []).append(record)
    return out
