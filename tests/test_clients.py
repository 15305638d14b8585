"""The real programs people feed our files to: pdflatex + bibtex, pdflatex + biber, pandoc."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import require
from helpers import seed, small

from ssl_bib.pipeline import render_all


def _sh(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=300, check=False
    )


def _tex(cwd: Path, name: str, preamble: str, bib_command: str, keys: list[str]) -> None:
    cites = ",".join(keys)
    (cwd / f"{name}.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        f"{preamble}\n\\begin{{document}}\n\\cite{{{cites}}}\n{bib_command}\n\\end{{document}}\n"
    )


def _pdflatex(cwd: Path, name: str) -> str:
    result = _sh(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", name], cwd)
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


def _compile(tmp_path: Path, refs_of, fmt: str, preamble: str, bibliography: str, tool: str) -> str:
    """Typeset a document citing every key; return what the bibliography tool printed."""
    require("pdflatex")
    require(tool)
    catalog, refs = refs_of()
    (text,) = render_all(refs, catalog, [fmt]).values()
    (tmp_path / "papers.bib").write_text(text)
    _tex(tmp_path, "doc", preamble, bibliography, [r.key for r in refs])
    _pdflatex(tmp_path, "doc")
    result = _sh([tool, "doc"], tmp_path)
    assert result.returncode == 0, result.stdout
    _pdflatex(tmp_path, "doc")
    log = _pdflatex(tmp_path, "doc")
    assert "undefined" not in log.lower(), re.findall(r".*undefined.*", log)
    return result.stdout


@pytest.mark.parametrize("refs_of", [seed, small], ids=["seed", "small"])
def test_bibtex_natbib_compiles_without_errors_or_warnings(tmp_path, refs_of):
    natbib = "\\usepackage[numbers]{natbib}\n\\usepackage{url}"
    out = _compile(
        tmp_path, refs_of, "bibtex", natbib, "\\bibliographystyle{plainnat}\n\\bibliography{papers}", "bibtex"
    )
    # Zero warnings: authorless entries carry a `key` field, so bibtex can sort them.
    assert "Warning" not in out, out
    assert (tmp_path / "doc.bbl").read_text().count("\\bibitem") == len(refs_of()[1])


@pytest.mark.parametrize("refs_of", [seed, small], ids=["seed", "small"])
def test_biblatex_biber_compiles_without_errors_or_warnings(tmp_path, refs_of):
    biblatex = "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{papers.bib}"
    out = _compile(tmp_path, refs_of, "biblatex", biblatex, "\\printbibliography", "biber")
    assert not re.findall(r"(WARN|ERROR) - .*", out), out
    assert (tmp_path / "doc.bbl").read_text().count("\\entry{") == len(refs_of()[1])


def _pandoc_items(path: Path) -> list[dict]:
    result = _sh(
        ["pandoc", "-f", "bibtex" if path.suffix == ".bib" else "csljson", "-t", "csljson", path.name],
        path.parent,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("refs_of", [seed, small], ids=["seed", "small"])
def test_pandoc_reads_bib_and_csl_json_alike(tmp_path, refs_of):
    require("pandoc")
    catalog, refs = refs_of()
    files = render_all(refs, catalog, ["bibtex", "csl-json"])
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    from_bib = {i["id"]: i for i in _pandoc_items(tmp_path / "papers.bib")}
    from_json = {i["id"]: i for i in _pandoc_items(tmp_path / "papers.json")}
    assert list(from_bib) == list(from_json) == [r.key for r in refs]
    for key, ours in from_json.items():
        theirs = from_bib[key]
        # pandoc splits the particle out of both ("van den" + "Oord"), from the .bib name
        # and from our CSL family "van den Oord" alike: compare whole family names
        assert _families(theirs) == _families(ours), key
        assert any(a.get("non-dropping-particle") == "van den" for a in ours.get("author", [])) == (
            any("van den" in f for f in _families(ours))
        ), key
        assert theirs["issued"]["date-parts"][0][0] == ours["issued"]["date-parts"][0][0], key


def _families(item: dict) -> list[str]:
    return [
        " ".join(
            filter(
                None,
                [
                    a.get("non-dropping-particle"),
                    a.get("dropping-particle"),
                    a.get("family") or a.get("literal"),
                ],
            )
        )
        for a in item.get("author", [])
    ]


@pytest.mark.parametrize("bib", ["papers.json", "papers.bib"])
def test_pandoc_citeproc_renders_every_entry(tmp_path, bib):
    require("pandoc")
    catalog, refs = seed()
    for name, text in render_all(refs, catalog, ["bibtex", "csl-json"]).items():
        (tmp_path / name).write_text(text)
    (tmp_path / "doc.md").write_text("---\nnocite: '@*'\n---\n")
    result = _sh(
        ["pandoc", "--citeproc", f"--bibliography={bib}", "-t", "plain", "--wrap=none", "doc.md"], tmp_path
    )
    assert result.returncode == 0 and not result.stderr, result.stderr
    entries = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(entries) == len(refs)
    assert any(line.startswith("van den Oord, Aaron") or "van den Oord" in line for line in entries)
