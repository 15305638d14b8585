"""Read one awesome-list entry (lines of styled spans) into a paper's fields (pure).

The importer hands this module an entry as the list wrote it, whatever its shape: a list item
with its continuation lines and nested items, a paragraph of lines joined by `\\` or `<br>`, or
a table row. Each line is a sequence of spans (plain, bold or italic text, links). What comes
back is what the list says about the paper: title, nickname, arXiv ID, paper and code links,
venue, year and authors; the last two are evidence, never hand-written fields.

>>> classify_link("[pdf]", "https://example.org/x")
'paper'
>>> classify_link("Link", "https://cocodataset.org/")
'other'
>>> classify_link("code", "https://github.com/a/b")
'code'
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

from .arxiv_id import parse_arxiv_id
from .venues import parse_venue, venue_year

LinkKind = Literal["arxiv", "paper", "code", "anchor", "other"]
SpanKind = Literal["text", "strong", "em", "link"]


@dataclass(frozen=True)
class Link:
    """A link as written: its text, target, what it points to and its line in the list."""

    text: str
    href: str
    line: int
    badge: bool = False  # the link shows only an image (a badge)
    image: str = ""  # the badge's image address (`https://img.shields.io/badge/CVPR-2024-blue`)

    @property
    def kind(self) -> LinkKind:
        return classify_link(self.text, self.href)

    @property
    def titled(self) -> bool:
        """Tell whether the link's text names something (not `[pdf]`, not a badge)."""
        word = _word(self.text)
        is_address = word.startswith(("http://", "https://", "www."))  # an autolink shows its URL
        return (
            not self.badge and word not in _ALL_WORDS and _LETTERS.search(word) is not None and not is_address
        )


@dataclass(frozen=True)
class Span:
    """A run of one style inside a line; a link span carries its link."""

    kind: SpanKind
    text: str
    link: Link | None = None


Line = tuple[Span, ...]


@dataclass
class Entry:
    """What one list entry says about a paper."""

    title: str
    line: int
    short: str = ""
    arxiv: str | None = None
    url: str = ""
    code: str = ""
    venue: str = ""
    note: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    unused: list[Link] = field(default_factory=list)  # paper links of the entry left unused


# Link words maintainers write in brackets. Paper words mark a paper link whatever the host;
# code words a code link; the rest (a website, a video, "link") say nothing by themselves.
_PAPER_WORDS = {"paper", "pdf", "arxiv", "openreview", "preprint", "article", "abs", "abstract", "full paper"}
_CODE_WORDS = {
    "code", "github", "gitlab", "official code", "pytorch", "tensorflow", "jax", "keras", "implementation",
    "official", "colab", "notebook", "repo", "repository", "source", "unofficial code",
}  # fmt: skip
_OTHER_WORDS = {
    "link", "here", "website", "web", "page", "project", "project page", "homepage", "video", "demo",
    "slides", "blog", "poster", "talk", "summary", "review", "dataset", "data", "model", "models",
    "bibtex", "supp", "supplementary", "medium", "youtube", "twitter", "huggingface", "hf", "site",
}  # fmt: skip
_ALL_WORDS = _PAPER_WORDS | _CODE_WORDS | _OTHER_WORDS
_LETTERS = re.compile(r"[^\W\d_]")
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "colab.research.google.com")
# A path of a publisher's or a proceedings' page for one paper (not a journal's home page).
_PAPER_PATH = re.compile(
    r"\.pdf$|/(?:doi|abs|pdf|article|articles|paper|papers|paper_files|chapter|document|publication|"
    r"proceedings|content|forum|citation)(?:/|$|\.|_)|^/v\d+/|/10\.\d{4,}/",
    re.IGNORECASE,
)
_PAPER_HOSTS = ("doi.org", "aclanthology.org", "aclweb.org", "openreview.net", "mdpi.com")


def _word(text: str) -> str:
    return " ".join(text.strip(" []()*_").lower().split())


