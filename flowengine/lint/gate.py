"""The lint errors that keep a flow from being served.

The compiler refuses what it cannot build; the linter's error rules find what it can
build but Twilio would reject (a dial timeout of 700 s, an unknown voice, a hand-over to
a flow that does not exist). A server must not go live with either, so it asks here.
"""

from __future__ import annotations

from flowengine.diagnostics import Diagnostic, Severity
from flowengine.flow.graph import Graph
from flowengine.lint.project import Project
from flowengine.lint.rule import FlowContext
from flowengine.lint.rules import RULES


def serving_errors(graph: Graph, project: Project | None = None) -> list[Diagnostic]:
    """Error-level lint findings for a compiled flow; pass one `project` when checking a
    whole folder so that the neighbouring flows are read once, not once per flow."""
    if project is None:
        project = Project({graph.path: graph.document})
    context = FlowContext(graph.document, graph, project, True)
    return sorted(
        problem
        for rule in RULES
        if rule.check is not None and rule.severity is Severity.ERROR
        for problem in rule.check(context)
        if problem.severity is Severity.ERROR
    )
