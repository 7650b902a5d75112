"""PyYAML's syntax errors, told as the line a person has to change and what to write there.

PyYAML reports where its scanner gave up, which is often the line *after* the mistake
("mapping values are not allowed here" on the line below a key that lost its colon). The
common mistakes each leave a recognisable trace in the text; this module looks for it,
from the most specific to the most general, and falls back to PyYAML's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[^\s#'\"][^:#]*?):(?:\s|$)")
_QUOTED_VALUE = re.compile(r"^ *(?:- +)?(?:[^\s#'\"][^:#]*?:\s+)?(?P<quote>[\"'])")


@dataclass(frozen=True)
class Explained:
    line: int
    column: int
    message: str
    hint: str = ""


def explain(exc: yaml.MarkedYAMLError, source: str) -> Explained:
    lines = source.splitlines()
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "this is not valid YAML"
    for finder in (_tab, _unclosed_quote, _colon_in_text, _missing_colon, _list_item, _indentation):
        found = finder(exc, lines, min(line, len(lines)) if lines else 0, column)
        if found:
            return found
    message = f"YAML syntax: {problem}"
    if exc.context:
        message += f" ({exc.context})"
    hint = ""
    if "alias" in problem or "alias" in (exc.context or ""):
        hint = "'*' and '&' at the start of a text have a meaning in YAML: put the text in quotes"
    return Explained(line, column, message, hint)


def excerpt(source: str, line: int, column: int) -> str:
    """The line as written, with a caret under the column: what a compiler would show."""
    lines = source.splitlines()
    if not 0 < line <= len(lines):
        return ""
    text = lines[line - 1].replace("\t", " ")
    gutter = f"{line:>6} | "
    return f"{gutter}{text}\n{' ' * (len(gutter) - 2)}| {' ' * (column - 1)}^"


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _content(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def _previous(lines: list[str], line: int) -> int:
    """The 1-based number of the last line with content before `line`, or 0."""
    for number in range(line - 1, 0, -1):
        if _content(lines[number - 1]):
            return number
    return 0


def _tab(exc: yaml.MarkedYAMLError, lines: list[str], line: int, column: int) -> Explained | None:
    problem = exc.problem or ""
    at = lines[line - 1][column - 1 : column] if line else ""
    if "'\\t'" not in problem and "tab character" not in problem and at != "\t":
        return None
    for number in range(1, line + 1):
        text = lines[number - 1]
        lead = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" in lead:
            return Explained(
                number,
                lead.index("\t") + 1,
                "this line is indented with a tab; YAML only accepts spaces",
                "replace the tab with spaces, lined up with the lines around it "
                "(most editors can be told to insert spaces for the Tab key)",
            )
    return None


def _unclosed_quote(
    exc: yaml.MarkedYAMLError, lines: list[str], line: int, _: int
) -> Explained | None:
    if exc.context == "while scanning a quoted scalar" and exc.context_mark:
        start = exc.context_mark.line + 1
        return _quote_problem(start, exc.context_mark.column + 1, lines[start - 1])
    if "expected key" not in (exc.problem or "") and "block end" not in (exc.problem or ""):
        return None
    for number in range(line, 0, -1):
        text = lines[number - 1]
        match = _QUOTED_VALUE.match(text)
        if match and not _closed(text[match.end() :], match["quote"]):
            return _quote_problem(number, match.start("quote") + 1, text)
    return None


def _closed(rest: str, quote: str) -> bool:
    if quote == "'":
        return bool(re.search(r"(?<!')'(?:'')*(?!')", rest.replace("''", "")))
    return bool(re.search(r'(?<!\\)"', rest))


def _quote_problem(line: int, column: int, text: str) -> Explained:
    quote = text[column - 1] if 0 < column <= len(text) else '"'
    return Explained(
        line,
        column,
        f"the text that starts with {quote} here is never closed",
        f"end the text with a matching {quote} on the same line",
    )


def _colon_in_text(
    exc: yaml.MarkedYAMLError, lines: list[str], line: int, column: int
) -> Explained | None:
    if not (exc.problem or "").startswith("mapping values are not allowed"):
        return None
    text = lines[line - 1]
    match = _KEY_LINE.match(text)
    if not match or match.end("key") + 1 >= column:
        return None  # the colon PyYAML stopped at is this line's own key colon
    after = match.end("key") + 1
    value = text[after:].strip()
    start = after + len(text[after:]) - len(text[after:].lstrip())
    key = match["key"]
    return Explained(
        line,
        start + 1,
        f"the text after `{key}:` contains ': ', which YAML reads as another key",
        f'put the whole text in quotes: `{key}: "{value}"`',
    )


def _missing_colon(
    exc: yaml.MarkedYAMLError, lines: list[str], line: int, column: int
) -> Explained | None:
    problem = exc.problem or ""
    if problem == "could not find expected ':'" and exc.context_mark:
        culprit = exc.context_mark.line + 1
    elif problem.startswith("mapping values are not allowed"):
        culprit = _previous(lines, line)
        if not culprit or _KEY_LINE.match(lines[culprit - 1]):
            return None
        if _indent(lines[culprit - 1]) > _indent(lines[line - 1]):
            return None
    else:
        return None
    text = lines[culprit - 1]
    stripped = text.strip()
    dash = "- " if stripped.startswith("- ") else ""
    body = stripped[len(dash) :]
    word, _, rest = body.partition(" ")
    fixed = f"{dash}{word}: {rest}".rstrip()
    return Explained(
        culprit,
        _indent(text) + len(dash) + 1,
        f"`{word}` needs a colon after it: `{fixed}`",
        "a key and its value are written `key: value`, with a colon and a space",
    )


def _owner(lines: list[str], line: int) -> str:
    """The key whose block holds `line`: the nearest key line above it, indented less."""
    depth = _indent(lines[line - 1])
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        match = _KEY_LINE.match(text)
        if match and _content(text) and _indent(text) < depth:
            return f"`{match['key']}:` (line {number})"
    return "the file's top level"


def _list_item(
    exc: yaml.MarkedYAMLError, lines: list[str], line: int, column: int
) -> Explained | None:
    problem = exc.problem or ""
    if "expected" not in problem or not lines[line - 1].lstrip().startswith("- "):
        return None
    return Explained(
        line,
        column,
        f"a list item ('- ') cannot go here: {_owner(lines, line)} holds keys, not a list",
        "remove the '- ' to make it one more key, or put the list under a key of its own",
    )


def _indentation(
    exc: yaml.MarkedYAMLError, lines: list[str], line: int, column: int
) -> Explained | None:
    problem = exc.problem or ""
    over = problem.startswith("mapping values are not allowed")
    if not over and not problem.startswith(("expected <block end>", "did not find expected key")):
        return None
    text = lines[line - 1]
    above = _previous(lines, line)
    if not above:
        return None
    have = _indent(text)
    want = _indent(lines[above - 1])
    if over and have <= want:
        return None
    levels = {_indent(lines[n]) for n in range(line - 1) if _content(lines[n])}
    near = sorted((level for level in levels if level <= want), key=lambda n: (abs(n - have), -n))
    best = [n for n in near if abs(n - have) == abs(near[0] - have)] if near else [want]
    choices = " or ".join(str(n) for n in sorted(best, reverse=True))
    return Explained(
        line,
        have + 1,
        f"this line is indented by {have} spaces, which lines it up with nothing above it",
        f"indent it by {choices} spaces, like the other keys of the block it belongs to "
        f"(line {above} is indented by {want})",
    )
