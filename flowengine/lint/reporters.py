"""Output formats: pure functions from diagnostics to text, in one table."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from flowengine import __version__
from flowengine.diagnostics import Diagnostic, Severity
from flowengine.lint.rules import RULES

Reporter = Callable[[Sequence[Diagnostic], int], str]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    if not diagnostics:
        return f"All {_plural(files, 'file')} passed"
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    failing = len({d.path for d in diagnostics})
    return (
        f"Found {_plural(errors, 'error')} and {_plural(warnings, 'warning')} "
        f"in {_plural(failing, 'file')} ({files} checked)"
    )


def text(diagnostics: Sequence[Diagnostic], files: int) -> str:
    return "".join(f"{d}\n" for d in diagnostics) + summary(diagnostics, files) + "\n"


def as_json(diagnostics: Sequence[Diagnostic], files: int) -> str:
    items = [d.as_dict() for d in diagnostics]
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    counts = {"files": files, "errors": errors, "warnings": len(diagnostics) - errors}
    return json.dumps({"diagnostics": items, "summary": counts}, indent=2) + "\n"


def _escape(value: str, *, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """GitHub Actions workflow commands: each problem becomes an annotation on the file."""
    lines = []
    for d in diagnostics:
        title = _escape(f"{d.code} {d.name}", property_value=True)
        message = _escape(d.message + (f"\n{d.hint}" if d.hint else ""))
        lines.append(
            f"::{d.severity} file={_escape(d.path, property_value=True)},line={d.line},"
            f"col={d.column},title={title}::{message}\n"
        )
    return "".join(lines) + summary(diagnostics, files) + "\n"


def _uri(path: str) -> str:
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return Path(relative).as_posix()


def sarif(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """SARIF 2.1.0, for GitHub code scanning and other tools."""
    index = {rule.code: i for i, rule in enumerate(RULES)}
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.details or rule.summary},
            "help": {"text": rule.details or rule.summary},
            "defaultConfiguration": {"level": str(rule.severity)},
        }
        for rule in RULES
    ]
    results: list[dict[str, Any]] = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "level": str(d.severity),
            "message": {"text": d.message + (f" ({d.hint})" if d.hint else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(d.path)},
                        "region": {"startLine": d.line, "startColumn": d.column},
                    }
                }
            ],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flowengine",
                        "version": __version__,
                        "informationUri": "https://flowengine.dev/docs/rules",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


REPORTERS: Mapping[str, Reporter] = {
    "text": text,
    "json": as_json,
    "github": github,
    "sarif": sarif,
}


def pick(name: str, environ: Mapping[str, str]) -> Reporter:
    if name == "auto":
        name = "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"
    return REPORTERS[name]
