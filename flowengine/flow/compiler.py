"""Flow document -> Graph: resolve every target, precompile every template and fragment.

Everything that can be checked before a call arrives is checked here, and every problem
is a positioned diagnostic: a flow either compiles into a graph that cannot fail on its
own structure at run time, or it does not compile.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path as FilePath
from typing import Any

from flowengine.diagnostics import Diagnostic, FlowError, Severity
from flowengine.flow import checks, codes, media, urls
from flowengine.flow.collector import gc_paused
from flowengine.flow.conditions import ConditionError, compile_condition
from flowengine.flow.graph import Graph, State, Target, edges
from flowengine.flow.hours import Hours, HoursError, parse_hours
from flowengine.flow.loader import Document, KeyPath, load_file, parse
from flowengine.flow.schema import validate
from flowengine.flow.settings import resolve_settings
from flowengine.flow.states import compile_state
from flowengine.flow.templates import Template, TemplateSyntaxError, compile_template


class Compiler:
    """Compiles one validated document; collects diagnostics instead of stopping at the first."""

    def __init__(self, doc: Document, environ: Mapping[str, str], url_prefix: str = "") -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.name = FilePath(doc.path).stem
        self.environ = environ
        self.url_prefix = url_prefix
        self.diagnostics: list[Diagnostic] = []
        self.templates: list[tuple[Template, KeyPath]] = []
        self.condition_vars: list[tuple[str, KeyPath]] = []
        self.channel: str = self.data.get("channel", "voice")
        declared: dict[str, Any] = self.data.get("languages") or {}
        self.language_table = declared
        self.languages: tuple[str, ...] = tuple(declared) or ("",)
        self.state_names = frozenset(self.data["states"])
        self.voices = {
            language: (
                declared.get(language, {}).get("voice", self.data.get("voice")),
                declared.get(language, {}).get("language", self.data.get("language")),
            )
            for language in self.languages
        }
        self.hours: dict[str, Hours] = {}

    # -- reporting -------------------------------------------------------------------------

    def report(
        self,
        path: KeyPath,
        code: str,
        name: str,
        message: str,
        severity: Severity,
        hint: str = "",
        *,
        key: bool = False,
    ) -> None:
        """Record a problem at the value at `path`, or at its key when the key is the problem."""
        line, column = self.doc.position(path, key=key)
        self.diagnostics.append(
            Diagnostic(self.doc.path, line, column, code, name, message, severity, hint)
        )

    def error(
        self,
        path: KeyPath,
        code: str,
        name: str,
        message: str,
        hint: str = "",
        *,
        key: bool = False,
    ) -> None:
        self.report(path, code, name, message, Severity.ERROR, hint, key=key)

    # -- helpers used by prompts, verbs and states -----------------------------------------

    def template(self, text: str, path: KeyPath, *, markup: bool = False) -> Template:
        try:
            template = compile_template(text, markup=markup)
        except TemplateSyntaxError as exc:
            self.error(
                path,
                *codes.TEMPLATE_SYNTAX,
                f"template error: {exc}",
                hint="a template looks like {{ call.from }}; check the braces",
            )
            return compile_template("")
        if template.constant is None:
            self.templates.append((template, path))
        return template

    def callback(self, state: str, event: str) -> str:
        """Where Twilio posts the outcome of a state's verb (see the server's routes)."""
        return urls.callback(self.url_prefix, self.name, state, event)

    def entry(self, flow: str, state: str | None = None) -> str:
        """A flow's voice entry: where a hand-over sends the call."""
        return urls.entry(self.url_prefix, flow, state)

    def voice(self, language: str) -> tuple[str | None, str | None]:
        """The voice and language code for one of the flow's languages."""
        return self.voices[language]

    def check_languages(self, table: dict[str, Any], path: KeyPath) -> None:
        if not self.language_table:
            self.error(
                path,
                *codes.UNKNOWN_LANGUAGE,
                "texts by language need the flow's languages declared under 'languages'",
                hint="add e.g. languages: {en: {voice: Polly.Joanna, language: en-US}}",
            )
            return
        for language in table:
            if language not in self.language_table:
                self.error(
                    (*path, language),
                    *codes.UNKNOWN_LANGUAGE,
                    f"'{language}' is not one of the flow's languages "
                    f"({', '.join(self.language_table)})",
                    key=True,
                )

    def target(self, value: Any, path: KeyPath, label: str) -> Target | None:
        if isinstance(value, dict):
            name, sets = value["next"], self.sets(value.get("set", {}), (*path, "set"))
            where: KeyPath = (*path, "next")
        else:
            name, sets, where = value, (), path
        if name not in self.state_names:
            checks.unknown_target(self, name, where)
            return None
        return Target(name, sets, label)

    def sets(self, values: dict[str, Any], path: KeyPath) -> tuple[tuple[str, Any], ...]:
        result = []
        for key, value in values.items():
            constant_language = key == "language" and isinstance(value, str) and "{" not in value
            if constant_language and self.language_table and value not in self.language_table:
                self.error(
                    (*path, key),
                    *codes.UNKNOWN_LANGUAGE,
                    f"'{value}' is not one of the flow's languages "
                    f"({', '.join(self.language_table)})",
                )
            if isinstance(value, str):
                result.append((key, self.template(value, (*path, key))))
            else:
                result.append((key, value))
        return tuple(result)

    def condition(self, spec: dict[str, Any], path: KeyPath) -> Any:
        self.condition_vars.extend(checks.condition_vars(spec, path))
        try:
            return compile_condition(spec, self.hours)
        except ConditionError as exc:
            broken_hours = set(self.data.get("hours") or {}) - set(self.hours)
            if not any(name in str(exc) for name in broken_hours):  # already reported as FE108
                self.error(path, *codes.BAD_CONDITION, str(exc))
            return None

    # -- the whole flow --------------------------------------------------------------------

    def compile(self) -> Graph | None:
        settings = resolve_settings(self)
        for name, spec in (self.data.get("hours") or {}).items():
            try:
                self.hours[name] = parse_hours(name, spec)
            except HoursError as exc:
                self.error(("hours", name, *exc.where), *codes.INVALID_HOURS, str(exc))
        states: dict[str, State] = {}
        for name, spec in self.data["states"].items():
            states[name] = compile_state(self, name, spec, ("states", name))
        if self.data["start"] not in self.state_names:
            checks.unknown_target(self, self.data["start"], ("start",))
        checks.variables(self, settings)
        checks.waitless_cycles(self, states)
        if any(d.severity is Severity.ERROR for d in self.diagnostics):
            return None
        digest = hashlib.sha256(self.doc.source.encode())
        digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
        return Graph(
            name=self.name,
            version=digest.hexdigest()[:12],
            path=self.doc.path,
            channel=self.channel,
            start=self.data["start"],
            states=states,
            languages=self.languages,
            settings=settings,
            hours=self.hours,
            edges=edges(states),
            document=self.doc,
            url_prefix=self.url_prefix,
            on_entry=media.recording(self, self.data["record_call"])
            if self.data.get("record_call")
            else (),
        )


def compile_document(
    doc: Document, environ: Mapping[str, str] | None = None, url_prefix: str = ""
) -> tuple[Graph | None, list[Diagnostic]]:
    """Validate and compile; the graph is None when any error was found."""
    with gc_paused():
        problems = validate(doc)
        if problems:
            return None, problems
        compiler = Compiler(doc, os.environ if environ is None else environ, url_prefix)
        graph = compiler.compile()
        return graph, sorted(compiler.diagnostics)


def _compiled(doc: Document, environ: Mapping[str, str] | None, url_prefix: str) -> Graph:
    graph, diagnostics = compile_document(doc, environ, url_prefix)
    if graph is None:
        raise FlowError(diagnostics)
    return graph


def load_flow(path: str, environ: Mapping[str, str] | None = None, url_prefix: str = "") -> Graph:
    """Read, validate and compile one flow file; raise FlowError listing every problem."""
    return _compiled(load_file(str(path)), environ, url_prefix)


def compile_source(
    source: str, path: str, environ: Mapping[str, str] | None = None, url_prefix: str = ""
) -> Graph:
    return _compiled(parse(source, path), environ, url_prefix)
