"""Build references from the small test catalog (resolved from its own snapshot)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ssl_bib.catalog import load_catalog
from ssl_bib.lock import load_lock
from ssl_bib.model import Catalog, Reference
from ssl_bib.resolve import build_references

SMALL = Path(__file__).parent / "data" / "small"
ROOT = Path(__file__).resolve().parent.parent


@cache
def small() -> tuple[Catalog, tuple[Reference, ...]]:
    catalog = load_catalog(SMALL / "papers.toml")
    return catalog, tuple(build_references(catalog, load_lock(SMALL / "papers.lock")))


@cache
def seed() -> tuple[Catalog, tuple[Reference, ...]]:
    catalog = load_catalog(ROOT / "papers.toml")
    return catalog, tuple(build_references(catalog, load_lock(ROOT / "papers.lock")))
