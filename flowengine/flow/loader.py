"""YAML text -> plain data, remembering the line and column of every key and value.

Flow files are written by people who are not programmers, so the YAML dialect is the
safe, surprise-free one: YAML 1.2 core scalars (``on``, ``no`` and ``yes`` stay words,
``12:30`` stays a time, dates stay text), mapping keys are always the text as written
(``01`` stays ``01``), numbers written with a leading ``+`` or ``0`` stay text (phone
numbers need no quotes), and a key written twice is an error instead of a silent overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from flowengine.diagnostics import Diagnostic, FlowError
from flowengine.flow import codes, yaml_errors
from flowengine.flow.collector import gc_paused

try:  # the C parser is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

KeyPath = tuple[str | int, ...]
Position = tuple[int, int]


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_RE = re.compile(r"^(?:[-]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class _Loader(_BaseLoader):
    """SafeLoader with the YAML 1.2 core schema's implicit types.

    The resolver is replaced by one small function: PyYAML's table-driven resolver was
    most of the time spent loading a large flow.
    """

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not yaml.ScalarNode:
            return "tag:yaml.org,2002:map" if kind is yaml.MappingNode else "tag:yaml.org,2002:seq"
        if not implicit[0]:
            return _STR
        if value in _NULLS:
            return _NULL
        if value in _BOOLS:
            return _BOOL
        first = value[0]
        if first in "-+.0123456789":
            if _INT_RE.match(value):
                return _INT
            if _FLOAT_RE.match(value):
                return _FLOAT
        return _MERGE if value == "<<" else _STR


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _INT:
        if not node.style and _KEEP_AS_TEXT.match(value):
            return value
        return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
    if tag == _FLOAT:
        if not node.style and _KEEP_AS_TEXT.match(value):
            return value
        return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))
    if tag == _BOOL:
        return _BOOLS[value]
    if tag == _NULL:
        return None
    return value


_KEEP_AS_TEXT = re.compile(r"^(?:\+[0-9]|0[0-9])")
_KNOWN = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL})


@dataclass
class Document:
    """One parsed flow file: its data, and where in the text each part of it stands."""

    path: str
    source: str
    data: Any
    positions: dict[KeyPath, Position] = field(default_factory=dict)
    key_positions: dict[KeyPath, Position] = field(default_factory=dict)

    def position(self, path: KeyPath, *, key: bool = False) -> Position:
        """Position of the value at `path` (or of its key), else of its nearest ancestor."""
        table = self.key_positions if key else self.positions
        while path:
            if path in table:
                return table[path]
            if key and path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))


def _mark(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, doc: Document, loader: _Loader) -> None:
        self.doc = doc
        self.loader = loader
        self.problems: list[Diagnostic] = []

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.doc.positions[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag in _KNOWN:
            return _scalar(node)
        # An explicit tag (!!binary, !custom): let PyYAML's safe constructor decide.
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        self.loader.flatten_mapping(node)  # resolves `<<` merge keys
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, *codes.YAML_SYNTAX, "a key must be plain text")
                continue
            key = key_node.value
            if key in result:
                first = self.doc.key_positions[(*path, key)]
                self._problem(
                    key_node,
                    *codes.DUPLICATE_KEY,
                    f"'{key}' is written twice in the same place; the first one is on line "
                    f"{first[0]}",
                    hint="merge the two entries into one, or rename one of them",
                )
                continue
            self.doc.key_positions[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _problem(self, node: yaml.Node, code: str, name: str, msg: str, hint: str = "") -> None:
        line, column = _mark(node)
        self.problems.append(Diagnostic(self.doc.path, line, column, code, name, msg, hint=hint))


def parse(source: str, path: str = "<string>") -> Document:
    """Parse YAML text; raise FlowError with positioned diagnostics when it is not valid."""
    with gc_paused():
        return _parse(source, path)


def _parse(source: str, path: str) -> Document:
    doc = Document(path=path, source=source, data=None)
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            doc.data = None
            return doc
        builder = _Builder(doc, loader)
        doc.data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        raise FlowError([_yaml_diagnostic(exc, path, source)]) from None
    except yaml.YAMLError as exc:
        raise FlowError([Diagnostic(path, 1, 1, *codes.YAML_SYNTAX, str(exc))]) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise FlowError(builder.problems)
    return doc


def _yaml_diagnostic(exc: yaml.MarkedYAMLError, path: str, source: str) -> Diagnostic:
    found = yaml_errors.explain(exc, source)
    return Diagnostic(
        path,
        found.line,
        found.column,
        *codes.YAML_SYNTAX,
        found.message,
        hint=found.hint,
        excerpt=yaml_errors.excerpt(source, found.line, found.column),
    )


def load_file(path: str) -> Document:
    try:
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
    except UnicodeDecodeError as exc:
        raise FlowError(
            [Diagnostic(path, 1, 1, *codes.YAML_SYNTAX, f"the file is not UTF-8 text: {exc}")]
        ) from None
    return parse(source, path)
