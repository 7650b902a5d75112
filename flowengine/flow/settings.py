"""Per-environment settings: `${NAME}` and `${NAME:-default}` taken from the environment."""

from __future__ import annotations

import re
from typing import Any

from flowengine.flow import codes
from flowengine.flow.context import CompileContext

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def env_references(value: str) -> list[tuple[str, str | None]]:
    """The environment variables a setting reads, with their defaults (None: no default)."""
    return [(m.group(1), m.group(2)) for m in ENV_REFERENCE.finditer(value)]


def resolve_settings(compiler: CompileContext) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for name, value in (compiler.data.get("settings") or {}).items():
        if not isinstance(value, str):
            resolved[name] = value
            continue

        def substitute(match: re.Match[str], name: str = name) -> str:
            variable, default = match.group(1), match.group(2)
            if variable in compiler.environ:
                return compiler.environ[variable]
            if default is not None:
                return default
            compiler.error(
                ("settings", name),
                *codes.UNSET_ENVIRONMENT_VARIABLE,
                f"setting '{name}' needs the environment variable {variable}, which is not set",
                hint=f"set {variable}, or give a default: ${{{variable}:-+15551234567}}",
            )
            return ""

        resolved[name] = ENV_REFERENCE.sub(substitute, value)
    return resolved
