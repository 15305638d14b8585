"""Bad input, one case a folder (tests/hostile/errors/NAME): the files of a project, `args`
(the command line) and `expected` (what stderr must say). Every case must end in exactly that
one-line error with exit code 2, no traceback, and no file of the project changed."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "hostile" / "errors"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def _snapshot(root: Path) -> dict[str, bytes]:
    # the run lock beside papers.lock (.papers.lock.busy) is not part of the project
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix != ".busy"
    }


@pytest.mark.parametrize("name", NAMES)
def test_bad_input_is_one_clear_line_and_changes_nothing(name, tmp_path, run, golden):
    project = tmp_path / name
    shutil.copytree(CASES / name, project)
    args = shlex.split((project / "args").read_text())
    before = _snapshot(project)
    code, out, err = run(*args, cwd=project)
    assert code == 2, err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert _snapshot(project) == before  # no output written, no lock changed, nothing lost
    expected = (CASES / name / "expected").read_text(encoding="utf-8")
    assert err == expected


WARNINGS = Path(__file__).parent / "hostile" / "warnings"


@pytest.mark.parametrize("name", sorted(p.name for p in WARNINGS.iterdir() if p.is_dir()))
def test_bad_entries_are_named_and_the_rest_kept(name, tmp_path, run):
    """A lock entry that breaks the lock's rules, or a source record that would: named in one
    line each, left out; the command goes on (exit 0) with everything else, every valid
    pinned key stays, and what it saves loads again without a word."""
    from ssl_bib.lock import load_lock

    project = tmp_path / name
    shutil.copytree(WARNINGS / name, project)
    lock = project / "papers.lock"
    keys_before = _valid_keys(lock)
    code, out, err = run(*shlex.split((project / "args").read_text()), cwd=project)
    assert code == 0 and "Traceback" not in err, err
    assert err == (WARNINGS / name / "expected").read_text(encoding="utf-8")
    code, _, err = run("resolve", "--offline", cwd=project)  # resolve saves what it read
    assert code == 0 and "Traceback" not in err, err
    if lock.exists():
        assert keys_before.items() <= load_lock(lock).keys.items()
        code, _, again = run("check", "--format", "json", cwd=project)
        assert "note:" not in again and "Traceback" not in again, again


def _valid_keys(lock: Path) -> dict[str, str]:
    import json
    import re

    if not lock.exists():
        return {}
    keys = json.loads(lock.read_text()).get("keys", {})
    return {k: v for k, v in keys.items() if isinstance(v, str) and re.match(r"^[a-z0-9][a-z0-9_:.\-]*$", v)}
