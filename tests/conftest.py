"""Shared fixtures: the seed files, a local fake arXiv, golden-file comparison."""

from __future__ import annotations

import difflib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_arxiv import FakeArxiv, load_snapshot  # noqa: E402

# The arXiv client keeps the time of its last request per host in the user's cache folder;
# tests keep theirs apart from the user's.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="ssl-bib-cache-")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
# The seed files live in the repository (tests/data/seed) so a clean clone is self-contained.
SEED_LIST = DATA / "seed" / "awesome-self-supervised-papers.md"
SEED_SNAPSHOT = DATA / "seed" / "arxiv-metadata-snapshot.jsonl"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite golden files from the current output."
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare text with tests/golden/NAME, or rewrite it with --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file {name} missing; run pytest --update-golden and review it")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        if text != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(True), text.splitlines(True), f"golden/{name}", "actual", n=2
                )
            )
            pytest.fail(f"output differs from golden/{name}:\n{diff[:6000]}")

    return check


@pytest.fixture(scope="session")
def seed_records() -> dict:
    return load_snapshot(SEED_SNAPSHOT)


@pytest.fixture
def fake_arxiv(httpserver, seed_records):
    """A FakeArxiv serving the seed snapshot at httpserver's /api/query."""
    fake = FakeArxiv(dict(seed_records))
    httpserver.expect_request("/api/query").respond_with_handler(fake)
    fake.url = httpserver.url_for("/api/query")
    return fake


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh folder with the committed catalog copied in (no lock, no output)."""
    shutil.copy(ROOT / "papers.toml", tmp_path / "papers.toml")
    return tmp_path


@pytest.fixture
def run(monkeypatch, capsys):
    """Run the CLI in-process like a user would; return (exit code, stdout, stderr)."""
    from ssl_bib.cli import main

    def invoke(*args: str, cwd: Path | None = None):
        if cwd:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def require(tool: str) -> None:
    """Skip when a client program is absent, except in CI where it must be installed."""
    if not have(tool):
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not installed; .ci/run must install it")
        pytest.skip(f"{tool} is not installed (apt-get install it to run this test)")


@pytest.fixture(autouse=True)
def _no_live_indexes(monkeypatch):
    """Tests never reach the real Semantic Scholar or DBLP: the published-versions pass is off
    unless a test turns it on (with a DBLP dump or local fake servers)."""
    monkeypatch.setenv("SSL_BIB_NO_PUBLISHED", "1")
