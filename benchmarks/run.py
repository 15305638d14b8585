"""How fast is ssl-bib? One table, measured in one run on this machine, medians of repeats.

    python benchmarks/run.py            # full run (about 5-8 minutes)
    python benchmarks/run.py --quick    # a smaller run, under a minute

Resolve runs against a local fake arXiv (tests/fake_arxiv.py) that answers in the API's Atom
format and counts requests closer than the rate limit; export times the writers in-process and
compares formatted lists with `pandoc --citeproc` on the same CSL-JSON and style.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from fake_arxiv import FakeArxiv, catalog_for, load_snapshot, synthetic_records  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from ssl_bib import engine  # noqa: E402
from ssl_bib.arxiv_source import ApiSource, SnapshotSource  # noqa: E402
from ssl_bib.catalog import load_catalog, parse_catalog  # noqa: E402
from ssl_bib.latex import decode_tex  # noqa: E402
from ssl_bib.lock import Lock, load_lock, save_lock  # noqa: E402
from ssl_bib.pipeline import render_all  # noqa: E402
from ssl_bib.references import build_references  # noqa: E402
from ssl_bib.resolve import pending, resolve  # noqa: E402

SEED_SNAPSHOT = ROOT / "tests" / "data" / "seed" / "arxiv-metadata-snapshot.jsonl"
ROWS: list[tuple[str, str, str, str]] = []


def row(what: str, measure: str, value: str, baseline: str = "") -> None:
    ROWS.append((what, measure, value, baseline))
    print(f"  {what:<44} {measure:<16} {value:>14}  {baseline}", flush=True)


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- resolve against a fake arXiv ------------------------------------------------------------


class Server:
    """FakeArxiv on a real local port, in a thread."""

    def __init__(self, records: dict, min_interval: float) -> None:
        self.fake = FakeArxiv(records, min_interval=min_interval)
        self.server = make_server(
            "127.0.0.1", 0, lambda env, start: self.fake(_request(env))(env, start), threaded=False
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/query"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def _request(environ: dict):
    from werkzeug import Request

    return Request(environ)


def bench_resolve(name: str, catalog_text: str, records: dict, delay: float, repeat: int) -> None:
    catalog = parse_catalog(catalog_text)
    ids, titles = pending(catalog, Lock())
    server = Server(records, min_interval=delay)
    try:
        cold_times, cold_requests = [], 0
        for _ in range(repeat):
            time.sleep(delay)  # each run is a new client: keep the rule between runs too
            before = len(server.fake.requests)
            lock = Lock()
            start = time.perf_counter()
            resolve(catalog, lock, ApiSource(server.url, delay=delay), save=lambda lock: None)
            cold_times.append(time.perf_counter() - start)
            cold_requests = len(server.fake.requests) - before
        before = len(server.fake.requests)
        warm = median_time(
            lambda: resolve(catalog, lock, ApiSource(server.url, delay=delay), save=lambda lock: None), repeat
        )
        warm_requests = len(server.fake.requests) - before
        minimum = math.ceil(len(ids) / 100) + math.ceil(len(titles) / 20)
        naive = len(ids) + len(titles)
        row(
            f"resolve {name} ({len(ids)} IDs, {len(titles)} titles)",
            "cold requests",
            str(cold_requests),
            f"minimum {minimum}; naive client {naive}",
        )
        row(
            "",
            "cold wall",
            f"{statistics.median(cold_times):.1f} s",
            f"naive client >= {(naive - 1) * delay:.0f} s at {delay:g} s/request",
        )
        row("", "warm requests", str(warm_requests // repeat), "")
        row("", "warm wall", f"{warm * 1000:.1f} ms", "")
        row("", "rate violations", str(server.fake.violations), f"requests closer than {delay:g} s")
    finally:
        server.close()


def _typo(title: str, n: int) -> str:
    """Spoil a title the ways lists do: a hyphen dropped, capitals, a dropped word, a letter."""
    words = title.split()
    kind = n % 5
    if kind == 0:
        return title.replace("self-supervised", "selfsupervised").replace("-", "")
    if kind == 1:
        return title.upper()
    if kind == 2 and len(words) > 6:
        return " ".join(words[:2] + words[3:])
    if kind == 3:
        i = max(range(len(words)), key=lambda j: len(words[j]))
        w = words[i]
        words[i] = w[:2] + w[3] + w[2] + w[4:] if len(w) > 4 else w
        return " ".join(words)
    return title


def bench_titles(n: int, delay: float, on_server: int) -> None:
    """n catalog papers with no arXiv ID (titles spoilt as lists spoil them, first author and
    year given), among on_server records the fake arXiv holds."""
    records = synthetic_records(on_server)
    chosen = list(records.items())[: n + n // 40]
    lines = ['title = "Titles"\n\n[[section]]\nid = "s"\ntitle = "S"\n']
    truth = {}
    for k, (arxiv_id, record) in enumerate(chosen):
        title = _typo(record["title"], k)
        if k >= n:  # a few papers arXiv does not have: must stay unmatched
            title = f"An unpublished study of nothing in particular number {k}"
            arxiv_id = None
        first = record["authors_parsed"][0]
        author = decode_tex(f"{first[1]} {first[0]}")
        lines.append(
            f'[[paper]]\nsection = "s"\ntitle = {json.dumps(title)}\n'
            f"listed_authors = [{json.dumps(author)}]\nlisted_year = 2021\n"
        )
        truth[title] = arxiv_id
    catalog = parse_catalog("\n".join(lines))
    server = Server(records, min_interval=delay)
    try:
        lock = Lock()
        start, cpu = time.perf_counter(), time.process_time()
        resolve(catalog, lock, ApiSource(server.url, delay=delay), save=lambda lock: None)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        from ssl_bib.titles import normalize_title

        got = {t: lock.title_id(normalize_title(t)) for t in truth}
        found = sum(1 for t, i in truth.items() if i and got[t] == i)
        wrong = sum(1 for t, i in truth.items() if got[t] and got[t] != i)
        on_arxiv = sum(1 for i in truth.values() if i)
        row(f"title search, {len(truth)} titles (typos)", "requests", str(len(server.fake.requests)),
            f"naive client {len(truth)}; target <= {math.ceil(n / 20)}")  # fmt: skip
        row("", "found", f"{found}/{on_arxiv}", f"{found / on_arxiv:.1%} of those on arXiv")
        row("", "wrong matches", str(wrong), f"{len(truth) - on_arxiv} titles not on arXiv stay unmatched")
        row("", "wall / cpu", f"{wall:.1f} / {cpu:.1f} s", f"naive >= {(len(truth) - 1) * delay:.0f} s")
        row("", "rate violations", str(server.fake.violations), f"requests closer than {delay:g} s")
    finally:
        server.close()


# --- snapshot --------------------------------------------------------------------------------


def write_snapshot(path: Path, lines: int) -> list[str]:
    """A Kaggle-format file of `lines` records; return 100 IDs spread through it."""
    template = synthetic_records(1000)
    records = list(template.values())
    wanted = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            record = dict(records[i % 1000])
            record["id"] = f"{(i // 99999) % 90 + 10:02d}{(i // 9000) % 12 + 1:02d}.{i % 99999:05d}"
            out.write(json.dumps(record) + "\n")
            if i % (lines // 100) == lines // 200:
                wanted.append(record["id"])
    return wanted[:100]


def _apart(code: str) -> tuple[str, str, float]:
    """Run code (which prints a count and seconds) in a process of its own: (count, seconds,
    peak memory in MB of that whole process)."""
    code = f"import sys, time; sys.path.insert(0, {str(ROOT / 'src')!r})\n" + code
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    _, _, usage = os.wait4(proc.pid, 0)
    count, seconds = proc.stdout.read().split()
    return count, seconds, usage.ru_maxrss / 1024


def bench_snapshot(tmp: Path, sizes: list[int]) -> None:
    for lines in sizes:
        path = tmp / f"snap-{lines}.jsonl"
        wanted = write_snapshot(path, lines)
        found, seconds, peak = _apart(
            "from ssl_bib.arxiv_source import SnapshotSource\n"
            f"source = SnapshotSource({str(path)!r})\n"
            f"t = time.perf_counter(); n = sum(len(b.found) for b in source.fetch({wanted!r}))\n"
            "print(n, time.perf_counter() - t)\n"
        )
        size = path.stat().st_size / 1e6
        row(
            f"snapshot {lines:,} lines ({size:,.0f} MB), 100 IDs",
            "wall",
            f"{float(seconds):.2f} s",
            f"found {found}/100",
        )
        row("", "peak memory", f"{peak:.0f} MB", "whole process, Python included")
        path.unlink()


def write_dblp_dump(path: Path, records: int) -> list[str]:
    """A gzipped file in DBLP's dump format (ISO-8859-1, named entities) of `records` records,
    one in three a CoRR twin; return 100 titles spread through it."""
    import gzip

    titles = []
    with gzip.open(path, "wt", encoding="iso-8859-1", compresslevel=1) as out:
        out.write('<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>\n')
        for i in range(records):
            title = f"Synthetic Paper Number {i} on Contrastive Repr&eacute;sentations"
            corr = i % 3 == 0
            key = f"journals/corr/abs-{i}" if corr else f"conf/cvpr/P{i}"
            tag, venue = (
                ("article", "<journal>CoRR</journal>")
                if corr
                else ("inproceedings", "<booktitle>CVPR</booktitle>")
            )
            out.write(
                f'<{tag} mdate="2021-01-01" key="{key}"><author pid="1/{i}">Ann M&uuml;ller</author>'
                f"<author>Bo Chen 0001</author><title>{title}.</title><pages>1-9</pages><year>2020</year>"
                f"{venue}<ee>https://doi.org/10.1109/X.{i}</ee></{tag}>\n"
            )
            if i % (records // 100) == 1:
                titles.append(title.replace("&eacute;", "é"))
        out.write("</dblp>\n")
    return titles[:100]


def bench_dblp_dump(tmp: Path, sizes: list[int]) -> None:
    for records in sizes:
        path = tmp / f"dblp-{records}.xml.gz"
        titles = write_dblp_dump(path, records)
        found, seconds, peak = _apart(
            "from ssl_bib.sources.dblp_dump import scan\n"
            f"t = time.perf_counter(); found = scan({str(path)!r}, {titles!r})\n"
            "print(sum(map(len, found.values())), time.perf_counter() - t)\n"
        )
        size = path.stat().st_size / 1e6
        what = f"--dblp-dump {records:,} records ({size:,.0f} MB gz), 100 titles"
        row(what, "wall", f"{float(seconds):.1f} s", f"{found} records kept; 0 DBLP requests")
        row("", "peak memory", f"{peak:.0f} MB", "whole process, Python included")
        path.unlink()


SHARED_DBLP = ROOT.parent / "shared" / "dblp" / "seed-dblp.xml.gz"


def bench_published_seed() -> None:
    """The seed's published-version pass against local Semantic Scholar and DBLP servers that
    answer from DBLP's records of the seed (../shared/dblp, third-party, read in place): S2
    names each published paper's venue with the preprint's year (its worst case), DBLP serves
    the volumes. Requests per service, against the same pass over the dump."""
    import gzip
    import html.entities
    import re as regex
    from xml.etree import ElementTree

    from fake_indexes import FakeDblp, FakeS2, s2_paper

    from ssl_bib.indexes import dump_search, live_search
    from ssl_bib.published import find_published
    from ssl_bib.titles import normalize_title

    if not SHARED_DBLP.exists():
        print(f"  (no {SHARED_DBLP}: published-version pass not measured)")
        return
    volumes: dict[str, list[dict]] = {}
    published: dict[str, str] = {}  # normalized title -> booktitle
    parser = ElementTree.XMLParser()
    parser.entity.update({k: chr(v) for k, v in html.entities.name2codepoint.items()})
    root = ElementTree.fromstring(gzip.decompress(SHARED_DBLP.read_bytes()), parser=parser)
    for element in root:
        url, venue = element.findtext("url") or "", element.findtext("booktitle") or ""
        m = regex.match(r"db/(conf/[^#]+)\.html", url)
        if element.tag != "inproceedings" or m is None:
            continue
        title = (element.findtext("title") or "").rstrip(".")
        info = {"key": element.get("key"), "title": title + ".", "venue": venue,
                "year": element.findtext("year"), "type": "Conference and Workshop Papers",
                "pages": element.findtext("pages"),
                "authors": {"author": [{"text": a.text} for a in element.findall("author")]}}  # fmt: skip
        volumes.setdefault(m.group(1), []).append(info)
        published[normalize_title(title)] = venue
    catalog = load_catalog(ROOT / "papers.toml")
    lock = load_lock(ROOT / "papers.lock")
    papers = {}
    for arxiv_id, record in lock.records.items():
        venue = published.get(normalize_title(record.title), "ArXiv")
        papers[f"ARXIV:{arxiv_id}"] = s2_paper(record.title, venue, int(record.published[:4]))
    fakes = _IndexFakes(FakeS2(papers), FakeDblp(volumes))
    with fakes.serving() as services:
        lock.published.clear()
        start = time.perf_counter()
        live = find_published(catalog, lock, live_search(services), "live", save=lambda lk: None)
        wall = time.perf_counter() - start
    live_found = {i: s.found.key for i, s in lock.published.items() if s.found}
    lock.published.clear()
    find_published(catalog, lock, dump_search(SHARED_DBLP), "dump", save=lambda lk: None)
    dump_found = {i: s.found.key for i, s in lock.published.items() if s.found}
    row("published versions, seed, live", "requests", str(fakes.total()), f"{fakes.counts()}; budget 40")
    row("", "found", str(len(live.found)), f"the dump's pass: {len(dump_found)}; same records: "
        f"{sum(live_found.get(i) == k for i, k in dump_found.items())}")  # fmt: skip
    row("", "wall", f"{wall:.2f} s", "at no delay (the services' rules add 2-3 s a request)")


class _IndexFakes:
    """The four services' local stand-ins (tests/fake_indexes.py) on one server."""

    def __init__(self, s2, dblp, crossref=None, doi_org_records=None) -> None:
        from fake_indexes import FakeCrossref, FakeDoiOrg

        self.s2, self.dblp, self.crossref = s2, dblp, crossref or FakeCrossref([])
        self.doi_org = FakeDoiOrg(doi_org_records or {}, agency="")

    def app(self, environ, start):
        from werkzeug import Request

        request = Request(environ)
        path = request.path
        handler = (
            self.s2 if path.startswith("/graph/")
            else self.dblp if path.startswith("/search/")
            else self.crossref if path == "/works"
            else self.doi_org.content if path.startswith("/content/")
            else self.doi_org.resolver
        )  # fmt: skip
        return handler(request)(environ, start)

    @contextlib.contextmanager
    def serving(self):
        from ssl_bib.indexes import Services
        from ssl_bib.sources.crossref import Crossref
        from ssl_bib.sources.dblp_api import DblpApi
        from ssl_bib.sources.doi_org import DoiOrg
        from ssl_bib.sources.semantic_scholar import SemanticScholar

        server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.port}"
        self.doi_org.agency = url
        try:
            with tempfile.TemporaryDirectory() as state:
                where = Path(state)
                yield Services(
                    SemanticScholar(url, delay=0, state_dir=where), DblpApi(url, delay=0, state_dir=where),
                    Crossref(url, delay=0, state_dir=where), DoiOrg(url, delay=0, state_dir=where),
                )  # fmt: skip
        finally:
            server.shutdown()

    def counts(self) -> str:
        return (f"{len(self.s2.requests)} Semantic Scholar + {len(self.dblp.requests)} DBLP + "
                f"{len(self.crossref.requests)} Crossref + {len(self.doi_org.requests)} doi.org")  # fmt: skip

    def each(self) -> list[tuple[str, int]]:
        services = (("Semantic Scholar", self.s2), ("DBLP", self.dblp), ("Crossref", self.crossref),
                    ("doi.org", self.doi_org))  # fmt: skip
        return [(name, len(fake.requests)) for name, fake in services]

    def total(self) -> int:
        return sum(len(x.requests) for x in (self.s2, self.dblp, self.crossref, self.doi_org))


