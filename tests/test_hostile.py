"""Hostile data never executes: tests/hostile holds a catalog and lock whose every value tries
to inject TeX or HTML. The .bib files are typeset by the real programs and the pages parsed
by real parsers; nothing may come out as anything but text."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import require
from markdown_it import MarkdownIt

from ssl_bib.cli import main

HOSTILE = Path(__file__).parent / "hostile"
PAPERS = 12  # distinct papers in tests/hostile/papers.toml


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Export every format of the hostile catalog (in a copy: export pins keys in the lock)."""
    root = tmp_path_factory.mktemp("hostile")
    for name in ("papers.toml", "papers.lock"):
        shutil.copy(HOSTILE / name, root / name)
    assert main(["--catalog", str(root / "papers.toml"), "export", "--offline", "-s", "ieee"]) == 0
    return root / "output"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=300)


def _tex_trees() -> list[str]:
    """The folders TeX itself reads from (its distribution, configuration and caches)."""
    names = [
        "TEXMFROOT",
        "TEXMFDIST",
        "TEXMFMAIN",
        "TEXMFSYSVAR",
        "TEXMFSYSCONFIG",
        "TEXMFVAR",
        "TEXMFCONFIG",
    ]
    found = _run(["kpsewhich", *(f"-var-value={n}" for n in names)], Path.cwd()).stdout.split()
    own = [str(Path(p).resolve()) + "/" for p in found if p.startswith("/")]
    return [
        *own,
        "/usr/share/",
        "/usr/local/texlive/",
        "/etc/texmf/",
        "/var/lib/texmf/",
        str(Path.home() / ".texlive"),
    ]


def _typeset(build: Path, bib: Path, preamble: str, bibliography: str, tool: str) -> str:
    """pdflatex (shell escape off, recording every file it opens) + the tool + pdflatex x2."""
    require("pdflatex")
    require(tool)
    shutil.copy(bib, build / "papers.bib")
    (build / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        f"{preamble}\n\\begin{{document}}\n\\nocite{{*}}\n{bibliography}\n\\end{{document}}\n"
    )
    latex = ["pdflatex", "-no-shell-escape", "-recorder", "-interaction=nonstopmode", "-halt-on-error", "doc"]
    for step in (latex, [tool, "doc"], latex, latex):
        result = _run(step, build)
        assert result.returncode == 0, result.stdout[-3000:]
    return (build / "doc.bbl").read_text(encoding="utf-8")


def _assert_read_nothing_outside(build: Path) -> None:
    trees = _tex_trees()
    for line in (build / "doc.fls").read_text().splitlines():
        if line.startswith("INPUT "):
            path = line[6:]
            assert "hostname" not in path, line
            absolute = str((build / path).resolve())
            assert absolute.startswith((str(build.resolve()) + "/", *trees)), line


def test_hostile_bibtex_reads_no_file_and_typesets_every_entry(outputs, tmp_path):
    natbib = "\\usepackage[numbers]{natbib}\n\\usepackage{url}"
    bbl = _typeset(
        tmp_path,
        outputs / "papers.bib",
        natbib,
        "\\bibliographystyle{plainnat}\n\\bibliography{papers}",
        "bibtex",
    )
    assert bbl.count("\\bibitem") == PAPERS
    _assert_read_nothing_outside(tmp_path)
    assert not (tmp_path / "pwned").exists()


def test_hostile_biber_reads_no_file_and_typesets_every_entry(outputs, tmp_path):
    biblatex = "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{papers.bib}"
    bbl = _typeset(tmp_path, outputs / "papers-biblatex.bib", biblatex, "\\printbibliography", "biber")
    assert bbl.count("\\entry{") == PAPERS
    _assert_read_nothing_outside(tmp_path)
    assert not (tmp_path / "pwned").exists()


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += attrs


# What ssl-bib's page template and citeproc-py's formatter write; data adds nothing to these.
_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "nav", "strong", "ul", "li",
         "a", "main", "i", "b", "span"}  # fmt: skip
_ATTRS = {"lang", "charset", "name", "content", "aria-label", "style", "id", "href", "class"}


@pytest.mark.parametrize("style", ["apa", "ieee"])
def test_hostile_html_has_no_element_or_attribute_from_data(outputs, style):
    page = _Elements()
    page.feed((outputs / f"references-{style}.html").read_text(encoding="utf-8"))
    assert page.tags <= _TAGS, page.tags - _TAGS
    assert {name for name, _ in page.attrs} <= _ATTRS
    for name, value in page.attrs:
        if name == "href":
            assert value and value.startswith(("#", "https://", "http://")), value
        if name == "class":
            assert value == "nocase" or value == "refs", value
    assert page.tags >= {"li", "a", "i"}  # the page is a reference list, not an empty shell