def classify_link(text: str, href: str) -> LinkKind:
    """Say what a link points to: an arXiv paper, another paper, code, an anchor, other."""
    if href.startswith("#"):
        return "anchor"
    if parse_arxiv_id(href):
        return "arxiv"
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "other"  # a relative link: a file of the list's own repository
    word, host = _word(text), parts.netloc.lower().removeprefix("www.")
    if word in _CODE_WORDS or host.endswith(_CODE_HOSTS):
        return "code"
    if word in _PAPER_WORDS:
        return "paper"
    if word in _OTHER_WORDS and not _PAPER_PATH.search(parts.path):
        return "other"
    has_path = parts.path.strip("/") != ""
    if has_path and (host.endswith(_PAPER_HOSTS) or _PAPER_PATH.search(parts.path)):
        return "paper"
    return "other"


def plain(line: Line) -> str:
    """The text of a line without its markup, links kept as their text."""
    return " ".join("".join(s.text for s in line).split())


def _text_outside_links(line: Line) -> str:
    return " ".join("".join(s.text for s in line if s.kind != "link").split())


# --- venue, year, authors ---------------------------------------------------------------------

# A venue label: a capital, a camel-cased word (arXiv) or a year first, then at most 15
# words of letters, digits and &./+'()- apart. Written as single character classes, each
# tried once per character (no two ways to split a text, so no backtracking).
_VENUE_START = re.compile(r"^(?:[A-Z]|[a-z]+[A-Z]|\d{4}(?=$|[\s,'/()&.:-]))")
_VENUE_TEXT = re.compile(r"[\w&./+'()\s,:-]*[\w&./+'()-]")
_VENUE_GAP = re.compile(r"[\s,:]+")
_DATE = re.compile(r"^\d{1,2} [A-Z][a-z]{2,8}\.? \d{4}$|^[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}$")
_PARTICLES = frozenset("van von der den de di da del la le du dos ter al el bin".split())
_NAME_TOKEN = re.compile(r"^[^\W\d_][\w'’.-]*$")
_PREPRINT = re.compile(r"arxiv(?: preprint)?|preprint|corr", re.IGNORECASE)
_ELIDED = re.compile(r"^[a-z][’'][A-Z]")  # d'Autume, l'Huillier


def looks_like_venue(text: str) -> bool:
    """Tell whether text is a venue label with a year (`ICML 2019`, `arXiv 2022.`).

    >>> looks_like_venue("ICML 2019"), looks_like_venue("Calvin Luo"), looks_like_venue("25 Aug 2022")
    (True, False, False)
    """
    text = text.strip(" .,;-–—")
    return (
        0 < len(text) <= 90
        and venue_year(text) is not None
        and not _DATE.match(text)
        and _VENUE_START.match(text) is not None
        and _VENUE_TEXT.fullmatch(text) is not None
        and len(_VENUE_GAP.findall(text)) <= 14
    )


def _is_name(name: str) -> bool:
    tokens = name.split()
    return 1 <= len(tokens) <= 5 and all(
        (_NAME_TOKEN.match(t) and (t[0].isupper() or _ELIDED.match(t))) or t.lower() in _PARTICLES
        for t in tokens
    )


