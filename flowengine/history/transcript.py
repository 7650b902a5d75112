"""A recorded call as the simulator prints a call: what was said, what the caller did,
where it went. The caller's moves are written in the simulator's input language
(`1`, `speech:yes`, `silence`, `dial:busy`), so a transcript reads like a scenario."""

from __future__ import annotations

from datetime import UTC, datetime

from flowengine.history import fetches
from flowengine.history.observe import HIDDEN
from flowengine.history.record import CallRecord, Step, dumps
from flowengine.sim.caller_input import prompt
from flowengine.sim.transcript import Wait, read

ANSWER_CHARS = 200  # of a fetch's answer in the transcript; `calls show --json` has it all


def when(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def caller_move(value: str) -> str:
    """A history input as the simulator's input language writes it."""
    if value.startswith("keys:"):
        return value[5:]
    if value == HIDDEN:
        return "(not kept: the answer to a sensitive question)"
    return value


def show(call: CallRecord) -> list[str]:
    lines = [
        f"Call {call.sid} ({call.direction or 'voice'}): {call.caller} calling {call.called}",
        f"Flow: {call.flow} (version {call.version})",
        f"Started: {when(call.started_at)}  Ended: {when(call.ended_at)}",
    ]
    wait: Wait | None = None
    for step in call.steps:
        wait = _step(step, wait, lines)
    # Steps written since fetch answers are kept say what each fetch got, where it happened;
    # the notes (with the time it took) are shown for older calls only.
    inline = any(step.fetches is not None for step in call.steps)
    for note in call.notes:
        if note.kind == "transcription":
            lines.append(
                f"  Transcription ({note.data.get('status', '')}): {note.data.get('text')}"
            )
        elif note.kind == "fetch" and not inline:
            status = note.data.get("status")
            lines.append(
                f"  Fetch in {note.data.get('state')}: {note.data.get('outcome')}"
                f"{f' (HTTP {status})' if status else ''} after {note.data.get('ms')} ms"
            )
        elif note.kind == "fallback":
            where = f" in {note.data.get('state')}" if note.data.get("state") else ""
            lines.append(
                f"  (fallback on the {note.data.get('route')} webhook{where}: "
                f"{note.data.get('cause')})"
            )
    last = call.path[-1] if call.path else ""
    how = f", {call.ended_how}" if call.ended_how else ""
    if call.ended_at is None and not call.ended_how:
        lines.append(f"Call in progress in {call.flow}:{last}")
    else:
        lines.append(f"Call ended: {call.outcome or 'unknown'}{how} in {call.flow}:{last}")
    return lines


def _step(step: Step, wait: Wait | None, lines: list[str]) -> Wait | None:
    if step.event not in ("call", "redirect"):
        label = f"[{step.flow}:{step.state}] " + (prompt(wait) if wait is not None else "")
        lines.append(label + caller_move(step.input))
    for event in step.events:
        if event.get("kind") == "text":
            lines.append(f"  SMS to {event.get('to')}: {event.get('body')}")
        elif event.get("kind") == "recording":
            lines.append(f"  (recording {event.get('url')}, {event.get('duration')} s)")
    for kept in step.fetches or ():
        lines.append(f"  Fetch in {kept.get('state')}: {fetched(kept)}")
    if not step.twiml:
        lines.append("  (what the call said here is not kept: it may repeat a sensitive answer)")
        return None
    reply = read(step.twiml)
    lines.extend(f"  {line}" for line in reply.lines)
    return reply.wait


def fetched(kept: dict[str, object]) -> str:
    text = fetches.outcome_text(kept)
    if "data" not in kept:
        reason = "sensitive" if kept.get("kept") == fetches.SENSITIVE else "too large"
        return f"{text}, answer not kept ({reason})"
    if kept["data"] is None:
        return text
    answer = dumps(kept["data"])
    cut = answer if len(answer) <= ANSWER_CHARS else answer[: ANSWER_CHARS - 3] + "..."
    return f"{text}: {cut}"
