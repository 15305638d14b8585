"""The command line as users meet it: messages, exit codes, files, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SEED_LIST, SEED_SNAPSHOT


def test_help_explains_every_command(run):
    code, out, _ = run("--help")
    assert code == 0
    for command in ("import", "resolve", "export", "check"):
        assert command in out
        code, out_cmd, _ = run(command, "--help")
        assert code == 0 and "Usage: ssl-bib " + command in out_cmd


def test_import_writes_catalog(run, tmp_path):
    code, _, err = run("import", str(SEED_LIST), "-o", str(tmp_path / "c.toml"))
    assert code == 0
    assert err.strip() == f"{tmp_path / 'c.toml'}: 15 sections, 94 papers, 90 with arXiv IDs"


def test_import_of_a_file_without_papers_fails(run, tmp_path):
    (tmp_path / "empty.md").write_text("# Nothing\n\nJust prose.\n")
    code, out, err = run("import", str(tmp_path / "empty.md"), "-o", str(tmp_path / "c.toml"))
    assert code == 2
    assert (
        err == f"ssl-bib: error: {tmp_path / 'empty.md'}: no papers found (no table rows or list entries)\n"
    )
    assert not (tmp_path / "c.toml").exists()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'title = "x"\n[[section]]\nid = "cv"\ntitle = "CV\n',
            "papers.toml:4: invalid TOML: Illegal character '\\n' (column 12)",
        ),
        (
            '[[section]]\nid = "cv"\ntitle = "CV"\n[[paper]]\nsection = "cvv"\ntitle = "T"\n',
            "papers.toml:5: unknown section 'cvv' (did you mean 'cv'?)",
        ),
        (
            '[[section]]\nid = "cv"\ntitle = "CV"\n[[paper]]\nsection = "cv"\ntitle = "T"\narxiv = "1234"\n',
            "papers.toml:7: malformed arXiv ID '1234' (expected e.g. '2002.05709' or 'cs/0112017')",
        ),
    ],
)
def test_bad_catalog_is_one_line_exit_2(run, tmp_path, toml, message):
    (tmp_path / "papers.toml").write_text(toml)
    for command in (["check"], ["export", "--offline"], ["resolve", "--offline"]):
        code, out, err = run(*command, cwd=tmp_path)
        assert code == 2
        assert err == f"ssl-bib: error: {message}\n"
        assert "Traceback" not in out + err
    assert not (tmp_path / "output").exists()


def test_missing_catalog(run, tmp_path):
    code, _, err = run("--catalog", str(tmp_path / "nope.toml"), "check")
    assert (code, err) == (2, f"ssl-bib: error: {tmp_path / 'nope.toml'}: no such catalog file\n")


def test_corrupt_lock(run, project):
    (project / "papers.lock").write_text("{not json")
    code, _, err = run("check", cwd=project)
    assert code == 2
    reason = "Expecting property name enclosed in double quotes"
    assert err == f"ssl-bib: error: papers.lock: line 1: not valid JSON ({reason})\n"


def test_unreachable_arxiv_is_one_line(run, project):
    code, out, err = run(
        "resolve",
        "--arxiv-url",
        "http://127.0.0.1:9/api/query",
        "--delay",
        "0",
        "--retry-backoff",
        "0",
        cwd=project,
    )
    assert code == 3
    assert err.startswith("ssl-bib: error: arXiv unavailable at http://127.0.0.1:9/api/query (")
    assert "93 paper(s) still unresolved" in err and err.count("\n") == 1


def test_resolve_then_check_then_export_offline(run, project, fake_arxiv):
    code, _, err = run(
        "resolve", "--arxiv-url", fake_arxiv.url, "--delay", "0", "--retry-backoff", "0", cwd=project
    )
    assert code == 0, err
    assert err == "papers.lock: 88 fetched, 2 found by title, 3 not on arXiv\n"
    asked = len(fake_arxiv.requests)
    code, out, _ = run("check", "--format", "json", cwd=project)
    assert code == 1
    kinds = {f["kind"] for f in json.loads(out)}
    assert {"label-mismatch", "duplicate", "no-arxiv-id", "unresolved", "title-differs"} <= kinds
    code, _, err = run("export", "--arxiv-url", fake_arxiv.url, cwd=project)  # complete lock
    assert code == 0, err
    assert len(fake_arxiv.requests) == asked  # no request at all
    names = sorted(p.name for p in (project / "output").iterdir())
    assert names == [
        "papers-biblatex.bib",
        "papers.bib",
        "papers.json",
        "papers.rdf",
        "references-apa.html",
        "references-apa.md",
        "references-apa.txt",
        "survey.tex",
    ]


def test_check_text_lists_the_label_link_mismatch(run, project):
    shutil.copy(ROOT / "papers.lock", project / "papers.lock")
    code, out, _ = run("check", cwd=project)
    assert code == 1
    assert (
        "papers.toml:115: label-mismatch: Improved Baselines with Momentum Contrastive Learning: "
        "venue label says arXiv:2003.12338 but the link is 2003.04297; using the link"
    ) in out
    assert "arXiv:2004.05554 was not found" in out


def test_check_is_clean_on_a_clean_catalog(run, tmp_path):
    (tmp_path / "papers.toml").write_text(
        '[[section]]\nid = "s"\ntitle = "S"\n[[paper]]\nsection = "s"\n'
        'title = "A Simple Framework for Contrastive Learning of Visual Representations"\n'
        'arxiv = "2002.05709"\n'
    )
    code, _, _ = run("resolve", "--snapshot", str(SEED_SNAPSHOT), cwd=tmp_path)
    assert code == 0
    code, out, err = run("check", cwd=tmp_path)
    assert (code, out) == (0, "")


def test_export_single_format_to_stdout_and_file(run, project):
    shutil.copy(ROOT / "papers.lock", project / "papers.lock")
    code, out, _ = run("export", "--offline", "-f", "bibtex", "-o", "-", cwd=project)
    assert code == 0 and out.startswith("@inproceedings{hadsell2006dimensionality,")
    code, _, _ = run("export", "--offline", "-f", "csl-json", "-o", "refs.json", cwd=project)
    assert (
        code == 0 and json.loads((project / "refs.json").read_text())[0]["id"] == "hadsell2006dimensionality"
    )


def test_export_unknown_section_and_style(run, project):
    shutil.copy(ROOT / "papers.lock", project / "papers.lock")
    code, _, err = run("export", "--offline", "--section", "cv/vidoe", cwd=project)
    assert (code, err) == (
        2,
        "ssl-bib: error: papers.toml: unknown section 'cv/vidoe' (did you mean 'cv/video'?)\n",
    )
    code, _, err = run("export", "--offline", "-f", "markdown", "-s", "iee", "-o", "-", cwd=project)
    assert code == 2
    assert err.startswith("ssl-bib: error: unknown CSL style 'iee' (did you mean 'ieee'")
    assert not (project / "output").exists()


def test_a_style_citeproc_cannot_apply_is_one_line_and_writes_nothing(run, project):
    shutil.copy(ROOT / "papers.lock", project / "papers.lock")
    style = (ROOT / "tests" / "data" / "uncommon.csl").read_text(encoding="utf-8")
    (project / "bogus.csl").write_text(style.replace('"italic"', '"bogus"'), encoding="utf-8")
    code, _, err = run("export", "--offline", "-s", "bogus.csl", cwd=project)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith("ssl-bib: error: citeproc-py cannot render with CSL style 'bogus.csl': ")
    assert not (project / "output").exists()  # not even the .bib that needs no style


def test_usage_errors_exit_2_without_traceback(run, project):
    code, _, err = run("export", "--format", "docx", cwd=project)
    assert code == 2 and "Invalid value for '-f' / '--format'" in err and "Traceback" not in err


def test_reimport_keeps_hand_written_fields(run, project):
    before = (project / "papers.toml").read_text()
    code, _, err = run("import", str(SEED_LIST), cwd=project)
    assert code == 0, err
    assert (project / "papers.toml").read_text() == before  # the committed catalog: import + hand fields
    code, _, _ = run("import", str(SEED_LIST), "-o", "fresh.toml", cwd=project)
    assert 'authors = ["Raia Hadsell"' not in (project / "fresh.toml").read_text()


class _Terminal:
    """A stderr that says it is a terminal (progress is shown only there)."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal(project, monkeypatch):
    from ssl_bib.cli import main

    monkeypatch.chdir(project)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["resolve", "--snapshot", str(SEED_SNAPSHOT)]) == 0
    assert "\rresolving: ID batches 1/1, title searches 4/4\n" in terminal.text
    assert terminal.text.endswith("papers.lock: 88 fetched, 2 found by title, 3 not on arXiv\n")


