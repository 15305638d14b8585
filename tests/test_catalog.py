"""Catalog validation, driven by tests/catalogs/{valid,invalid}: one file, one expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssl_bib.catalog import parse_catalog
from ssl_bib.errors import CatalogError

CASES = Path(__file__).parent / "catalogs"
INVALID = sorted((CASES / "invalid").glob("*.toml"))
VALID = sorted((CASES / "valid").glob("*.toml"))


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_catalog_reports_every_problem_with_its_line(path: Path):
    with pytest.raises(CatalogError) as exc:
        parse_catalog(path.read_text(encoding="utf-8"), "papers.toml")
    assert str(exc.value) + "\n" == path.with_suffix(".err").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_catalog_loads(path: Path):
    catalog = parse_catalog(path.read_text(encoding="utf-8"))
    lines = ["sections: " + ", ".join(s.id for s in catalog.sections)]
    for p in catalog.papers:
        lines.append(f"paper: {p.title} | {','.join(p.sections)} | {p.arxiv} | {p.key} | {p.year}")
    assert "\n".join(lines) + "\n" == path.with_suffix(".expected").read_text(encoding="utf-8")


def test_every_invalid_case_has_an_expectation():
    assert INVALID and all(p.with_suffix(".err").exists() for p in INVALID)
