"""`flowengine init`: a new project with a working starter menu, its scenarios and checks.

The files are templates shipped in the package (starter/files); `__VERSION__` in them
becomes the installed version so the pre-commit and CI examples pin what was used.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from flowengine import __version__

# shipped file -> where it goes in the new project
FILES = {
    "flows/main.yaml": "flows/main.yaml",
    "scenarios/main.yaml": "scenarios/main.yaml",
    "pyproject.toml": "pyproject.toml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github-workflow.yml": ".github/workflows/flows.yml",
    "gitignore": ".gitignore",
    "README.md": "README.md",
}
SCHEMAS = {
    "flow.schema.json": "schemas/flow.schema.json",
    "scenario.schema.json": "schemas/scenario.schema.json",
}


class ProjectExists(Exception):
    """Files `init` would write are already there; it never overwrites a user's work."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(", ".join(str(p) for p in paths))
        self.paths = paths


@dataclass(frozen=True)
class Created:
    root: Path
    files: tuple[Path, ...]


def _shipped(name: str) -> str:
    return resources.files("flowengine.starter").joinpath("files", name).read_text("utf-8")


def _schema(name: str) -> str:
    return resources.files("flowengine").joinpath("data", name).read_text("utf-8")


def plan(root: Path, *, schemas_only: bool = False) -> dict[Path, str]:
    """Every file to write and its text."""
    texts = {root / target: _schema(name) for name, target in SCHEMAS.items()}
    if not schemas_only:
        for name, target in FILES.items():
            texts[root / target] = _shipped(name).replace("__VERSION__", __version__)
    return texts


def create(root: Path, *, schemas_only: bool = False) -> Created:
    """Write the project; refuse, writing nothing, when any of its files already exists.

    With `schemas_only`, refresh the editor schemas of an existing project (after an
    upgrade): those two files are flowengine's, not the user's, so they are replaced.
    """
    texts = plan(root, schemas_only=schemas_only)
    existing = [path for path in texts if path.exists()]
    if existing and not schemas_only:
        raise ProjectExists(existing)
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Created(root, tuple(texts))
