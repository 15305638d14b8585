"""Every `console` block of README.md, run in a fresh copy of the project: each `$ ` line is
run with bash, and what it prints (stdout and stderr) must read as the block shows, where a
`...` line stands for any lines."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

_BLOCK = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(readme: str) -> list[list[tuple[str, list[str]]]]:
    """Each console block as (command, expected lines) for its `$ ` lines, in order."""
    blocks = []
    for block in _BLOCK.findall(readme):
        steps: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
        blocks.append(steps)
    return blocks


def _matches(expected: list[str], got: list[str]) -> bool:
    """Whether got reads as expected, a `...` line standing for any run of lines."""
    if not expected:
        return not got
    if expected[0] == "...":
        return any(_matches(expected[1:], got[i:]) for i in range(len(got) + 1))
    return bool(got) and got[0] == expected[0] and _matches(expected[1:], got[1:])


def _fresh_copy(root: Path) -> Path:
    """The project as a clone has it (no venv, no outputs, no caches)."""
    ignored = shutil.ignore_patterns(".git", ".venv", "output", "__pycache__", "*.egg-info", ".*cache")
    shutil.copytree(ROOT, root, ignore=ignored)
    return root


BLOCKS = _blocks((ROOT / "README.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("steps", BLOCKS, ids=[steps[0][0][:40] for steps in BLOCKS])
def test_every_console_block_of_the_readme_prints_what_it_shows(steps, tmp_path):
    """What each command prints: its standard output, then its standard error (each command
    of the README writes its summary line to stderr after any output)."""
    copy = _fresh_copy(tmp_path / "project")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "SSL_BIB_ARXIV_URL": "http://127.0.0.1:9/api/query",  # a command that would ask fails
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    env.pop("SSL_BIB_CATALOG", None)
    for command, expected in steps:
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        got = (result.stdout + result.stderr).splitlines()
        if not _matches(expected, got):
            shown = "\n".join(got)[:3000]
            pytest.fail(f"$ {command}\nexpected:\n" + "\n".join(expected) + f"\ngot:\n{shown}")


def test_the_readme_shows_its_commands():
    assert sum(len(steps) for steps in BLOCKS) >= 6


def test_the_readme_says_each_thing_once_and_names_every_format():
    from ssl_bib.writers import FORMATS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#{2,3} .+$", readme, re.MULTILINE)
    assert len(headings) == len(set(headings)), sorted(h for h in headings if headings.count(h) > 1)
    paragraphs = [p for p in readme.split("\n\n") if len(p) > 200]
    assert len(paragraphs) == len(set(paragraphs))
    assert readme.count("| measure |") == 1  # one dated performance table
    listed = re.search(r"`--format ([a-z|-]+)`", readme)
    assert listed and set(listed.group(1).split("|")) == {*FORMATS, "all"}
