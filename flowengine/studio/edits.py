"""Apply a form's changes to a flow's YAML text with comments, order and layout kept.

ruamel.yaml round-trips the file: only the values the form changed are rewritten, and a
value keeps its quoting style. The result is linted before anything is written; a save
writes a temporary file beside the flow and renames it over, so a reader never sees half.
"""

from __future__ import annotations

import difflib
import io
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import ScalarString

from flowengine.studio.fields import KeyPath, fields


class EditError(ValueError):
    """A change the form cannot make (a field that is not in the file, a bad value)."""


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long prompt
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _styled(old: Any, new: str) -> Any:
    return type(old)(new) if isinstance(old, ScalarString) else new


def apply(text: str, changes: Mapping[str, str]) -> str:
    """The file's text with each changed field (by field id) set to its new value."""
    yaml = _yaml()
    try:
        data = yaml.load(text)
    except YAMLError as exc:
        raise EditError(f"the file is not valid YAML: {exc}") from None
    known = {f.id: f for f in fields(data)}
    changed = False
    for field_id, value in changes.items():
        field = known.get(field_id)
        if field is None:
            raise EditError(f"no field {field_id} in this flow (was it changed on disk?)")
        if value == field.value:
            continue
        changed = True
        parent = _walk(data, field.path[:-1])
        key = field.path[-1]
        if field.kind == "dates":
            _set_dates(parent[key], value)
        else:
            parent[key] = _styled(parent[key], value)
    if not changed:
        return text
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _walk(data: Any, path: KeyPath) -> Any:
    for key in path:
        data = data[key]
    return data


def _set_dates(seq: CommentedSeq, value: str) -> None:
    days = [day.strip() for day in value.replace("\n", ",").split(",") if day.strip()]
    template = seq[0] if len(seq) else ""
    seq.clear()  # in place: the list keeps its [flow, style] and its comments
    seq.extend(_styled(template, day) for day in days)


def parse_changes(raw: str) -> dict[str, str]:
    try:
        data = json.loads(raw or "{}")
    except json.JSONDecodeError:
        raise EditError("the changes are not JSON") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise EditError("the changes are field ids and texts")
    return {str(k): v for k, v in data.items()}


def diff(old: str, new: str, name: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    )
    return "".join(lines)


def write_atomically(path: Path, text: str, newline: str = "\n") -> None:
    """Replace the file with `text`, with its line ends and permissions kept."""
    tmp = path.with_name(f".{path.name}.studio-tmp")
    with open(tmp, "w", encoding="utf-8", newline=newline) as handle:
        handle.write(text.replace("\r\n", "\n"))  # the handle writes `newline` for each
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, path.stat().st_mode & 0o7777)
    os.replace(tmp, path)
