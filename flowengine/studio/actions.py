"""Everything that changes something: calls tried in the page, scenarios saved, flows edited.

Each answers JSON; the guard has checked the CSRF token before any of these runs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from flowengine.diagnostics import FlowError, Severity
from flowengine.sim.caller_input import parse_time
from flowengine.sim.flows import SimulationError
from flowengine.studio import edits, recording
from flowengine.studio.pages import problem, studio_of
from flowengine.studio.trial import TrialError, action
from flowengine.studio.voice import access_token
from flowengine.studio.workspace import NotFound, version_of


def _error(message: str, status: int = 400, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message} | extra, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


async def start_call(request: Request) -> Response:
    studio = studio_of(request)
    body = await _body(request)
    name = request.path_params["name"]
    at = str(body.get("at") or "").strip()
    try:
        studio.workspace.path_of(name)
        now = parse_time(at) if at else datetime.now(UTC)
        caller = str(body.get("caller") or "+15550001111").strip()
        trial = studio.trials.start(name, caller, now, at, str(body.get("language") or ""))
        played = trial.play(None)
    except NotFound:
        return _error(f"no flow '{name}' in the folder", 404)
    except FlowError as exc:
        return _error(
            "the flow does not compile; fix its problems first",
            409,
            problems=[problem(d) for d in exc.diagnostics],
        )
    except (ValueError, SimulationError) as exc:
        return _error(str(exc))
    return JSONResponse(trial.as_json(played))


async def act(request: Request) -> Response:
    studio = studio_of(request)
    body = await _body(request)
    try:
        trial = studio.trials.get(request.path_params["id"])
        played = trial.play(action(str(body.get("kind", "")), str(body.get("value", ""))))
    except (TrialError, SimulationError) as exc:
        return _error(str(exc), 409)
    return JSONResponse(trial.as_json(played))


async def save_scenario(request: Request) -> Response:
    studio = studio_of(request)
    body = await _body(request)
    try:
        trial = studio.trials.get(request.path_params["id"])
        flow_file = studio.workspace.path_of(trial.flow)
        path = studio.scenarios_dir / f"{trial.flow}.yaml"
        text = recording.save(trial, str(body.get("name", "")), path, flow_file)
    except (TrialError, NotFound) as exc:
        return _error(str(exc), 409)
    return JSONResponse({"path": str(path), "text": text, "command": f"flowengine test {path}"})


def _proposal(request: Request, body: dict[str, Any]) -> tuple[Any, str, str]:
    studio = studio_of(request)
    flow = studio.workspace.load(request.path_params["name"])
    if isinstance(body.get("text"), str):
        new = body["text"]
    else:
        changes = body.get("changes") or {}
        new = edits.apply(flow.text, edits.parse_changes(json.dumps(changes)))
    return flow, new, edits.diff(flow.text, new, flow.path)


async def preview(request: Request) -> Response:
    return await _check(request, write=False)


async def save(request: Request) -> Response:
    return await _check(request, write=True)


async def _check(request: Request, *, write: bool) -> Response:
    studio = studio_of(request)
    body = await _body(request)
    try:
        flow, new, diff = _proposal(request, body)
    except NotFound as exc:
        return _error(f"no flow '{exc}' in the folder", 404)
    except edits.EditError as exc:
        return _error(str(exc))
    if not flow.utf8:
        return _error(f"{flow.path} is not UTF-8 text: save it as UTF-8 in an editor first", 409)
    if body.get("version") != flow.version:
        return _error(
            f"{flow.path} changed on disk since you opened it: reload to see the new version",
            409,
            conflict=True,
        )
    _, found = studio.workspace.check(flow.path, new)
    errors = [d for d in found if d.severity is Severity.ERROR]
    result = {
        "diff": diff,
        "problems": [problem(d) for d in found],
        "errors": len(errors),
        "can_save": not errors and bool(diff),
        "version": flow.version,
    }
    if not write:
        return JSONResponse(result)
    if errors:
        return JSONResponse(
            result | {"error": "not saved: the linter found errors"}, status_code=422
        )
    if not diff:
        return JSONResponse(result | {"saved": False})
    edits.write_atomically(studio.workspace.path_of(flow.name), new, flow.newline)
    return JSONResponse(result | {"saved": True, "version": version_of(new)})


async def voice_token(request: Request) -> Response:
    config = studio_of(request).voice
    if not config.enabled:
        return _error("real calls are not configured (see docs/studio.md)", 404)
    return JSONResponse(access_token(config))
