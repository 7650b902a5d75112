"""The pages, each with its JSON twin: the flows list and one flow."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.templating import Jinja2Templates

from flowengine.diagnostics import Diagnostic
from flowengine.studio import details, drawing, history_pages, traffic
from flowengine.studio.fields import fields
from flowengine.studio.state import HERE, Studio
from flowengine.studio.workspace import FlowFile, NotFound

templates = Jinja2Templates(directory=str(HERE / "templates"))


def studio_of(request: Request) -> Studio:
    studio: Studio = request.app.state.studio
    return studio


def problem(d: Diagnostic) -> dict[str, Any]:
    return {**d.as_dict(), "text": str(d)}  # text: exactly as `flowengine lint` prints it


def summary(studio: Studio, flow: FlowFile) -> dict[str, Any]:
    return {
        "name": flow.name,
        "path": flow.path,
        "description": flow.description,
        "errors": flow.errors,
        "warnings": flow.warnings,
        "entry_url": studio.entry_url(flow.name, flow.graph.channel if flow.graph else None),
        "channel": flow.graph.channel if flow.graph else None,
        "url": f"/flows/{flow.name}",
    }


def _page(request: Request, name: str, context: dict[str, Any]) -> Response:
    studio = studio_of(request)
    base = {"csrf": studio.csrf, "folder": studio.workspace.folder, "voice": studio.voice.enabled}
    return templates.TemplateResponse(request, name, base | context)


def flows_data(studio: Studio) -> dict[str, Any]:
    flows = [summary(studio, flow) for flow in studio.workspace.all()]
    return {"folder": studio.workspace.folder, "flows": flows}


async def flows_page(request: Request) -> Response:
    return _page(request, "flows.html", flows_data(studio_of(request)))


async def flows_json(request: Request) -> Response:
    return JSONResponse(flows_data(studio_of(request)))


def flow_data(studio: Studio, name: str) -> tuple[FlowFile, dict[str, Any]]:
    flow = studio.workspace.load(name)
    graph = flow.graph
    data = summary(studio, flow) | {
        "version": flow.version,
        "problems": [problem(d) for d in flow.diagnostics],
        "start": graph.start if graph else None,
        "languages": list(graph.languages) if graph else [],
        "timezone": _timezone(graph.data if graph else None),
        "states": details.states(graph) if graph else {},
        "edges": [
            {"from": e.source, "to": e.target, "label": e.label}
            for e in (graph.edges if graph else ())
        ],
        # From the parsed file, not the graph: a flow that does not compile can still be
        # mended in the form.
        "fields": [f.as_json() for f in fields(flow.data)],
    }
    return flow, data


def _timezone(data: Any) -> str:
    hours = data.get("hours") if isinstance(data, dict) else None
    for spec in (hours or {}).values() if isinstance(hours, dict) else ():
        if isinstance(spec, dict) and isinstance(spec.get("timezone"), str):
            return str(spec["timezone"])
    return "UTC"


def _not_found(name: str) -> JSONResponse:
    return JSONResponse({"error": f"no flow '{name}' in the folder"}, status_code=404)


async def flow_json(request: Request) -> Response:
    try:
        _, data = flow_data(studio_of(request), request.path_params["name"])
    except NotFound as exc:
        return _not_found(str(exc))
    return JSONResponse(data)


async def flow_page(request: Request) -> Response:
    studio = studio_of(request)
    try:
        flow, data = flow_data(studio, request.path_params["name"])
    except NotFound as exc:
        return _not_found(str(exc))
    history = await history_pages.for_page(studio, flow.graph, request.query_params.get("period"))
    counts = traffic.pair_counts(history) if "edges" in history else None
    diagram = Markup(drawing.svg(flow.graph, counts)) if flow.graph else None
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in data["fields"]:
        groups.setdefault(item["group"], []).append(item)
    scenarios_file = studio.scenarios_dir / f"{flow.name}.yaml"
    # The page's copy names the states once: each select's choices are all of them.
    choices: list[str] = next((f["choices"] for f in data["fields"] if f["choices"]), [])
    page_data = data | {"fields": [f | {"choices": []} for f in data["fields"]]}
    context = {
        "flow": page_data,
        "choices": choices,
        "diagram": diagram,
        "groups": groups,
        "scenarios_file": scenarios_file,
        "source": flow.text,
        "history": history,
        "periods": traffic.PERIODS,
    }
    return _page(request, "flow.html", context)


async def call_page(request: Request) -> Response:
    found, failed = await history_pages.call_of(request)
    return failed or _page(request, "call.html", {"call": found})


async def events(request: Request) -> Response:
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    stream = studio_of(request).changes.stream()
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
