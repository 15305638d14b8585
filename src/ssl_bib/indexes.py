"""Where published versions are looked for: DBLP's XML dump, offline; or the live services,
IDs and batches first: Semantic Scholar says in one request per 500 arXiv IDs where each
paper went, and DBLP answers with whole tables of contents (1,000 records a request) for
just those venues and years, matched locally. Every candidate is then judged by `published`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .published import Evidence, Search
from .sources.dblp_api import DblpApi
from .sources.dblp_dump import DblpRecord, scan
from .sources.semantic_scholar import SemanticScholar
from .titles import normalize_title
from .venues import dblp_volume


def dump_search(path: Path) -> Search:
    """Search DBLP's dump: one pass over the file for every title and pin."""

    def search(due: Mapping[str, Evidence]) -> Mapping[str, list[DblpRecord]]:
        return scan(path, [e.title for e in due.values()], [e.pin for e in due.values() if e.pin])

    return search


def live_search(s2: SemanticScholar, dblp: DblpApi) -> Search:
    """Search the live services: Semantic Scholar's batch for the venue and year of every
    arXiv paper (its title match for a paper not on arXiv), then each named volume's table of
    contents once (and, for a title not in
    it, the next year's: a preprint's year is often the year before the proceedings')."""

    def search(due: Mapping[str, Evidence]) -> Mapping[str, list[DblpRecord]]:
        arxiv = [ident for ident in due if not ident.startswith("title:")]
        hints = s2.batch([f"ARXIV:{ident}" for ident in arxiv]) if arxiv else []
        titled = [ident for ident in due if ident.startswith("title:")]  # not on arXiv: one match each
        hints += [s2.match(due[ident].title) for ident in titled]
        volumes: dict[str, list[tuple[str, int]]] = {}  # title -> (venue, year) to try
        for ident, hint in zip(arxiv + titled, hints, strict=True):
            if hint is not None and hint.venue and hint.year is not None:
                volumes[normalize_title(due[ident].title)] = [
                    (hint.venue, hint.year),
                    (hint.venue, hint.year + 1),
                ]
        hits: dict[str, list[DblpRecord]] = {}
        contents: dict[str, dict[str, list[DblpRecord]]] = {}
        for turn in (0, 1):
            for title, tries in volumes.items():
                volume = dblp_volume(*tries[turn])
                if title in hits or volume is None:
                    continue
                if volume not in contents:
                    contents[volume] = _by_title(dblp.toc(volume))
                if title in contents[volume]:
                    hits[title] = contents[volume][title]
        return hits

    return search


def _by_title(records: list[DblpRecord]) -> dict[str, list[DblpRecord]]:
    out: dict[str, list[DblpRecord]] = {}
    for record in records:
        out.setdefault(normalize_title(record.title), []).append(record)
    return out
