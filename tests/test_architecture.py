"""The package layout's promises: no import cycles, lint rules stay inside lint/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "flowengine"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[dotted.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every flowengine module `name` imports, TYPE_CHECKING blocks and functions included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    # a package and its own submodules are not a cycle
    return {
        m
        for m in found
        if m in modules
        and m != name
        and not m.startswith(name + ".")
        and not name.startswith(m + ".")
    }


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    colour: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str]:
        colour[node] = 1
        trail.append(node)
        for nxt in sorted(graph[node]):
            if colour.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in colour and (found := visit(nxt)):
                return found
        trail.pop()
        colour[node] = 2
        return []

    for node in sorted(graph):
        if node not in colour and (found := visit(node)):
            return found
    return []


def test_the_package_has_no_import_cycles() -> None:
    graph = _graph()
    assert len(graph) > 50
    assert _cycle(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_core_and_the_server_import_no_lint_rule() -> None:
    for name, imported in _graph().items():
        if name.startswith(("flowengine.flow", "flowengine.runtime", "flowengine.server")):
            rules = sorted(m for m in imported if m.startswith("flowengine.lint.rules"))
            assert rules == [], f"{name} imports {rules}: run rules through lint's API"


def test_the_core_does_not_import_front_ends() -> None:
    core = ("flowengine.flow", "flowengine.runtime")
    front = ("flowengine.server", "flowengine.sim", "flowengine.scenarios", "flowengine.lint")
    for name, imported in _graph().items():
        if name.startswith(core):
            assert not [m for m in imported if m.startswith(front)], name
