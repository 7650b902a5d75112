"""A generated call history: realistic calls through the example flows, many of them.

A few hundred calls are played on the real runtime (`runtime.step`, as the server runs
it), each with random caller moves and Twilio results, and recorded by the history's own
observer. They are then repeated under new CallSids, spread over a period, to reach the
size asked for: what a report or a replay reads is then the same kind of record the
server writes, at the scale of a busy line.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from flowengine.flow.compiler import load_flow
from flowengine.flow.graph import OUTCOMES, Graph
from flowengine.history.observe import HistoryObserver
from flowengine.history.record import Note, Step
from flowengine.history.stores import open_history
from flowengine.runtime.interpreter import Event, step
from flowengine.runtime.session import CallSession
from flowengine.sim.transcript import read

DAY = 86400.0
BATCH = 5000


class ListSink:
    def __init__(self) -> None:
        self.items: list[Step | Note] = []

    def append(self, item: Step | Note) -> None:
        self.items.append(item)


def load(flows: Path) -> dict[str, Graph]:
    return {g.name: g for g in (load_flow(str(p)) for p in sorted(flows.glob("*.yaml")))}


def one_call(
    graphs: dict[str, Graph], entry: str, rng: random.Random, start: float
) -> list[Step | Note]:
    """One call through the flows, step by step, as the server would record it."""
    sink = ListSink()
    clock = [start]
    observer = HistoryObserver(sink, lambda name, _v: graphs.get(name), lambda: clock[0])
    sid = "CA" + uuid.UUID(int=rng.getrandbits(128)).hex
    base = {
        "CallSid": sid,
        "From": f"+1555{rng.randrange(10**7):07d}",
        "To": "+15550001111",
        "Direction": "inbound",
        "CallStatus": "in-progress",
    }
    session: CallSession | None = None
    graph = graphs[entry]
    event = Event("call", base)
    now = datetime.fromtimestamp(start, UTC)
    for _ in range(30):
        result = step(graph, session, event, now)
        session = result.session
        session.rev += 1  # what the store's save does
        observer.step(sid, {"event": event.kind, "state": event.state}, event.params, result)
        reply = read(result.twiml)
        clock[0] += rng.uniform(2, 15)
        if reply.redirect is not None and reply.redirect.flow in graphs:
            target = reply.redirect
            if target.within:
                event = Event("redirect", base, target.state)
            else:
                graph = graphs[target.flow or ""]
                event = Event("call", base, target.state)
            continue
        wait = reply.wait
        if wait is None or rng.random() < 0.08:  # the flow ended, or the caller hangs up
            break
        if wait.event == "gather":
            state = graph.states[wait.state]
            keys = [k for k in state.on if k not in ("no-input", "no-match")] or ["1"]
            roll = rng.random()
            form = (
                {"Digits": ""}
                if roll < 0.15
                else {"Digits": "7"}
                if roll < 0.25
                else {"Digits": rng.choice(keys)}
            )
        elif wait.event == "dial":
            form = {"DialCallStatus": rng.choice(OUTCOMES["dial"][:4]), "DialCallDuration": "30"}
        elif wait.event == "record":
            form = {"RecordingUrl": "https://api.twilio.com/RE1", "RecordingDuration": "9"}
        else:
            form = {"QueueResult": rng.choice(("bridged", "leave", "hangup"))}
        event = Event(wait.event, base | form, wait.state)
    status = {"CallSid": sid, "CallStatus": "completed"}
    observer.status({}, status)
    return sink.items


WEEK = 7 * DAY


def templates(flows: Path, count: int, end: float, seed: int = 7) -> list[list[Step | Note]]:
    """Calls spread over the week before `end` (opening hours see their own time)."""
    graphs = load(flows)
    rng = random.Random(seed)
    entries = [name for name in ("main", "agent") if name in graphs] or sorted(graphs)
    weights = [0.9 if name == "main" else 0.1 for name in entries]
    return [
        one_call(graphs, rng.choices(entries, weights)[0], rng, end - rng.uniform(0, WEEK))
        for _ in range(count)
    ]


def copies(template: list[Step | Note], sid: str, start: float) -> list[Step | Note]:
    out: list[Step | Note] = []
    for item in template:
        if isinstance(item, Step):
            out.append(replace(item, sid=sid, at=item.at + start))
        else:
            out.append(replace(item, sid=sid, at=item.at + start))
    return out


async def fill(url: str, flows: Path, calls: int, days: float = 30, end: float = 1.8e9) -> None:
    """`calls` calls over the `days` before `end`, written in batches. Each is a template
    call moved by whole weeks, so that it meets the same opening hours."""
    shapes = templates(flows, 300, end)
    rng = random.Random(11)
    weeks = max(1, int(days // 7))
    store = open_history(url)
    try:
        batch: list[Step | Note] = []
        for n in range(calls):
            shift = -WEEK * rng.randrange(weeks)
            batch += copies(shapes[n % len(shapes)], f"CA{n:032x}", shift)
            if len(batch) >= BATCH:
                await store.write(batch)
                batch = []
        if batch:
            await store.write(batch)
    finally:
        await store.close()


if __name__ == "__main__":
    import sys

    asyncio.run(fill(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])))
