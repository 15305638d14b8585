"""The whole job in a few short functions: load -> resolve -> build references -> write."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .catalog import load_catalog
from .check import Finding, check
from .errors import CatalogError, ConfigError, OutputError, Problem
from .files import exclusive, writable_target, write_all
from .lock import Lock, load_lock, save_lock
from .model import Catalog, Reference
from .published import Search, find_published
from .references import build_references, identity, pinned_keys
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


@dataclass(frozen=True)
class Imported:
    """What an import wrote (or, for '-', what it would write), and what it left out."""

    target: Path
    text: str
    summary: str
    left_out: tuple[Problem, ...]


def run_import(project: Project, list_md: Path, output: Path | None = None) -> Imported:
    """The import command: the list as a catalog, keeping the hand-written fields of the
    catalog it replaces; checked as any catalog is read, then written (unless to '-')."""
    from .catalog import parse_catalog
    from .files import write_atomic
    from .importer import import_markdown, keep_hand_fields  # markdown-it: only here

    target = output or project.catalog_path
    protected = {list_md: "list being imported", project.lock_path: "lock"}
    if str(target) != "-":
        writable_target(target, protected)  # before reading it as the catalog it replaces
    imported = import_markdown(list_md)
    text = imported.text
    if str(target) != "-" and target.exists():  # keep what a maintainer wrote by hand
        text = keep_hand_fields(text, load_catalog(target))
    parse_catalog(text, str(target))
    if str(target) != "-":
        write_atomic(target, text, protected)
    return Imported(target, text, imported.summary, tuple(imported.left_out))


Sourcing = Callable[[], "Source"]  # makes the source when there is something to look up


def run_resolve(
    project: Project,
    source: Sourcing | None,
    *,
    refresh: bool = False,
    progress: Progress = lambda stage, done, total: None,
    on_wait: Callable[[], None] = lambda: None,
    index: Index | None = None,
) -> ResolveReport | Offline:
    """The resolve command: look up what the lock lacks (or everything with refresh), saving
    as it goes. With no source (offline), only hand out keys, and only to an existing lock,
    and say what is left unresolved."""
    catalog = load_catalog(project.catalog_path)
    if source is None:
        if not project.lock_path.exists():
            return Offline(False, 0, *_unresolved(catalog, Lock()))
        with exclusive(project.busy_path, on_wait):
            lock = load_lock(project.lock_path)
            added = _pin_keys(project, catalog, lock)
        return Offline(True, added, *_unresolved(catalog, lock))
    return _resolved(project, catalog, source, refresh, progress, on_wait, index)[1]


@dataclass(frozen=True)
class Offline:
    """What an offline resolve did: whether there is a lock, how many keys it handed out,
    and how many of the catalog's distinct papers the lock cannot resolve."""

    lock_exists: bool
    keys_added: int
    unresolved: int
    papers: int


def _unresolved(catalog: Catalog, lock: Lock) -> tuple[int, int]:
    """(papers a resolve would still look up, distinct papers)."""
    ids, titles = pending(catalog, lock)
    distinct = len({identity(p, lock) for p in catalog.papers})
    return len(ids) + len(titles), distinct


def _resolved(
    project: Project,
    catalog: Catalog,
    source: Sourcing,
    refresh: bool = False,
    progress: Progress = lambda stage, done, total: None,
    on_wait: Callable[[], None] = lambda: None,
    index: Index | None = None,
    recheck: bool = True,
) -> tuple[Lock, ResolveReport]:
    """Resolve under the project's run lock, one run at a time (a second waits, then finds
    what the first resolved): the lock as saved, and what was looked up."""
    with exclusive(project.busy_path, on_wait):
        lock = load_lock(project.lock_path)  # as the last run left it
        ids, titles = pending(catalog, lock, refresh)
        save = functools.partial(save_lock, path=project.lock_path)
        if not ids and not titles and not refresh:
            _pin_keys(project, catalog, lock)
            report = ResolveReport()
        else:
            report = resolve(catalog, lock, source(), save=save, refresh=refresh, progress=progress)
        if index is not None:
            found = find_published(
                catalog, lock, index.search, index.name, save=save, refresh=refresh, recheck=recheck,
                progress=progress,
            )  # fmt: skip
            report.published, report.unpublished, report.ambiguous = found.found, found.none, found.ambiguous
        return lock, report


@dataclass(frozen=True)
class Index:
    """Where published versions are looked for: a name for the lock, and the search."""

    name: str
    search: Search


