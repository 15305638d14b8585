"""Split a title into plain text, math and words to protect from case changes (pure)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .latex import decode_accents

# Math in a title is kept as TeX only when every token is on this allow-list: letters,
# digits, sub/superscripts, braces, common operator characters, and these commands (Greek
# letters, operators, arrows, fonts). Anything else (a file command, a pdfTeX primitive, a
# `^^5c` character code, `%`, `#`, `&`, `~`) makes the formula plain text, escaped as such.
_MATH_COMMANDS = frozenset(
    """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu
    xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta
    Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell infty partial nabla sum prod int oint log ln exp
    min max sup inf lim arg det dim sin cos tan cdot cdots ldots dots times div pm mp ast star
    circ bullet leq geq le ge neq approx sim simeq equiv propto ll gg in notin subset subseteq
    supset supseteq cup cap setminus emptyset forall exists neg wedge vee oplus otimes to gets
    rightarrow leftarrow Rightarrow Leftarrow leftrightarrow mapsto uparrow downarrow mathcal
    mathbb mathbf mathrm mathit mathsf mathtt boldsymbol bm hat bar tilde vec dot ddot widehat
    widetilde overline underline sqrt frac tfrac dfrac binom left right big Big bigl bigr prime
    top perp mid parallel lvert rvert lVert rVert langle rangle lfloor rfloor lceil rceil
    operatorname text quad qquad""".split()
)
_MATH_TOKEN = re.compile(r"\\([A-Za-z]+)|\\[,;:!{}| ]|[A-Za-z0-9\s^_{}+\-*/=<>()\[\].,;:!|']")
# Words a key or a search skips: they say nothing about which paper a title names.
STOP_WORDS = frozenset(
    """a an the on of in for to with and or via by from at is are
    do does what how why when towards toward into as be can we it its not all""".split()
)
# Titles are compared after normalisation; a ratio of 0.95 tolerates a typo ("Augoregressive")
# and punctuation, while a different paper that shares most words ("Off-diagonal book Ramsey
# numbers" against "Off-diagonal Ramsey numbers", 91.5 % alike) falls below it.
TITLE_MATCH = 0.95
NEAR_MATCH = 0.75  # alike enough to be worth a look (check reports it), not enough to take
_MATH = re.compile(r"\$[^$]+\$")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


@dataclass(frozen=True)
class Piece:
    """A run of a title: plain text, a formula, or a word whose case must be kept."""

    kind: Literal["text", "math", "keep"]
    text: str


def _is_safe_math(formula: str) -> bool:
    """Tell whether a `$...$` formula holds only allowed tokens, with balanced braces.

    >>> _is_safe_math("$\\\\ell_1$"), _is_safe_math("$^^5cinput{x}$"), _is_safe_math("$\\\\pdffiledump$")
    (True, False, False)
    """
    body, depth, pos = formula[1:-1], 0, 0
    if "^^" in body.replace(" ", ""):
        return False
    while pos < len(body):
        m = _MATH_TOKEN.match(body, pos)
        if m is None or (m.group(1) and m.group(1) not in _MATH_COMMANDS):
            return False
        depth += {"{": 1, "}": -1}.get(m.group(0), 0)
        if depth < 0:
            return False
        pos = m.end()
    return depth == 0


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


def title_ratio(wanted: str, found: str) -> float:
    """How alike two titles are, from 0 to 1, after normalisation."""
    return _ratio(normalize_title(wanted), normalize_title(found))


def _ratio(a: str, b: str) -> float:
    return 1.0 if a == b else difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def title_matches(wanted: str, found: str) -> bool:
    """Tell whether two titles name the same paper (see TITLE_MATCH).

    >>> title_matches("SSD: A UNIFIED FRAMEWORK FOR SELFSUPERVISED OUTLIER DETECTION",
    ...               "SSD: A Unified Framework for Self-Supervised Outlier Detection")
    True
    >>> title_matches("Off-diagonal Ramsey numbers", "Off-diagonal book Ramsey numbers")
    False
    >>> title_matches("Learning representations without labels, part 12",
    ...               "Learning representations without labels, part 13")  # numbers name versions
    False
    """
    a, b = normalize_title(wanted), normalize_title(found)
    return a == b or (re.findall(r"\d+", a) == re.findall(r"\d+", b) and _ratio(a, b) >= TITLE_MATCH)


def plain_text(text: str) -> str:
    """Keep only what every output can carry, folding runs of white space: letters, marks,
    digits, punctuation, symbols and spaces (an allow-list by Unicode category). Control
    and format characters (NUL, ESC, bidi overrides, zero-width spaces), surrogates,
    private-use characters and non-characters (U+FFFE) are dropped.

    >>> plain_text("A\\x00B\\x1b[31m  C\\n"), plain_text("x\\u202ey\\u200bz\\ufffe\\uffff!")
    ('AB[31m C', 'xyz!')
    """
    if text.isprintable():
        return " ".join(text.split())
    kept = (" " if c.isspace() else c if unicodedata.category(c)[0] in "LMNPS" else "" for c in text)
    return " ".join("".join(kept).split())


def normalize_title(title: str) -> str:
    """Fold case, accents, hyphens and punctuation for comparing titles.

    >>> normalize_title("SSD: A UNIFIED FRAMEWORK FOR SELF-SUPERVISED Outlier  Detection")
    'ssd a unified framework for selfsupervised outlier detection'
    >>> normalize_title("自己教師あり学習"), normalize_title("🦖 🦕") != normalize_title("🐍")
    ('自己教師あり学習', True)
    """
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[-'’]", "", text)
    folded = " ".join(re.findall(r"[a-z0-9]+", text))
    if folded:
        return folded
    # Nothing Latin to fold (a title in another script, or emoji): compare it as written.
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())
