"""What `/healthz` says: recent trouble counted as it happens, and who may see the details.

The public answer is one word and a status code a load balancer acts on: 200 `ok`, or
503 `degraded` when this process cannot serve calls properly (the store is unreachable
or its reads and writes failed recently, requests from Twilio fail their signature
check because the public URL is wrong, signature checks are off).

A run of bad signatures alone is only a warning: anyone can send forged requests, and
a health check that forgers can fail would let them take every server out of a load
balancer. A request that fails the check but is validly signed for another URL of this
server is proof (no forger has the token) that the URL is wrong: that one degrades.

The details (flows, versions, paths, diagnostics, counters) go only to a client on the
loopback interface, or to one that presents the health token.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger("flowengine.server")

WINDOW_SECONDS = 60.0
# Store failures within the window that make the process degraded: one blip is not enough.
STORE_FAILURES = 3
# Signature failures in a row, with no valid one between, that look like a wrong public URL.
SIGNATURE_STREAK = 5
# How often the misconfiguration warning repeats while the streak goes on.
WARN_EVERY_SECONDS = 60.0


class Monitor:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._fallbacks: deque[tuple[float, str]] = deque(maxlen=10_000)
        self.bad_signatures = 0  # in a row, since the last valid one
        self.checked_url = ""
        self.signed_url = ""  # the URL a failing request turned out to be signed for
        self._warned_at: float | None = None

    # -- events ------------------------------------------------------------------------------

    def fallback(self, cause: str) -> None:
        self._fallbacks.append((self._clock(), cause))

    def signature_ok(self) -> None:
        self.bad_signatures = 0
        self.signed_url = ""

    def signature_failed(self, checked: str, signed_for: str | None) -> None:
        self.bad_signatures += 1
        self.checked_url = checked
        if signed_for:
            self.signed_url = signed_for
        if self.bad_signatures < SIGNATURE_STREAK and not signed_for:
            return
        now = self._clock()
        if self._warned_at is not None and now - self._warned_at < WARN_EVERY_SECONDS:
            return
        self._warned_at = now
        if signed_for:
            log.error(
                "requests are signed for %s but checked against %s: the public URL is wrong. "
                "Set --public-url (FLOWENGINE_PUBLIC_URL) to the address Twilio calls",
                signed_for,
                checked,
            )
        else:
            log.error(
                "the last %d requests all failed the signature check (last checked "
                "against %s): if that is not the URL configured in Twilio, set --public-url "
                "(FLOWENGINE_PUBLIC_URL); otherwise check TWILIO_AUTH_TOKEN",
                self.bad_signatures,
                checked,
            )

    # -- reporting -------------------------------------------------------------------------

    def recent(self) -> Counter[str]:
        since = self._clock() - WINDOW_SECONDS
        while self._fallbacks and self._fallbacks[0][0] < since:
            self._fallbacks.popleft()
        return Counter(cause for _, cause in self._fallbacks)

    def problems(self, store_ok: bool, insecure: bool) -> list[str]:
        found = []
        if not store_ok:
            found.append("session store unreachable")
        failures = self.recent()["store-error"]
        if failures >= STORE_FAILURES:
            found.append(f"{failures} session store failures in the last {WINDOW_SECONDS:.0f} s")
        if self.signed_url:
            found.append(
                f"requests are signed for {self.signed_url} but checked against "
                f"{self.checked_url}: the public URL is wrong"
            )
        if insecure:
            found.append("signature checks are off (--insecure-dev)")
        return found

    def warnings(self) -> list[str]:
        if self.bad_signatures < SIGNATURE_STREAK or self.signed_url:
            return []
        return [
            f"the last {self.bad_signatures} requests failed the signature check (checked "
            f"against {self.checked_url}): forged, or is the public URL or token wrong?"
        ]

    def details(self) -> dict[str, Any]:
        return {
            "fallbacks_last_minute": dict(sorted(self.recent().items())),
            "bad_signature_streak": self.bad_signatures,
        }


def may_see_details(client: str | None, authorization: str | None, token: str) -> bool:
    """With a health token set, only its bearer; without one, only the loopback interface."""
    if token:
        given = (authorization or "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    try:
        return client is not None and ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False
