"""Call handling widgets: enqueue-call, add-twiml-redirect, make-outgoing-call."""

from __future__ import annotations

import re
from typing import Any

from flowengine.flow import urls
from flowengine.importers.studio.context import CHECK, MISSING, SAME, Goto, ImportContext
from flowengine.importers.studio.definition import Widget

WORKFLOW = re.compile(r"^WW[0-9a-fA-F]{32}$")


def enqueue_call(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    enqueue: dict[str, Any] = {}
    workflow = str(widget.prop("workflow_sid", ""))
    if WORKFLOW.match(workflow):
        # TaskRouter picks the agent; Twilio ignores the queue name, flowengine needs one.
        enqueue = {"queue": ctx.names[widget.name], "workflow_sid": workflow}
        ctx.note(
            widget,
            CHECK,
            f"TaskRouter workflow {workflow} is written as it was: it belongs to the Twilio "
            "account the flow was exported from",
        )
    else:
        enqueue = {
            "queue": ctx.rewrite(widget.prop("queue_name", ctx.names[widget.name]), widget)[:64]
        }
    if widget.prop("wait_url"):
        enqueue["wait_url"] = ctx.rewrite(widget.prop("wait_url"), widget)
    dropped = [k for k in ("priority", "timeout", "task_attributes") if widget.prop(k) is not None]
    if dropped:
        ctx.note(
            widget,
            MISSING,
            f"its TaskRouter {', '.join(dropped)} are not carried over (flowengine's enqueue "
            "has no such options)",
        )
    ctx.note(widget, SAME, "puts the caller in the same queue")
    return {
        "enqueue": enqueue,
        "on": {
            "queue-full": ctx.goto(widget, "failedToEnqueue"),
            "error, system-error": ctx.goto(widget, "callFailure"),
        },
        "next": ctx.goto(widget, "callComplete"),
    }


def add_twiml_redirect(widget: Widget, ctx: ImportContext) -> dict[str, Any]:
    redirect: dict[str, Any] = {"url": ctx.rewrite(widget.prop("url", ""), widget)}
    if str(widget.prop("method", "POST")).upper() == "GET":
        redirect["method"] = "GET"
    back = widget.goes("return")
    if back:
        entry = urls.entry("https://YOUR-SERVER", ctx.flow_name, ctx.names[back])
        ctx.note(
            widget,
            CHECK,
            f"the call is handed to {redirect['url']} for good; to come back to "
            f"'{ctx.names[back]}' as Studio's 'return' did, that TwiML must end with "
            f"<Redirect>{entry}</Redirect>",
        )
    else:
        ctx.note(widget, SAME, f"hands the call to {redirect['url']}")
    if widget.goes("timeout") or widget.goes("fail"):
        ctx.note(
            widget,
            CHECK,
            "its timeout and fail branches are not followed (Twilio handles a failing URL)",
        )
    return {"redirect": redirect}


def outgoing_call_start(widget: Widget, ctx: ImportContext) -> Goto:
    """The REST-triggered call: `flowengine call` places it, the flow starts when answered."""
    ctx.note(
        widget,
        CHECK,
        "place this call with `flowengine call --to NUMBER --from NUMBER "
        f"{ctx.flow_name}`; the flow starts when the call is answered",
    )
    for event in ("busy", "noAnswer", "failed"):
        if widget.goes(event):
            ctx.note(
                widget,
                MISSING,
                f"its '{event}' branch (to '{widget.goes(event)}') is not part of the flow: "
                "a call that is not answered never reaches it (watch the call status instead)",
            )
    if widget.prop("detect_answering_machine") is True or widget.prop("machine_detection"):
        ctx.note(widget, MISSING, "answering machine detection is not carried over")
    return Goto(widget.goes("answered"), widget.name)
