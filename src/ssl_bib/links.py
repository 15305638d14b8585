"""What may become a link in an output: web addresses and DOIs (pure patterns).

>>> bool(WEB_URL.match("https://arxiv.org/abs/2002.05709")), bool(WEB_URL.match("javascript:alert(1)"))
(True, False)
>>> bool(DOI.match("10.1109/CVPR.2020.00975")), bool(DOI.match("10.1/<script>"))
(True, False)
"""

from __future__ import annotations

import re

# An http(s) address without white space, double quotes, angle brackets or backslashes (what
# else a URL may hold raw, such as braces, every writer escapes or percent-encodes).
WEB_URL = re.compile(r"^https?://[^\s\"<>\\]+$", re.IGNORECASE)
# A DOI in the form Crossref recommends: 10.prefix/suffix of letters, digits and -._;()/:
DOI = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9]+$")
