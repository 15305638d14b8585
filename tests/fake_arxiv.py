"""A local stand-in for export.arxiv.org/api/query that answers in arXiv's Atom format.

Serves records taken from a Kaggle-format snapshot; can be told to fail (503, empty
pages, garbage) to exercise the client's retries. Used by the tests and the benchmarks.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pylatexenc.latex2text import LatexNodes2Text
from werkzeug import Request, Response

_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")


def load_snapshot(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a snapshot file into {id: record}."""
    records = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            records[data["id"]] = data
    return records


def _names(data: dict[str, Any]) -> list[str]:
    decode = LatexNodes2Text().latex_to_text
    names = []
    for last, first, suffix in data["authors_parsed"]:
        names.append(" ".join(p for p in (decode(first), decode(last), suffix) if p))
    return names


def _date(text: str) -> str:
    return parsedate_to_datetime(text).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_xml(data: dict[str, Any]) -> str:
    """One Atom <entry> as the API writes it (names in Unicode, first version as published)."""
    versions = data["versions"]
    vid = f"{data['id']}{versions[-1]['version']}"
    cats = data["categories"].split()
    parts = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{vid}</id>",
        f"    <updated>{_date(versions[-1]['created'])}</updated>",
        f"    <published>{_date(versions[0]['created'])}</published>",
        f"    <title>{escape(data['title'])}</title>",
        f"    <summary>{escape(data.get('abstract') or '')}</summary>",
    ]
    parts += [f"    <author>\n      <name>{escape(n)}</name>\n    </author>" for n in _names(data)]
    if data.get("doi"):
        parts.append(
            f'    <arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(data["doi"])}</arxiv:doi>'
        )
    if data.get("journal-ref"):
        parts.append(
            f'    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(data["journal-ref"])}</arxiv:journal_ref>'
        )
    if data.get("comments"):
        parts.append(
            f'    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(data["comments"])}</arxiv:comment>'
        )
    parts.append(f'    <link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>')
    parts.append(
        f'    <link title="pdf" href="http://arxiv.org/pdf/{vid}" rel="related" type="application/pdf"/>'
    )
    if cats:
        parts.append(
            f'    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{cats[0]}" scheme="http://arxiv.org/schemas/atom"/>'
        )
    parts += [f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in cats]
    parts.append("  </entry>")
    return "\n".join(parts)


def feed_xml(entries: Iterable[str], total: int | None = None) -> str:
    """Wrap entries in the API's feed envelope."""
    body = list(entries)
    n = len(body) if total is None else total
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        '  <title type="html">ArXiv Query</title>\n  <id>http://arxiv.org/api/fake</id>\n'
        "  <updated>2026-11-26T00:00:00-05:00</updated>\n"
        f'  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{n}</opensearch:totalResults>\n'
        '  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>\n'
        f'  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{len(body)}</opensearch:itemsPerPage>\n'
        + "".join(e + "\n" for e in body)
        + "</feed>\n"
    )


