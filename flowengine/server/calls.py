"""The Twilio routes' handlers: load the session, run one step, save with compare-and-set.

Two webhooks of one call can arrive together (a status callback racing an action, or
two server processes); a save that loses the race reloads and runs the step again, so
no update is lost. A call stays on the flow version its session names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from starlette.background import BackgroundTask
from starlette.requests import Request

from flowengine.flow import twiml
from flowengine.flow.graph import Graph
from flowengine.runtime.interpreter import (
    FINAL_STATUSES,
    Event,
    OutboundMessage,
    StepResult,
    end_call,
    new_session,
    step,
)
from flowengine.runtime.session import CallSession
from flowengine.server import callback_turns, callbacks, logs, replay
from flowengine.server.config import ServerConfig
from flowengine.server.effects import Effects, claim, fingerprint, hook_number
from flowengine.server.fallback import Unavailable
from flowengine.server.fetcher import Fetcher
from flowengine.server.observers import Observers
from flowengine.server.registry import Registry
from flowengine.server.stores import SessionStore
from flowengine.server.texts import TextSender
from flowengine.server.webhook import Hook

CALLBACKS = frozenset({"gather", "dial", "record", "enqueue", "redirect", "fetch", "connect"})

Advance = Callable[[CallSession | None], Awaitable[StepResult | None]]


class Calls:
    def __init__(
        self,
        config: ServerConfig,
        registry: Registry,
        store: SessionStore,
        texts: TextSender,
        effects: Effects | None = None,
    ) -> None:
        self.effects = effects or Effects(Fetcher(), config.fetch_filler_after)
        self.registry = registry
        self.store = store
        self.texts = texts
        self.clock = config.clock
        self.attempts = config.cas_attempts
        self.observers = Observers()  # the call history and the metrics, when on
        self.effects.fetched = self.observers.fetched
        self.callbacks = callbacks.Callbacks(
            store,
            config.public_url,
            config.callback_every,
            config.callback_retry_after,
            max_wait=config.callback_max_wait,
        )

    def now(self) -> datetime | None:
        return self.clock() if self.clock is not None else None

    async def saved(
        self, key: str, advance: Advance, hook: Hook, *, new: bool = False
    ) -> StepResult | None:
        """Run `advance` on the stored session and save, again until no one raced us.

        `new` says the request most likely starts a session (a call's first webhook): the
        first attempt then skips the read and lets the store's compare-and-set on
        revision 0 tell; a hand-over or a repeated entry simply costs one more round.
        A webhook already applied (a retry) gets its first answer, with no save and no
        side effects (see replay.py).
        """
        for attempt in range(self.attempts):
            stored = None if new and attempt == 0 else await self.store.load(key)
            again = replay.answer(stored, hook.request_id)
            if again is not None and stored is not None:
                hook.fields["replay"] = "yes"
                return StepResult(again, stored, [], [])
            result = await advance(stored)
            if result is None:
                return None
            result.session.key = key  # the route decides the key, never a posted field
            replay.remember(result.session, hook.request_id, result.twiml)
            if await self.store.save(result.session):
                return result
        # The key of a text conversation holds phone numbers: keep it out of the log line.
        raise Unavailable("conflict", f"the session kept changing under {self.attempts} saves")

    def current(self, flow: str, channel: str) -> Graph:
        graph = self.registry.current(flow)
        if graph is None:
            raise Unavailable("unknown-flow", f"no flow named {flow!r} is loaded")
        if graph.channel != channel:
            raise Unavailable("wrong-channel", f"flow {flow!r} is a {graph.channel} flow")
        return graph

    async def started_on(self, session: CallSession) -> Graph | None:
        return await self.registry.version(session.flow, session.version, self.store)

    # -- voice ------------------------------------------------------------------------------

    async def voice_entry(self, request: Request, hook: Hook) -> str:
        # Most entries have no query string: skip parsing one.
        state = request.query_params.get("state") if request.scope["query_string"] else None
        return await self.voice(
            hook, request.path_params["flow"], Event("call", hook.params, state)
        )

    async def voice_callback(self, request: Request, hook: Hook) -> str:
        path = request.path_params
        if path["event"] not in CALLBACKS:
            raise Unavailable("bad-callback", f"no callback named {path['event']!r}")
        event = Event(path["event"], hook.params, path["state"])
        return await self.voice(hook, path["flow"], event)

    async def voice(self, hook: Hook, flow: str, event: Event) -> str:
        key = hook.params.get("CallSid") or ""
        hook.fields.update(flow=flow, state=event.state, event=event.kind)
        hook.fields["from"] = logs.number(hook.params.get("From") or "")
        if not key:
            raise Unavailable("no-callsid", "the request has no CallSid")

        print_ = fingerprint(flow, event.kind, event.state, hook.params)
        once = [""]  # this webhook's "once" key (see server/effects.py)

        async def advance(session: CallSession | None) -> StepResult | None:
            if await self.waiting_in_queue(session, flow, event):
                return None
            graph = await self.voice_graph(flow, session, event)
            now, current = self.now(), event
            if event.kind == "fetch" and session is not None and event.state:
                current = replace(event, result=await self.effects.picked_up(session, event.state))
            number = hook_number(session, print_, event.kind, event.state)
            once[0] = f"{key}:{event.kind}:{event.state}:{number}"
            result = step(graph, session, current, now)
            result.session.hook = f"{number}:{print_}"
            return await self.effects.settle(graph, result, once[0], now)

        result = await self.saved(key, advance, hook, new=event.kind == "call")
        if result is None:
            # The caller is in a queue and this is its wait flow's own callback (a Gather in
            # the hold music): answer it like the wait flow itself, without a session.
            return await self.wait_answer(flow, event, hook)
        assert result is not None
        self.finish(hook, result, key, once[0])
        if event.kind == "enqueue" and hook.params.get("QueueResult") == "bridged":
            await self.callbacks.dequeued(hook.params.get("QueueSid") or "", key)
        if result.session.outcome == "call_back":
            graph = await self.started_on(result.session)
            if graph is not None:
                await self.call_back(graph, result, hook)
        return result.twiml

    async def waiting_in_queue(self, session: CallSession | None, flow: str, event: Event) -> bool:
        if session is None or session.flow == flow or event.kind == "call" or session.ended:
            return False
        graph = await self.started_on(session)
        state = graph.states.get(session.state or "") if graph is not None else None
        return state is not None and state.action == "enqueue"

    async def voice_graph(self, flow: str, session: CallSession | None, event: Event) -> Graph:
        if session is not None and session.flow == flow and not session.ended:
            graph = await self.started_on(session)
            if graph is not None:
                return graph
            if event.kind != "call":
                raise Unavailable(
                    "unknown-version", f"flow {flow!r} version {session.version} is not available"
                )
        elif event.kind != "call":
            cause = "no-session" if session is None else "session-mismatch"
            raise Unavailable(cause, f"no live session of flow {flow!r} for this call")
        return self.current(flow, "voice")

    def finish(self, hook: Hook, result: StepResult, key: str, once: str = "") -> None:
        session = result.session
        hook.fields.update(version=session.version, next=session.state)
        hook.fields["outcome"] = session.outcome or "ok"
        self.observers.step(key, hook.fields, hook.params, result)
        if result.messages:
            hook.fields["texts"] = len(result.messages)
            messages = list(result.messages)
            hook.background = BackgroundTask(self.send_texts, key, messages, once)

    async def send_texts(self, key: str, messages: list[OutboundMessage], once: str) -> None:
        """Texts go out once per webhook, even when Twilio posts it twice (see effects)."""
        if once and not await claim(self.store, f"{once}:texts"):
            logs.log.info(logs.line({"event": "text", "call": key, "outcome": "repeat-skipped"}))
            return
        await self.texts.send(key, messages)

    async def wait(self, request: Request, hook: Hook) -> str:
        """Queue wait music: a flow run afresh for every round, never stored."""
        return await self.wait_answer(request.path_params["flow"], Event("call", hook.params), hook)

    async def wait_answer(self, flow: str, event: Event, hook: Hook) -> str:
        hook.fields.update(flow=flow, event=f"wait-{event.kind}", state=event.state)
        graph = self.current(flow, "voice")
        result = step(graph, None, event, self.now())
        hook.fields.update(version=graph.version, outcome=result.session.outcome or "ok")
        if event.kind == "call" and callback_turns.offers(graph):
            params = hook.params  # a wait round: where the caller is, should they ask
            await self.callbacks.places.keep(
                params.get("CallSid") or "",
                params.get("QueueSid") or "",
                params.get("QueuePosition") or "",
            )
        await self.call_back(graph, result, hook)
        return result.twiml

    async def call_back(self, graph: Graph, result: StepResult, hook: Hook) -> None:
        """Keep the caller's place when the step ended in a `call_back` state; stored before
        the answer goes out, so "we will call you back" is never said for a lost request."""
        wanted = callbacks.wanted(graph, result)
        if wanted is None:
            return
        await self.callbacks.ask_for(hook.params, wanted)

    # -- messaging and status ---------------------------------------------------------------

    async def sms(self, request: Request, hook: Hook) -> str:
        flow = request.path_params["flow"]
        sender, to = hook.params.get("From") or "", hook.params.get("To") or ""
        key = f"sms:{flow}:{sender}:{to}"
        hook.fields.update(flow=flow, event="sms", call=hook.params.get("MessageSid"))
        hook.fields["from"] = logs.number(sender)
        event = Event("sms", hook.params)

        async def advance(session: CallSession | None) -> StepResult:
            graph = None
            if session is not None and session.flow == flow and not session.ended:
                graph = await self.started_on(session)
            if graph is None:
                graph = self.current(flow, "sms")
                if session is None:
                    session = new_session(graph, key)
                else:  # its version is gone: the conversation starts over (same record)
                    session.state = None
            return step(graph, session, event, self.now())

        result = await self.saved(key, advance, hook)
        assert result is not None
        self.finish(hook, result, key)
        return result.twiml

    async def status(self, request: Request, hook: Hook) -> str:
        """Twilio's call status callback: a final status ends the call and records how."""
        key = hook.params.get("CallSid") or ""
        status = hook.params.get("CallStatus") or "completed"
        hook.fields.update(event="status", status=status)
        if not key:
            raise Unavailable("no-callsid", "the request has no CallSid")
        if status not in FINAL_STATUSES:
            # A progress event (ringing, in-progress, ...): the call goes on, nothing to store.
            hook.fields["outcome"] = "progress"
            return twiml.EMPTY

        async def advance(session: CallSession | None) -> StepResult | None:
            if session is None:
                return None
            hook.fields.update(flow=session.flow, state=session.state, flow_outcome=session.outcome)
            # The same code path as the interpreter's, whether or not the version is loaded.
            end_call(session, hook.params)
            return StepResult(twiml.EMPTY, session, [], [])

        result = await self.saved(key, advance, hook)
        hook.fields["outcome"] = "recorded" if result is not None else "no-session"
        self.observers.status(hook.fields, hook.params)
        return twiml.EMPTY

    async def transcription(self, request: Request, hook: Hook) -> str:
        """A recording's transcription, posted by Twilio when it is ready."""
        hook.fields.update(event="transcription")
        self.observers.transcription(hook.params)
        return twiml.EMPTY