@pytest.mark.parametrize("style", ["apa", "ieee"])
def test_hostile_markdown_holds_no_html(outputs, style):
    tokens = MarkdownIt("commonmark").parse((outputs / f"references-{style}.md").read_text(encoding="utf-8"))
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert not kinds & {"html_inline", "html_block"}, kinds
    links = [c.attrs["href"] for t in tokens for c in t.children or [] if c.type == "link_open"]
    assert all(str(href).startswith(("https://", "http://")) for href in links)
    assert links or style == "ieee"  # IEEE prints DOIs, not URLs


def test_hostile_text_and_csl_json_keep_the_data_as_text(outputs):
    items = json.loads((outputs / "papers.json").read_text(encoding="utf-8"))
    assert len(items) == PAPERS
    titles = {i["title"] for i in items}
    assert "<script>alert(1)</script> & <img src=x onerror=alert(1)>[31m" in titles  # NUL, ESC dropped
    text = (outputs / "references-apa.txt").read_text(encoding="utf-8")
    assert "\x00" not in text and "\x1b" not in text
    assert "<script>alert(1)</script>" in text  # plain text shows it as the characters it is


def test_hostile_rdf_parses_and_keeps_the_data_as_literals(outputs):
    from rdflib import Graph, Literal, Namespace

    z, dc = (
        Namespace("http://www.zotero.org/namespaces/export#"),
        Namespace("http://purl.org/dc/elements/1.1/"),
    )
    graph = Graph()
    graph.parse(outputs / "papers.rdf", format="xml")
    assert len(set(graph.subjects(z.itemType, None))) == PAPERS
    titles = {str(t) for t in graph.objects(None, dc.title)}
    assert "</h2><script>alert(1)</script><h2>" in titles  # a section's title, as text
    assert all(isinstance(t, Literal) for t in graph.objects(None, dc.title))


def test_accents_read_alike_in_bibtex_biber_and_pandoc(outputs, tmp_path):
    """í is {\\'i}: bibtex typesets it, and biber and pandoc read it back as í, not as a
    dotless ı with a combining accent (which stops pdflatex)."""
    require("pandoc")
    bib = (outputs / "papers.bib").read_text(encoding="utf-8")
    assert "Garc{\\'i}a" in bib and "\\'\\i" not in bib
    items = json.loads(
        _run(["pandoc", str(outputs / "papers.bib"), "-f", "bibtex", "-t", "csljson"], tmp_path).stdout
    )
    names = {(a.get("given"), a.get("family")) for i in items for a in i.get("author", [])}
    assert {("José", "García"), ("Íñigo", "Ïsmaïl"), ("Jiří", "Ĵosé")} <= names
    # the BibTeX file through biber, as users of biblatex with a .bib from elsewhere do
    biblatex = "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{papers.bib}"
    bbl = _typeset(tmp_path, outputs / "papers.bib", biblatex, "\\printbibliography", "biber")
    assert "García" in bbl and "\u0131" not in bbl and "\u0301" not in bbl


def test_hostile_survey_compiles_reads_no_file_and_cites_every_entry(outputs, tmp_path):
    """survey.tex escapes headings, nicknames and table cells as the .bib does: typeset with
    shell escape off and every file TeX opens recorded, it reads nothing of the machine."""
    require("pdflatex")
    require("bibtex")
    shutil.copy(outputs / "survey.tex", tmp_path / "survey.tex")
    shutil.copy(outputs / "papers.bib", tmp_path / "papers.bib")
    latex = [
        "pdflatex",
        "-no-shell-escape",
        "-recorder",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "survey",
    ]
    for step in (latex, ["bibtex", "survey"], latex, latex):
        result = _run(step, tmp_path)
        assert result.returncode == 0, result.stdout[-3000:]
    (tmp_path / "doc.fls").write_text((tmp_path / "survey.fls").read_text())
    _assert_read_nothing_outside(tmp_path)
    assert not (tmp_path / "pwned").exists()
    assert (tmp_path / "survey.bbl").read_text(encoding="utf-8").count("\\bibitem") == PAPERS
    assert (
        "Score \\textbackslash{}input\\textbraceleft{}/etc/hostname\\textbraceright{} &"
        in (tmp_path / "survey.tex").read_text()
    )
