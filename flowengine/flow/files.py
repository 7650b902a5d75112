"""Which files of a folder are flows, and the name each one is served under.

The server, the linter, the simulator and the scenario report all ask here, so that a
file one of them sees as a flow is a flow to every other one.
"""

from __future__ import annotations

import os
from pathlib import Path

SUFFIXES = (".yaml", ".yml")


def flow_name(path: str | os.PathLike[str]) -> str | None:
    """The flow's name (its file name without the suffix), or None when it is no flow file:
    another suffix, or a hidden file (editors write `.main.yaml.swp` and the like)."""
    name = os.path.basename(path)
    stem, suffix = os.path.splitext(name)
    return stem if suffix in SUFFIXES and not name.startswith(".") and stem else None


def flow_files(folder: str | os.PathLike[str]) -> dict[str, Path]:
    """Flow name -> file for the flow files directly in `folder` (not in subfolders), by
    name. When `main.yaml` and `main.yml` are both there, `main.yaml` is the flow."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return {}
    found: dict[str, Path] = {}
    for entry in entries:
        name = flow_name(entry.name)
        if name is not None and name not in found and entry.is_file():
            found[name] = Path(entry.path)
    return found
