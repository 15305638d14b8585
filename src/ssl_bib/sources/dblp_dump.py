"""DBLP's XML dump (`dblp.xml.gz`), read offline: streamed once, keeping only the records
whose title is one asked for, so memory stays flat however large the file.

The dump is ISO-8859-1 and names its accented letters with the entities `dblp.dtd` declares
(`&eacute;`); the DTD itself is not read: those names are HTML's, given to the parser.
"""

from __future__ import annotations

import gzip
import html.entities
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast
from xml.etree import ElementTree

from ..errors import SnapshotError
from ..titles import normalize_title
from .records import IndexRecord, dblp_series

RECORDS = frozenset({"article", "inproceedings"})  # what can be a publication of a paper
FIELDS = frozenset({"author", "title", "year", "booktitle", "journal", "pages", "volume", "number", "ee"})
_DOI = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$")


def scan(path: str | Path, titles: Iterable[str], pins: Iterable[str] = ()) -> dict[str, list[IndexRecord]]:
    """Read the dump once; every publication-like record whose normalized title is one of
    titles' (normalized), in file order, and under each pin (a DBLP key or DOI, as given)
    the record it names."""
    wanted = {normalize_title(t) for t in titles}
    target = _Target(wanted, {p.lower(): p for p in pins})
    parser = _parser(target)
    path = Path(path)
    try:
        with _open(path) as stream:
            while chunk := stream.read(1 << 20):
                parser.feed(chunk)
        parser.close()
    except OSError as exc:
        raise SnapshotError(str(path), None, f"cannot read the DBLP dump: {exc.strerror or exc}") from None
    except (ElementTree.ParseError, EOFError, gzip.BadGzipFile) as exc:
        raise SnapshotError(str(path), None, f"not a DBLP XML dump ({exc})") from None
    return target.found


def records_in(xml: bytes) -> list[IndexRecord]:
    """Every publication-like record of a piece of DBLP XML (`/rec/KEY.xml`'s answer is the
    dump's format); ElementTree.ParseError when it is not XML."""
    target = _Target(set(), keep_all=True)
    parser = _parser(target)
    parser.feed(xml)
    parser.close()
    return [record for records in target.found.values() for record in records]


def _parser(target: _Target) -> ElementTree.XMLParser:
    parser = ElementTree.XMLParser(target=target)
    parser.entity.update({name: chr(code) for name, code in html.entities.name2codepoint.items()})
    return parser


def _open(path: Path) -> BinaryIO:
    if not path.is_file():
        raise OSError(2, "no such file")
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return cast(BinaryIO, gzip.open(path, "rb") if gzipped else open(path, "rb"))  # noqa: SIM115


@dataclass
class _Target:
    """An ElementTree parser target that builds no tree: it keeps the few fields of the
    record being read, and the record only when its title is wanted."""

    wanted: set[str]
    pins: dict[str, str] = field(default_factory=dict)  # lower-cased key or DOI -> as given
    keep_all: bool = False  # keep every record, under its key
    found: dict[str, list[IndexRecord]] = field(default_factory=dict)
    _record: dict[str, Any] | None = None
    _field: str | None = None
    _text: list[str] = field(default_factory=list)
    _depth: int = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self._depth += 1
        if self._depth == 2 and tag in RECORDS:
            self._record = {"kind": tag, "key": attrs.get("key", ""), "author": [], "informal": False}
            self._record["informal"] = attrs.get("publtype") == "informal"
        elif self._record is not None and self._depth == 3 and tag in FIELDS:
            self._field, self._text = tag, []

    def data(self, text: str) -> None:
        if self._field is not None:
            self._text.append(text)

    def end(self, tag: str) -> None:
        self._depth -= 1
        record = self._record
        if record is None:
            return
        if self._field is not None and self._depth == 2:
            value = " ".join("".join(self._text).split())
            if self._field == "author":
                record["author"].append(value)
            elif self._field == "ee":
                record.setdefault("ee", []).append(value)
            else:
                record.setdefault(self._field, value)
            self._field = None
        elif self._depth == 1:
            self._record = None
            self._keep(record)

    def close(self) -> None:
        return None

    def _keep(self, record: dict[str, Any]) -> None:
        title = record.get("title", "").rstrip(".")
        norm = normalize_title(title)
        doi = next((m.group(1) for e in record.get("ee", []) if (m := _DOI.match(e))), None)
        places = [norm] if norm and norm in self.wanted else []
        places += [self.pins[k] for k in (record["key"].lower(), (doi or "").lower()) if k in self.pins]
        places += [record["key"]] if self.keep_all else []
        if not places:
            return
        year = record.get("year", "")
        kept = IndexRecord(
            key=record["key"],
            kind=record["kind"],
            title=title,
            authors=tuple(record["author"]),
            year=int(year) if year.isascii() and year.isdigit() else None,
            venue=record.get("booktitle") or record.get("journal") or "",
            pages=record.get("pages"),
            volume=record.get("volume"),
            doi=doi,
            informal=record["informal"],
            series=dblp_series(record["key"]),
        )
        for place in places:
            self.found.setdefault(place, []).append(kept)
