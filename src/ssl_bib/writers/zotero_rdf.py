"""Zotero RDF (`papers.rdf`): the items and the list's sections as nested collections.

Written as Zotero's own RDF import (the `RDF.js` translator) reads it: each item is a
resource with `z:itemType`, creators in `bib:authors/rdf:Seq/foaf:Person`, `dc:date`,
`dc:subject` tags, DOI and URL as `dc:identifier`, the arXiv number as `z:archiveID`, the
repository or publisher as `dc:publisher/foaf:Organization`, `z:citationKey`, and an Extra
field (`dc:description`) holding `Citation Key: KEY` for Zotero versions without that field.
Each section is a `z:Collection` whose `dcterms:hasPart` points at its child collections and
items; collections nothing points to are top-level. The XML is written by the standard
library's SAX generator, which escapes every value; the tests parse it with rdflib.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesNSImpl

from ..csl import csl_title
from ..model import Name, Reference, Section
from . import Job

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NAMESPACES = {
    "rdf": RDF,
    "z": "http://www.zotero.org/namespaces/export#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "bib": "http://purl.org/net/biblio#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prism": "http://prismstandard.org/namespaces/1.2/basic/",
}
_ITEM_TYPES = {"preprint": "preprint", "conference": "conferencePaper", "journal": "journalArticle"}


def item_uri(ref: Reference) -> str:
    """The URI an item is known by in the file (collections point at it)."""
    return f"urn:ssl-bib:item:{ref.key}"


def collection_uri(section: Section) -> str:
    return f"urn:ssl-bib:collection:{section.id}"


class _Writer:
    """Elements as `prefix:name`; text and attribute values escaped by XMLGenerator."""

    def __init__(self) -> None:
        self.out = io.StringIO()
        self.xml = XMLGenerator(self.out, encoding="utf-8")
        self.depth = 0

    def start(self, name: str, attrs: dict[str, str] | None = None) -> None:
        self.out.write("\n" + "  " * self.depth)
        self.xml.startElementNS(_split(name), name, _attrs(attrs or {}))
        self.depth += 1

    def end(self, name: str, inline: bool = False) -> None:
        self.depth -= 1
        if not inline:
            self.out.write("\n" + "  " * self.depth)
        self.xml.endElementNS(_split(name), name)

    def nested(self, path: tuple[str, ...], text: str) -> None:
        """`<a><b><c>text</c></b></a>` for path (a, b, c)."""
        for name in path[:-1]:
            self.start(name)
        self.leaf(path[-1], text)
        for name in reversed(path[:-1]):
            self.end(name)

    def leaf(self, name: str, text: str | None = None, attrs: dict[str, str] | None = None) -> None:
        self.start(name, attrs)
        if text is not None:
            self.xml.characters(text)
        self.end(name, inline=True)


def _attrs(attrs: dict[str, str]) -> AttributesNSImpl:
    """Attributes as XMLGenerator.startElementNS takes them: by (namespace, name) and qname."""
    values: dict[tuple[str | None, str], str] = {_split(k): v for k, v in attrs.items()}
    return AttributesNSImpl(values, {_split(k): k for k in attrs})


def _split(name: str) -> tuple[str | None, str]:
    prefix, local = name.split(":")
    return NAMESPACES[prefix], local


def render(refs: Sequence[Reference], job: Job) -> str:
    """Write the RDF/XML document: every item, then the collection tree."""
    w = _Writer()
    w.xml.startDocument()
    for prefix, uri in NAMESPACES.items():
        w.xml.startPrefixMapping(prefix, uri)
    w.xml.startElementNS((RDF, "RDF"), "rdf:RDF", _attrs({}))
    w.depth = 1
    titles = {s.id: s.title for s in job.sections}
    for ref in refs:
        _item(w, ref, [titles.get(s, s) for s in ref.sections])
    _collections(w, refs, job.sections)
    w.depth = 0
    w.out.write("\n")
    w.xml.endElementNS((RDF, "RDF"), "rdf:RDF")
    w.xml.endDocument()
    return w.out.getvalue() + "\n"


def _item(w: _Writer, ref: Reference, tags: list[str]) -> None:
    w.start("rdf:Description", {"rdf:about": item_uri(ref)})
    w.leaf("z:itemType", _ITEM_TYPES[ref.kind])
    if ref.container:  # the journal or proceedings, with a journal's volume, as Zotero writes them
        w.start("dcterms:isPartOf")
        w.start("bib:Journal")
        if ref.volume:
            w.leaf("prism:volume", ref.volume)
        w.leaf("dc:title", ref.container)
        w.end("bib:Journal")
        w.end("dcterms:isPartOf")
    if ref.pages:
        w.leaf("bib:pages", ref.pages)
    if ref.publisher:
        w.nested(("dc:publisher", "foaf:Organization", "foaf:name"), ref.publisher)
    if ref.authors:
        _creators(w, ref.authors)
    for tag in tags:
        w.leaf("dc:subject", tag)
    w.leaf("dc:title", csl_title(ref.title, as_written=ref.sentence_title))
    if parts := ref.date or ((ref.year,) if ref.year else ()):
        w.leaf("dc:date", "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)))
    if doi := ref.printed_doi:
        w.leaf("dc:identifier", f"DOI {doi}")
    if ref.url:
        w.nested(("dc:identifier", "dcterms:URI", "rdf:value"), ref.url)
    if ref.arxiv:
        w.leaf("z:archiveID", f"arXiv:{ref.arxiv}")
    w.leaf("z:citationKey", ref.key)
    w.leaf("dc:description", f"Citation Key: {ref.key}")
    w.end("rdf:Description")


def _creators(w: _Writer, authors: Sequence[Name]) -> None:
    w.start("bib:authors")
    w.start("rdf:Seq")
    for name in authors:
        w.start("rdf:li")
        w.start("foaf:Person")
        w.leaf("foaf:surname", name.full_family)
        given = f"{name.given}, {name.suffix}" if name.suffix else name.given
        if given:
            w.leaf("foaf:givenName", given)
        w.end("foaf:Person")
        w.end("rdf:li")
    w.end("rdf:Seq")
    w.end("bib:authors")


def _collections(w: _Writer, refs: Sequence[Reference], sections: Sequence[Section]) -> None:
    """One collection per section that holds papers (itself or below), in the list's order."""
    used = {s for r in refs for s in r.sections}
    shown = [s for s in sections if any(u == s.id or u.startswith(s.id + "/") for u in used)]
    ids = {s.id for s in shown}
    for section in shown:
        w.start("z:Collection", {"rdf:about": collection_uri(section)})
        w.leaf("dc:title", section.title)
        for child in shown:
            if child.id.rsplit("/", 1)[0] == section.id and child.id in ids and "/" in child.id:
                w.leaf("dcterms:hasPart", attrs={"rdf:resource": collection_uri(child)})
        for ref in refs:
            if section.id in ref.sections:
                w.leaf("dcterms:hasPart", attrs={"rdf:resource": item_uri(ref)})
        w.end("z:Collection")
