"""Lint files: load, validate and compile each one, run the enabled rules, filter, sort."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FilePath

from flowengine.diagnostics import Diagnostic, FlowError
from flowengine.flow import codes
from flowengine.flow.compiler import compile_document
from flowengine.flow.files import flow_name
from flowengine.flow.loader import Document, load_file
from flowengine.flow.settings import env_references
from flowengine.lint import inline
from flowengine.lint.project import Project
from flowengine.lint.rule import FlowContext
from flowengine.lint.rules import RULES


class UsageError(Exception):
    """A mistake in how the linter was called; the CLI prints it and exits 2."""


@dataclass(frozen=True)
class Options:
    select: frozenset[str] = frozenset()  # rule codes; empty means every rule
    ignore: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()  # (glob, codes)
    use_environ: bool = False  # resolve ${VAR} from this process, as the server would
    base: str = "."  # per-file-ignores globs are relative to this folder
    limits: tuple[tuple[str, float], ...] = ()  # rules' limits from the configuration

    def enabled(self, code: str) -> bool:
        return (not self.select or code in self.select) and code not in self.ignore


@dataclass
class Result:
    files: list[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def collect(paths: Iterable[str]) -> list[str]:
    """The flow files named, and those under the folders named, in a stable order."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(os.path.join(root, n) for n in sorted(names) if flow_name(n))
        elif os.path.isfile(path):
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return list(dict.fromkeys(files))


def lint_environ(doc: Document) -> Mapping[str, str]:
    """Variables without a default resolve to an empty text, so the flow still compiles
    and the graph rules can run; env-without-default reports them instead."""
    settings = doc.data.get("settings") if isinstance(doc.data, dict) else None
    environ: dict[str, str] = {}
    for value in (settings or {}).values() if isinstance(settings, dict) else ():
        if isinstance(value, str) and "${" in value:
            environ.update((name, "") for name, default in env_references(value) if default is None)
    return environ


def lint_document(doc: Document, project: Project, options: Options) -> list[Diagnostic]:
    environ = os.environ if options.use_environ else lint_environ(doc)
    graph, found = compile_document(doc, environ)
    problems = [d for d in found if options.enabled(d.code)]
    if any(d.code == codes.SCHEMA.code for d in found):
        return problems  # the data does not have the shape the rules expect
    context = FlowContext(
        doc, graph, project, use_environ=options.use_environ, extra=dict(options.limits)
    )
    for rule in RULES:
        if rule.check is None or not options.enabled(rule.code):
            continue
        if rule.needs_graph and graph is None:
            continue
        problems.extend(rule.check(context))
    return problems


def _ignored(path: str, options: Options) -> frozenset[str]:
    if not options.per_file_ignores:
        return frozenset()
    absolute = FilePath(path).resolve()
    try:
        relative = absolute.relative_to(FilePath(options.base).resolve()).as_posix()
    except ValueError:
        relative = FilePath(path).as_posix()
    codes: set[str] = set()
    for pattern, ignored in options.per_file_ignores:
        if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(
            FilePath(path).as_posix(), pattern
        ):
            codes |= ignored
    return frozenset(codes)


def lint_paths(paths: Iterable[str], options: Options | None = None) -> Result:
    options = options or Options()
    result = Result(collect(paths))
    docs: dict[str, Document] = {}
    found: list[Diagnostic] = []
    for path in result.files:
        try:
            docs[path] = load_file(path)
        except FlowError as exc:
            found.extend(exc.diagnostics)
        except OSError as exc:
            reason = f"cannot read the file: {exc.strerror or exc}"
            found.append(Diagnostic(path, 1, 1, *codes.UNREADABLE, reason))
    project = Project(docs)
    for doc in docs.values():
        found.extend(lint_document(doc, project, options))
    result.diagnostics = kept(found, options, docs)
    return result


def kept(
    found: list[Diagnostic],
    options: Options,
    docs: Mapping[str, Document],
    *,
    report_unused: bool = True,
) -> list[Diagnostic]:
    """The findings left once the ignore comments in the files (`docs`), the options' rule
    selection and per-file ignores drop theirs, sorted by position."""
    found = inline.apply(found, docs, options.enabled, report_unused=report_unused)
    ignored: dict[str, frozenset[str]] = {}
    for d in found:
        if d.path not in ignored:
            ignored[d.path] = _ignored(d.path, options)
    return sorted(d for d in found if options.enabled(d.code) and d.code not in ignored[d.path])