_VENUES = [("Computer Vision and Pattern Recognition", "conf/cvpr/cvpr", "CVPR"),
           ("International Conference on Machine Learning", "conf/icml/icml", "ICML"),
           ("Neural Information Processing Systems", "conf/nips/neurips", "NeurIPS"),
           ("International Conference on Learning Representations", "conf/iclr/iclr", "ICLR"),
           ("International Conference on Computer Vision", "conf/iccv/iccv", "ICCV")]  # fmt: skip


def bench_published_scale(n_ids: int, n_titles: int) -> None:
    """The live pass over n_ids arXiv papers and n_titles papers without an ID: 60 % published
    at a DBLP venue (half in the year after the preprint), 10 % at ECCV with a DOI only Crossref
    reads, 10 % decoys (the same title in the volume by other authors, or a title 99 % alike with
    another number sharing a co-author), 10 % workshop only,
    10 % preprints. Requests per service against the budget, and wrong upgrades (must be 0)."""
    from fake_indexes import FakeCrossref, FakeDblp, FakeS2, crossref_work, dblp_info, s2_paper

    from ssl_bib.indexes import live_search
    from ssl_bib.lock import Lookup
    from ssl_bib.published import Evidence, judge
    from ssl_bib.titles import normalize_title

    s2, volumes, works, truth = {}, {}, [], {}  # truth: ident -> the key that must be taken
    due: dict[str, Evidence] = {}
    for i in range(n_ids + n_titles):
        title, authors = f"Learning representation number {i} without labels", [f"Ann Lee{i}", "Bo Chen"]
        ident = f"2101.{i:05d}" if i < n_ids else f"title:{i}"
        due[ident] = Evidence(title, tuple(authors), 2021)
        kind, (s2_name, toc, label) = i % 10, _VENUES[i % 5]
        year = 2021 + (i // 10) % 2
        key = f"{toc.rsplit('/', 1)[0]}/Lee{i}"
        if kind < 6:
            volumes.setdefault(f"{toc}{year}", []).append(dblp_info(key, title, authors, year, label))
            truth[ident] = key
        elif kind == 7:  # decoys: the title by others; or 99 % alike, another number, a co-author shared
            other, people = (title, ["Someone Else"]) if i % 20 == 7 else (
                title.replace(f" {i} ", f" {i}0 "), ["Someone Else", "Bo Chen"])  # fmt: skip
            volumes.setdefault(f"{toc}{year}", []).append(dblp_info(key, other, people, year, label))
            truth[ident] = None
        elif kind == 6:
            doi = f"10.1007/978-3-030-{i:05d}"
            works.append(crossref_work(doi, title, authors, 2022, ["Lecture Notes in Computer Science",
                         "Computer Vision – ECCV 2022"], "book-chapter", event={"name": "ECCV"}))  # fmt: skip
            truth[ident], s2_name = doi, "European Conference on Computer Vision"
        else:
            truth[ident], s2_name = None, "CVPR Workshops" if kind == 8 else "arXiv.org"
        paper = s2_paper(title, s2_name, 2021, **({"DOI": f"10.1007/978-3-030-{i:05d}"} if kind == 6 else {}))
        s2[f"ARXIV:{ident}" if i < n_ids else f"CorpusId:{i}"] = paper
    fakes = _IndexFakes(FakeS2(s2), FakeDblp(volumes), FakeCrossref(works))
    with fakes.serving() as services:
        search = live_search(services)
        for name, part in (("IDs", {k: v for k, v in due.items() if not k.startswith("title:")}),
                           ("titles", {k: v for k, v in due.items() if k.startswith("title:")})):  # fmt: skip
            before = dict(fakes.each())
            start, cpu = time.perf_counter(), _cpu()
            hits = search(part, lambda stage, done, total: None)
            wall, cpu = time.perf_counter() - start, _cpu() - cpu
            wrong = found = 0
            for ident, evidence in part.items():
                verdict = judge(evidence, hits.get(normalize_title(evidence.title), []), Lookup("bench", "-"))
                taken = verdict.found.key if verdict.found else None
                wrong += taken is not None and taken != truth[ident]
                found += taken is not None and taken == truth[ident]
            asked = {service: count - before[service] for service, count in fakes.each()}
            budget = "; budget 300" if name == "IDs" else ""
            row(f"published versions, {len(part):,} {name}", "requests", str(sum(asked.values())),
                " + ".join(f"{c} {s}" for s, c in asked.items()) + budget)  # fmt: skip
            published = sum(truth[i] is not None for i in part)
            row("", "wrong upgrades", str(wrong), f"found {found} of {published} published; decoys refused")
            row("", "wall", f"{wall:.2f} s", f"CPU {cpu:.2f} s, at no delay")


# --- export ----------------------------------------------------------------------------------


def synthetic_refs(n: int, tmp: Path):
    """A catalog of n generated papers, resolved; its papers.toml and papers.lock are left in
    tmp/project-n for the command-line benchmark."""
    records = synthetic_records(n)
    snap = tmp / f"records-{n}.jsonl"
    snap.write_text("".join(json.dumps(r) + "\n" for r in records.values()), encoding="utf-8")
    project = tmp / f"project-{n}"
    project.mkdir(exist_ok=True)
    (project / "papers.toml").write_text(catalog_for(records, sections=8), encoding="utf-8")
    catalog = load_catalog(project / "papers.toml")
    lock = Lock()
    resolve(catalog, lock, SnapshotSource(snap), save=lambda lock: None)
    save_lock(lock, project / "papers.lock")
    return catalog, build_references(catalog, lock)


def bench_export(tmp: Path, sizes: list[int], repeat: int) -> None:
    have_pandoc = shutil.which("pandoc") is not None
    for n in sizes:
        catalog, refs = synthetic_refs(n, tmp)
        # the closures below run before the loop moves on, so late binding is harmless
        for fmt, style in (("bibtex", "apa"), ("csl-json", "apa"), ("markdown", "apa"), ("html", "ieee")):

            def cold(fmt: str = fmt, style: str = style) -> None:
                engine.forget()  # nothing parsed, remembered or rendered before
                render_all(refs, catalog, [fmt], [style])  # noqa: B023

            def warm(fmt: str = fmt, style: str = style) -> None:
                render_all(refs, catalog, [fmt], [style])  # noqa: B023

            label = f"export {n:,} papers, {fmt}" + (f"/{style}" if fmt in ("markdown", "html") else "")
            base = ""
            if fmt in ("markdown", "html") and have_pandoc:
                # one of ours, one of pandoc's, in turn: a slow spell of the machine hits both
                pandoc = pandoc_command(tmp, catalog, refs, style)
                cold_t, pandoc_t = alternate(cold, lambda: subprocess.run(pandoc, check=True), repeat)  # noqa: B023
                base = f"pandoc --citeproc {pandoc_t:.2f} s; ratio {cold_t / pandoc_t:.2f}" + _cpu_note()
            else:
                cold_t = median_time(cold, repeat)
                base = "pandoc not installed" if fmt in ("markdown", "html") else ""
            warm_t = median_time(warm, repeat)
            row(label, "cold / warm", f"{cold_t:.2f} / {warm_t:.3f} s", base)
        if have_pandoc:
            bench_command(tmp, n, catalog, refs, repeat)


def bench_two_styles(tmp: Path, n: int, repeat: int) -> None:
    """Markdown, HTML and text in APA and IEEE at once, against the two single-style runs."""
    catalog, refs = synthetic_refs(n, tmp)
    formats = ["markdown", "html", "text"]

    def run(styles: list[str]) -> Callable[[], None]:
        def once() -> None:
            engine.forget()  # nothing cached from the run before
            render_all(refs, catalog, formats, styles)

        return once

    both = median_time(run(["apa", "ieee"]), repeat)
    apa, ieee = median_time(run(["apa"]), repeat), median_time(run(["ieee"]), repeat)
    row(f"export {n:,} papers, 3 formats x -s apa -s ieee", "wall", f"{both:.2f} s",
        f"apa alone {apa:.2f} s + ieee alone {ieee:.2f} s: ratio {both / (apa + ieee):.2f}")  # fmt: skip


def bench_command(tmp: Path, n: int, catalog, refs, repeat: int) -> None:
    """The whole command, as a user runs it: Python start-up, imports, catalog, lock, render,
    write; against the whole pandoc command."""
    project = tmp / f"project-{n}"
    ours = [*ssl_bib_command(), "export", "--offline", "-f", "markdown", "-s", "apa", "-o", "out.md"]
    pandoc = pandoc_command(tmp, catalog, refs, "apa")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    ours_t, pandoc_t = alternate(
        lambda: subprocess.run(ours, check=True, cwd=project, env=env, capture_output=True),
        lambda: subprocess.run(pandoc, check=True),
        repeat,
    )
    row(
        f"ssl-bib export, {n:,} papers, markdown/apa",
        "whole command",
        f"{ours_t:.2f} s",
        f"pandoc --citeproc {pandoc_t:.2f} s; ratio {ours_t / pandoc_t:.2f}" + _cpu_note(),
    )


def bench_seed(tmp: Path, repeat: int) -> None:
    """The seed list in APA: in-process and as the whole command, beside pandoc (when it is
    installed), and beside plain citeproc-py."""
    catalog = load_catalog(ROOT / "papers.toml")
    refs = build_references(catalog, load_lock(ROOT / "papers.lock"))
    label = f"seed list ({len(refs)} papers), markdown/APA"

    def entries(fast: bool) -> Callable[[], object]:
        def once() -> object:
            engine.forget()  # nothing parsed, remembered or rendered before
            return engine.render_entries(refs, "apa", fast=fast)

        return once

    def cold() -> object:
        engine.forget()
        return render_all(refs, catalog, ["markdown"], ["apa"])

    fast_t, slow = median_time(entries(True), repeat), median_time(entries(False), repeat)
    row(label, "cold", f"{fast_t:.2f} s", f"plain citeproc-py {slow:.2f} s; speed-up {slow / fast_t:.1f}x")
    if shutil.which("pandoc") is None:
        return
    pandoc = pandoc_command(tmp, catalog, refs, "apa")
    ours_t, pandoc_t = alternate(cold, lambda: subprocess.run(pandoc, check=True), repeat)
    row(label, "cold, in-process", f"{ours_t:.2f} s",
        f"pandoc --citeproc {pandoc_t:.2f} s; ratio {ours_t / pandoc_t:.2f}" + _cpu_note())  # fmt: skip
    command = [*ssl_bib_command(), "--catalog", str(ROOT / "papers.toml"), "export", "--offline"]
    command += ["-f", "markdown", "-s", "apa", "-o", str(tmp / "seed.md")]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    ours_t, pandoc_t = alternate(
        lambda: subprocess.run(command, check=True, env=env, capture_output=True),
        lambda: subprocess.run(pandoc, check=True),
        repeat,
    )
    row(label, "whole command", f"{ours_t:.2f} s",
        f"pandoc --citeproc {pandoc_t:.2f} s; ratio {ours_t / pandoc_t:.2f}" + _cpu_note())  # fmt: skip


def ssl_bib_command() -> list[str]:
    """This checkout's command line (run with PYTHONPATH=src), whatever else is installed."""
    return [sys.executable, "-m", "ssl_bib.cli"]


CPU: dict[str, float] = {}  # the CPU seconds (this process and its children) of the last alternate()


def _cpu() -> float:
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def alternate(ours: Callable[[], object], theirs: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall times of two jobs run in turn, `repeat` times each; their median CPU
    times (worker processes and subprocesses included) are left in CPU."""
    mine, others, mine_cpu, others_cpu = [], [], [], []
    for _ in range(repeat):
        for job, walls, cpus in ((ours, mine, mine_cpu), (theirs, others, others_cpu)):
            cpu = _cpu()
            walls.append(median_time(job, 1))
            cpus.append(_cpu() - cpu)
    CPU.update(ours=statistics.median(mine_cpu), theirs=statistics.median(others_cpu))
    return statistics.median(mine), statistics.median(others)


def _cpu_note() -> str:
    return f"; CPU {CPU['ours']:.2f} s against pandoc's {CPU['theirs']:.2f} s"


def pandoc_command(tmp: Path, catalog, refs, style: str) -> list[str]:
    json_path = tmp / "refs.json"
    json_path.write_text(render_all(refs, catalog, ["csl-json"])["papers.json"], encoding="utf-8")
    doc = tmp / "doc.md"
    doc.write_text("---\nnocite: '@*'\n---\n", encoding="utf-8")
    csl = engine.style_path(style)
    return [
        "pandoc",
        "--citeproc",
        f"--csl={csl}",
        f"--bibliography={json_path}",
        "-t",
        "markdown",
        "-o",
        str(tmp / "out.md"),
        str(doc),
    ]


def bench_startup(repeat: int) -> None:
    command = [*ssl_bib_command(), "--help"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    help_t = median_time(lambda: subprocess.run(command, check=True, capture_output=True, env=env), repeat)
    bare = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat)
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ssl_bib.cli; print(sorted(m for m in ('requests', 'lxml', "
            "'citeproc', 'bibtexparser', 'arxiv') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    ).stdout.strip()
    row(
        "ssl-bib --help",
        "wall",
        f"{help_t * 1000:.0f} ms",
        f"python -c pass {bare * 1000:.0f} ms; heavy imports {heavy}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes and short delays (< 1 minute)")
    args = parser.parse_args()
    quick = args.quick
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    print(
        f"ssl-bib benchmarks ({'quick' if quick else 'full'}) on {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}"
    )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        seed_catalog = (ROOT / "papers.toml").read_text(encoding="utf-8")
        seed_records = load_snapshot(SEED_SNAPSHOT)
        if quick:
            bench_resolve("seed list", seed_catalog, seed_records, delay=0.2, repeat=1)
            bench_titles(100, delay=0.1, on_server=2000)
            bench_snapshot(tmp, [20_000])
            bench_dblp_dump(tmp, [20_000])
            bench_published_seed()
            bench_published_scale(3000, 500)
            bench_export(tmp, [100], repeat=3)
            bench_two_styles(tmp, 200, repeat=1)
            bench_startup(repeat=3)
        else:
            bench_resolve("seed list", seed_catalog, seed_records, delay=3.0, repeat=3)
            big = synthetic_records(1000)
            bench_resolve("1,000 papers", catalog_for(big), big, delay=3.0, repeat=3)
            huge = synthetic_records(3000)
            bench_resolve("3,000 papers", catalog_for(huge), huge, delay=3.0, repeat=1)
            bench_titles(400, delay=3.0, on_server=20_000)
            bench_snapshot(tmp, [100_000, 1_000_000])
            bench_dblp_dump(tmp, [1_000_000, 5_000_000])
            bench_published_seed()
            bench_published_scale(3000, 500)
            bench_export(tmp, [100, 1000], repeat=5)
            bench_export(tmp, [10_000], repeat=3)
            bench_two_styles(tmp, 5000, repeat=3)
            bench_startup(repeat=5)
        bench_seed(tmp, repeat=3 if quick else 5)


if __name__ == "__main__":
    main()
