"""Locate the shared real-data folder used by data-driven tests and benchmarks."""

from __future__ import annotations

import os
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path | None:
    """Return the shared data folder, or None when it is absent.

    ``MAILLAGE_SHARED_DATA`` names it explicitly; otherwise ``<repo>/../shared/data`` is used,
    which is where a developer's checkout and CI find it.
    """
    named = os.environ.get("MAILLAGE_SHARED_DATA")
    candidate = Path(named) if named else _REPO_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None