def make_index(dblp_dump: str | None, live: LiveServices | None = None) -> Index | None:
    """DBLP's XML dump when given, else the live services when given (None: no index)."""
    from . import indexes

    if dblp_dump is not None:
        path = Path(dblp_dump)
        if not path.is_file():
            raise OutputError(f"{dblp_dump}: no such DBLP dump file")
        return Index(f"dblp-dump:{path.name}", indexes.dump_search(path))
    if live is None:
        return None
    from .sources.crossref import Crossref
    from .sources.dblp_api import DblpApi
    from .sources.doi_org import DoiOrg
    from .sources.http import check_url, redact
    from .sources.semantic_scholar import SemanticScholar

    urls = {"--s2-url": live.s2_url, "--dblp-url": live.dblp_url, "--crossref-url": live.crossref_url,
            "--doi-url": live.doi_url}  # fmt: skip
    for option, url in urls.items():
        if (reason := check_url(url)) is not None:
            raise ConfigError(f"{option} {redact(url)!r}: {reason}")

    delay, backoff = live.delay, live.backoff  # each service's own spacing unless set
    services = indexes.Services(
        s2=SemanticScholar(live.s2_url, api_key=live.s2_key, delay=delay, backoff=backoff),
        dblp=DblpApi(live.dblp_url, delay=2.0 if delay is None else delay, backoff=backoff),
        crossref=Crossref(live.crossref_url, mailto=live.mailto, delay=delay, backoff=backoff),
        doi_org=DoiOrg(live.doi_url, delay=0.2 if delay is None else delay, backoff=backoff),
    )
    return Index(f"semantic-scholar+dblp+crossref:{services.dblp.name}", indexes.live_search(services))


@dataclass(frozen=True)
class LiveServices:
    """Where the live indexes are (base URLs), the optional Semantic Scholar key, and the
    address that asks Crossref's polite pool."""

    s2_url: str
    dblp_url: str
    crossref_url: str
    doi_url: str
    s2_key: str | None = None
    mailto: str | None = None
    backoff: float = 3.0
    delay: float | None = None  # seconds between requests; None: each service's own rule


def _pin_keys(project: Project, catalog: Catalog, lock: Lock) -> int:
    """Hand out keys to papers that have none in the lock yet (the caller holds the run
    lock), without looking anything up; how many were handed out."""
    keys = pinned_keys(catalog, lock)
    added = len(keys.keys() - lock.keys.keys())
    if keys != lock.keys or lock.left_out:  # saved without the entries left out, it loads clean
        lock.keys = keys
        save_lock(lock, project.lock_path)
    return added


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
    latex_backend: str = "natbib",
) -> dict[str, str]:
    """Render every (format, style) pair; return file name -> text."""
    files: dict[str, str] = {}
    plan = plan_files(formats, styles)
    # style by style: a list is rendered once per style, whatever the number of formats
    for name, (fmt, style) in sorted(plan.items(), key=lambda entry: list(styles).index(entry[1][1])):
        job = Job(catalog.title, catalog.sections, style, tuple(only), latex_backend)
        files[name] = FORMATS[fmt].writer()(refs, job)
    return {name: files[name] for name in plan}


def run_export(
    project: Project,
    formats: Sequence[str],
    styles: Sequence[str],
    sections: Sequence[str] = (),
    source: Sourcing | None = None,
    progress: Progress = lambda stage, done, total: None,
    on_wait: Callable[[], None] = lambda: None,
    index: Index | None = None,
    latex_backend: str = "natbib",
) -> tuple[dict[str, str], ResolveReport]:
    """The export command: check styles and sections, read the catalog and the lock once,
    resolve what the lock lacks first (unless offline: no source), build the references
    once, render every file (each style once); file name -> text, and what was resolved."""
    check_styles(formats, styles)
    catalog = load_catalog(project.catalog_path)
    check_sections(catalog, sections)
    report = ResolveReport()
    if source is None:
        lock = load_lock(project.lock_path)
    else:
        lock, report = _resolved(
            project, catalog, source, progress=progress, on_wait=on_wait, index=index, recheck=False
        )
    refs = select(build_references(catalog, lock), catalog, sections)
    return render_all(refs, catalog, formats, styles, sections, latex_backend), report


def run_check(project: Project) -> tuple[Catalog, list[Finding]]:
    """The check command: what is doubtful in the catalog and lock (not errors)."""
    catalog, lock = project.load()
    return catalog, check(catalog, lock)


def write_outputs(project: Project, files: dict[str, str], out_dir: Path) -> None:
    """Write every file into out_dir, all of them or none, never over the catalog or lock."""
    protected = {project.catalog_path: "catalog", project.lock_path: "lock"}
    write_all({out_dir / name: text for name, text in files.items()}, protected)
