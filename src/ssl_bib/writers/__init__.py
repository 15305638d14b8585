"""One writer per output format, chosen by name; every writer is `render(refs, job) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ..model import Reference, Section

Format = Literal["bibtex", "biblatex", "csl-json", "zotero-rdf", "markdown", "html", "text"]


@dataclass(frozen=True)
class Job:
    """What a writer may need besides the references."""

    title: str = ""
    sections: tuple[Section, ...] = ()
    style: str = "apa"
    only: tuple[str, ...] = ()  # section ids chosen with --section (and their children)


# format -> (module, function, file name pattern); modules load lazily (citeproc is slow to import)
FORMATS: dict[str, tuple[str, str, str]] = {
    "bibtex": ("bibtex", "render_bibtex", "papers.bib"),
    "biblatex": ("bibtex", "render_biblatex", "papers-biblatex.bib"),
    "csl-json": ("csl_json", "render", "papers.json"),
    "zotero-rdf": ("zotero_rdf", "render", "papers.rdf"),
    "markdown": ("reflist", "render_markdown", "references-{style}.md"),
    "html": ("reflist", "render_html", "references-{style}.html"),
    "text": ("reflist", "render_text", "references-{style}.txt"),
}
STYLED = ("markdown", "html", "text")


def writer(fmt: str) -> Callable[[Sequence[Reference], Job], str]:
    """Return the render function of a format."""
    module, function, _ = FORMATS[fmt]
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)  # type: ignore[no-any-return]


def file_name(fmt: str, style: str) -> str:
    """Name the file a format is written to inside the output folder."""
    stem = style.rsplit("/", 1)[-1].removesuffix(".csl")
    return FORMATS[fmt][2].format(style=stem)
