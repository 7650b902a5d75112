"""The call history in the studio: a flow's traffic (JSON twin of the page's diagram counts
and calls list) and one recorded call as a transcript, page and JSON."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from flowengine.flow.graph import Graph
from flowengine.history.stores import HistoryError
from flowengine.studio import traffic
from flowengine.studio.state import Studio
from flowengine.studio.workspace import NotFound


def _studio(request: Request) -> Studio:
    studio: Studio = request.app.state.studio
    return studio


async def for_page(studio: Studio, graph: Graph | None, period: str | None) -> dict[str, Any]:
    """What the flow page shows of the history: {} when there is none to show."""
    if studio.history is None or graph is None:
        return {}
    chosen = traffic.period_of(period if period in traffic.PERIODS else None)
    try:
        return await traffic.flow_traffic(studio.history, graph, chosen)
    except HistoryError as exc:
        return {"error": f"the call history could not be read: {exc}", "period": chosen}


async def flow_traffic_json(request: Request) -> Response:
    studio = _studio(request)
    name = request.path_params["name"]
    if studio.history is None:
        return JSONResponse({"error": "no call history (start with --history URL)"}, 404)
    try:
        period = traffic.period_of(request.query_params.get("period"))
        flow = studio.workspace.load(name)
    except traffic.BadPeriod as exc:
        return JSONResponse({"error": str(exc)}, 400)
    except NotFound:
        return JSONResponse({"error": f"no flow '{name}' in the folder"}, 404)
    if flow.graph is None:
        return JSONResponse({"error": f"flow '{name}' does not compile"}, 409)
    try:
        return JSONResponse(await traffic.flow_traffic(studio.history, flow.graph, period))
    except HistoryError as exc:
        return JSONResponse({"error": f"the call history could not be read: {exc}"}, 503)


async def call_of(request: Request) -> tuple[dict[str, Any] | None, JSONResponse | None]:
    studio, sid = _studio(request), request.path_params["sid"]
    if studio.history is None:
        return None, JSONResponse({"error": "no call history (start with --history URL)"}, 404)
    try:
        found = await traffic.call_transcript(studio.history, sid)
    except HistoryError as exc:
        return None, JSONResponse({"error": f"the call history could not be read: {exc}"}, 503)
    if found is None:
        return None, JSONResponse({"error": f"no call '{sid}' in the history"}, 404)
    return found, None


async def call_json(request: Request) -> Response:
    found, failed = await call_of(request)
    return failed or JSONResponse(found)
