"""Zotero RDF: parsed with rdflib, the collection tree and every membership must be the
catalog's sections and papers; items carry what Zotero's RDF import reads."""

from __future__ import annotations

import pytest
from helpers import seed, small
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.container import Seq

from ssl_bib.pipeline import render_all
from ssl_bib.writers.zotero_rdf import collection_uri, item_uri

Z = Namespace("http://www.zotero.org/namespaces/export#")
DC = Namespace("http://purl.org/dc/elements/1.1/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
BIB = Namespace("http://purl.org/net/biblio#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PRISM = Namespace("http://prismstandard.org/namespaces/1.2/basic/")


def _graph(refs_of) -> tuple[Graph, object, list]:
    catalog, refs = refs_of()
    (text,) = render_all(refs, catalog, ["zotero-rdf"]).values()
    graph = Graph()
    graph.parse(data=text, format="xml")
    return graph, catalog, list(refs)


def _tree(graph: Graph) -> dict[str, tuple[str | None, str, list[str]]]:
    """collection URI -> (parent URI, title, member item URIs in order of the file)."""
    out: dict[str, tuple[str | None, str, list[str]]] = {}
    collections = set(graph.subjects(RDF.type, Z.Collection))
    for c in collections:
        parents = [p for p in graph.subjects(DCTERMS.hasPart, c) if p in collections]
        members = [str(m) for m in graph.objects(c, DCTERMS.hasPart) if m not in collections]
        out[str(c)] = (str(parents[0]) if parents else None, str(graph.value(c, DC.title)), sorted(members))
    return out


@pytest.mark.parametrize("refs_of", [seed, small], ids=["seed", "small"])
def test_collections_are_the_lists_sections_and_hold_their_papers(refs_of):
    graph, catalog, refs = _graph(refs_of)
    tree = _tree(graph)
    used = {s for r in refs for s in r.sections}
    expected = {}
    for section in catalog.sections:
        if not any(u == section.id or u.startswith(section.id + "/") for u in used):
            continue
        parent = section.id.rsplit("/", 1)[0] if "/" in section.id else None
        members = sorted(item_uri(r) for r in refs if section.id in r.sections)
        expected[collection_uri(section)] = (
            collection_uri(next(s for s in catalog.sections if s.id == parent)) if parent else None,
            section.title,
            members,
        )
    assert tree == expected
    if refs_of is seed:
        assert len(tree) == 15
        twice = [r for r in refs if len(r.sections) == 2]
        assert twice and all(sum(item_uri(t) in m for _, _, m in tree.values()) == 2 for t in twice)


def test_items_carry_what_zoteros_import_reads():
    graph, catalog, refs = _graph(seed)
    assert len(set(graph.subjects(Z.itemType, None))) == len(refs)
    for ref in refs:
        node = URIRef(item_uri(ref))
        kind = {"preprint": "preprint", "conference": "conferencePaper", "journal": "journalArticle"}[
            ref.kind
        ]
        assert str(graph.value(node, Z.itemType)) == kind
        assert str(graph.value(node, Z.citationKey)) == ref.key
        assert str(graph.value(node, DC.description)) == f"Citation Key: {ref.key}"
        seq = graph.value(node, BIB.authors)
        people = [graph.value(li, FOAF.surname) for li in Seq(graph, seq).items()] if seq else []
        assert [str(p) for p in people] == [a.full_family for a in ref.authors]
        ids = {str(i) for i in graph.objects(node, DC.identifier) if not isinstance(i, URIRef)}
        # a published paper never carries its preprint's DOI
        doi = ref.doi or (f"10.48550/arXiv.{ref.arxiv}" if ref.arxiv and ref.kind == "preprint" else None)
        assert (f"DOI {doi}" in ids) == bool(doi)
        if ref.arxiv:
            assert str(graph.value(node, Z.archiveID)) == f"arXiv:{ref.arxiv}"
        tags = {str(t) for t in graph.objects(node, DC.subject)}
        assert tags == {s.title for s in catalog.sections if s.id in ref.sections}
        date = str(graph.value(node, DC.date))
        assert date.startswith(str(ref.year))
    oord = URIRef(item_uri(next(r for r in refs if r.key == "oord2018representation")))
    first = Seq(graph, graph.value(oord, BIB.authors)).items()[0]
    assert (str(graph.value(first, FOAF.surname)), str(graph.value(first, FOAF.givenName))) == (
        "van den Oord",
        "Aaron",
    )


def test_a_published_paper_carries_its_journal_volume_and_pages():
    from dataclasses import replace

    catalog, refs = seed()
    refs = list(refs)
    pami = "IEEE Transactions on Pattern Analysis and Machine Intelligence"
    refs[0] = replace(refs[0], kind="journal", container=pami, volume="43", pages="1-12")
    refs[1] = replace(refs[1], kind="conference", container="Proceedings of X (X)", pages="5-6")
    (text,) = render_all(refs, catalog, ["zotero-rdf"]).values()
    graph = Graph()
    graph.parse(data=text, format="xml")
    article, paper = (URIRef(item_uri(r)) for r in refs[:2])
    journal = graph.value(article, DCTERMS.isPartOf)
    assert str(graph.value(article, Z.itemType)) == "journalArticle"
    assert (str(graph.value(journal, DC.title)), str(graph.value(journal, PRISM.volume))) == (pami, "43")
    assert str(graph.value(article, BIB.pages)) == "1-12"
    proceedings = graph.value(paper, DCTERMS.isPartOf)
    assert (
        str(graph.value(paper, Z.itemType)) == "conferencePaper"
        and str(graph.value(paper, BIB.pages)) == "5-6"
    )
    assert str(graph.value(proceedings, DC.title)) == "Proceedings of X (X)"
    assert graph.value(proceedings, PRISM.volume) is None