def test_second_resolve_is_up_to_date_without_a_request(run, project, fake_arxiv):
    assert (
        run("resolve", "--arxiv-url", fake_arxiv.url, "--delay", "0", "--retry-backoff", "0", cwd=project)[0]
        == 0
    )
    asked = len(fake_arxiv.requests)
    code, _, err = run(
        "resolve", "--arxiv-url", fake_arxiv.url, "--delay", "0", "--retry-backoff", "0", cwd=project
    )
    assert (code, err) == (0, "papers.lock: up to date, nothing to look up (--refresh looks everything up)\n")
    assert len(fake_arxiv.requests) == asked


def test_missing_snapshot_and_unwritable_output(run, project):
    code, _, err = run("resolve", "--snapshot", "nope.jsonl", cwd=project)
    assert (code, err) == (2, "ssl-bib: error: nope.jsonl: no such snapshot file\n")
    shutil.copy(ROOT / "papers.lock", project / "papers.lock")
    (project / "blocked").write_text("a file where a folder should be")
    code, _, err = run("export", "--offline", "-o", "blocked/out", cwd=project)
    assert code == 2 and err.startswith("ssl-bib: error: blocked/out/papers") and "cannot write" in err


def test_lock_of_another_schema(run, project):
    (project / "papers.lock").write_text('{"schema": 99}')
    code, _, err = run("export", "--offline", cwd=project)
    assert (code, err) == (
        2,
        "ssl-bib: error: papers.lock: unknown lock schema (expected schema 1); re-run resolve --refresh\n",
    )


