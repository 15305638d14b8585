"""One writer per output format, chosen by name; every writer is `render(refs, job) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..model import Reference, Section


@dataclass(frozen=True)
class Job:
    """What a writer may need besides the references."""

    title: str = ""
    sections: tuple[Section, ...] = ()
    style: str = "apa"
    only: tuple[str, ...] = ()  # section ids chosen with --section (and their children)
    latex_backend: str = "natbib"  # survey.tex cites with natbib (bibtex) or biblatex (biber)

    def shows(self, section_id: str) -> bool:
        """Whether a section is in the output: every one, or those chosen and their children."""
        return not self.only or any(section_id == s or section_id.startswith(s + "/") for s in self.only)


Render = Callable[[Sequence[Reference], Job], str]


@dataclass(frozen=True)
class Format:
    """An output format: its name (as the CLI takes it), where its writer lives (loaded when
    used: citeproc-py is slow to import), the file it writes, and whether it takes a style."""

    name: str
    module: str
    function: str
    file_pattern: str
    styled: bool = False

    def writer(self) -> Render:
        """The format's render function."""
        render: Render = getattr(importlib.import_module(f"{__name__}.{self.module}"), self.function)
        return render

    def file_name(self, style: str) -> str:
        """The file the format is written to inside the output folder."""
        stem = style.rsplit("/", 1)[-1].removesuffix(".csl")
        return self.file_pattern.format(style=stem)


# Every format, in the order `--format all` writes them: the one registry.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("bibtex", "bibtex", "render_bibtex", "papers.bib"),
        Format("biblatex", "bibtex", "render_biblatex", "papers-biblatex.bib"),
        Format("csl-json", "csl_json", "render", "papers.json"),
        Format("zotero-rdf", "zotero_rdf", "render", "papers.rdf"),
        Format("latex", "latex", "render", "survey.tex"),
        Format("markdown", "reflist", "render_markdown", "references-{style}.md", styled=True),
        Format("html", "reflist", "render_html", "references-{style}.html", styled=True),
        Format("text", "reflist", "render_text", "references-{style}.txt", styled=True),
    )
}
