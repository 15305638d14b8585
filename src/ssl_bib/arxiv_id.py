"""Parse and normalise arXiv identifiers from labels and URLs (pure functions).

>>> parse_arxiv_id("https://arxiv.org/pdf/2002.05709v3.pdf")
'2002.05709'
>>> parse_arxiv_id("arXiv:1910.05453v3")
'1910.05453'
>>> parse_arxiv_id("https://arxiv.org/abs/cs/0112017")
'cs/0112017'
>>> parse_arxiv_id("https://arxiv.org/ftp/arxiv/papers/2207/2207.01792.pdf")
'2207.01792'
>>> parse_arxiv_id("https://doi.org/10.48550/arXiv.2211.00001")
'2211.00001'
>>> parse_arxiv_id("http://yann.lecun.com/exdb/publis/pdf/hadsell-chopra-lecun-06.pdf") is None
True
>>> is_arxiv_id("1234"), is_arxiv_id("2002.0570"), is_arxiv_id("2002.05709v0"), is_arxiv_id("0704.0001")
(False, False, False, True)
"""

from __future__ import annotations

import re

# New style (April 2007 on): YYMM.NNNN until 1412, YYMM.NNNNN from 1501; old style (1991 to
# March 2007): archive(.SUB)/YYMMNNN. Versions count from v1.
_MONTH = r"(?:0[1-9]|1[0-2])"
_NEW = rf"(?:0[7-9]|1[0-4]){_MONTH}\.\d{{4}}(?!\d)|(?:1[5-9]|[2-9]\d){_MONTH}\.\d{{5}}"
_OLD = rf"[a-z][a-z\-]+(?:\.[A-Z]{{2}})?/(?:9[1-9]|0[0-7]){_MONTH}\d{{3}}"
_ID = rf"(?P<id>{_NEW}|{_OLD})(?:v(?P<version>[1-9]\d*))?"

_FULL = re.compile(rf"^{_ID}$")
# arXiv's pages (the ftp form: .../papers/2207/ID.pdf) and the DOI arXiv registers for a paper
_PATH = r"(?:arxiv\.org/(?:abs|pdf|html|ftp/[a-z-]+/papers/\d{4})/|doi\.org/10\.48550/arxiv\.)"
_URL = re.compile(rf"{_PATH}{_ID}(?:\.pdf)?/?(?:[?#].*)?$", re.IGNORECASE)
_LABEL = re.compile(rf"^\s*arxiv\s*:\s*{_ID}\s*$", re.IGNORECASE)


def is_arxiv_id(text: str) -> bool:
    """Tell whether text is a bare arXiv ID, with or without a version."""
    return _FULL.match(text.strip()) is not None


_ARXIV_PAGE = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(?P<rest>[^?#]+)", re.IGNORECASE
)


def malformed_arxiv_link(href: str) -> bool:
    """Tell whether href is an arXiv abstract or PDF address whose ID arXiv never issues.

    >>> malformed_arxiv_link("https://arxiv.org/abs/2509.123456")
    True
    >>> malformed_arxiv_link("https://arxiv.org/abs/2509.12345")
    False
    """
    m = _ARXIV_PAGE.match(href.strip())
    return (
        m is not None
        and not m.group("rest").strip("/").endswith(("list", "new"))
        and parse_arxiv_id(href) is None
    )


def parse_arxiv_id(text: str) -> str | None:
    """Parse an arXiv ID without version from a bare ID, an `arXiv:` label or an arXiv URL."""
    text = text.strip()
    for pattern in (_FULL, _LABEL):
        if m := pattern.match(text):
            return m.group("id")
    if m := _URL.search(text):
        return m.group("id")
    return None


_IN_TEXT = re.compile(rf"(?:\barxiv\s*:\s*|{_PATH}){_ID}(?![\d])", re.IGNORECASE)


def arxiv_label(text: str) -> str | None:
    """Find an `arXiv:ID` label or an arXiv URL anywhere in a text.

    >>> arxiv_label("Venue: arXiv:1910.05453v3, 2019")
    '1910.05453'
    >>> arxiv_label("[[Paper(https://arxiv.org/abs/2303.16852)]")
    '2303.16852'
    """
    m = _IN_TEXT.search(text)
    return m.group("id") if m else None


def split_version(text: str) -> tuple[str, int | None]:
    """Split `2002.05709v3` into `('2002.05709', 3)`.

    >>> split_version("2002.05709v3")
    ('2002.05709', 3)
    """
    m = _FULL.match(text.strip())
    if m is None:
        raise ValueError(f"not an arXiv ID: {text!r}")
    version = m.group("version")
    return m.group("id"), int(version) if version else None


def id_year(arxiv_id: str) -> int:
    """Read the submission year out of an ID (`2004.05554` -> 2020, `cs/9912017` -> 1999).

    >>> id_year("cs/0112017"), id_year("2004.05554")
    (2001, 2020)
    """
    yy = int(arxiv_id.rsplit("/", 1)[-1][:2])
    return 1900 + yy if yy >= 91 else 2000 + yy
