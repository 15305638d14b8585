"""Venues: the list's venue column and an index's venue name -> entry kind, the registry's
spelled-out container, and year. The registry is data (`venues.toml`), one entry a venue."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from .arxiv_id import parse_arxiv_id
from .model import EntryKind


@dataclass(frozen=True)
class Venue:
    """What a venue label means for a bibliography."""

    kind: EntryKind
    container: str | None = None
    year: int | None = None
    short: str | None = None
    note: str | None = None
    known: bool = True
    abbreviation: str | None = None  # the registry's short name ("NeurIPS"), for CSL


@dataclass(frozen=True)
class Known:
    """One venue of the registry (`venues.toml`): its label, kind, names by year, the names
    others call it by, DBLP's series, the DBLP tables of contents of its main proceedings."""

    id: str
    short: str
    kind: EntryKind
    names: tuple[tuple[int, str], ...]
    aliases: tuple[str, ...] = ()
    dblp: str | None = None
    toc: tuple[tuple[int, str], ...] = ()
    issn: tuple[str, ...] = ()
    pmlr: tuple[tuple[int, int], ...] = ()  # (PMLR volume, year) of its proceedings

    def name(self, year: int | None) -> str:
        return [name for first, name in self.names if (year or 9999) >= first][-1]

    def volume(self, year: int) -> str | None:
        made = [pattern for first, pattern in self.toc if year >= first]
        return made[-1].format(year=year) if made else None


def _load_registry() -> tuple[Known, ...]:
    data = tomllib.loads(resources.files(__package__).joinpath("venues.toml").read_text("utf-8"))
    return tuple(
        Known(
            id=v["id"],
            short=v["short"],
            kind=v["kind"],
            names=tuple((int(first), str(name)) for first, name in v["names"]),
            aliases=tuple(v.get("aliases", ())),
            dblp=v.get("dblp"),
            toc=tuple((int(first), str(pattern)) for first, pattern in v.get("toc", ())),
            issn=tuple(v.get("issn", ())),
            pmlr=tuple((int(volume), int(year)) for volume, year in v.get("pmlr", ())),
        )
        for v in data["venue"]
    )


REGISTRY = _load_registry()


def _letters(name: str) -> str:
    """A name compared by its letters: case, digits, punctuation and a leading "Proceedings
    of the" aside (`2020 IEEE/CVF Conference on ...` reads as `ieeecvfconferenceon...`)."""
    text = re.sub(r"\b\d+(?:st|nd|rd|th)\b|\b(?:19|20)\d\d\b", " ", name.lower())  # "58th", "2020"
    text = re.sub(r"^\W*(?:proceedings\s+of\s+)?(?:the\s+)?", "", text)
    return re.sub(r"[^a-z]", "", text)


def _named(name: str) -> Iterable[str]:
    yield name
    yield re.sub(r"\s*\([^()]*\)\s*$", "", name)  # "Interspeech", "... (CVPR)" without it


_BY_NAME = {
    _letters(alias): known
    for known in REGISTRY
    for name in (known.id, *known.aliases, *(n for _, n in known.names))
    for alias in _named(name)
}
_BY_ID = {known.id: known for known in REGISTRY}
_BY_SERIES = {key: known for known in REGISTRY for key in (known.dblp, *known.issn) if key}
_SIDE_EVENT = re.compile(r"\b(?:workshops?|findings|companion|adjunct|demos?|posters?)\b", re.IGNORECASE)


def side_event(name: str) -> bool:
    """Whether a venue name is a workshop, Findings, companion, demo or poster track: never
    its main conference."""
    return _SIDE_EVENT.search(name) is not None


def registered(name: str, series: str = "") -> Known | None:
    """The registry's venue a name means (a list's label, an index's venue name, a Crossref
    container title with its `(CVPR)`, a DBLP series or an ISSN), None when it knows none.

    >>> registered("2020 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)").id
    'CVPR'
    >>> registered("Computer Vision – ECCV 2020").id, registered("ACM Multimedia").id
    ('ECCV', 'ACMMM')
    >>> registered("Proceedings of the 58th Annual Meeting of the ACL").id
    'ACL'

    >>> registered("CVPR Workshops") is None
    True
    """
    if side_event(name):
        return None  # a workshop, Findings or companion is never its main conference
    letters = _letters(name)
    if (known := _BY_NAME.get(letters)) is not None:
        return known
    if m := re.search(r"\(([A-Za-z]+)\)\s*$", name):  # "... Recognition (CVPR)"
        inner = _BY_NAME.get(_letters(m.group(1)))
        outer = _BY_NAME.get(_letters(name[: m.start()]))
        if inner is not None and outer in (None, inner):
            return inner
        return outer
    return _BY_SERIES.get(series) if series else None


_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.]\d)")
_SHORT_YEAR = re.compile(r"'\s*(\d{2})(?!\d)")
_LABEL = re.compile(r"^(?P<name>[A-Za-z][A-Za-z .&-]*?)\s*(?P<year>(?:19|20)\d{2})?$")


def venue_year(text: str) -> int | None:
    """Read a four-digit year (or `'21`) out of a venue label.

    >>> venue_year("NeurIPS'2022"), venue_year("ICCV'21"), venue_year("IEEE Access")
    (2022, 2021, None)
    """
    if m := _YEAR.search(text):
        return int(m.group(1))
    if m := _SHORT_YEAR.search(text):
        return 2000 + int(m.group(1))
    return None


