"""The immutable records the stages exchange: catalog rows, arXiv records, references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Section:
    """A heading of the list; `id` is a slug path where `/` nests."""

    id: str
    title: str
    line: int | None = None

    @property
    def depth(self) -> int:
        return self.id.count("/")


@dataclass(frozen=True)
class Paper:
    """One row of the catalog, as the list (or a maintainer) wrote it.

    `authors`, `year`, `doi` and `key` are hand-written and always win over arXiv;
    `listed_authors` and `listed_year` are what the list itself says: evidence that never
    overrides arXiv, used only for a paper arXiv does not know (and to check title matches).
    """

    title: str
    sections: tuple[str, ...]
    short: str | None = None
    arxiv: str | None = None
    url: str | None = None
    venue: str | None = None
    note: str | None = None
    key: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    doi: str | None = None
    line: int | None = None
    code: str | None = None
    listed_authors: tuple[str, ...] = ()
    listed_year: int | None = None
    sentence_case: str | None = None  # hand-written: the title as it reads in sentence case
    published: bool | str | None = None  # hand-written: False keeps a preprint; a key/DOI pins


@dataclass(frozen=True)
class Catalog:
    """The whole catalog: its title, sections and papers in list order."""

    title: str
    sections: tuple[Section, ...]
    papers: tuple[Paper, ...]
    path: str = "papers.toml"


@dataclass(frozen=True)
class ArxivRecord:
    """What arXiv says about one paper (latest version's metadata, first version's date)."""

    id: str
    version: int
    title: str
    authors: tuple[str, ...]
    published: str  # first version, YYYY-MM-DD
    updated: str  # latest version, YYYY-MM-DD
    categories: tuple[str, ...] = ()
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None


@dataclass(frozen=True)
class Name:
    """A person's name split the way BibTeX and CSL see it."""

    family: str
    given: str = ""
    particle: str = ""  # "van den", kept in front of the family name
    suffix: str = ""  # "Jr."

    @property
    def full_family(self) -> str:
        return f"{self.particle} {self.family}" if self.particle else self.family


EntryKind = Literal["preprint", "conference", "journal"]


@dataclass(frozen=True)
class Reference:
    """One bibliographic record, ready for any writer: the merge of catalog and arXiv."""

    key: str
    kind: EntryKind
    title: str
    authors: tuple[Name, ...]
    year: int | None
    sections: tuple[str, ...]
    date: tuple[int, ...] = ()  # (year, month, day) of the first arXiv version
    arxiv: str | None = None
    primary_class: str | None = None
    doi: str | None = None
    url: str | None = None
    container: str | None = None  # booktitle or journal, spelled out
    container_short: str | None = None  # its short name ("NeurIPS")
    publisher: str | None = None
    note: str | None = None  # "Under review at ICLR 2021"
    short: str | None = None
    sentence_title: str | None = None  # a maintainer's sentence case for CSL, Zotero, lists
    pages: str | None = None  # of the published version ("9726-9735")
    volume: str | None = None  # of a journal
    columns: tuple[tuple[str, str], ...] = ()  # the list's own columns: (header, cell) as written
    places: tuple[tuple[str, int], ...] = ()  # (section id, catalog line) of each listing

    @property
    def printed_doi(self) -> str | None:
        """The DOI outputs print: the paper's own, else arXiv's for a preprint (a published
        paper whose index names no DOI is not given its preprint's)."""
        if self.doi or self.kind != "preprint":
            return self.doi
        return f"10.48550/arXiv.{self.arxiv}" if self.arxiv else None
