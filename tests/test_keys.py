"""Citation keys: the DESIGN.md pattern, unique, pinned once handed out, overridable."""

from __future__ import annotations

from conftest import SEED_SNAPSHOT

from ssl_bib.arxiv_source import SnapshotSource
from ssl_bib.catalog import parse_catalog
from ssl_bib.keys import assign_keys, base_key
from ssl_bib.lock import Lock
from ssl_bib.references import build_references
from ssl_bib.resolve import resolve

HEAD = 'title = "t"\n[[section]]\nid = "s"\ntitle = "S"\n'


def _paper(arxiv: str, key: str = "") -> str:
    extra = f'key = "{key}"\n' if key else ""
    return f'[[paper]]\nsection = "s"\ntitle = "x"\narxiv = "{arxiv}"\n{extra}'


def _keys(text: str, lock: Lock) -> list[str]:
    catalog = parse_catalog(HEAD + text)
    resolve(catalog, lock, SnapshotSource(SEED_SNAPSHOT), save=lambda lk: None)
    return [r.key for r in build_references(catalog, lock)]


def test_design_examples():
    assert base_key("Chen", 2020, "A Simple Framework for Contrastive Learning") == "chen2020simple"
    assert base_key("Oord", 2018, "Representation Learning with CPC") == "oord2018representation"
    assert base_key("Ødegaard", 2021, "The Ästhetik of Things") == "odegaard2021asthetik"


def test_keys_never_change_when_papers_are_added():
    lock = Lock()
    # 2002.05709 (SimCLR) and 2006.10029 (SimCLRv2) by Chen et al., 2020
    assert _keys(_paper("2006.10029"), lock) == ["chen2020big"]
    first = dict(lock.keys)
    # A paper added *before* it in the list, and one whose base key collides with a pinned one
    keys = _keys(_paper("2002.05709") + _paper("2006.10029"), lock)
    assert keys == ["chen2020simple", "chen2020big"]
    assert {k: v for k, v in lock.keys.items() if k in first} == first


def test_collisions_get_letters_in_list_order_and_pinned_keys_stay():
    wanted = [("a", "chen2020simple", None), ("b", "chen2020simple", None), ("c", "chen2020simple", None)]
    assert assign_keys(wanted, {}) == {"a": "chen2020simple", "b": "chen2020simplea", "c": "chen2020simpleb"}
    # "c" was handed out first: it keeps its key, the others take the next free ones
    assert assign_keys(wanted, {"c": "chen2020simple"}) == {
        "a": "chen2020simplea",
        "b": "chen2020simpleb",
        "c": "chen2020simple",
    }


def test_catalog_key_wins():
    lock = Lock()
    assert _keys(_paper("2002.05709", key="simclr"), lock) == ["simclr"]
    assert lock.keys["2002.05709"] == "simclr"


def test_an_unresolved_paper_gets_its_real_key_once_resolved(tmp_path):
    import json

    from conftest import SEED_SNAPSHOT as snap

    lock = Lock()
    text = _paper("2002.05709") + _paper("2006.10029")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    catalog = parse_catalog(HEAD + text)
    resolve(catalog, lock, SnapshotSource(empty), save=lambda lk: None)  # arXiv knows neither yet
    assert [r.key for r in build_references(catalog, lock)] == ["anon2020x", "anon2020xa"]
    assert lock.keys == {}  # provisional keys are not pinned
    line = next(x for x in snap.read_text().splitlines() if json.loads(x)["id"] == "2006.10029")
    (tmp_path / "one.jsonl").write_text(line + "\n")
    resolve(catalog, lock, SnapshotSource(tmp_path / "one.jsonl"), save=lambda lk: None, refresh=True)
    assert [r.key for r in build_references(catalog, lock)] == ["anon2020x", "chen2020big"]
    assert lock.keys == {"2006.10029": "chen2020big"}