def parse_venue(label: str | None) -> Venue:
    """Read a venue label such as `CVPR 2020`, `ICLR2021 under review` or `arXiv:2002.05709`.

    >>> parse_venue("ACMMM2020").container
    'ACM International Conference on Multimedia (ACM MM)'
    >>> parse_venue("ICLR 2021 under review").note
    'Under review at ICLR 2021'
    """
    text = " ".join((label or "").split())
    if not text or parse_arxiv_id(text) or text.lower() == "arxiv":
        return Venue("preprint")
    review = re.search(r"\s*under review\s*$", text, re.IGNORECASE)
    body = text[: review.start()] if review else text
    m = _LABEL.match(body)
    known = registered(m.group("name")) if m else None
    if m is None or known is None:
        return Venue("preprint", note=text, known=False)
    year = int(m.group("year")) if m.group("year") else None
    short = " ".join(filter(None, [m.group("name").strip(), m.group("year")]))
    if review:
        return Venue("preprint", short=short, note=f"Under review at {short}")
    return Venue(known.kind, known.name(year), year, short, abbreviation=known.short)


def published_venue(journal_ref: str) -> Venue:
    """Read arXiv's journal-ref (`CVPR 2020`, `IEEE TPAMI 43(5), 2021`) as a publication.

    >>> published_venue("CVPR 2020").kind, published_venue("Phys.Rev.D76:013009,2007").container
    ('conference', 'Phys.Rev.D76:013009,2007')
    """
    text = " ".join(journal_ref.split())
    known = parse_venue(text)
    if known.known and known.kind != "preprint":
        return known
    kind: EntryKind = "conference" if _PROCEEDINGS.search(text) else "journal"
    return Venue(kind, text, venue_year(text), known=False)


_PROCEEDINGS = re.compile(r"proc|conf|workshop|symposium|meeting", re.IGNORECASE)


def index_venue(name: str, series: str, kind: EntryKind, year: int, venue_id: str | None = None) -> Venue:
    """A venue as an index gives it (DBLP's booktitle `ACM Multimedia`, its series `conf/mm`)
    as the registry names it; one the registry does not know keeps the index's own name
    (`known` is False, and `check` says so).

    >>> index_venue("CVPR", "conf/cvpr", "conference", 2020).container
    'Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)'
    >>> index_venue("ACM Multimedia", "conf/mm", "conference", 2020).short
    'ACMMM 2020'
    >>> index_venue("SIGGRAPH", "conf/siggraph", "conference", 2020).known
    False
    """
    known = _BY_ID.get(venue_id or "") or registered(name, series)  # the lock's id, while the registry has it
    if known is None:
        return Venue(kind, name, year, f"{name} {year}", known=False)
    return Venue(kind, known.name(year), year, f"{known.id} {year}", abbreviation=known.short)


def dblp_volume(venue: str, year: int) -> str | None:
    """The DBLP table of contents of the main proceedings a venue name means in a year: a
    list's label (`CVPR`), DBLP's (`NeurIPS`) or Semantic Scholar's (`Neural Information
    Processing Systems`).

    >>> dblp_volume("Neural Information Processing Systems", 2019), dblp_volume("CVPR", 2020)
    ('conf/nips/nips2019', 'conf/cvpr/cvpr2020')
    >>> dblp_volume("CVPR Workshops", 2020) is None, dblp_volume("Some Journal", 2020) is None
    (True, True)
    """
    known = registered(venue)
    return known.volume(year) if known else None


# Proceedings sites whose addresses name the venue and year: the CVF's open access pages
# (`content_CVPR_2020`, `content/ICCV2021`; a trailing W or `_workshops` is a workshop),
# NeurIPS's (`paper/2020`, `paper_files/paper/2022`), and PMLR's volumes (`v119`).
_CVF = re.compile(
    r"^https?://openaccess\.thecvf\.com/content[_/]([A-Za-z]+)_?(\d{4})(W|_workshops)?/", re.IGNORECASE
)
_NEURIPS = re.compile(
    r"^https?://(?:proceedings\.neurips\.cc|papers\.nips\.cc)/paper(?:_files/paper)?/(\d{4})/"
)
_PMLR = re.compile(r"^https?://proceedings\.mlr\.press/v(\d+)/")


def venue_in_link(url: str | None) -> tuple[str, int] | None:
    """The main venue and year a paper's link names, when its address says them.

    >>> venue_in_link("https://openaccess.thecvf.com/content_CVPR_2020/papers/He_Momentum.pdf")
    ('CVPR', 2020)
    >>> venue_in_link("https://proceedings.mlr.press/v119/chen20j.html")
    ('ICML', 2020)
    >>> venue_in_link("https://openaccess.thecvf.com/content/CVPR2021W/x.pdf") is None
    True
    """
    if not url:
        return None
    if (m := _CVF.match(url)) and not m.group(3) and (known := registered(m.group(1))):
        return known.id, int(m.group(2))
    if m := _NEURIPS.match(url):
        return "NEURIPS", int(m.group(1))
    if m := _PMLR.match(url):
        volume = int(m.group(1))
        return next(((k.id, year) for k in REGISTRY for v, year in k.pmlr if v == volume), None)
    return None
