"""The list's venue column -> entry kind, spelled-out container and year (one table)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

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


# (abbreviation, kind, (first year, full name) from oldest to newest)
_TABLE: dict[str, tuple[EntryKind, tuple[tuple[int, str], ...]]] = {
    "CVPR": (
        "conference",
        (
            (0, "IEEE Computer Society Conference on Computer Vision and Pattern Recognition (CVPR)"),
            (2008, "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"),
            (
                2019,
                "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
            ),
        ),
    ),
    "ICCV": (
        "conference",
        (
            (0, "Proceedings of the IEEE International Conference on Computer Vision (ICCV)"),
            (2019, "Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)"),
        ),
    ),
    "ECCV": ("conference", ((0, "European Conference on Computer Vision (ECCV)"),)),
    "ICML": ("conference", ((0, "International Conference on Machine Learning (ICML)"),)),
    "NEURIPS": ("conference", ((0, "Advances in Neural Information Processing Systems (NeurIPS)"),)),
    "NIPS": ("conference", ((0, "Advances in Neural Information Processing Systems (NeurIPS)"),)),
    "ICLR": ("conference", ((0, "International Conference on Learning Representations (ICLR)"),)),
    "IROS": (
        "conference",
        ((0, "IEEE/RSJ International Conference on Intelligent Robots and Systems (IROS)"),),
    ),
    "ACMMM": ("conference", ((0, "ACM International Conference on Multimedia (ACM MM)"),)),
    "AAAI": ("conference", ((0, "Proceedings of the AAAI Conference on Artificial Intelligence (AAAI)"),)),
    "ACL": (
        "conference",
        ((0, "Proceedings of the Annual Meeting of the Association for Computational Linguistics (ACL)"),),
    ),
    "ICASSP": (
        "conference",
        ((0, "IEEE International Conference on Acoustics, Speech and Signal Processing (ICASSP)"),),
    ),
    "INTERSPEECH": ("conference", ((0, "Interspeech"),)),
    "EMNLP": (
        "conference",
        ((0, "Proceedings of the Conference on Empirical Methods in Natural Language Processing (EMNLP)"),),
    ),
    "TPAMI": ("journal", ((0, "IEEE Transactions on Pattern Analysis and Machine Intelligence"),)),
    "IEEEACCESS": ("journal", ((0, "IEEE Access"),)),
}
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
    entry = _TABLE.get(re.sub(r"[^A-Z]", "", m.group("name").upper())) if m else None
    if m is None or entry is None:
        return Venue("preprint", note=text, known=False)
    year = int(m.group("year")) if m.group("year") else None
    short = " ".join(filter(None, [m.group("name").strip(), m.group("year")]))
    if review:
        return Venue("preprint", short=short, note=f"Under review at {short}")
    kind, names = entry
    container = [name for first, name in names if (year or 9999) >= first][-1]
    return Venue(kind, container, year, short)


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


# How indexes name the registry's venues when their names are not its labels: DBLP's
# booktitles (letters only, upper case) and, for a booktitle it does not know, DBLP's series.
_INDEX_NAMES = {"ACMMULTIMEDIA": "ACMMM", "NIPS": "NEURIPS"}
_DBLP_SERIES = {
    "conf/cvpr": "CVPR", "conf/iccv": "ICCV", "conf/eccv": "ECCV", "conf/icml": "ICML",
    "conf/nips": "NEURIPS", "conf/iclr": "ICLR", "conf/mm": "ACMMM", "conf/aaai": "AAAI",
    "conf/icassp": "ICASSP", "conf/interspeech": "INTERSPEECH", "journals/pami": "TPAMI",
}  # fmt: skip


def index_venue(name: str, series: str, kind: EntryKind, year: int) -> Venue:
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
    letters = re.sub(r"[^A-Z]", "", name.upper())
    label = _INDEX_NAMES.get(letters) or (letters if letters in _TABLE else None) or _DBLP_SERIES.get(series)
    if label is None:
        return Venue(kind, name, year, f"{name} {year}", known=False)
    venue = parse_venue(f"{label} {year}")
    return Venue(kind, venue.container, year, venue.short)


# How Semantic Scholar names the registry's venues (lower-case letters only).
_S2_NAMES = {
    "computervisionandpatternrecognition": "CVPR",
    "ieeeconferenceoncomputervisionandpatternrecognition": "CVPR",
    "ieeeinternationalconferenceoncomputervision": "ICCV",
    "internationalconferenceoncomputervision": "ICCV",
    "europeanconferenceoncomputervision": "ECCV",
    "internationalconferenceonmachinelearning": "ICML",
    "neuralinformationprocessingsystems": "NEURIPS",
    "internationalconferenceonlearningrepresentations": "ICLR",
    "acmmultimedia": "ACMMM",
    "ieeeinternationalconferenceonacousticsspeechandsignalprocessing": "ICASSP",
    "annualmeetingoftheassociationforcomputationallinguistics": "ACL",
    "conferenceonempiricalmethodsinnaturallanguageprocessing": "EMNLP",
    "aaaiconferenceonartificialintelligence": "AAAI",
}
# DBLP's table of contents of a venue's main proceedings in a year (None: none known).
_DBLP_TOC: dict[str, Callable[[int], str | None]] = {
    "CVPR": lambda y: f"conf/cvpr/cvpr{y}",
    "ICCV": lambda y: f"conf/iccv/iccv{y}",
    "ICML": lambda y: f"conf/icml/icml{y}",
    "ICLR": lambda y: f"conf/iclr/iclr{y}",
    "NEURIPS": lambda y: f"conf/nips/neurips{y}" if y >= 2020 else f"conf/nips/nips{y}",
    "ACMMM": lambda y: f"conf/mm/mm{y}",
    "ICASSP": lambda y: f"conf/icassp/icassp{y}",
    "AAAI": lambda y: f"conf/aaai/aaai{y}",
    "ACL": lambda y: f"conf/acl/{y}.acl-main" if y >= 2020 else None,
    "EMNLP": lambda y: f"conf/acl/{y}.emnlp-main" if y >= 2020 else None,
}


def dblp_volume(venue: str, year: int) -> str | None:
    """The DBLP table of contents of the main proceedings a venue name means in a year: a
    list's label (`CVPR`), DBLP's (`NeurIPS`) or Semantic Scholar's (`Neural Information
    Processing Systems`).

    >>> dblp_volume("Neural Information Processing Systems", 2019), dblp_volume("CVPR", 2020)
    ('conf/nips/nips2019', 'conf/cvpr/cvpr2020')
    >>> dblp_volume("CVPR Workshops", 2020) is None, dblp_volume("Some Journal", 2020) is None
    (True, True)
    """
    letters = re.sub(r"[^a-z]", "", venue.lower())
    label = _S2_NAMES.get(letters) or _INDEX_NAMES.get(letters.upper()) or letters.upper()
    make = _DBLP_TOC.get(label)
    return make(year) if make else None
