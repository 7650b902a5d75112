"""The flows beside a linted file: hand-overs and queue waits name them by file name.

Pre-commit passes only the files that changed, so a flow's neighbours are found on
disk (its folder), not among the files given; they are parsed only when a rule asks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from flowengine.diagnostics import FlowError
from flowengine.flow.files import flow_files
from flowengine.flow.loader import Document, load_file


class Project:
    def __init__(self, loaded: Mapping[str, Document] | None = None) -> None:
        self._docs: dict[str, Document | None] = {
            os.path.abspath(path): doc for path, doc in (loaded or {}).items()
        }
        self._listings: dict[str, dict[str, str]] = {}
        self._waits: dict[str, frozenset[str]] = {}
        self._entries: dict[str, dict[str, set[str]]] = {}

    def flows(self, directory: str) -> dict[str, str]:
        """Flow name -> file path for every flow file in a folder."""
        directory = os.path.abspath(directory)
        if directory not in self._listings:
            self._listings[directory] = {
                name: str(path) for name, path in flow_files(directory).items()
            }
        return self._listings[directory]

    def document(self, path: str) -> Document | None:
        path = os.path.abspath(path)
        if path not in self._docs:
            try:
                self._docs[path] = load_file(path)
            except (FlowError, OSError):
                self._docs[path] = None
        return self._docs[path]

    def flow(self, directory: str, name: str) -> Document | None:
        path = self.flows(directory).get(name)
        return None if path is None else self.document(path)

    def _states(self, directory: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for path in self.flows(directory).values():
            doc = self.document(path)
            states = doc.data.get("states") if doc and isinstance(doc.data, dict) else None
            if isinstance(states, dict):
                for spec in states.values():
                    if isinstance(spec, dict):
                        yield path, spec

    def wait_flows(self, directory: str) -> frozenset[str]:
        """Flows that some flow of the folder plays to callers waiting in a queue."""
        directory = os.path.abspath(directory)
        if directory not in self._waits:
            names = set()
            for _, spec in self._states(directory):
                enqueue = spec.get("enqueue")
                if isinstance(enqueue, dict) and isinstance(enqueue.get("wait"), str):
                    names.add(enqueue["wait"])
            self._waits[directory] = frozenset(names)
        return self._waits[directory]

    def whisper_flows(self, directory: str) -> frozenset[str]:
        """Flows that some dial of the folder runs on the called person's leg (whisper)."""
        names = set()
        for _, spec in self._states(directory):
            dial = spec.get("dial")
            if isinstance(dial, dict) and isinstance(dial.get("whisper"), str):
                names.add(dial["whisper"])
        return frozenset(names)

    def entries(self, directory: str, flow: str) -> set[str]:
        """States of `flow` that other flows of the folder hand calls to by name."""
        directory = os.path.abspath(directory)
        if directory not in self._entries:
            table: dict[str, set[str]] = {}
            for _, spec in self._states(directory):
                target = spec.get("redirect")
                # A redirect without "flow" goes to a state of its own flow: a graph edge.
                if (
                    isinstance(target, dict)
                    and "flow" in target
                    and isinstance(target.get("state"), str)
                ):
                    table.setdefault(str(target.get("flow")), set()).add(target["state"])
            self._entries[directory] = table
        return self._entries[directory].get(flow, set())


def directory_of(path: str) -> str:
    # Not cached: a relative path names another folder once the working folder changes.
    return os.path.dirname(os.path.abspath(path))