def test_export_is_all_or_nothing(run, project):
    """A folder where one output should go: the export fails and no output changes."""
    shutil.copy(ROOT / "papers.lock", project / "papers.lock")
    assert run("export", "--offline", cwd=project)[0] == 0
    before = {p.name: p.read_bytes() for p in (project / "output").iterdir()}
    (project / "output" / "references-apa.html").unlink()
    (project / "output" / "references-apa.html").mkdir()
    (project / "papers.toml").write_text(
        (project / "papers.toml").read_text().replace("Dimensionality Reduction", "Dimension Cut")
    )
    code, _, err = run("export", "--offline", cwd=project)
    assert code == 2 and err.endswith("references-apa.html is a directory\n"), err
    after = {p.name: p.read_bytes() for p in (project / "output").iterdir() if p.is_file()}
    assert after == {k: v for k, v in before.items() if k != "references-apa.html"}
    assert not [p for p in (project / "output").iterdir() if p.name.startswith(".")]  # no temp left


def test_catalog_option_after_the_command_and_import_to_stdout(run, project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, out, err = run("import", str(SEED_LIST), "-o", "-", cwd=elsewhere)
    assert (
        code == 0
        and out.startswith('title = "Awesome-Self-Supervised-Papers"')
        and not list(elsewhere.iterdir())
    )
    shutil.copy(ROOT / "papers.lock", project / "papers.lock")
    code, out, _ = run("check", "--catalog", str(project / "papers.toml"), "--format", "json", cwd=elsewhere)
    assert code == 1 and json.loads(out)


def test_a_full_stdout_is_one_line(project):
    import subprocess
    import sys

    shutil.copy(ROOT / "papers.lock", project / "papers.lock")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "ssl_bib.cli", "export", "--offline", "-f", "bibtex", "-o", "-"],
            cwd=project, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == "ssl-bib: error: cannot write to standard output: No space left on device\n"


