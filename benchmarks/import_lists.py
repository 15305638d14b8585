"""How well and how fast does `ssl-bib import` read real awesome lists?

    python benchmarks/import_lists.py [LIST.md ...]   # default: ../shared/lists/*+*.md

For each list: the distinct arXiv IDs its markdown links to, how many the imported catalog
holds (recall), the papers imported and the share that look like real papers (a title with no
markdown or URL left, not a link word or a section heading, a link that is not an in-page
anchor), the links reported as not imported, and the import's wall and CPU time (median of 3).
The lists are third-party data and are not part of the project: without them this prints
a note. Then the truth samples' field-by-field accuracy (`../shared/lists/truth`), and, on
inputs made here, how time grows with the input: one entry line of list
characters (brackets, stars, quotes, apostrophes...) and a list of many headings, each size
twice the last; linear time doubles with each row (the ratio column stays near 2).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ssl_bib.importer import import_markdown  # noqa: E402

LISTS = ROOT.parent / "shared" / "lists"
_LINKED = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5}|[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7})", re.IGNORECASE
)
_LINK_WORDS = frozenset("paper pdf arxiv link code project website github video".split()) | {"project page"}


def _clean(paper: dict[str, object], headings: set[str]) -> bool:
    title = str(paper.get("title", "")).strip()
    if not title:  # only a nickname: real when it has a source to name it (an ID or a link)
        return bool(paper.get("short")) and bool(paper.get("arxiv") or paper.get("url"))
    if str(paper.get("url", "")).startswith("#") or title.lower() in headings:
        return False
    if len(title) < 8 or title.lower() in _LINK_WORDS:
        return False
    return re.search(r"\]\(|\[\[|\*\*|https?://|^\[|<a |\\$", title) is None


def _timed(path: Path) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        import_markdown(path)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def measure(path: Path) -> tuple[str, int, int, int, int, int, float, float]:
    """Import one list; return its row of the table."""
    linked = {m.group(1).lower() for m in _LINKED.finditer(path.read_text(encoding="utf-8"))}
    imported = import_markdown(path)
    catalog = tomllib.loads(imported.text)
    headings = {str(s["title"]).strip().lower() for s in catalog.get("section", [])}
    papers = catalog.get("paper", [])
    found = {re.sub(r"v\d+$", "", str(p["arxiv"])).lower() for p in papers if "arxiv" in p} & linked
    clean = sum(_clean(p, headings) for p in papers)
    wall, cpu = _timed(path)
    lines = len(path.read_text(encoding="utf-8").splitlines())
    return path.stem[:44], lines, len(linked), len(found), len(papers), clean, wall, cpu


_PIECES = [*"[]()*_\\`'\",.:|-", " ", "'", "'", "2020", "CVPR", "Title", "et al", "**", "[[pdf]]",
           "(https://arxiv.org/abs/2101.00001)"]  # fmt: skip


def _one_line(size: int) -> str:
    import random

    rng, parts = random.Random(size), []
    while sum(map(len, parts)) < size:
        parts.append(rng.choice(_PIECES))
    return "# S\n\n- *CVPR 2020, " + "".join(parts) + "* [[pdf]](https://arxiv.org/abs/2101.00001)\n"


def _headings(count: int) -> str:
    return "".join("## Heading\n\n" for _ in range(count)) + "- A [[pdf]](https://arxiv.org/abs/2101.00001)\n"


def scaling() -> None:
    """Import inputs of doubling size; print wall and CPU time and the ratio to the last."""
    import tempfile

    print(f"\n{'input':<32} {'size':>7} {'wall s':>7} {'cpu s':>6} {'ratio':>6}")
    for name, make, sizes in (
        ("one entry line (characters)", _one_line, (10_000, 20_000, 40_000, 80_000)),
        ("headings", _headings, (5_000, 10_000, 20_000)),
    ):
        last = None
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "list.md"
                path.write_text(make(size), encoding="utf-8")
                wall, cpu = _timed(path)
            ratio = f"{wall / last:.2f}" if last else "-"
            print(f"{name:<32} {size:>7} {wall:>7.2f} {cpu:>6.2f} {ratio:>6}")
            last = wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lists", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.lists or sorted(LISTS.glob("*+*.md"))
    if not paths:
        print(f"no lists to measure ({LISTS} is absent)")
        scaling()
        return 0
    print(f"{'list':<44} {'lines':>6} {'ids':>5} {'found':>5} {'recall':>7} {'papers':>6} {'real':>6} "
          f"{'wall s':>7} {'cpu s':>6}")  # fmt: skip
    total_ids = total_found = total_papers = total_clean = 0
    for path in paths:
        name, lines, ids, found, papers, clean, wall, cpu = measure(path)
        recall = found / ids if ids else 1.0
        share = clean / papers if papers else 0.0
        print(f"{name:<44} {lines:>6} {ids:>5} {found:>5} {recall:>7.1%} {papers:>6} {share:>6.1%} "
              f"{wall:>7.2f} {cpu:>6.2f}")  # fmt: skip
        total_ids, total_found = total_ids + ids, total_found + found
        total_papers, total_clean = total_papers + papers, total_clean + clean
    print(
        f"all {len(paths)} lists: arXiv IDs {total_found}/{total_ids} "
        f"({total_found / max(total_ids, 1):.1%}), real papers {total_clean}/{total_papers} "
        f"({total_clean / max(total_papers, 1):.1%})"
    )
    truth()
    scaling()
    return 0


def truth() -> None:
    """The field-by-field accuracy on the hand-read samples of the lists (`truth/` beside them,
    scored by ../shared/tools/import_truth.py, third-party like the lists), when they are there."""
    import subprocess

    tool, samples = ROOT.parent / "shared" / "tools" / "import_truth.py", LISTS / "truth"
    command = Path(sys.executable).parent / "ssl-bib"
    if not (tool.exists() and samples.is_dir() and command.exists()):
        print(f"no truth samples to score ({samples} or {tool} is absent)")
        return
    result = subprocess.run(
        [sys.executable, str(tool), str(command), str(samples), str(LISTS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip())


if __name__ == "__main__":
    sys.exit(main())
