"""A call tried in the page -> a scenario in a file `flowengine test` runs.

What the caller did becomes the steps; what they heard, where the call was and how it
ended become the expectations, so the scenario fails when the flow stops doing that.
A scenario file that already exists gets the new scenario appended, its comments kept.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from flowengine.studio.trial import Played, Trial, TrialError

INPUT_KEYS = {"keys": "press", "speech": "say", "silence": "silence", "hangup": "hangup"}
OUTCOME_KEYS = {"dial": "dial", "record": "record", "enqueue": "queue"}


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def steps(trial: Trial) -> CommentedSeq:
    result = CommentedSeq()
    waiting: str | None = None
    for played in trial.played:
        step = CommentedMap()
        if played.action is not None:
            kind, value = played.action.kind, played.action.value
            if kind == "outcome":
                step[OUTCOME_KEYS.get(waiting or "", "dial")] = value
            elif kind in ("silence", "hangup"):
                step[INPUT_KEYS[kind]] = True
            else:
                step[INPUT_KEYS[kind]] = value
        _expect(step, played)
        result.append(step)
        waiting = _waiting(played)
    return result


def _waiting(played: Played) -> str | None:
    wait = played.turn.wait
    return wait.event if wait is not None else None


def _expect(step: CommentedMap, played: Played) -> None:
    turn = played.turn
    said = [item["text"] for item in played.heard if item["kind"] == "say" and item["text"]]
    if said:
        step["hear"] = said if len(said) > 1 else said[0]
    if turn.state:
        step["state"] = turn.state
    if turn.dialled:
        step["dialled"] = list(turn.dialled)
    if turn.texts:
        step["sms"] = [{"to": t.to, "body": t.body} for t in turn.texts]
    if turn.ended:
        step["ended"] = turn.ended


def scenario(trial: Trial, name: str) -> CommentedMap:
    item = CommentedMap()
    item["name"] = name
    item["caller"] = trial.caller
    if trial.at:
        item["at"] = trial.at
    item["steps"] = steps(trial)
    return item


def save(trial: Trial, name: str, path: Path, flow_file: Path) -> str:
    """Append the call to the scenario file at `path` (created when missing); its text."""
    if not trial.played:
        raise TrialError("the call has not started")
    if trial.preset_language:
        raise TrialError(
            "a scenario starts in the flow's first language: start the call in that "
            "language and choose another one in the flow, as a caller would"
        )
    if not name.strip():
        raise TrialError("give the scenario a name: what the caller does")
    yaml = _yaml()
    data: Any
    if path.exists():
        data = yaml.load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("scenarios"), list):
            raise TrialError(f"{path} is not a scenario file (no 'scenarios:' list)")
        if Path(os.path.normpath(path.parent / str(data.get("flow", "")))) != flow_file:
            raise TrialError(f"{path} holds scenarios for another flow ({data.get('flow')})")
    else:
        data = CommentedMap()
        data["flow"] = os.path.relpath(flow_file, path.parent)
        data["scenarios"] = CommentedSeq()
    data["scenarios"].append(scenario(trial, name.strip()))
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return text
