"""BibTeX, BibLaTeX and CSL-JSON: golden files, parsed round trips, schema, properties."""

from __future__ import annotations

import json

import bibtexparser
import jsonschema
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from helpers import small
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ssl_bib.casing import title_case
from ssl_bib.model import Name
from ssl_bib.names import split_name
from ssl_bib.pipeline import render_all
from ssl_bib.writers import Job
from ssl_bib.writers.bibtex import format_name, format_title, render_bibtex
from ssl_bib.writers.csl_json import render as render_csl


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("bibtex", "papers.bib"),
        ("biblatex", "papers-biblatex.bib"),
        ("csl-json", "papers.json"),
        ("zotero-rdf", "papers.rdf"),
    ],
)
def test_small_catalog_golden(golden, fmt, name):
    catalog, refs = small()
    (text,) = render_all(refs, catalog, [fmt]).values()
    golden(f"small/{name}", text)


def test_one_record_per_paper_with_both_sections_as_keywords():
    catalog, refs = small()
    assert len(refs) == 7 and len(catalog.papers) == 8
    henaff = next(r for r in refs if r.key == "henaff2021dataefficient")
    assert henaff.sections == ("cv/contrastive", "nlp")
    assert "keywords = {cv/contrastive, nlp}" in render_bibtex(refs, Job())


def _parse(text: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks
    return {e.key: {f.key: f.value for f in e.fields} for e in library.entries}


def _plain(text: str) -> str:
    # pylatexenc decodes \textasciicircum{} to U+02C6 MODIFIER LETTER CIRCUMFLEX
    return " ".join(text.replace("{", "").replace("}", "").replace("\u02c6", "^").split())


def test_bibtex_parses_back_to_what_was_written():
    _, refs = small()
    raw = bibtexparser.parse_string(render_bibtex(refs, Job()))
    decoded = _parse(render_bibtex(refs, Job()))
    assert [e.key for e in raw.entries] == [r.key for r in refs]
    for ref in refs:
        entry = decoded[ref.key]
        if "$" not in ref.title:
            assert _plain(entry["title"]) == _plain(ref.title)
        assert entry["year"] == str(ref.year)
        if ref.arxiv:
            assert entry["eprint"] == ref.arxiv
        fields = {f.key: f.value for f in raw.entries[[r.key for r in refs].index(ref.key)].fields}
        arxiv_doi = f"10.48550/arXiv.{ref.arxiv}" if ref.arxiv and ref.kind == "preprint" else None
        assert fields.get("doi") == (ref.doi or arxiv_doi)  # verbatim, never escaped
    odegaard = decoded["odegaard2021escaping"]
    assert _plain(odegaard["author"]) == "Ødegaard, Zoë"
    assert "\\input" in odegaard["title"] and "<script>" in odegaard["title"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aaron van den Oord", "van den Oord, Aaron"),
        ("Laurens van der Maaten", "van der Maaten, Laurens"),
        ("Lukas von Stumberg", "von Stumberg, Lukas"),
        ("Olivier J. Hénaff", "H{\\'e}naff, Olivier J."),
        ("R Devon Hjelm", "Hjelm, R Devon"),
        ("Jean-Bastien Grill", "Grill, Jean-Bastien"),
        ("Phuc H. Le-Khac", "Le-Khac, Phuc H."),
        ("Jeffrey De Fauw", "De Fauw, Jeffrey"),
        ("Luigi Di Stefano", "Di Stefano, Luigi"),
        ("John Smith Jr.", "Smith, Jr., John"),
        ("Bernardo Avila Pires", "Pires, Bernardo Avila"),
        ("Avila Pires, Bernardo", "Avila Pires, Bernardo"),
        ("Yoshua", "Yoshua"),
    ],
)
def test_names_split_as_bibtex_reads_them(text, expected):
    assert format_name(split_name(text)) == expected


def test_title_protection_and_escaping():
    assert (
        format_title("MoCo: a BERT-like model for 3D ImageNet")
        == "{MoCo}: a {BERT}-like model for {3D} {ImageNet}"
    )
    assert (
        format_title("SELF-SUPERVISED LEARNING OF DISCRETE UNITS")
        == "Self-Supervised Learning of Discrete Units"
    )
    assert format_title("Cost $5 & 100% of #1_x") == "Cost \\$5 \\& 100\\% of \\#1\\_x"
    assert format_title("Bound $\\ell_1$ norm") == "Bound {$\\ell_1$} norm"
    assert format_title("Bad $\\input{x}$ math") == (
        "Bad \\$\\textbackslash{}input\\textbraceleft{}x\\textbraceright{}\\$ math"
    )
    assert format_title("Lone { brace") == "Lone \\textbraceleft{} brace"


# --- CSL-JSON ------------------------------------------------------------------------------

