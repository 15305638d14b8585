"""The whole job in a few short functions: load -> resolve -> build references -> write."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .catalog import load_catalog
from .errors import CatalogError, OutputError, Problem
from .files import exclusive, write_all
from .lock import Lock, load_lock, save_lock
from .model import Catalog, Reference
from .references import build_references, pinned_keys
from .resolve import Progress, ResolveReport, pending, resolve
from .writers import FORMATS, Job

if TYPE_CHECKING:
    from .arxiv_source import Source


@dataclass(frozen=True)
class Project:
    """The catalog, its lock and where outputs go, found from the catalog path."""

    catalog_path: Path

    @property
    def lock_path(self) -> Path:
        return self.catalog_path.with_suffix(".lock")

    @property
    def busy_path(self) -> Path:
        """Held while a run writes the lock: `.papers.lock.busy` beside it."""
        return self.lock_path.with_name(f".{self.lock_path.name}.busy")

    @property
    def output_dir(self) -> Path:
        return self.catalog_path.parent / "output"

    def load(self) -> tuple[Catalog, Lock]:
        return load_catalog(self.catalog_path), load_lock(self.lock_path)


def make_source(arxiv_url: str, snapshot: str | None, delay: float, backoff: float = 3.0) -> Source:
    """Pick the snapshot when given, else the API at arxiv_url."""
    from .arxiv_source import ApiSource, SnapshotSource  # not needed by an offline export

    return SnapshotSource(snapshot) if snapshot else ApiSource(arxiv_url, delay=delay, backoff=backoff)


def run_resolve(
    project: Project,
    source: Callable[[], Source],
    *,
    refresh: bool = False,
    progress: Progress = lambda stage, done, total: None,
    on_wait: Callable[[], None] = lambda: None,
) -> ResolveReport:
    """Resolve what the lock lacks (or everything with refresh), saving as it goes; one run
    at a time per project (a second waits, then finds what the first resolved)."""
    with exclusive(project.busy_path, on_wait):
        catalog, lock = project.load()
        ids, titles = pending(catalog, lock, refresh)
        if not ids and not titles and not refresh:
            return pin_keys(project, catalog, lock)
        return resolve(
            catalog,
            lock,
            source(),
            save=lambda lk: save_lock(lk, project.lock_path),
            refresh=refresh,
            progress=progress,
        )


def pin_keys(project: Project, catalog: Catalog, lock: Lock) -> ResolveReport:
    """Hand out keys to papers that have none in the lock yet, without looking anything up."""
    keys = pinned_keys(catalog, lock)
    if keys != lock.keys:
        with exclusive(project.busy_path):
            lock = load_lock(project.lock_path)  # as the last writer left it
            lock.keys = pinned_keys(catalog, lock)
            save_lock(lock, project.lock_path)
    return ResolveReport()


def check_sections(catalog: Catalog, section_ids: Sequence[str]) -> None:
    """Fail on a --section the catalog does not have, with the closest one it has."""
    known = {s.id for s in catalog.sections}
    for sid in section_ids:
        if sid not in known:
            close = difflib.get_close_matches(sid, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise CatalogError([Problem(catalog.path, None, f"unknown section {sid!r}{hint}")])


def check_styles(formats: Sequence[str], styles: Sequence[str]) -> None:
    """Fail on a style that does not exist, when a format uses styles."""
    if any(FORMATS[fmt].styled for fmt in formats):
        from .engine import style_path

        for style in styles:
            style_path(style)


def select(refs: Sequence[Reference], catalog: Catalog, section_ids: Sequence[str]) -> list[Reference]:
    """Keep the references listed in the given sections or their children."""
    if not section_ids:
        return list(refs)
    check_sections(catalog, section_ids)

    def inside(sid: str) -> bool:
        return any(sid == s or sid.startswith(s + "/") for s in section_ids)

    return [r for r in refs if any(inside(s) for s in r.sections)]


def plan_files(formats: Sequence[str], styles: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Name every file an export will write (file name -> format, style), before any work;
    two styles that would write the same file are an error."""
    plan: dict[str, tuple[str, str]] = {}
    for fmt in formats:
        for style in styles if FORMATS[fmt].styled else styles[:1]:
            name = FORMATS[fmt].file_name(style)
            if name in plan and plan[name][1] != style:
                raise OutputError(
                    f"styles {plan[name][1]!r} and {style!r} would both write {name}; "
                    "export them one at a time or rename one .csl file"
                )
            plan[name] = (fmt, style)
    return plan


def render_all(
    refs: Sequence[Reference],
    catalog: Catalog,
    formats: Sequence[str],
    styles: Sequence[str] = ("apa",),
    only: Sequence[str] = (),
) -> dict[str, str]:
    """Render every (format, style) pair; return file name -> text."""
    files: dict[str, str] = {}
    plan = plan_files(formats, styles)
    # style by style: a list is rendered once per style, whatever the number of formats
    for name, (fmt, style) in sorted(plan.items(), key=lambda entry: list(styles).index(entry[1][1])):
        job = Job(catalog.title, catalog.sections, style, tuple(only))
        files[name] = FORMATS[fmt].writer()(refs, job)
    return {name: files[name] for name in plan}


def run_export(
    project: Project,
    formats: Sequence[str],
    styles: Sequence[str],
    sections: Sequence[str] = (),
    resolve_first: Callable[[], object] | None = None,
) -> dict[str, str]:
    """The export command: check styles and sections, resolve what the lock lacks (when
    asked), read the catalog and lock once, build the references once, render every file."""
    check_styles(formats, styles)
    catalog = load_catalog(project.catalog_path)
    check_sections(catalog, sections)
    if resolve_first is not None:
        resolve_first()
    refs = select(build_references(catalog, load_lock(project.lock_path)), catalog, sections)
    return render_all(refs, catalog, formats, styles, sections)


def write_outputs(files: dict[str, str], out_dir: Path) -> None:
    """Write every file into out_dir, all of them or none."""
    write_all({out_dir / name: text for name, text in files.items()})
