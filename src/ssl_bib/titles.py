"""Split a title into plain text, math and words to protect from case changes (pure)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .latex import decode_accents

# TeX commands that read or write files or redefine things: math holding one is not math.
_UNSAFE = re.compile(
    r"\\(?:input|include|openin|openout|read|write|immediate|def|edef|gdef|xdef|let|catcode|"
    r"csname|newcommand|renewcommand|providecommand|usepackage|special|makeatletter|loop|"
    r"expandafter|jobname|endinput|shipout|typeout|message|errmessage)(?![A-Za-z])"
)
_MATH = re.compile(r"\$[^$]+\$")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


@dataclass(frozen=True)
class Piece:
    """A run of a title: plain text, a formula, or a word whose case must be kept."""

    kind: Literal["text", "math", "keep"]
    text: str


def _is_safe_math(formula: str) -> bool:
    depth = 0
    for char in formula:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0 and not _UNSAFE.search(formula)


def _keep(word: str, shouting: bool) -> bool:
    """Keep a word's case when it has a capital after its first letter (MoCo, BERT, 3D)."""
    return not shouting and any(c.isupper() for c in word[1:])


@lru_cache(maxsize=16384)
def pieces(title: str) -> tuple[Piece, ...]:
    """Cut a title into pieces; an all-capitals title protects nothing (it is shouting).

    >>> [(p.kind, p.text) for p in pieces("MoCo: $\\\\ell_1$ BERT")]
    [('keep', 'MoCo'), ('text', ': '), ('math', '$\\\\ell_1$'), ('text', ' '), ('keep', 'BERT')]
    """
    title = decode_accents(title)
    shouting = not any(c.islower() for c in _MATH.sub("", title))
    out: list[Piece] = []
    pos = 0
    for m in _MATH.finditer(title):
        if _is_safe_math(m.group(0)):
            out += _words(title[pos : m.start()], shouting)
            out.append(Piece("math", m.group(0)))
            pos = m.end()
    out += _words(title[pos:], shouting)
    return tuple(out)


def _words(text: str, shouting: bool) -> list[Piece]:
    out: list[Piece] = []
    pos = 0
    for m in _WORD.finditer(text):
        if _keep(m.group(0), shouting):
            if m.start() > pos:
                out.append(Piece("text", text[pos : m.start()]))
            out.append(Piece("keep", m.group(0)))
            pos = m.end()
    if pos < len(text):
        out.append(Piece("text", text[pos:]))
    return out


def normalize_title(title: str) -> str:
    """Fold case, accents, hyphens and punctuation for comparing titles.

    >>> normalize_title("SSD: A UNIFIED FRAMEWORK FOR SELF-SUPERVISED Outlier  Detection")
    'ssd a unified framework for selfsupervised outlier detection'
    """
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[-'’]", "", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))
