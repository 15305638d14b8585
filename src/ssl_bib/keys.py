"""Citation keys: `{family}{year}{firstword}`, ASCII, lower case, unique and stable."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from string import ascii_lowercase

from .titles import STOP_WORDS

# Letters NFKD does not decompose into ASCII.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "þ": "th",
    }
)


def ascii_fold(text: str) -> str:
    """Fold to ASCII: `Hénaff` -> `Henaff`, `Ødegaard` -> `Odegaard`."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return text.encode("ascii", "ignore").decode()


def base_key(family: str, year: int | None, title: str) -> str:
    """Build the key before disambiguation.

    >>> base_key("Oord", 2018, "Representation Learning with Contrastive Predictive Coding")
    'oord2018representation'
    >>> base_key("Hénaff", 2019, "A Data-Efficient Image Recognition")
    'henaff2019dataefficient'
    """
    name = re.sub(r"[^a-z]", "", ascii_fold(family).lower()) or "anon"
    words = (re.sub(r"[^a-z0-9]", "", ascii_fold(w).lower()) for w in re.split(r"[\s/]+", title))
    first = ""  # the first significant word, else the first word (folded only as far as needed)
    for word in filter(None, words):
        if word not in STOP_WORDS:
            first = word
            break
        first = first or word
    return f"{name}{year or ''}{first}"


def assign_keys(wanted: Iterable[tuple[str, str, str | None]], pinned: Mapping[str, str]) -> dict[str, str]:
    """Give every identity a unique key: catalog key > pinned key > base key + a, b, ….

    `wanted` is (identity, base key, catalog key) in list order; `pinned` maps identities
    to keys already handed out, which never change.
    """
    result: dict[str, str] = {}
    items = list(wanted)
    for ident, _, fixed in items:
        if fixed:
            result[ident] = fixed
    taken = set(result.values())
    for ident, _, fixed in items:
        if not fixed and ident in pinned and pinned[ident] not in taken:
            result[ident] = pinned[ident]
            taken.add(pinned[ident])
    for ident, base, _ in items:
        if ident not in result:
            key = next(k for k in _candidates(base) if k not in taken)
            result[ident] = key
            taken.add(key)
    return result


def _candidates(base: str) -> Iterable[str]:
    yield base
    for letter in ascii_lowercase:
        yield base + letter
    n = 2
    while True:
        yield f"{base}{n}"
        n += 1
