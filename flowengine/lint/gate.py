"""What keeps a flow from running: the one check behind `serve`, `simulate` and `test`.

A flow is refused when it cannot work: it does not compile, or an error rule finds
what Twilio would reject (a dial timeout of 700 s, a hand-over to a flow that does not
exist). The project's `[tool.flowengine.lint]` is honoured as `flowengine lint` honours
it: a rule the project ignores (say unknown-voice, for a voice newer than the snapshot
flowengine ships) does not block a deploy. Compile errors cannot be ignored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from flowengine.diagnostics import Diagnostic, FlowError, Severity
from flowengine.flow import codes
from flowengine.flow.compiler import compile_source
from flowengine.flow.files import flow_name
from flowengine.flow.graph import Graph
from flowengine.lint import config
from flowengine.lint.project import Project
from flowengine.lint.rule import FlowContext
from flowengine.lint.rules import RULES
from flowengine.lint.runner import Options, kept

# The schema's pattern for names: a flow's name is part of every URL its calls use.
FLOW_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")


class Gate:
    """The refusals for the flows of one project; build it once per folder."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()

    @classmethod
    def for_folder(cls, folder: str | Path) -> Gate:
        """With the `[tool.flowengine.lint]` of the pyproject.toml nearest `folder`
        (raises lint.runner.UsageError when that table is wrong)."""
        return cls(config.options(config.load(Path(folder))))

    def refused(
        self, graph: Graph, project: Project | None = None, folder: str | None = None
    ) -> list[Diagnostic]:
        """Error-level lint findings the project does not ignore; pass one `project` when
        checking a whole folder so that neighbouring flows are read once, not per flow,
        and `folder` when hand-overs find their flows elsewhere than beside this one."""
        if project is None:
            project = Project({graph.path: graph.document})
        folder = None if folder is None else os.path.abspath(folder)
        context = FlowContext(
            graph.document, graph, project, True, extra=dict(self.options.limits), folder=folder
        )
        found = [
            problem
            for rule in RULES
            if rule.check is not None and rule.severity is Severity.ERROR
            if self.options.enabled(rule.code)
            for problem in rule.check(context)
            if problem.severity is Severity.ERROR
        ]
        docs = {graph.path: graph.document}
        return kept(found, self.options, docs, report_unused=False)

    def load(
        self,
        path: str | Path,
        environ: Mapping[str, str] | None = None,
        url_prefix: str = "",
        project: Project | None = None,
        folder: str | Path | None = None,
    ) -> Graph:
        """Read, compile and check one flow file; raise FlowError with what refuses it."""
        name = flow_name(path) or Path(path).stem
        if not FLOW_NAME.fullmatch(name):
            raise FlowError(
                [
                    Diagnostic(
                        str(path),
                        1,
                        1,
                        *codes.UNREADABLE,
                        f"'{name}' cannot be a flow's name: it becomes the flow's web address",
                        hint="rename the file using letters, digits, '_' and '-' only, "
                        "e.g. main.yaml",
                    )
                ]
            )
        try:
            source = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FlowError(
                [Diagnostic(str(path), 1, 1, *codes.UNREADABLE, f"cannot read: {exc}")]
            ) from None
        graph = compile_source(source, str(path), environ, url_prefix)
        refused = self.refused(graph, project, None if folder is None else str(folder))
        if refused:
            raise FlowError(refused)
        return graph
