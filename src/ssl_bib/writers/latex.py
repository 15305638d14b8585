"""survey.tex: the list as the start of a survey, a complete LaTeX document that compiles as
it is: the list's sections as sectioning commands, each citing its papers in list order in
one sentence, and the list's own columns (venue, results, datasets) as booktabs tables.

Every string from the list goes through the same TeX escaping as the .bib files; section ids
and citation keys are slugs and keys the catalog and lock have already checked.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..latex import escape
from ..model import Reference, Section
from . import Job

LEVELS = ("section", "subsection", "subsubsection", "paragraph")  # deeper levels stay \paragraph

_PREAMBLE = {
    "natbib": "\\usepackage{natbib}\n\\usepackage{url}\n",
    "biblatex": "\\usepackage[backend=biber,style=authoryear,natbib=true]{biblatex}\n"
    "\\addbibresource{papers-biblatex.bib}\n",
}
_BIBLIOGRAPHY = {
    "natbib": "\\bibliographystyle{plainnat}\n\\bibliography{papers}\n",
    "biblatex": "\\printbibliography\n",
}


def render(refs: Sequence[Reference], job: Job) -> str:
    """The whole document, for the sections chosen (all when none was)."""
    shown = [s for s in job.sections if job.shows(s.id)]
    listed = _listed(refs)
    top = min((s.depth for s in shown), default=0)
    out = [
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n",
        "\\usepackage{booktabs}\n\\usepackage{longtable}\n\\usepackage{array}\n",
        # a ragged column that hyphenates from its first word on: narrow columns fit the line
        "\\newcolumntype{L}[1]{>{\\raggedright\\arraybackslash\\hspace{0pt}}p{#1}}\n",
        _PREAMBLE[job.latex_backend],
        f"\\title{{{escape(job.title or 'Survey')}}}\n\\author{{}}\n\\date{{}}\n\n",
        "\\begin{document}\n\\maketitle\n",
    ]
    for section in shown:
        out.append(_section(section, listed.get(section.id, []), section.depth - top))
    out.append("\n" + _BIBLIOGRAPHY[job.latex_backend] + "\\end{document}\n")
    return "".join(out)


def _listed(refs: Sequence[Reference]) -> dict[str, list[Reference]]:
    """Each section's papers in list order (a paper listed in two sections is in both)."""
    placed: dict[str, list[tuple[int, int, Reference]]] = {}
    for n, ref in enumerate(refs):
        for sid, line in ref.places or tuple((s, 0) for s in ref.sections):
            placed.setdefault(sid, []).append((line, n, ref))
    return {sid: [ref for _, _, ref in sorted(rows, key=lambda r: r[:2])] for sid, rows in placed.items()}


def _section(section: Section, refs: list[Reference], depth: int) -> str:
    command = LEVELS[min(depth, len(LEVELS) - 1)]
    out = [f"\n\\{command}{{{escape(section.title)}}}\\label{{sec:{section.id}}}\n"]
    if refs:
        mentions = [_mention(r) for r in refs]
        joined = mentions[0] if len(mentions) == 1 else ", ".join(mentions[:-1]) + " and " + mentions[-1]
        out.append(f"This section covers {joined}.\n")
        out.append(_table(section, refs))
    return "".join(out)


def _mention(ref: Reference) -> str:
    """`MoCo~\\citep{key}` by the list's nickname, else `\\citet{key}` (the first author)."""
    return f"{escape(ref.short)}~\\citep{{{ref.key}}}" if ref.short else f"\\citet{{{ref.key}}}"


def _table(section: Section, refs: list[Reference]) -> str:
    """The list's columns for the section's papers, when it gives any: one row a paper."""
    headers = list(dict.fromkeys(h for r in refs for h, _ in r.columns))
    if not headers:
        return ""
    widths = _widths(len(headers) + 1)
    spec = "".join(f"L{{{w:.3f}\\linewidth}}" for w in widths)
    head = " & ".join(["Paper", *(escape(h) for h in headers)]) + " \\\\\n"
    rows = []
    for ref in refs:
        cells = dict(ref.columns)
        name = _cell(ref.short or ref.title)
        rows.append(" & ".join([f"{name}~\\citep{{{ref.key}}}", *(_cell(cells.get(h, "")) for h in headers)]))
    return (
        f"\\begingroup\\small\n\\begin{{longtable}}{{@{{}}{spec}@{{}}}}\n"
        f"\\caption{{{escape(section.title)}}}\\label{{tab:{section.id}}}\\\\\n"
        f"\\toprule\n{head}\\midrule\n\\endfirsthead\n\\toprule\n{head}\\midrule\n\\endhead\n"
        + "".join(row + " \\\\\n" for row in rows)
        + "\\bottomrule\n\\end{longtable}\n\\endgroup\n"
    )


def _cell(text: str) -> str:
    """A table cell: escaped, and breakable after `:` and `/` (`arXiv:2008.02531`), which
    escaping never writes inside a command."""
    return escape(text).replace(":", ":\\allowbreak{}").replace("/", "/\\allowbreak{}")


def _widths(columns: int) -> list[float]:
    """Column widths as shares of the line: the paper column half again as wide as the
    others, all of them with the space between columns inside the line."""
    gaps = 0.035 * (columns - 1)  # 2\tabcolsep a gap, at 10pt article's line width
    unit = (0.98 - gaps) / (columns + 0.5)
    return [unit * 1.5, *([unit] * (columns - 1))]
