"""The flow files of one folder as the simulator sees them: by name, each loaded once,
refused as the server refuses it."""

from __future__ import annotations

from pathlib import Path

from flowengine.flow.files import flow_files
from flowengine.flow.graph import Graph
from flowengine.lint.gate import Gate
from flowengine.lint.project import Project


class SimulationError(Exception):
    """The call cannot go on: the inputs do not fit what the call waits for."""


class FlowFailed(SimulationError):
    """The flow is broken: a hand-over to a missing flow, or a step that fails at run time
    (a template error, a webhook the flow cannot answer); the server would answer with
    its fallback."""


class Flows:
    """The flow files of one folder by name, each loaded once and refused as the server
    refuses it (compile errors, and the error rules the project does not ignore)."""

    def __init__(self, folder: Path, gate: Gate | None = None) -> None:
        self.folder = folder
        self.gate = Gate.for_folder(folder) if gate is None else gate
        self.project = Project()  # the folder's flows, read once for the checks across
        self.graphs: dict[str, Graph] = {}

    def load(self, path: Path) -> Graph:
        """A flow file by path (raises FlowError listing what refuses it)."""
        return self.gate.load(path, project=self.project, folder=self.folder)

    def get(self, name: str) -> Graph:
        if name not in self.graphs:
            path = flow_files(self.folder).get(name)
            if path is None:
                raise FlowFailed(f"flow '{name}' not found in {self.folder}/")
            self.graphs[name] = self.load(path)
        return self.graphs[name]
