"""Twilio's recording status callback for a whole-call recording (`record_call`).

Twilio posts it when the recording starts, completes or turns out empty; the server keeps
its address and status on the call (call.call_recording_url, ..._sid, ..._status), where
the flow, the call history and the logs can read it. It answers an empty document.
"""

from __future__ import annotations

from starlette.requests import Request

from flowengine.flow import twiml
from flowengine.runtime.interpreter import StepResult
from flowengine.runtime.session import CallSession
from flowengine.server.calls import Calls
from flowengine.server.fallback import Unavailable
from flowengine.server.webhook import Handler, Hook

FIELDS = {
    "RecordingUrl": "call_recording_url",
    "RecordingSid": "call_recording_sid",
    "RecordingStatus": "call_recording_status",
}


def handler(calls: Calls) -> Handler:
    async def recording(request: Request, hook: Hook) -> str:
        key = hook.params.get("CallSid") or ""
        status = hook.params.get("RecordingStatus") or ""
        hook.fields.update(event="recording", flow=request.path_params["flow"], status=status)
        if not key:
            raise Unavailable("no-callsid", "the request has no CallSid")

        async def advance(session: CallSession | None) -> StepResult | None:
            if session is None:
                return None
            for field, name in FIELDS.items():
                if hook.params.get(field):
                    session.call[name] = hook.params[field][:2000]
            return StepResult(twiml.EMPTY, session, [], [])

        result = await calls.saved(key, advance, hook)
        hook.fields["outcome"] = "recorded" if result is not None else "no-session"
        return twiml.EMPTY

    return recording