def error_xml(bad_id: str) -> str:
    """The API's answer to a malformed ID (sent with HTTP 400)."""
    return feed_xml(
        [
            "  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_"
            + escape(bad_id)
            + "</id>\n"
            "    <title>Error</title>\n"
            f"    <summary>incorrect id format for {escape(bad_id)}</summary>\n"
            "    <updated>2026-11-26T00:00:00-05:00</updated>\n"
            "    <published>2026-11-26T00:00:00-05:00</published>\n"
            "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>"
        ]
    )


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", re.sub(r"[-']", "", text.lower()))


# --- search_query, as the API manual documents it ----------------------------------------------
# Terms are `prefix:word` or `prefix:"a phrase"` (ti, au, abs, all); they combine with AND, OR
# and ANDNOT, left to right, and parentheses group. A word matches a word of the field; a
# phrase matches those words in that order. Words are compared as the API's index does:
# lower case, punctuation and hyphens as separators.

_TOKEN = re.compile(r'\s*(\(|\)|ANDNOT\b|AND\b|OR\b|(ti|au|abs|all):("[^"]*"|[^\s()"]+))')
Test = Any  # a function record -> bool


_WORDS_OF: dict[tuple[str, str, str], list[str]] = {}  # (id, title, prefix) -> the field's words


def _field_words(record: dict[str, Any], prefix: str) -> list[str]:
    key = (record.get("id", ""), record.get("title", ""), prefix)
    if key not in _WORDS_OF:
        title, authors, abstract = (
            record.get("title", ""),
            record.get("authors", ""),
            record.get("abstract") or "",
        )
        text = {"ti": title, "au": authors, "abs": abstract}.get(prefix, f"{title} {authors} {abstract}")
        _WORDS_OF[key] = _index_words(text)
    return _WORDS_OF[key]


def _index_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _term(prefix: str, value: str) -> Test:
    words = _index_words(value.strip('"'))
    if not words:
        raise ValueError(f"empty term {prefix}:{value}")

    def test(record: dict[str, Any]) -> bool:
        have = _field_words(record, prefix)
        if not value.startswith('"'):
            return all(w in have for w in words)
        n = len(words)
        return any(have[i : i + n] == words for i in range(len(have) - n + 1))

    return test


def parse_query(query: str) -> Test:
    """Compile a search_query into a test on records (ValueError when malformed)."""
    tokens, pos = [], 0
    while pos < len(query.rstrip()):
        m = _TOKEN.match(query, pos)
        if m is None:
            raise ValueError(f"cannot read {query[pos : pos + 20]!r}")
        tokens.append(m.group(1) if m.group(2) is None else (m.group(2), m.group(3)))
        pos = m.end()
    test, rest = _expression(tokens)
    if rest:
        raise ValueError(f"unexpected {rest[0]!r}")
    return test


def _expression(tokens: list[Any]) -> tuple[Test, list[Any]]:
    left, tokens = _operand(tokens)
    while tokens and tokens[0] in ("AND", "OR", "ANDNOT"):
        op, (right, tokens) = tokens[0], _operand(tokens[1:])
        left = {
            "AND": lambda a, b: lambda r: a(r) and b(r),
            "OR": lambda a, b: lambda r: a(r) or b(r),
            "ANDNOT": lambda a, b: lambda r: a(r) and not b(r),
        }[op](left, right)
    return left, tokens


def _operand(tokens: list[Any]) -> tuple[Test, list[Any]]:
    if not tokens:
        raise ValueError("a term is missing")
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        inner, rest = _expression(rest)
        if not rest or rest[0] != ")":
            raise ValueError("unbalanced parenthesis")
        return inner, rest[1:]
    if isinstance(head, tuple):
        return _term(*head), rest
    raise ValueError(f"unexpected {head!r}")


# arXiv's first new-style paper: the real API always has it, so the fake does too.
CANARY = {
    "id": "0704.0001",
    "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
    "title": "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
    "comments": "37 pages, 15 figures; published version",
    "journal-ref": "Phys.Rev.D76:013009,2007",
    "doi": "10.1103/PhysRevD.76.013009",
    "categories": "hep-ph",
    "abstract": "",
    "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
    "authors_parsed": [
        ["Balázs", "C.", ""],
        ["Berger", "E. L.", ""],
        ["Nadolsky", "P. M.", ""],
        ["Yuan", "C. -P.", ""],
    ],
}


@dataclass
class FakeArxiv:
    """A werkzeug handler: `failures` is a queue of canned answers served before real ones
    ('503', '500', 'empty', 'garbage', 'slow'); `min_interval` enforces the 3-second rule."""

    records: dict[str, dict[str, Any]]
    failures: list[str] = field(default_factory=list)
    min_interval: float = 0.0
    down_after: int | None = None  # answer 503 to every request after this many
    requests: list[dict[str, str]] = field(default_factory=list)
    violations: int = 0
    gaps: list[float] = field(default_factory=list)  # the intervals that broke the rule
    _last: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def served(self) -> dict[str, dict[str, Any]]:
        """The records the server knows: the given ones, and arXiv's first paper."""
        return {CANARY["id"]: CANARY, **self.records}

    def __call__(self, request: Request) -> Response:
        with self._lock:
            now = time.monotonic()
            if self._last and now - self._last < self.min_interval - 0.05:
                self.violations += 1
                self.gaps.append(now - self._last)
            self._last = now
            self.requests.append({**request.args, "_at": f"{now:.3f}"})
            if self.failures:
                return self._fail(self.failures.pop(0))
            if self.down_after is not None and len(self.requests) > self.down_after:
                return self._fail("503")
        return self._answer(request.args)

    def _fail(self, kind: str) -> Response:
        if kind == "empty":  # a sporadic empty page: results claimed, none sent
            return self._xml(feed_xml([], total=1))
        if kind == "nothing":  # an empty feed that claims nothing either
            return self._xml(feed_xml([], total=0))
        if kind == "truncated":  # a feed cut off mid-way
            return self._xml(feed_xml([entry_xml(next(iter(self.served().values())))])[:400])
        if kind == "400":  # a 400 whose error names nothing we sent
            return self._xml(error_xml("?").replace("incorrect id format for ?", "bad query"), status=400)
        if kind == "garbage":
            return Response("<html>Bad gateway", status=200, content_type="text/html")
        if kind == "slow":
            time.sleep(2)
            return self._xml(feed_xml([]))
        return Response("Service Unavailable", status=int(kind))

    def _answer(self, args: Any) -> Response:
        if ids := [i for i in args.get("id_list", "").split(",") if i]:
            for i in ids:
                if not _ID.match(i):
                    return self._xml(error_xml(i), status=400)
            served = self.served()
            found = [served[i.split("v")[0]] for i in ids if i.split("v")[0] in served]
            start, size = int(args.get("start", 0)), int(args.get("max_results", 10))
            return self._xml(feed_xml([entry_xml(r) for r in found[start : start + size]], len(found)))
        try:
            test = parse_query(args.get("search_query", ""))
        except ValueError as exc:
            return Response(f"malformed search_query: {exc}", status=400)
        hits = [r for r in self.served().values() if test(r)]
        start, size = int(args.get("start", 0)), int(args.get("max_results", 10))
        return self._xml(feed_xml([entry_xml(r) for r in hits[start : start + size]], len(hits)))

    @staticmethod
    def _xml(text: str, status: int = 200) -> Response:
        return Response(text, status=status, content_type="application/atom+xml; charset=utf-8")


_GIVEN = [
    "Aäron",
    "Olivier J.",
    "Jean-Bastien",
    "R Devon",
    "Laurens",
    "Lukas",
    "Zoë",
    "Søren",
    "Mathilde",
    "Kaiming",
    "Yann",
    "Ting",
    "Phuc H.",
    "João F.",
    "Rémi",
    "Łukasz",
]
_FAMILY = [
    "van den Oord",
    "H\\'enaff",
    "Grill",
    "Hjelm",
    "van der Maaten",
    "von Stumberg",
    'M\\"uller',
    "Kornblith",
    "Caron",
    "He",
    "LeCun",
    "Chen",
    "Le-Khac",
    "Henriques",
    "Munos",
    "Kaiser",
    "De Fauw",
    "Di Stefano",
]
_WORDS = [
    "contrastive",
    "self-supervised",
    "representation",
    "learning",
    "visual",
    "momentum",
    "bootstrap",
    "latent",
    "masked",
    "autoencoders",
    "scalable",
    "invariant",
    "dense",
    "transformers",
    "speech",
    "graph",
    "clustering",
    "views",
    "augmentation",
    "pretext",
]


def synthetic_records(n: int, seed: int = 7) -> dict[str, dict[str, Any]]:
    """Make n snapshot-format records with realistic names (accents, particles) and titles."""
    import random

    rng = random.Random(seed)
    records = {}
    for i in range(n):
        arxiv_id = f"{21 + i // 90000:02d}{1 + (i // 9000) % 12:02d}.{10000 + i % 9000:05d}"
        authors = [(rng.choice(_FAMILY), rng.choice(_GIVEN)) for _ in range(rng.randint(1, 6))]
        title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 12))).capitalize()
        records[arxiv_id] = {
            "id": arxiv_id,
            "submitter": None,
            "authors": ", ".join(f"{g} {f}" for f, g in authors[:-1])
            + (" and " if len(authors) > 1 else "")
            + f"{authors[-1][1]} {authors[-1][0]}",
            "title": f"{title} ({i})",
            "comments": None,
            "journal-ref": None,
            "doi": None,
            "report-no": None,
            "categories": rng.choice(["cs.CV", "cs.LG stat.ML", "cs.CL"]),
            "license": None,
            "abstract": "",
            "versions": [{"version": "v1", "created": "Mon, 4 Jan 2021 00:00:00 GMT"}],
            "update_date": "2021-01-04",
            "authors_parsed": [[f, g, ""] for f, g in authors],
        }
    return records


def catalog_for(records: dict[str, dict[str, Any]], sections: int = 1) -> str:
    """A catalog TOML listing every record by arXiv ID, spread over `sections` sections."""
    ids = ["s"] + [f"s/sub-{n}" for n in range(1, sections)]
    head = 'title = "Synthetic"\n\n' + "".join(
        f'[[section]]\nid = "{sid}"\ntitle = "Section {sid}"\n\n' for sid in ids
    )
    rows = [
        f'[[paper]]\nsection = "{ids[n % len(ids)]}"\ntitle = "{r["title"]}"\narxiv = "{i}"\n'
        for n, (i, r) in enumerate(records.items())
    ]
    return head + "\n".join(rows)
