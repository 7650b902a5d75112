"""[tool.flowengine.lint] in pyproject.toml, merged with the command line."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowengine.lint.rules import RULES, find
from flowengine.lint.runner import Options, UsageError

FORMATS = ("auto", "text", "json", "github", "sarif")
LIMITS = ("max-prompt-seconds", "max-menu-options", "words-per-minute")  # too-long-to-hear
KEYS = ("select", "ignore", "strict", "format", "per-file-ignores", *LIMITS)


@dataclass
class Config:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    strict: bool = False
    format: str = "auto"
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    limits: dict[str, float] = field(default_factory=dict)  # rules' limits, from LIMITS
    base: str = "."  # the folder of the pyproject.toml it came from
    source: str = ""


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(start: Path | None = None) -> Config:
    """The nearest pyproject.toml's [tool.flowengine.lint], walking up from `start`."""
    path = find_pyproject((start or Path.cwd()).resolve())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    table: Any = data.get("tool", {}).get("flowengine", {}).get("lint", {})
    where = f"{path} [tool.flowengine.lint]"
    if not isinstance(table, dict):
        raise UsageError(f"{where} must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UsageError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(KEYS)})")
    config = Config(base=str(path.parent), source=str(path))
    config.select = _names(table.get("select", []), f"{where} select")
    config.ignore = _names(table.get("ignore", []), f"{where} ignore")
    config.strict = bool(table.get("strict", False))
    config.format = str(table.get("format", "auto"))
    if config.format not in FORMATS:
        raise UsageError(f"{where}: format must be one of {', '.join(FORMATS)}")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise UsageError(f"{where}: per-file-ignores must be a table of glob = [rules]")
    config.per_file_ignores = {
        str(glob): _names(names, f"{where} per-file-ignores") for glob, names in per_file.items()
    }
    for key in LIMITS:
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise UsageError(f"{where}: {key} must be a number above 0")
            config.limits[key] = float(value)
    return config


def _names(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where} must be a list of rule codes or names")
    return list(value)


def codes(tokens: Iterable[str], where: str = "") -> frozenset[str]:
    """Rule codes for codes, names or code prefixes (FE2 = every FE2xx), comma lists allowed."""
    result: set[str] = set()
    for token in (t.strip() for item in tokens for t in item.split(",")):
        if not token:
            continue
        rule = find(token)
        if rule is not None:
            result.add(rule.code)
            continue
        prefixed = {r.code for r in RULES if r.code.startswith(token.upper())}
        if token.upper().startswith("FE") and prefixed:
            result |= prefixed
            continue
        prefix = f"{where}: " if where else ""
        raise UsageError(f"{prefix}unknown rule '{token}' (see flowengine lint --list-rules)")
    return frozenset(result)


def options(
    config: Config,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    use_environ: bool = False,
) -> Options:
    """The rules to run and the findings to drop: the configuration's, and the command line's
    on top (its --select replaces the configured one, its --ignore adds to it)."""
    where = config.source or "pyproject.toml"
    select = list(select)
    return Options(
        select=codes(select, "--select") if select else codes(config.select, where),
        ignore=codes(config.ignore, where) | codes(ignore, "--ignore"),
        per_file_ignores=tuple(
            (glob, codes(names, where)) for glob, names in config.per_file_ignores.items()
        ),
        use_environ=use_environ,
        base=config.base,
        limits=tuple(config.limits.items()),
    )
