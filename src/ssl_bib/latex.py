"""LaTeX <-> Unicode for names and titles; the only module that uses pylatexenc."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# ASCII characters that mean something to TeX or BibTeX, written so they print as themselves.
_SPECIAL = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    # bibtex and biber count braces even after a backslash: a lone `\{` would swallow the
    # entries after it, so braces are written as the text commands that print them
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}
# "<", ">" and "|" stay as they are: BibTeX gives them no meaning, every decoder reads them
# back, and they print right with T1 fonts (\textless{} is lost by pylatexenc's decoder).
_ACCENT = re.compile(r"\{?\\(?:[`'^\"~=.]|[uvHckbdr](?=[\s{]))\s*(?:\{\\?[A-Za-z]\}|\\?[A-Za-z])\}?")


_DOTLESS = re.compile(r"^\{(\\[`'^\"~=.])\\([ij])\}$")


@lru_cache(maxsize=1)
def _encoder() -> Any:
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    # Braces around every macro ({\'e}): BibTeX then treats the accented letter as one
    # "special character" when sorting, abbreviating and changing case.
    return UnicodeToLatexEncoder(
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


@lru_cache(maxsize=1)
def _decoder() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", keep_comments=False)


def escape(text: str) -> str:
    """Write text so TeX prints it as is: specials escaped, non-ASCII as accent macros.

    >>> escape("Hénaff & Co. 100% $5 \\\\input{x}")
    "H{\\\\'e}naff \\\\& Co. 100\\\\% \\\\$5 \\\\textbackslash{}input\\\\textbraceleft{}x\\\\textbraceright{}"
    """
    return "".join(_SPECIAL.get(c) or (c if c.isascii() else _char_macro(c)) for c in text)


@lru_cache(maxsize=4096)
def _char_macro(char: str) -> str:
    """The LaTeX for one non-ASCII character, if it reads back as that character.

    >>> _char_macro("í"), _char_macro("ï"), _char_macro("ı")
    ("{\\\\'i}", '{\\\\"i}', '{\\\\i}')

    pylatexenc knows a macro for most letters, but some are lossy (`ĸ` -> `\\textsc{k}`);
    those stay UTF-8, which bibtex copies through and LaTeX's utf8 input reads.
    """
    macro: str = _encoder().unicode_to_latex(char)
    # í is {\'i}, never {\'\i}: biber, pandoc and citation-js read the dotless \i as a
    # dotless ı plus a combining accent, which pdflatex then cannot typeset
    macro = _DOTLESS.sub(r"{\1\2}", macro)
    return macro if decode_tex(macro) == char else char


def escape_utf8(text: str) -> str:
    """Escape TeX specials but keep Unicode letters (for biber, which reads UTF-8)."""
    return "".join(_SPECIAL.get(c, c) for c in text)


@lru_cache(maxsize=8192)
def decode_tex(text: str) -> str:
    """Turn TeX into Unicode text (`H\\'enaff` -> `Hénaff`); plain text passes through.

    >>> decode_tex("Rodol\\\\`a")
    'Rodolà'
    """
    if "\\" not in text and "{" not in text and "~" not in text:
        return text
    return re.sub(r"\s+", " ", _decoder().latex_to_text(text)).strip()


def decode_accents(text: str) -> str:
    """Decode only TeX accent macros (`Schr\\"odinger`), leaving any other backslash alone."""
    return _ACCENT.sub(lambda m: decode_tex(m.group(0)), text) if "\\" in text else text


def math_to_text(math: str) -> str:
    """Render a `$...$` formula as readable Unicode (`$\\ell_1$` -> `ℓ_1`)."""
    return decode_tex(math)
