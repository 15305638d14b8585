"""CSL-JSON, shaped the way Zotero writes arXiv preprints (the file Zotero users import)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..csl import item
from ..model import Reference
from . import Job


def render(refs: Sequence[Reference], job: Job) -> str:
    """Write a CSL-JSON array, one item per reference, in list order."""
    return json.dumps([item(r) for r in refs], indent=2, ensure_ascii=False) + "\n"
