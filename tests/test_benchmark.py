"""The benchmark script must keep running (it is never timed here)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_quick_benchmark_runs_and_prints_every_measure():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for measure in (
        "resolve seed list",
        "cold requests",
        "warm requests",
        "rate violations",
        "snapshot",
        "peak memory",
        "export 100 papers, bibtex",
        "markdown/apa",
        "html/ieee",
        "whole command",
        "ssl-bib --help",
        "seed list (93 papers)",
    ):
        assert measure in result.stdout, measure
    assert "rate violations               0" in result.stdout
    assert "warm requests                 0" in result.stdout
