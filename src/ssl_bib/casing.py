"""Titles in the case each format expects (pure).

BibTeX and BibLaTeX keep title case, protected with braces; CSL-JSON, Zotero and the
reference lists store sentence case, which is CSL's and Zotero's convention (APA prints it as
stored, title-case styles convert it back). A title written in capitals only is shouting and
is recased first. Words whose case must survive (acronyms, CamelCase, proper nouns) are
`keep` pieces, which writers protect.

>>> [p.text for p in sentence_pieces("A Simple Framework for MoCo: Momentum Contrast in Wasserstein Space")]
['A simple framework for ', 'MoCo', ': Momentum contrast in ', 'Wasserstein', ' space']
>>> title_case("SELF-SUPERVISED REPRESENTATION LEARNING VIA ADAPTIVE HARD-POSITIVE MINING")
'Self-Supervised Representation Learning via Adaptive Hard-Positive Mining'
>>> title_case("SSD: A UNIFIED FRAMEWORK FOR SELF-SUPERVISED OUTLIER DETECTION")
'SSD: A Unified Framework for Self-Supervised Outlier Detection'
"""

from __future__ import annotations

import re
from functools import lru_cache

from .titles import Piece, pieces

# Names of people and places (and what is named after them) that keep their capital in
# sentence case; acronyms and CamelCase words are kept by their shape already.
PROPER_NOUNS = frozenset(
    """Wasserstein Bayes Bayesian Gauss Gaussian Markov Markovian Euclid Euclidean Fourier Hilbert
    Riemann Riemannian Laplace Laplacian Boltzmann Hessian Jacobian Lipschitz Kullback Leibler
    Shannon Hebb Hebbian Newton Newtonian Monte Carlo Dirichlet Poisson Bernoulli Gibbs Langevin
    Schrödinger Hamiltonian Lagrangian Kalman Turing Siamese Atari Sinkhorn Procrustes Mahalanobis
    Voronoi Gromov Kolmogorov Lyapunov Bellman Hopfield Boolean Cartesian Stiefel Grassmann
    Grassmannian Wishart Student Fisher Pearson Spearman Hawkes Ising Potts Kendall Weibull
    Hoeffding Chernoff Rademacher Vapnik Chervonenkis Nash Pareto Stackelberg Hamming Levenshtein
    Jaccard Tikhonov Nesterov Adam Granger Lebesgue Borel Banach Sobolev Chebyshev Legendre
    Hermite Jacobi Galerkin Cholesky Householder Krylov Lanczos Arnoldi Wiener Volterra
    English Chinese German French Japanese Korean Arabic Spanish Hindi Russian Italian Indian
    African European American Asian Wikipedia Twitter Reddit Google Facebook Amazon Microsoft
    Minecraft Doom Go Sudoku Tetris Mujoco""".split()
)
SMALL_WORDS = frozenset("a an the and or nor but for of on in to via with by at from as vs per".split())
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_PART_START = re.compile(r"[:?!]\s+$")  # a word after these starts a new part of the title


def is_shouting(title: str) -> bool:
    """Tell whether a title is written in capitals only (outside formulas)."""
    text = re.sub(r"\$[^$]*\$", "", title)
    return any(c.isalpha() for c in text) and not any(c.islower() for c in text)


@lru_cache(maxsize=16384)
def title_case(title: str) -> str:
    """Recase a shouting title to title case; leave any other title as written.

    A single word before the first colon (`SSD:`) and words with digits (`3D`) keep their
    capitals: they are names, and nothing else in a shouting title says which words are."""
    if not is_shouting(title):
        return title
    name_end = m.end() if (m := re.match(r"\s*[^\s:]{1,12}:", title)) else 0
    out, pos = [], 0
    for m in _WORD.finditer(title):
        gap, word = title[pos : m.start()], m.group(0)
        lower = word.lower()
        starts = pos == 0 or re.search(r"[:?!.]\s*$", gap) is not None
        if m.start() < name_end or any(c.isdigit() for c in word):
            out += [gap, word]
        elif lower in SMALL_WORDS and not starts and not gap.endswith("-"):
            out += [gap, lower]
        else:
            out += [gap, lower[:1].upper() + lower[1:]]
        pos = m.end()
    out.append(title[pos:])
    return "".join(out)


@lru_cache(maxsize=16384)
def sentence_pieces(title: str) -> tuple[Piece, ...]:
    """Cut a title into pieces in sentence case: the first word of the title and of each
    part after a colon keep their capital, as do acronyms, CamelCase and proper nouns (which
    become `keep` pieces); every other word is lower-cased."""
    out: list[Piece] = []
    first = True
    for piece in pieces(title_case(title)):
        if piece.kind != "text":
            out.append(piece)
            first = False
            continue
        first = _sentence_text(piece.text, first, out)
    return tuple(_merged(out))


def _sentence_text(text: str, first: bool, out: list[Piece]) -> bool:
    """Lower-case the words of a text piece into out; return whether a sentence starts next."""
    pos = 0
    for m in _WORD.finditer(text):
        gap, word = text[pos : m.start()], m.group(0)
        starts = first or _PART_START.search(_tail(out) + gap) is not None
        if word in PROPER_NOUNS or (len(word) == 1 and word.isupper() and word != "A"):
            out += [Piece("text", gap), Piece("keep", word)]
        else:
            out.append(Piece("text", gap + (word if starts else word.lower())))
        first = False
        pos = m.end()
    out.append(Piece("text", text[pos:]))
    return first


def _tail(out: list[Piece]) -> str:
    return out[-1].text if out and out[-1].kind == "text" else ""


def _merged(out: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in out:
        if not piece.text:
            continue
        if merged and piece.kind == "text" and merged[-1].kind == "text":
            merged[-1] = Piece("text", merged[-1].text + piece.text)
        else:
            merged.append(piece)
    return merged


@lru_cache(maxsize=1024)
def as_written_pieces(title: str) -> tuple[Piece, ...]:
    """A maintainer's own sentence-case title (catalog `sentence_case`): kept as written, every
    capital after a sentence's first word protected."""
    out: list[Piece] = []
    for piece in pieces(title):
        if piece.kind != "text":
            out.append(piece)
            continue
        pos = 0
        for m in _WORD.finditer(piece.text):
            gap, word = piece.text[pos : m.start()], m.group(0)
            starts = (not out and pos == 0) or _PART_START.search(_tail(out) + gap) is not None
            if word[0].isupper() and not starts:
                out += [Piece("text", gap), Piece("keep", word)]
            else:
                out.append(Piece("text", gap + word))
            pos = m.end()
        out.append(Piece("text", piece.text[pos:]))
    return tuple(_merged(out))