def _children(pid: int) -> list[int]:
    """The processes whose parent is pid (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture(scope="module")
def long_project(tmp_path_factory):
    """A project of 8,000 resolved papers: long enough to render in forked workers for seconds."""
    from fake_arxiv import catalog_for, synthetic_records

    from ssl_bib.arxiv_source import SnapshotSource
    from ssl_bib.catalog import parse_catalog
    from ssl_bib.lock import Lock, save_lock
    from ssl_bib.resolve import resolve

    root = tmp_path_factory.mktemp("long")
    records = synthetic_records(8000)
    (root / "papers.toml").write_text(catalog_for(records, sections=8))
    snap = root / "snap.jsonl"
    snap.write_text("".join(json.dumps(r) + "\n" for r in records.values()), encoding="utf-8")
    lock = Lock()
    resolve(
        parse_catalog((root / "papers.toml").read_text()), lock, SnapshotSource(snap), save=lambda lk: None
    )
    save_lock(lock, root / "papers.lock")
    return root


def _as_from_a_shell() -> None:
    """Start the export as a shell starts a command: Ctrl-C neither ignored nor blocked,
    whatever the test process inherited or left (a fork and exec keep both)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to see the workers")
@pytest.mark.parametrize("when", ["as the first worker starts", "while every worker renders"])
def test_ctrl_c_while_rendering_is_aborted_with_no_traceback(long_project, when):
    """SIGINT reaches the whole process group on a terminal: the render workers ignore it,
    the parent stops them and says `aborted` (exit 130), whenever it lands. The signal is
    sent when the workers are seen (not after a guessed sleep), so the test is the same on
    a fast machine and a slow one."""
    import os
    import signal
    import subprocess
    import sys
    import time

    run = subprocess.Popen(
        [sys.executable, "-m", "ssl_bib.cli", "export", "--offline", "-f", "markdown", "-o", "-"],
        cwd=long_project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=_as_from_a_shell,
    )  # fmt: skip
    wanted = 1 if when == "as the first worker starts" else min(os.cpu_count() or 1, 8)
    deadline = time.monotonic() + 120
    while len(_children(run.pid)) < wanted and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    assert run.poll() is None, "the export ended before its workers were seen"
    os.killpg(run.pid, signal.SIGINT)  # as a terminal's Ctrl-C does: the whole group
    _, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert err.strip() == "ssl-bib: aborted"  # click ends the terminal's `^C` line first


