"""What may become a link in an output: web addresses and DOIs (pure patterns).

>>> bool(WEB_URL.match("https://arxiv.org/abs/2002.05709")), bool(WEB_URL.match("javascript:alert(1)"))
(True, False)
>>> is_doi("10.1109/CVPR.2020.00975"), is_doi("10.1/x")
(True, False)
>>> is_doi("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0")
True
>>> is_doi("10.1234/a\\u202eb"), is_web_url("https://example.org/\\ufffe")
(False, False)
>>> doi_in_link("https://dl.acm.org/doi/abs/10.1145/3394486.3403168")
'10.1145/3394486.3403168'
>>> doi_in_link("https://aclanthology.org/2020.acl-main.703.pdf"), doi_in_link("https://example.org/x")
('10.18653/v1/2020.acl-main.703', None)
"""

from __future__ import annotations

import re
from urllib.parse import unquote

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


# Publisher pages whose address holds the DOI (or, for the ACL Anthology, the ID its DOI is made of)
_DOI_IN_LINK = [
    re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/[^?#\s]+)$", re.IGNORECASE),
    re.compile(r"^https?://dl\.acm\.org/doi/(?:abs/|pdf/|full/|epdf/|fullHtml/)?(10\.\d{4,9}/[^?#\s]+)$"),
    re.compile(
        r"^https?://link\.springer\.com/(?:chapter|article|content/pdf)/(10\.\d{4,9}/[^?#\s]+?)(?:\.pdf)?$"
    ),
    re.compile(r"^https?://onlinelibrary\.wiley\.com/doi/(?:abs/|full/|pdf/|epdf/)?(10\.\d{4,9}/[^?#\s]+)$"),
]
_ACL_ID = re.compile(
    r"^https?://(?:www\.)?(?:aclanthology\.org|aclweb\.org/anthology)/"
    r"(\d{4}\.[a-z0-9-]+\.\d+|[A-Z]\d{2}-\d{4})(?:\.pdf)?/?$"
)


def doi_in_link(url: str | None) -> str | None:
    """The DOI a paper's link names: a doi.org address, an ACM, Springer or Wiley page with
    the DOI in its path, or an ACL Anthology ID (whose DOI is 10.18653/v1/ID)."""
    for pattern in _DOI_IN_LINK:
        if url and (m := pattern.match(url)) and is_doi(doi := unquote(m.group(1)).rstrip("/")):
            return doi
    if url and (m := _ACL_ID.match(url)):
        return f"10.18653/v1/{m.group(1)}"
    return None