# The constraints of the official CSL-JSON schema (csl-data.json, CSL 1.0.2) that our items
# touch: item types, required fields, no unknown properties, name and date shapes.
_CSL_TYPES = [
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "broadcast",
    "chapter",
    "classic",
    "collection",
    "dataset",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "event",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "legislation",
    "manuscript",
    "map",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "paper-conference",
    "patent",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "report",
    "review",
    "review-book",
    "software",
    "song",
    "speech",
    "standard",
    "thesis",
    "treaty",
    "webpage",
]
_STRINGS = [
    "citation-key",
    "title",
    "container-title",
    "container-title-short",
    "publisher",
    "DOI",
    "URL",
    "note",
    "keyword",
    "abstract",
    "language",
    "source",
    "genre",
    "title-short",
]
_NAME = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        k: {"type": "string"}
        for k in ["family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal"]
    },
}
_DATE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "date-parts": {
            "type": "array",
            "minItems": 1,
            "maxItems": 2,
            "items": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": ["string", "number"]}},
        },
        "literal": {"type": "string"},
        "raw": {"type": "string"},
    },
}
CSL_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["type", "id"],
        "additionalProperties": False,
        "properties": {
            "type": {"enum": _CSL_TYPES},
            "id": {"type": ["string", "number"]},
            "author": {"type": "array", "items": _NAME},
            "editor": {"type": "array", "items": _NAME},
            "issued": _DATE,
            "number": {"type": ["string", "number"]},
            "page": {"type": ["string", "number"]},
            "volume": {"type": ["string", "number"]},
            **{k: {"type": "string"} for k in _STRINGS},
        },
    },
}


def test_csl_json_is_valid_and_shaped_like_zotero():
    _, refs = small()
    items = json.loads(render_csl(refs, Job()))
    jsonschema.validate(items, CSL_SCHEMA)
    by_id = {i["id"]: i for i in items}
    oord = by_id["oord2021moco"]
    assert oord["type"] == "article" and oord["number"] == "arXiv:2101.00001"
    assert oord["publisher"] == "arXiv" and oord["DOI"] == "10.48550/arXiv.2101.00001"
    assert oord["issued"] == {"date-parts": [[2021, 1, 4]]}  # the first version's date
    assert oord["author"][0] == {"family": "van den Oord", "given": "Aäron"}
    assert oord["author"][2] == {"family": "Smith", "given": "John, Jr."}
    assert oord["title"] == (
        '<span class="nocase">MoCo</span> & <span class="nocase">BERT</span>: '
        '100% ℓ_1 contrastive learning on <span class="nocase">ImageNet</span>'
    )
    assert all(i["citation-key"] == i["id"] for i in items)
    grill = by_id["grill2021bootstrap"]
    assert grill["type"] == "paper-conference" and "number" not in grill
    assert grill["DOI"] == "10.1109/CVPR46437.2021.00001"  # the publisher's DOI wins
    assert by_id["maaten2008visualizing"]["type"] == "article-journal"


def test_seed_csl_json_is_valid():
    from helpers import seed

    catalog, refs = seed()
    jsonschema.validate(json.loads(render_csl(refs, Job())), CSL_SCHEMA)


# --- properties ----------------------------------------------------------------------------

_TEXT = (
    st.text(
        st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"], exclude_characters="$"),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@settings(max_examples=150, deadline=None)
@given(
    title=_TEXT, family=_TEXT.filter(lambda s: "," not in s), given_name=_TEXT.filter(lambda s: "," not in s)
)
@example(title="\\^A", family="0", given_name="0")  # a TeX accent: hypothesis found it once
def test_any_unicode_title_and_author_survive_bibtex(title, family, given_name):
    from ssl_bib.model import Reference

    ref = Reference(
        key="k",
        kind="preprint",
        title=title,
        authors=(Name(family=family, given=given_name),),
        year=2020,
        sections=("s",),
    )
    text = render_bibtex([ref], Job())
    entry = _parse(text)["k"]
    decoded_title = entry["title"]
    # a title in capitals only is recased to title case on purpose (casing.title_case), and
    # TeX accents a list writes in a title (`\\^A`) are the letters they stand for (Â)
    from ssl_bib.latex import decode_accents

    assert _strip_protection(decoded_title) == _strip_protection(title_case(decode_accents(title)))
    assert _strip_protection(family) in _strip_protection(entry["author"])


# TeX's input ligatures are part of writing TeX: "--" is an en dash, "!`" an inverted "!".
_LIGATURES = [("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"), ("!`", "¡"), ("?`", "¿")]


def _strip_protection(text: str) -> str:
    text = _plain(text)
    for tex, char in _LIGATURES:
        text = text.replace(tex, char)
    return text


@pytest.mark.parametrize(
    ("label", "kind", "container", "year", "note"),
    [
        (
            "CVPR 2006",
            "conference",
            "IEEE Computer Society Conference on Computer Vision and Pattern Recognition (CVPR)",
            2006,
            None,
        ),
        (
            "ICCV 2019",
            "conference",
            "Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)",
            2019,
            None,
        ),
        (
            "AAAI2020",
            "conference",
            "Proceedings of the AAAI Conference on Artificial Intelligence (AAAI)",
            2020,
            None,
        ),
        ("IEEE Access", "journal", "IEEE Access", None, None),
        ("TPAMI", "journal", "IEEE Transactions on Pattern Analysis and Machine Intelligence", None, None),
        ("ICLR2021 under review", "preprint", None, None, "Under review at ICLR 2021"),
        ("arxiv:2009.05923", "preprint", None, None, None),
        ("", "preprint", None, None, None),
        ("Workshop on Things 2020", "preprint", None, None, "Workshop on Things 2020"),
    ],
)
def test_every_venue_form_of_the_list(label, kind, container, year, note):
    from ssl_bib.venues import parse_venue

    venue = parse_venue(label)
    assert (venue.kind, venue.container, venue.year, venue.note) == (kind, container, year, note)
    assert venue.known == (label != "Workshop on Things 2020")
