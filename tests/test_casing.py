"""Titles in the case each format expects: sentence case for CSL, Zotero and the lists
(acronyms, CamelCase and proper nouns protected), title case for BibTeX, capitals recased."""

from __future__ import annotations

import pytest

from ssl_bib.catalog import parse_catalog
from ssl_bib.csl import csl_title
from ssl_bib.writers.bibtex import format_title

CASES = [
    # (arXiv's or the list's title, CSL-JSON title with nocase spans shown as [..])
    ("A Simple Framework for Contrastive Learning of Visual Representations",
     "A simple framework for contrastive learning of visual representations"),
    ("Bootstrap your own latent: A new approach to self-supervised Learning",
     "Bootstrap your own latent: A new approach to self-supervised learning"),
    ("Wasserstein Dependency Measure for Representation Learning",
     "[Wasserstein] dependency measure for representation learning"),
    ("ALBERT: A Lite BERT for Self-supervised Learning of Language Representations",
     "[ALBERT]: A lite [BERT] for self-supervised learning of language representations"),
    ("StyleRig: Rigging StyleGAN for 3D Control over Portrait Images",
     "[StyleRig]: Rigging [StyleGAN] for [3D] control over portrait images"),
    ("Variational Inference with Gaussian Processes and Markov Chains in English",
     "Variational inference with [Gaussian] processes and [Markov] chains in [English]"),
    ("SELF-SUPERVISED REPRESENTATION LEARNING VIA ADAPTIVE HARD-POSITIVE MINING",
     "Self-supervised representation learning via adaptive hard-positive mining"),
    ("SSD: A UNIFIED FRAMEWORK FOR SELF-SUPERVISED OUTLIER DETECTION",
     "[SSD]: A unified framework for self-supervised outlier detection"),
    ("Are all negatives created equal? A Study of Hard Negatives",
     "Are all negatives created equal? A study of hard negatives"),
]  # fmt: skip


@pytest.mark.parametrize(("title", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_csl_titles_are_sentence_case_with_protected_words(title, expected):
    shown = csl_title(title).replace('<span class="nocase">', "[").replace("</span>", "]")
    assert shown == expected


def test_bibtex_keeps_title_case_and_recases_capitals():
    assert format_title("A Simple Framework for MoCo") == "A Simple Framework for {MoCo}"
    assert format_title("SSD: A UNIFIED FRAMEWORK FOR 3D OUTLIER DETECTION") == (
        "{SSD}: A Unified Framework for {3D} Outlier Detection"
    )


def test_a_maintainer_can_fix_one_title_by_hand():
    from helpers import small

    from ssl_bib.lock import load_lock
    from ssl_bib.references import build_references

    catalog, _ = small()
    text = (catalog.path and open(catalog.path, encoding="utf-8").read()).replace(
        'title = "Data-Efficient Image Recognition"\nshort = "CPC v2"',
        'title = "Data-Efficient Image Recognition"\nshort = "CPC v2"\n'
        'sentence_case = "Data-efficient image recognition with Contrastive Predictive Coding"',
    )
    fixed = parse_catalog(text, catalog.path)
    refs = build_references(fixed, load_lock(catalog.path.replace("papers.toml", "papers.lock")))
    ref = next(r for r in refs if r.short == "CPC v2")
    assert csl_title(ref.title, as_written=ref.sentence_title) == (
        'Data-efficient image recognition with <span class="nocase">Contrastive</span> '
        '<span class="nocase">Predictive</span> <span class="nocase">Coding</span>'
    )
    assert format_title(ref.title) == "Data-Efficient Image Recognition"  # BibTeX keeps arXiv's
