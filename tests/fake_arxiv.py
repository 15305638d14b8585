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
    _last: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Request) -> Response:
        with self._lock:
            now = time.monotonic()
            if self._last and now - self._last < self.min_interval - 0.05:
                self.violations += 1
            self._last = now
            self.requests.append(dict(request.args))
            if self.failures:
                return self._fail(self.failures.pop(0))
            if self.down_after is not None and len(self.requests) > self.down_after:
                return self._fail("503")
        return self._answer(request.args)

    def _fail(self, kind: str) -> Response:
        if kind == "empty":
            return self._xml(feed_xml([], total=1))
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
            found = [self.records[i.split("v")[0]] for i in ids if i.split("v")[0] in self.records]
            start, size = int(args.get("start", 0)), int(args.get("max_results", 10))
            return self._xml(feed_xml([entry_xml(r) for r in found[start : start + size]], len(found)))
        query = args.get("search_query", "")
        wanted = _words(query.removeprefix("ti:"))
        hits = [r for r in self.records.values() if wanted and set(wanted) <= set(_words(r["title"]))]
        size = int(args.get("max_results", 10))
        return self._xml(feed_xml([entry_xml(r) for r in hits[:size]], len(hits)))

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
