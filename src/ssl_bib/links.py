"""What may become a link in an output: web addresses and DOIs (pure patterns).

>>> bool(WEB_URL.match("https://arxiv.org/abs/2002.05709")), bool(WEB_URL.match("javascript:alert(1)"))
(True, False)
>>> is_doi("10.1109/CVPR.2020.00975"), is_doi("10.1/x")
(True, False)
>>> is_doi("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0")
True
>>> is_doi("10.1234/a\\u202eb"), is_web_url("https://example.org/\\ufffe")
(False, False)
"""

from __future__ import annotations

import re

# An http(s) address without white space, double quotes, angle brackets or backslashes (what
# else a URL may hold raw, such as braces, every writer escapes or percent-encodes).
WEB_URL = re.compile(r"^https?://[^\s\"<>\\]+$", re.IGNORECASE)
# A DOI as the DOI handbook allows: 10.prefix/ and any suffix of printable characters
# (`10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0` is one); every writer
# escapes or percent-encodes what it must.
DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def is_web_url(text: str) -> bool:
    """Tell whether text is an http(s) address every output can carry."""
    return WEB_URL.match(text) is not None and text.isprintable()


def is_doi(text: str) -> bool:
    """Tell whether text is a DOI (no white space, no character no output may carry)."""
    return DOI.match(text) is not None and text.isprintable()