def test_o_writes_through_what_is_not_a_regular_file_and_never_over_the_project(run, tmp_path):
    import os
    import stat
    import threading

    shutil.copy(ROOT / "papers.toml", tmp_path / "papers.toml")
    shutil.copy(ROOT / "papers.lock", tmp_path / "papers.lock")
    expected = (ROOT / "output" / "papers.bib").read_text(encoding="utf-8")
    catalog = (tmp_path / "papers.toml").read_bytes()
    # a symlink to a regular file: the file it names is replaced, the link stays
    (tmp_path / "real.bib").write_text("old")
    (tmp_path / "link.bib").symlink_to("real.bib")
    assert run("export", "--offline", "-f", "bibtex", "-o", "link.bib", cwd=tmp_path)[0] == 0
    assert (tmp_path / "link.bib").is_symlink() and (tmp_path / "real.bib").read_text() == expected
    # a symlink to the catalog is the catalog
    (tmp_path / "sneaky.bib").symlink_to("papers.toml")
    code, _, err = run("export", "--offline", "-f", "bibtex", "-o", "sneaky.bib", cwd=tmp_path)
    assert (
        code == 2
        and err
        == "ssl-bib: error: sneaky.bib: is the catalog; ssl-bib never writes over it, choose another -o\n"
    )
    assert (tmp_path / "papers.toml").read_bytes() == catalog
    # a FIFO is written to, and stays a FIFO
    os.mkfifo(tmp_path / "fifo")
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append((tmp_path / "fifo").read_bytes()))
    reader.start()
    assert run("export", "--offline", "-f", "bibtex", "-o", "fifo", cwd=tmp_path)[0] == 0
    reader.join(30)
    assert got == [expected.encode()] and stat.S_ISFIFO((tmp_path / "fifo").stat().st_mode)
    # a character device is written to, never replaced: /dev/full says it is full
    if os.path.exists("/dev/full"):
        code, _, err = run("export", "--offline", "-f", "bibtex", "-o", "/dev/full", cwd=tmp_path)
        assert code == 2 and err == "ssl-bib: error: /dev/full: cannot write: No space left on device\n"
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_resolve_offline_says_what_it_did(run, project):
    code, _, err = run("resolve", "--offline", cwd=project)  # no lock yet
    assert code == 0 and not (project / "papers.lock").exists()
    assert err == (
        "papers.lock: offline, no lock yet: nothing written; 93 of 93 papers not looked up yet "
        "(resolve without --offline looks them up)\n"
    )
    shutil.copy(ROOT / "papers.lock", project / "papers.lock")
    code, _, err = run("resolve", "--offline", cwd=project)
    assert code == 0
    assert err == (
        "papers.lock: offline, nothing looked up; 0 key(s) handed out; 0 of 93 papers not looked up yet\n"
    )


def test_a_paper_the_list_names_only_by_nickname_takes_its_title_from_arxiv(run, tmp_path):
    (tmp_path / "list.md").write_text(
        "# Vision\n\n✅[MoCoX CVPR'2025](https://arxiv.org/abs/2101.00001)\n\n"
        "✅[SimX ICLR'2025](https://openreview.net/forum?id=abc123)\n"
    )
    (tmp_path / "snap.jsonl").write_text(
        json.dumps({"id": "2101.00001", "title": "Momentum Things for Contrast", "authors": "Ann Lee",
                    "categories": "cs.CV",
                    "versions": [{"version": "v1", "created": "Mon, 4 Jan 2021 10:00:00 GMT"}]})
        + "\n"
    )  # fmt: skip
    code, _, err = run("import", "list.md", "-o", "papers.toml", cwd=tmp_path)
    assert code == 0 and err.endswith("2 papers, 1 with arXiv IDs; the list gives no title for 2\n"), err
    assert "title = " not in (tmp_path / "papers.toml").read_text().split("[[paper]]", 1)[1]
    code, out, _ = run("check", cwd=tmp_path)
    assert out.count("no-title: ") == 2 and "no-title: MoCoX:" in out
    assert run("resolve", "--snapshot", "snap.jsonl", cwd=tmp_path)[0] == 0
    code, out, _ = run("check", cwd=tmp_path)
    assert "no-title: MoCoX" not in out and "no-title: SimX" in out  # arXiv named one of them
    code, bib, _ = run("export", "--offline", "-f", "bibtex", "-o", "-", cwd=tmp_path)
    assert "title = {Momentum Things for Contrast}" in bib and "title = {{SimX}}" in bib
    (tmp_path / "bad.toml").write_text(
        '[[section]]\nid = "s"\ntitle = "S"\n[[paper]]\nsection = "s"\nshort = "X"\n'
    )
    code, _, err = run("--catalog", "bad.toml", "check", cwd=tmp_path)
    assert code == 2 and "paper has no 'title' (and no arXiv ID, DOI or link" in err
