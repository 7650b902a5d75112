"""The terminal side of `flowengine simulate`: show each turn, ask for the caller's next move.

Interactive when no `--inputs` are given (reads lines from stdin), scripted otherwise.
Exit codes: 0 the call ended (or a text conversation stopped), 1 the inputs ran out while
the call still waits (or came after it ended), 2 a usage error (bad option, bad input),
3 the flow is broken: refused as the server refuses it, or failed at run time.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from flowengine.diagnostics import FlowError
from flowengine.flow.loader import load_file
from flowengine.lint.runner import UsageError as LintUsageError
from flowengine.runtime.effects import FetchRequest, FetchResult
from flowengine.sim import caller_input, fetches
from flowengine.sim.caller_input import InputError, parse_time
from flowengine.sim.flows import FlowFailed, Flows, SimulationError
from flowengine.sim.simulate import Call, Turn
from flowengine.sim.transcript import Wait

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BROKEN = 0, 1, 2, 3


class UsageError(Exception):
    pass


def play(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    try:
        call = _setup(args)
        console = Console(call, stdin, stdout)
        if args.inputs is None:
            return console.interactive()
        return console.scripted(caller_input.split_inputs(args.inputs))
    except UsageError as exc:
        print(f"flowengine simulate: error: {exc}", file=stderr)
        return EXIT_USAGE
    except FlowError as exc:
        stdout.flush()
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=stderr)
        return EXIT_BROKEN
    except FlowFailed as exc:
        stdout.flush()
        print(f"error: the flow failed: {exc}", file=stderr)
        return EXIT_BROKEN
    except SimulationError as exc:
        stdout.flush()
        print(f"error: {exc}", file=stderr)
        return EXIT_FAILED


def _setup(args: argparse.Namespace) -> Call:
    path = Path(args.flow)
    if not path.is_file():
        raise UsageError(f"no such flow file: {path}")
    try:
        now = parse_time(args.at) if args.at else datetime.now(UTC)
    except ValueError as exc:
        raise UsageError(f"--at: {exc}") from exc
    params: dict[str, str] = {}
    for item in args.param:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise UsageError(f"--param: '{item}' is not FIELD=VALUE")
        params[name] = value
    folder = Path(args.flows) if args.flows else path.parent
    try:
        flows = Flows(folder)
    except LintUsageError as exc:
        raise UsageError(str(exc)) from exc
    graph = flows.load(path)
    if args.start and args.start not in graph.states:
        raise UsageError(f"--start: flow '{graph.name}' has no state '{args.start}'")
    call = Call(graph, flows, now, args.caller, args.to, params, args.start)
    if getattr(args, "fetch", None):
        call.fetch_answers = _answers_file(args.fetch)
    return call


def _answers_file(path: str) -> fetches.Declared:
    try:
        data = load_file(path).data
        if not isinstance(data, dict):
            raise fetches.AnswerError("write one answer per fetch state: STATE: {status: 200}")
        return fetches.Declared(data)
    except OSError as exc:
        raise UsageError(f"--fetch: cannot read {path}: {exc.strerror}") from exc
    except fetches.AnswerError as exc:
        raise UsageError(f"--fetch: {path}: {exc}") from exc


class Console:
    def __init__(self, call: Call, stdin: TextIO, stdout: TextIO) -> None:
        self.call = call
        self.stdin = stdin
        self.out = stdout

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def header(self) -> None:
        graph, call = self.call.graph, self.call
        who = f"{call.base['From']} {'texting' if graph.channel == 'sms' else 'calling'}"
        self.say(f"Simulating {graph.path} ({graph.channel}): {who} {call.base['To']}")
        self.say(f"Clock: {call.now.isoformat()}")

    def show(self, turn: Turn) -> None:
        for line in turn.lines:
            self.say(f"  {line}")
        if turn.ended is not None:
            where = f" in {turn.flow}:{turn.state}" if turn.state else ""
            self.say(f"Call ended: {turn.ended}{where}")

    def label(self, wait: Wait) -> str:
        state = wait.state or self.call.graph.start
        return f"[{wait.flow}:{state}] {caller_input.prompt(wait)}"

    def ask(self, request: FetchRequest) -> FetchResult | None:
        """The terminal plays the business's system: the person types its answer."""
        self.say(f"  fetch {request.method} {request.url}")
        while True:
            self.out.write('  answer (timeout, 503, or 200 {"balance": 12}): ')
            self.out.flush()
            line = self.stdin.readline()
            if not line:
                return FetchResult("timeout")
            if not self.stdin.isatty():
                self.say(line.rstrip("\n"))
            try:
                return fetches.parse_typed(line)
            except fetches.AnswerError as exc:
                self.say(f"  ? {exc}")

    def interactive(self) -> int:
        if self.call.fetch_answers is None:
            self.call.fetch_answers = self.ask
        self.header()
        self.show(self.call.begin())
        echo = not self.stdin.isatty()
        while self.call.wait is not None:
            wait = self.call.wait
            self.out.write(self.label(wait))
            self.out.flush()
            line = self.stdin.readline()
            if not line:
                self.say("")
                if wait.event == "sms":
                    self.say("(no more texts)")
                    return EXIT_OK
                line = "hangup"
            line = line.rstrip("\n")
            if echo:
                self.say(line)
            try:
                action = caller_input.parse(line, wait, terminal=True)
            except InputError as exc:
                self.say(f"  ? {exc}")
                continue
            self.show(self.call.answer(action))
        return EXIT_OK

    def scripted(self, inputs: list[str]) -> int:
        self.header()
        self.show(self.call.begin())
        for position, item in enumerate(inputs, 1):
            wait = self.call.wait
            if wait is None:
                left = ", ".join(inputs[position - 1 :])
                raise SimulationError(f"the call ended before these inputs: {left}")
            try:
                action = caller_input.parse(item, wait)
            except InputError as exc:
                raise UsageError(f"--inputs item {position}: {exc}") from exc
            self.say(f"{self.label(wait)}{item}")
            self.show(self.call.answer(action))
        wait = self.call.wait
        if wait is None or wait.event == "sms":
            return EXIT_OK
        raise SimulationError(
            f"the inputs ran out while the call waits on a {wait.event} in {wait.flow}:{wait.state}"
        )