def split_authors(text: str) -> list[str]:
    """Split a line of author names; return [] when it is not one.

    >>> split_authors("Sanjeev Arora, Mikhail Khodak, and Nikunj Saunshi.")
    ['Sanjeev Arora', 'Mikhail Khodak', 'Nikunj Saunshi']
    >>> split_authors("A Theoretical Analysis of Contrastive Learning")
    []
    >>> split_authors("Doersch, Carl and Efros, Alexei A.")
    ['Doersch, Carl', 'Efros, Alexei A']
    >>> split_authors("Rui Zhu*, Cyprien de Masson d'Autume, L. Gomez†")
    ['Rui Zhu', "Cyprien de Masson d'Autume", 'L. Gomez']
    """
    text = re.sub(r"[*†‡§¶]+", "", text)  # `Rui Zhu*`: marks of equal contribution, not names
    text = re.sub(r"\bet al\.?", "", text.strip(" .,;:*")).strip(" .,;")
    if not text or any(c.isdigit() for c in text) or len(text) > 2000:
        return []
    halves = re.split(r"\s+and\s+", text)
    if len(halves) > 1 and all(h.count(",") == 1 for h in halves):  # `Doersch, Carl and Gupta, Abhinav`
        pairs = [[x.strip(" .") for x in h.split(",")] for h in halves]
        if all(_is_name(f"{given} {family}") for family, given in pairs):
            return [f"{family}, {given}" for family, given in pairs]
    parts = [p.strip(" .") for p in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*|;\s*", text)]
    names = [p for p in parts if p]
    if not all(_is_name(name) for name in names):
        return []
    single = [n for n in names if len(n.split()) == 1]
    if single and len(single) < len(names):
        return []  # a lone word among full names is not a name (`Yann LeCun & FAIR`)
    if single:
        if len(names) % 2:  # `Noroozi, Mehdi and Favaro, Paolo`: family, given pairs
            return []
        names = [f"{family}, {given}" for family, given in zip(names[::2], names[1::2], strict=True)]
    return names


# --- the entry ---------------------------------------------------------------------------------

_NICKNAME = re.compile(r"\s*\(([^()]{1,20})\)\s*$")
_SHORTCODE = re.compile(r":[a-z0-9_+-]+:")
_LEADING_SHORTCODES = re.compile(r"^\s*(?::[a-z0-9_+-]+:\s*)+")
# Sentences of a line: split at ". " after a word of two letters or more (not after an
# initial such as `J.`); the parts of a tail: at commas, and at such sentence ends.
_WRITTEN_ID = re.compile(
    r"[\s,;]*(?:https?://(?:www\.|export\.)?arxiv\.org/\S+|\barxiv\s*:\s*\S+)", re.IGNORECASE
)
_SENTENCES = re.compile(r"(?<=[^\s.]{2})\.\s+")
_TAIL_PARTS = re.compile(r",\s*|(?<=[^\s.]{2})\.\s+")
_BRACKET = re.compile(r"^\s*\[([^\[\]]{2,60})\]\s*")
_QUOTED = re.compile(r"^\s*[:\-–—]?\s*[\"“](.+?)[\"”]\s*(.*)$")
_NICK_VENUE = re.compile(r"^(?P<nick>.+?)\s+(?P<venue>[A-Za-z][A-Za-z-]*\s*'\s*\d{2,4})$")


def clean_title(text: str) -> str:
    """Strip emoji shortcodes, stray markup and trailing punctuation from a title."""
    text = _SHORTCODE.sub(" ", text)
    text = " ".join(text.split()).strip(" -–—:|,;")
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def read_entry(lines: list[Line], line: int) -> Entry | None:
    """Read an entry's fields; None when the entry has no title."""
    lines = [ln for ln in lines if plain(ln)]
    if not lines:
        return None
    entry = _titled(lines[0], line)
    if entry is None or not (entry.title or entry.short or entry.authors):
        return None
    _read_meta(entry, tuple(s for s in lines[0] if s.kind == "em"))  # `[[paper](…)] - *ICML 2020*`
    for rest in lines[1:]:
        _read_meta(entry, rest)
    links = [s.link for ln in lines for s in ln if s.link]
    _take_links(entry, links)
    if not entry.venue:  # `[[CVPR 2025](https://arxiv.org/abs/…)]`: the link's text is the venue
        entry.venue = next((t for k in links if (t := _venue_text(k, entry.title))), "")
    if not entry.year and entry.venue:
        entry.year = venue_year(entry.venue)
    return entry


_SHIELD = re.compile(r"^https?://img\.shields\.io/badge/(?P<path>[^?#]+)")


def _badge_text(image: str) -> str:
    """What a shields.io badge shows: `CVPR-2024-b31b1b.svg` -> `CVPR 2024`, `NeurIPS_2023-blue`
    -> `NeurIPS 2023` (the last part is the colour; `--` is a dash, `_` a space).

    >>> _badge_text("https://img.shields.io/badge/CVPR-2024-b31b1b.svg")
    'CVPR 2024'
    >>> _badge_text("https://img.shields.io/badge/NeurIPS_2023-b31b1b.svg")
    'NeurIPS 2023'
    """
    if (m := _SHIELD.match(image)) is None:
        return ""
    path = re.sub(r"\.(?:svg|png)$", "", unquote(m.group("path")))
    parts = [part.replace("\0", "-").replace("_", " ") for part in path.replace("--", "\0").split("-")]
    return " ".join(parts[:-1]).strip() if len(parts) > 1 else ""


# An author-year citation standing where a title would: `Smith and Jones, 2022`, `Lee et al. (2021)`.
_CITATION = re.compile(
    r"^(?P<names>[A-Z][\w'’-]+(?:\s+(?:and|&)\s+[A-Z][\w'’-]+)?)(?:\s+et\s+al\.?)?,?\s*"
    r"\(?(?P<year>(?:19|20)\d{2})\)?$"
)


def _venue_text(link: Link, title: str) -> str:
    """A paper link's text when it is a venue label (not the title, not a link word), or its
    badge's when it shows a venue (`CVPR 2024`; an arXiv badge shows an ID, not a venue)."""
    if link.badge and link.kind in ("arxiv", "paper"):
        text = _badge_text(link.image)
        return text if looks_like_venue(text) and not text.lower().startswith("arxiv") else ""
    text = link.text.strip(" []")
    if link.kind not in ("arxiv", "paper") or text.startswith(title) or len(text.split()) > 4:
        return ""
    return text if looks_like_venue(text) else ""


def _titled(first: Line, line: int) -> Entry | None:
    """Read the title (and what shares its line) from the entry's first line."""
    venue, spans = _venue_prefix([s for s in first if s.text.strip() or s.link])
    if not spans:
        return None
    nick = ""
    if len(spans) > 1 and (tag := _tag(spans[0])) and (spans[1].kind == "strong" or _titled_link(spans[1])):
        nick, spans = tag, spans[1:]  # `[[MoCoX]](#ref-12) [**Title**](…)`: the tag is a nickname
    head, tail = spans[0], tuple(spans[1:])
    if head.kind == "strong" or (head.link and head.link.titled):
        entry = Entry(clean_title(head.text), line, venue=venue)
        tail_text = _text_outside_links(tail)
        if head.kind == "strong" and (m := _QUOTED.match(tail_text)):
            entry.short, entry.title = clean_title(head.text), clean_title(m.group(1))
            tail_text = m.group(2)
        _read_tail(entry, tail_text)
        if head.link and head.link.titled:
            _nick_only(entry)
    elif head.kind == "text" or head.kind == "em":
        before_link = tuple(itertools.takewhile(lambda s: s.link is None, spans))
        text = _text_outside_links(before_link).rsplit("[", 1)[0] if before_link else ""
        if m := _WRITTEN_ID.search(text):  # `Title https://arxiv.org/abs/…` or `Title, arXiv:…`
            label, text = m.group(0).strip(" ,;"), text[: m.start()] + text[m.end() :]
            venue = venue or (label if label.lower().startswith("arxiv:") else "")
        title, _, after = text.partition(" - ")
        entry = Entry(clean_title(title), line, venue=venue)
        sentences = _SENTENCES.split(entry.title)
        if len(sentences) > 1 and _read_tail(entry, ". ".join(sentences[1:]), strict=True):
            entry.title = clean_title(sentences[0])  # `Title. Xinlei Chen, Kaiming He. CVPR, 2021.`
        if not entry.venue and (split := _venue_after(entry.title)):
            entry.title, entry.venue = split  # `Title, in *KDD*, 2022.`
        if m := re.match(r"^(.*),\s*([^,]+)$", entry.title):
            if looks_like_venue(m.group(2)) and not entry.venue:
                entry.title, entry.venue = clean_title(m.group(1)), m.group(2).strip(" .")
        _read_tail(entry, after)
    else:
        return None
    return _finished(entry, nick)


def _finished(entry: Entry, nick: str) -> Entry:
    """An author-year citation where the title stands gives authors and a year; otherwise a
    parenthesis after the title is read; a nickname tag before it is the nickname."""
    if m := _CITATION.match(entry.title):  # `Smith and Jones, 2022`: authors and a year, no title
        entry.authors = entry.authors or [n for n in re.split(r"\s+(?:and|&)\s+", m.group("names")) if n]
        entry.year = entry.year or int(m.group("year"))
        entry.title = ""
    else:
        _trailing_parenthesis(entry)
    entry.short = entry.short or nick
    return entry


def _tag(span: Span) -> str:
    """A short bracketed tag or in-page anchor before a title (`[[MoCoX]](#ref-12)`): a
    nickname, never the title."""
    text = span.text.strip()
    bracketed = re.fullmatch(r"\[([^\[\]]{1,30})\]", text)
    anchor = span.link is not None and span.link.href.startswith("#")
    inner = bracketed.group(1).strip() if bracketed else text
    return inner if (bracketed or anchor) and 0 < len(inner.split()) <= 3 else ""


def _titled_link(span: Span) -> bool:
    return span.link is not None and span.link.titled and not span.link.href.startswith("#")


def _venue_after(title: str) -> tuple[str, str] | None:
    """`Title, in KDD, 2022` or `Title, KDD, 2022` -> (`Title`, `KDD 2022`): a short venue name
    and a year as the last parts of a title (split on commas: linear time)."""
    parts = [p.strip() for p in title.rstrip(" .").split(",")]
    if len(parts) < 3 or not re.fullmatch(r"(?:19|20)\d{2}", parts[-1]):
        return None
    venue = re.sub(r"^in\s+", "", parts[-2], flags=re.IGNORECASE)
    if not venue or len(venue.split()) > 6 or not looks_like_venue(f"{venue} {parts[-1]}"):
        return None
    return clean_title(", ".join(parts[:-2])), f"{venue} {parts[-1]}"


# What a parenthesis after a title says of how or where it was presented: venue, not nickname.
_PRESENTED = re.compile(
    r"\b(?:oral|spotlight|poster|highlight|best\s+paper|award|track|workshops?|findings|demo|tutorial)\b",
    re.IGNORECASE,
)


def _trailing_parenthesis(entry: Entry) -> None:
    """`Title (SimCLR)` is a nickname; `Title (2020)` a year; `Title (CVPR 2020)` a venue."""
    if m := _NICKNAME.search(entry.title):
        inside = m.group(1).strip()
        if re.fullmatch(r"(?:19|20)\d{2}", inside):
            entry.year = entry.year or int(inside)
        elif _PRESENTED.search(inside):  # `(Oral)`, `(XYZ-24 Journal Track)`
            entry.venue = f"{entry.venue} ({inside})" if entry.venue else inside
        elif looks_like_venue(inside):
            entry.venue = entry.venue or inside
        elif not entry.short:
            entry.short = inside
        entry.title = entry.title[: m.start()].rstrip()


def _venue_prefix(spans: list[Span]) -> tuple[str, list[Span]]:
    """Split `:fire:[ICML 2021] ` off the start of a line: the bracket is the venue."""
    if not spans or spans[0].kind != "text":
        return "", spans
    text = _LEADING_SHORTCODES.sub("", spans[0].text)
    text = text[len(text) - len(text.lstrip("".join(c for c in text[:8] if _is_mark(c)))) :]  # ✅ 🔥
    venue = ""
    if m := _BRACKET.match(text):
        venue, text = m.group(1), text[m.end() :]
        if nickname_like(venue) and not (looks_like_venue(venue) or parse_venue(venue).known):
            # `[SimX] **Title**`: a coined name, not a venue, is the paper's nickname
            rest = [Span("text", text)] if text.strip() else []
            return "", [Span("text", f"[{venue}]"), *rest, *spans[1:]]
    return venue, ([Span("text", text)] if text.strip() else []) + spans[1:]


def nickname_like(text: str) -> bool:
    """A coined name: one word with a capital or digit inside it (`SimX`, `MoCo2`, `DINOv2`),
    not a word in capitals only (`KDD` may be a venue) nor words (`Pattern Recognition`)."""
    return (
        re.fullmatch(r"[A-Za-z][a-z]*(?:[A-Z0-9][A-Za-z0-9]*)+(?:-[A-Za-z0-9]+)*", text) is not None
        and not text.isupper()
    )


def decoration(text: str) -> bool:
    """Whether text is only emoji or symbols before an entry (`✅`, `🔥 `): no part of it."""
    return all(_is_mark(c) for c in text)


def _is_mark(char: str) -> bool:
    """An emoji or symbol a maintainer puts before an entry (✅, 🔥, ⭐) and what joins them."""
    return unicodedata.category(char) in ("So", "Sk", "Cf", "Mn") or char.isspace() or char == "\ufe0f"


def _read_tail(entry: Entry, text: str, strict: bool = False) -> bool:
    """Read what follows a title on its line: a `(Nick)`, authors (`by A, B`), a venue
    (`ICML, 2020`, `- CVPR 2020`, `NeurIPS 2020.`). With strict, only a tail that is wholly
    authors and venue counts; return whether anything was read."""
    text = text.strip(" -–—:|,;.")
    read = False
    if (
        (m := re.match(r"^\(([^()]{1,20})\)[\s,.;:]*", text))
        and not strict
        and not _PRESENTED.search(m.group(1))
    ):
        entry.short, text, read = entry.short or m.group(1).strip(), text[m.end() :], True
    text = re.sub(r"\([^()]*\)", " ", text)  # `(NYU & FAIR)`: an affiliation, not a name
    parts = [p.strip(" .;()[]") for p in _TAIL_PARTS.split(text)]
    parts = [p for p in parts if p]
    if len(parts) >= 2 and re.fullmatch(r"(?:19|20)\d{2}", parts[-1]) and not looks_like_venue(parts[-2]):
        parts[-2:] = [f"{parts[-2]} {parts[-1]}"]  # `CVPR, 2021`
    at = next(
        (i for i in range(len(parts) - 1, -1, -1) if looks_like_venue(parts[i]) or _known_word(parts[i])),
        None,
    )
    names = split_authors(", ".join(parts[:at] if at is not None else parts).removeprefix("by "))
    if strict and (at is None or at != len(parts) - 1) and not (names and at is None):
        return False
    if at is not None and not entry.venue:
        entry.venue, read = parts[at], True
    if names and not entry.authors:
        entry.authors, read = names, True
    return read


def _known_word(text: str) -> bool:
    return re.fullmatch(r"[A-Z][a-z]*[A-Z][A-Za-z]*|arXiv", text) is not None  # ICML, NeurIPS


def _nick_only(entry: Entry) -> None:
    """`[DINO ICCV'2021](arxiv link)`: only a nickname and a venue, no title (the source that
    resolves the paper gives it)."""
    if m := _NICK_VENUE.match(entry.title):
        if len(m.group("nick").split()) <= 3:
            entry.title, entry.short = "", m.group("nick")
            entry.venue = entry.venue or m.group("venue")


def _read_meta(entry: Entry, line: Line) -> None:
    """Read a line after the title: authors, a venue (italic, bold or `arXiv 2022.`)."""
    for span in line:
        text = span.text.strip(" .,;")
        if (
            span.kind in ("em", "strong")
            and not entry.venue
            and (looks_like_venue(text) or _PREPRINT.fullmatch(text))
        ):
            entry.venue = text  # `*ICLR 2020*`, or `*arXiv*` alone: a preprint says where it is
        elif span.kind == "em" and not entry.authors and (names := split_authors(text)):
            entry.authors = names
    outside = "".join(s.text for s in line if s.kind == "text").split("[", 1)[0]
    if not entry.venue and looks_like_venue(outside):
        entry.venue = outside.strip(" .,;")
    elif not entry.authors and (names := split_authors(outside)):
        entry.authors = names


def _take_links(entry: Entry, links: list[Link]) -> None:
    """The first arXiv link gives the ID, the first paper link the URL, the first code link code."""
    for link in links:
        kind = link.kind
        if kind == "arxiv":
            found = parse_arxiv_id(link.href)
            if entry.arxiv is None:
                entry.arxiv = found
            elif found != entry.arxiv:
                entry.unused.append(link)
        if not link.href.lower().startswith(("http://", "https://")):
            continue
        if kind in ("arxiv", "paper") and not entry.url:
            entry.url = web_url(link.href)
        elif kind == "code" and not entry.code:
            entry.code = web_url(link.href)


def web_url(href: str) -> str:
    """Percent-encode what a catalog URL may not hold (spaces, quotes, <>, backslashes).

    >>> web_url('https://example.org/a b"<c>')
    'https://example.org/a%20b%22%3Cc%3E'
    """
    return quote(href, safe="!#$%&'()*+,-./:;=?@[]_~{}|^`")


def is_paper(entry: Entry, links: list[Link]) -> bool:
    """A paper has a paper link, or a venue and no link that says it is something else."""
    kinds = {link.kind for link in links}
    if kinds & {"arxiv", "paper"} or entry.arxiv:  # an arXiv ID written out counts as its link
        return True
    return bool(entry.venue) and looks_like_venue(entry.venue) and not kinds - {"code"}
