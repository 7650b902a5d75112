"""`flowengine lint`: schema, compiler, graph and TwiML checks with stable rule codes.

from flowengine.lint import Options, lint_paths
result = lint_paths(["flows"], Options(ignore=frozenset({"FE213"})))
"""

from __future__ import annotations

from flowengine.lint.rule import FlowContext, Rule
from flowengine.lint.rules import RULES, find
from flowengine.lint.runner import Options, Result, UsageError, lint_document, lint_paths

__all__ = [
    "RULES",
    "FlowContext",
    "Options",
    "Result",
    "Rule",
    "UsageError",
    "find",
    "lint_document",
    "lint_paths",
]
