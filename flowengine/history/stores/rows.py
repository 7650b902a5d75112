"""Records to rows and back, the same for every SQL backend."""

from __future__ import annotations

import json
from typing import Any

from flowengine.history.record import CallRecord, Note, Step, dumps, trail_of


def step_row(step: Step) -> tuple[Any, ...]:
    return (
        step.sid,
        step.rev,
        step.at,
        step.flow,
        step.version,
        step.event,
        step.state,
        step.input,
        dumps(step.trail),
        step.outcome,
        int(step.ended),
        step.twiml,
        dumps(step.events),
        None if step.fetches is None else dumps(step.fetches),
    )


def call_row(step: Step) -> tuple[Any, ...]:
    return (
        step.sid,
        step.flow,
        step.version,
        step.direction,
        step.caller,
        step.called,
        step.at,
        step.at,
        step.at if step.ended else None,
        step.outcome,
        "",
        dumps(step.path),
        step.rev,
    )


def status_row(note: Note) -> tuple[Any, ...]:
    status = str(note.data.get("status", "completed"))
    return (note.at, status, status, status, note.sid)


def note_row(note: Note) -> tuple[Any, ...]:
    return (note.sid, note.at, note.kind, dumps(note.data))


def record(row: tuple[Any, ...]) -> CallRecord:
    sid, flow, version, direction, caller, called, started, last, ended, outcome, how, path = row
    return CallRecord(
        sid,
        flow,
        version,
        direction,
        caller,
        called,
        float(started),
        float(last),
        None if ended is None else float(ended),
        outcome,
        how,
        json.loads(path),
    )


def step(row: tuple[Any, ...], record: CallRecord) -> Step:
    """A step row read with its call's record at hand (the call's numbers are not repeated)."""
    return full_step((*row, record.direction, record.caller, record.called))


def note(row: tuple[Any, ...]) -> Note:
    sid, at, kind, data = row
    return Note(sid, float(at), kind, json.loads(data))


def full_step(row: tuple[Any, ...]) -> Step:
    sid, rev, at, flow, version, event, state, input_, trail, outcome, ended, twiml, events = row[
        :13
    ]
    fetches, direction, caller, called = row[13:]
    return Step(
        sid,
        int(rev),
        float(at),
        flow,
        version,
        event,
        state,
        input_,
        trail_of(trail),
        (),
        outcome,
        bool(ended),
        twiml,
        tuple(json.loads(events)),
        direction,
        caller,
        called,
        None if fetches is None else tuple(json.loads(fetches)),
    )
