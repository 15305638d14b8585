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
