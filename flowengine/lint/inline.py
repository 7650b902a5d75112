"""Accepting one finding in place: a `# flowengine: ignore[rule]` comment in the flow file.

Written at the end of a line, it silences those rules' findings on that line; written
on a line of its own, on the next line. On a state's name line it covers the whole
state:

    legacy:   # flowengine: ignore[dead-end]

Rules are named by name or code, comma-separated. A comment that silences nothing (the
problem was fixed, or the rule is misspelt) is itself reported as unused-ignore, a
warning, so that `--strict` catches it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.loader import Document
from flowengine.lint.rules import find

COMMENT = re.compile(r"#\s*flowengine:\s*ignore\[([^\]]*)\]")
UNUSED = ("FE290", "unused-ignore")


@dataclass
class Ignore:
    line: int  # where the comment is
    column: int
    tokens: tuple[str, ...]  # as written
    codes: frozenset[str]
    first: int  # the lines it covers
    last: int
    used: bool = False

    def covers(self, diagnostic: Diagnostic) -> bool:
        return self.first <= diagnostic.line <= self.last and diagnostic.code in self.codes


def ignores(doc: Document) -> list[Ignore]:
    if "flowengine:" not in doc.source:  # the common case: no comment to look for
        return []
    lines = doc.source.splitlines()
    states = _state_lines(doc, len(lines))
    found = []
    for number, text in enumerate(lines, 1):
        match = COMMENT.search(text)
        if match is None or _quoted(text, match.start()):
            continue
        tokens = tuple(t.strip() for t in match.group(1).split(",") if t.strip())
        codes = frozenset(rule.code for t in tokens if (rule := find(t)) is not None)
        target = number if text[: match.start()].strip() else _next_line(lines, number)
        first, last = states.get(target, (target, target))
        found.append(Ignore(number, match.start() + 1, tokens, codes, first, last))
    return found


def apply(
    found: Iterable[Diagnostic],
    docs: Mapping[str, Document],
    enabled: Callable[[str], bool],
    *,
    report_unused: bool = True,
) -> list[Diagnostic]:
    """The findings no comment silences, and (when asked) one finding per comment that
    silenced nothing; a comment about rules that did not run is not called unused."""
    by_path = {path: ignores(doc) for path, doc in docs.items()}
    kept = []
    for diagnostic in found:
        silenced = [i for i in by_path.get(diagnostic.path, ()) if i.covers(diagnostic)]
        for ignore in silenced:
            ignore.used = True
        if not silenced:
            kept.append(diagnostic)
    if report_unused:
        for path, comments in by_path.items():
            kept.extend(_unused(path, comments, enabled))
    return kept


def _unused(
    path: str, comments: list[Ignore], enabled: Callable[[str], bool]
) -> Iterator[Diagnostic]:
    for ignore in comments:
        if ignore.used or (ignore.codes and not any(enabled(c) for c in ignore.codes)):
            continue
        unknown = [t for t in ignore.tokens if find(t) is None]
        if unknown:
            message = f"'{unknown[0]}' is not a rule: this ignore comment silences nothing"
            hint = "name a rule by its name or code, e.g. ignore[dead-end] (see --list-rules)"
        else:
            names = ", ".join(ignore.tokens) or "nothing"
            message = f"this ignore comment silences nothing: no {names} finding here"
            hint = "remove the comment: the problem it accepted is gone"
        yield Diagnostic(
            path, ignore.line, ignore.column, *UNUSED, message, Severity.WARNING, hint=hint
        )


def _quoted(text: str, end: int) -> bool:
    """Whether position `end` is inside a quoted YAML string (then '#' is no comment)."""
    before = text[:end]
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1


def _next_line(lines: list[str], number: int) -> int:
    for later in range(number, len(lines)):
        stripped = lines[later].strip()
        if stripped and not stripped.startswith("#"):
            return later + 1
    return number


def _state_lines(doc: Document, count: int) -> dict[int, tuple[int, int]]:
    """State name line -> the lines of that state (up to the next state or top key)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    states = data.get("states")
    if not isinstance(states, dict):
        return {}
    starts = sorted(doc.position(("states", name), key=True)[0] for name in states)
    tops = [doc.position((key,), key=True)[0] for key in data]
    result = {}
    for index, start in enumerate(starts):
        following = [line for line in (*starts[index + 1 :], *tops) if line > start]
        result[start] = (start, min(following, default=count + 1) - 1)
    return result
