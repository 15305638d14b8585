"""Split personal names into given / particle / family / suffix, and decode TeX in names."""

from __future__ import annotations

import re

from .keys import ascii_fold
from .model import Name

_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
# Lower-case words in front of a family name: BibTeX's "von" part.
_PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "di",
    "da",
    "das",
    "dos",
    "du",
    "la",
    "le",
    "ten",
    "ter",
    "zu",
    "af",
    "av",
    "bin",
    "ibn",
    "al",
    "y",
}
# Capitalised particles that start a compound family name ("Jeffrey De Fauw", "Luigi Di
# Stefano"): part of the family name, and BibTeX keeps them there when written "De Fauw, J.".
_CAPITAL_PARTICLES = {"De", "Di", "Da", "Van", "Von", "Du", "Del", "Della", "Le", "La", "Dos"}


def split_name(text: str) -> Name:
    """Split one name as written ("Aaron van den Oord", "van den Oord, Aaron", "Smith Jr.").

    >>> split_name("Aaron van den Oord")
    Name(family='Oord', given='Aaron', particle='van den', suffix='')
    >>> split_name("R Devon Hjelm").given
    'R Devon'
    >>> split_name("Jeffrey De Fauw").family
    'De Fauw'
    """
    text = " ".join(text.split())
    if "," in text:
        return _split_comma(text)
    words = text.split(" ")
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    if len(words) == 1:
        return Name(family=words[0], suffix=suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1] in _CAPITAL_PARTICLES:
        start -= 1
    family = " ".join(words[start:])
    rest = words[:start]
    particle: list[str] = []
    while len(rest) > 1 and rest[-1] in _PARTICLES:
        particle.insert(0, rest.pop())
    return Name(family=family, given=" ".join(rest), particle=" ".join(particle), suffix=suffix)


def _split_comma(text: str) -> Name:
    parts = [p.strip() for p in text.split(",")]
    last, given = parts[0], parts[-1] if len(parts) > 1 else ""
    suffix = parts[1] if len(parts) == 3 else ""
    words = last.split(" ")
    particle = []
    while len(words) > 1 and words[0] in _PARTICLES:
        particle.append(words.pop(0))
    return Name(family=" ".join(words), given=given, particle=" ".join(particle), suffix=suffix)


_HOMONYM = re.compile(r"\s+\d{4}$")


def without_homonym(name: str) -> str:
    """A name without DBLP's homonym number: `Wei Wang 0001` -> `Wei Wang`."""
    return _HOMONYM.sub("", name)


def family_key(name: str) -> str:
    """A family name reduced to its letters, for comparing: `van den Oord`, `M"uller`,
    `Müller` and DBLP's `Müller 0002` compare.

    >>> family_key("Aäron van den Oord"), family_key("Wei Wang 0001")
    ('oord', 'wang')
    """
    return re.sub(r"[^a-z]", "", ascii_fold(split_name(without_homonym(name)).family).lower())
