"""survey.tex: the list's sections, citations and result tables as a LaTeX document that
compiles with natbib + bibtex and with biblatex + biber, every key cited."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import require
from helpers import seed

from ssl_bib.catalog import parse_catalog
from ssl_bib.lock import Lock
from ssl_bib.pipeline import render_all
from ssl_bib.references import build_references


def _survey(backend: str = "natbib", only: tuple[str, ...] = ()) -> tuple[str, dict[str, str]]:
    catalog, refs = seed()
    files = render_all(refs, catalog, ["latex", "bibtex", "biblatex"], only=only, latex_backend=backend)
    return files["survey.tex"], files


def test_sections_follow_the_list_and_cite_every_paper_once_per_listing():
    catalog, refs = seed()
    tex, _ = _survey()
    assert tex.startswith("\\documentclass{article}") and tex.endswith("\\end{document}\n")
    assert "\\title{Awesome-Self-Supervised-Papers}" in tex
    assert "\\section{Computer Vision (CV)}\\label{sec:cv}" in tex
    assert "\\subsubsection{Contrastive Learning}\\label{sec:cv/pretraining/contrastive}" in tex
    headings = re.findall(r"\\(?:(?:sub)*section|paragraph)\{.*?\}\\label\{sec:(.*?)\}", tex)
    assert headings == [s.id for s in catalog.sections]  # list order, every section
    cited = re.findall(r"\\cite[pt]\{([^}]+)\}", tex.split("\\begingroup")[0] + tex)
    assert {r.key for r in refs} <= set(cited)
    twice = next(r for r in refs if len(r.sections) > 1)  # listed in two sections: one key, both cited
    sentences = [line for line in tex.splitlines() if line.startswith("This section covers")]
    assert sum(f"{{{twice.key}}}" in line for line in sentences) == 2
    assert "MoCo~\\citep{he2019momentum}" in tex and "\\citet{hadsell2006dimensionality}" in tex


def test_the_lists_columns_become_tables_with_its_headers_and_empty_cells():
    tex, _ = _survey()
    table = tex[tex.index("\\caption{Contrastive Learning}") :].split("\\end{longtable}")[0]
    assert "Paper & Venue & ImageNet Acc (Top 1) \\\\" in table
    assert "\\toprule" in table and "\\midrule" in table and "\\bottomrule" in table
    # the list's `-` cell stays empty; its `60.6 %` is escaped
    hadsell = "Dimensionality Reduction by Learning an Invariant Mapping~\\citep{hadsell2006dimensionality}"
    assert f"{hadsell} & CVPR 2006 &  \\\\" in table
    assert "MoCo~\\citep{he2019momentum} & arXiv:\\allowbreak{}1911.05722 & 60.6 \\% \\\\" in table


def test_deeper_sections_stay_paragraphs_and_section_limits_the_document():
    text = 'title = "Deep"\n' + "".join(
        f'[[section]]\nid = "{"/".join("abcdef"[: i + 1])}"\ntitle = "Level {i}"\n' for i in range(6)
    )
    text += '[[paper]]\nsection = "a/b/c/d/e/f"\ntitle = "A Deep Paper"\nauthors = ["Ann Lee"]\nyear = 2020\n'
    catalog = parse_catalog(text)
    refs = build_references(catalog, Lock())
    (tex,) = render_all(refs, catalog, ["latex"]).values()
    levels = re.findall(r"\\(section|subsection|subsubsection|paragraph)\{Level", tex)
    assert levels == ["section", "subsection", "subsubsection", "paragraph", "paragraph", "paragraph"]
    part, _ = _survey(only=("nlp",))
    assert "\\section{Natural Language Processing (NLP)}" in part and "Computer Vision" not in part
    assert "\\subsection" not in part.split("\\section{Natural")[0]


def _sh(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=300, check=False
    )


@pytest.mark.parametrize("backend", ["natbib", "biblatex"])
def test_survey_compiles_with_every_citation_defined_and_no_table_off_the_page(tmp_path, backend):
    tool = "bibtex" if backend == "natbib" else "biber"
    require("pdflatex")
    require(tool)
    tex, files = _survey(backend)
    for name in ("survey.tex", "papers.bib", "papers-biblatex.bib"):
        (tmp_path / name).write_text(files[name], encoding="utf-8")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "survey"]
    for step in (latex, [tool, "survey"], latex, latex):
        result = _sh(step, tmp_path)
        assert result.returncode == 0, result.stdout[-3000:]
    log = (tmp_path / "survey.log").read_text(errors="replace")
    assert "undefined" not in log.lower(), re.findall(r".*undefined.*", log)
    tables = [
        range(tex[: m.start()].count("\n") + 1, tex[: m.end()].count("\n") + 2)
        for m in re.finditer(r"\\begin\{longtable\}.*?\\end\{longtable\}", tex, re.DOTALL)
    ]
    assert len(tables) >= 10
    overfull = [int(m.group(1)) for m in re.finditer(r"Overfull \\hbox .* at lines (\d+)--", log)]
    assert not [line for line in overfull if any(line in t for t in tables)]
    keys = set(re.findall(r"@\w+\{([^,]+),", files["papers.bib"]))
    assert keys <= set(re.findall(r"\\cite[pt]\{([^}]+)\}", tex))  # every key in the catalog is cited
