"""Build references from the small test catalog (resolved from its own snapshot)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ssl_bib.catalog import load_catalog
from ssl_bib.lock import load_lock
from ssl_bib.model import Catalog, Reference
from ssl_bib.references import build_references

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


@cache
def synthetic(n: int) -> tuple[Catalog, tuple[Reference, ...]]:
    """n generated papers (accents, particles, shared authors) over 8 sections."""
    import json
    import tempfile

    from fake_arxiv import catalog_for, synthetic_records

    from ssl_bib.arxiv_source import SnapshotSource
    from ssl_bib.catalog import parse_catalog
    from ssl_bib.lock import Lock
    from ssl_bib.resolve import resolve

    records = synthetic_records(n)
    with tempfile.TemporaryDirectory() as tmp:
        snap = Path(tmp) / "snap.jsonl"
        snap.write_text("".join(json.dumps(r) + "\n" for r in records.values()), encoding="utf-8")
        catalog = parse_catalog(catalog_for(records, sections=8))
        lock = Lock()
        resolve(catalog, lock, SnapshotSource(snap), save=lambda lk: None)
    return catalog, tuple(build_references(catalog, lock))
