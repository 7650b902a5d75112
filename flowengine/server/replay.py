"""Webhooks that arrive twice: the same answer again, and every side effect once.

Twilio retries a webhook after a timeout or a dropped connection, and a proxy may too.
Each webhook has a request id: Twilio's `I-Twilio-Idempotency-Token` header when it
sends one (it stays the same across Twilio's retries), otherwise a digest of the route
(path and query) and the whole form, which holds the CallSid. A digest alone cannot tell
a copy from a caller doing the same thing again (no input twice in a menu posts the
same form), so it counts as a repeat only of the newest answer and only within
DIGEST_SECONDS: copies delivered together, not a retry after Twilio's 15 s timeout,
which its token identifies. The answer to a webhook is kept in the call's session, written in the
same compare-and-set save as the step it answers, so:

- a repeat that finds its id in the stored session gets the stored answer and changes
  nothing (no save, no texts); it works across processes and hosts that share the store,
  and is forgotten with the session (its ttl);
- two copies racing each other: one save wins, the other's compare-and-set fails, it
  reloads, finds the winner's answer, and replays it.

Side effects follow from this: perform them only for a result that won its save (a
replay carries none). An effect that must run before the save (a fetch whose answer the
flow needs) can claim its name first with `claim`: of all processes sharing the store,
exactly one gets True for a name until it expires.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping

from flowengine.runtime.session import CallSession
from flowengine.server.stores import SessionStore

TOKEN_HEADER = "i-twilio-idempotency-token"
# Answers kept per session, the newest last: Twilio waits for an answer before it posts
# the next webhook of a call, so a retry is of the newest one (or of a status callback
# that came in between). Each answer kept makes the session record longer.
KEEP = 2
MAX_TOKEN = 200
# Shorter than any real repeat: a gather's no-input repeat comes after its timeout (1 s at
# the very least) plus its prompt.
DIGEST_SECONDS = 1.0


def request_id(headers: Mapping[str, str], target: str, body: bytes) -> str:
    """The id of one webhook: Twilio's idempotency token, or a digest of what was posted."""
    token = headers.get(TOKEN_HEADER)
    if token:
        return "t:" + token[:MAX_TOKEN]
    digest = hashlib.blake2b(target.encode("latin-1", "replace"), digest_size=16)
    digest.update(b"\0")
    digest.update(body)
    return "d:" + digest.hexdigest()


def answer(session: CallSession | None, rid: str, now: float | None = None) -> str | None:
    """The stored answer when this webhook was already applied to the session."""
    if session is None or not rid or not session.replies:
        return None
    if rid.startswith("t:"):
        kept = session.replies.get(rid)
        return None if kept is None else str(kept[0])
    newest = next(reversed(session.replies))
    if newest != rid:
        return None
    twiml, at = session.replies[newest]
    now = time.time() if now is None else now
    return str(twiml) if now - float(at) <= DIGEST_SECONDS else None


def remember(session: CallSession, rid: str, twiml: str, now: float | None = None) -> None:
    if not rid:
        return
    replies = session.replies
    replies.pop(rid, None)
    replies[rid] = [twiml, time.time() if now is None else now]
    while len(replies) > KEEP:
        del replies[next(iter(replies))]


async def claim(store: SessionStore, name: str) -> bool:
    """True for exactly one caller per name (until the store's ttl), across processes.

    A new record saves with compare-and-set on revision 0, which only one writer wins.
    """
    marker = CallSession(key=f"once:{name}", flow="", version="", ended=True)
    return await store.save(marker)
