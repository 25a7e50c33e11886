"""Where the benchmarks read the shared test collections (cranfield, the XQuAD-R sets): the folder that
``ATN_SHARED_DATA`` names, else ``shared/data`` beside the repository (``<repo>/../shared/data``)."""
from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    return Path(os.environ.get("ATN_SHARED_DATA") or REPOSITORY.parent / "shared" / "data")


def collection(name: str | Path) -> Path:
    """A collection's folder: ``name`` itself when it is a folder, else the collection of that name in
    ``shared_data()`` (``xquad-r-en``)."""
    path = Path(name)
    found = path if path.is_dir() else shared_data() / name
    if not found.is_dir():
        raise FileNotFoundError(f"no test collection at {found} (ATN_SHARED_DATA names the shared data's folder)")
    return found
