"""Server settings: one frozen value, built from command-line options or the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flowengine.history.location import DEFAULT_HISTORY_DAYS as DEFAULT_HISTORY_DAYS
from flowengine.history.location import ENV_HISTORY as ENV_HISTORY
from flowengine.history.location import ENV_HISTORY_DAYS as ENV_HISTORY_DAYS
from flowengine.history.location import history_url
from flowengine.twilio.phone import WHAT_TWILIO_WANTS, is_e164

ENV_TOKEN = "TWILIO_AUTH_TOKEN"
ENV_STORE = "FLOWENGINE_STORE"
ENV_PUBLIC_URL = "FLOWENGINE_PUBLIC_URL"
# Each option of `flowengine serve` has its variable (the option wins); worker processes
# (--workers N) get every setting through these.
ENV_FLOWS_DIR = "FLOWENGINE_FLOWS_DIR"
ENV_INSECURE = "FLOWENGINE_INSECURE_DEV"
ENV_FALLBACK_SAY = "FLOWENGINE_FALLBACK_SAY"
ENV_FALLBACK_DIAL = "FLOWENGINE_FALLBACK_DIAL"
ENV_LOG_LEVEL = "FLOWENGINE_LOG_LEVEL"
ENV_ACCESS_LOG = "FLOWENGINE_ACCESS_LOG"
# With it set, /healthz shows its details only to `Authorization: Bearer <token>`;
# without it, only to clients on the loopback interface.
ENV_HEALTH_TOKEN = "FLOWENGINE_HEALTH_TOKEN"
# Addresses of the proxies whose X-Forwarded-For/-Proto headers are believed (comma
# separated, as uvicorn's --forwarded-allow-ips); none by default.
ENV_TRUSTED_PROXIES = "FLOWENGINE_TRUSTED_PROXIES"
ENV_LOG_FORMAT = "FLOWENGINE_LOG_FORMAT"
ENV_RELOAD = "FLOWENGINE_RELOAD"
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")
ENV_METRICS = "FLOWENGINE_METRICS"
ENV_METRICS_TOKEN = "FLOWENGINE_METRICS_TOKEN"
ENV_FETCH_FILLER_AFTER = "FLOWENGINE_FETCH_FILLER_AFTER"
ENV_CALLBACK_EVERY = "FLOWENGINE_CALLBACK_EVERY"
ENV_CALLBACK_RETRY_AFTER = "FLOWENGINE_CALLBACK_RETRY_AFTER"
ENV_CALLBACK_MAX_WAIT = "FLOWENGINE_CALLBACK_MAX_WAIT"

DEFAULT_FLOWS_DIR = "flows"
DEFAULT_STORE = "sqlite:///flowengine.db"
DEFAULT_FALLBACK_SAY = "We are sorry, something went wrong. Please call again later."
# Twilio's requests are a few kilobytes; anything far larger is not Twilio.
DEFAULT_MAX_BODY = 256 * 1024

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ServerConfig:
    flows_dir: str = DEFAULT_FLOWS_DIR
    store_url: str = DEFAULT_STORE
    auth_token: str = ""
    public_url: str = ""
    insecure_dev: bool = False
    fallback_say: str = DEFAULT_FALLBACK_SAY
    fallback_dial: str = ""
    log_level: str = "info"
    log_format: str = "text"
    access_log: bool = True  # a line for every answered webhook, not only for problems
    max_body: int = DEFAULT_MAX_BODY
    reload: bool = True
    reload_debounce_ms: int = 300
    clock: Clock | None = None  # tests fix the time of day that opening hours see
    cas_attempts: int = 5
    health_token: str = ""
    trusted_proxies: str = ""
    history_url: str = ""  # "" picks one beside the session store; "off" keeps no history
    history_days: float = DEFAULT_HISTORY_DAYS
    metrics: bool = False
    metrics_token: str = ""

    @property
    def history(self) -> str | None:
        """The call history's URL: its own SQLite file next to a SQLite session store."""
        return history_url(self.history_url, self.store_url)

    # Seconds a fetch with a filler may keep the caller in silence before the filler plays.
    fetch_filler_after: float = 1.0
    # Callbacks (call_back in a flow): one placed per this many seconds, in the order they
    # were asked for; a caller who did not answer is tried again after callback_retry_after.
    callback_every: float = 30.0
    callback_retry_after: float = 60.0
    # A request asked from a queue is placed when agents took the callers ahead of it, or
    # after this many seconds; 0: every request by the rate rule above.
    callback_max_wait: float = 1800.0

    @property
    def checks_signatures(self) -> bool:
        return not self.insecure_dev

    @property
    def url_prefix(self) -> str:
        """The path part of the public URL: TwiML callbacks must carry it too."""
        if not self.public_url:
            return ""
        rest = self.public_url.split("://", 1)[-1]
        _, slash, path = rest.partition("/")
        return ("/" + path).rstrip("/") if slash else ""

    def problems(self) -> list[str]:
        """Reasons not to start, each one a sentence for the operator."""
        found = []
        if not self.auth_token and not self.insecure_dev:
            found.append(
                f"{ENV_TOKEN} is not set: without it Twilio's signatures cannot be checked. "
                "Set it to your account's auth token, or pass --insecure-dev for local "
                "development without signature checks."
            )
        if self.fallback_dial and not is_e164(self.fallback_dial):
            found.append(
                f"the fallback number {self.fallback_dial!r} (--fallback-dial, "
                f"{ENV_FALLBACK_DIAL}) is not a phone number Twilio accepts: {WHAT_TWILIO_WANTS}, "
                "e.g. +15551230001"
            )
        if self.log_level not in LOG_LEVELS:
            found.append(
                f"the log level {self.log_level!r} (--log-level, {ENV_LOG_LEVEL}) must be one "
                f"of {', '.join(LOG_LEVELS)}"
            )
        if self.log_format not in LOG_FORMATS:
            found.append(
                f"the log format {self.log_format!r} (--log-format, {ENV_LOG_FORMAT}) must be "
                f"one of {', '.join(LOG_FORMATS)}"
            )
        if self.public_url and not self.public_url.startswith(("http://", "https://")):
            found.append(f"the public URL must start with https:// (got {self.public_url!r})")
        if not self.history_days >= 0:
            found.append(
                f"{ENV_HISTORY_DAYS} must be a number of days to keep calls (0: keep forever)"
            )
        return found


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def config_from_env(environ: Mapping[str, str] | None = None) -> ServerConfig:
    env = os.environ if environ is None else environ
    return ServerConfig(
        flows_dir=env.get(ENV_FLOWS_DIR) or DEFAULT_FLOWS_DIR,
        store_url=env.get(ENV_STORE) or DEFAULT_STORE,
        auth_token=env.get(ENV_TOKEN, "").strip(),
        public_url=(env.get(ENV_PUBLIC_URL) or "").strip(),
        insecure_dev=_flag(env.get(ENV_INSECURE)),
        fallback_say=env.get(ENV_FALLBACK_SAY, DEFAULT_FALLBACK_SAY),
        fallback_dial=env.get(ENV_FALLBACK_DIAL) or "",
        log_level=(env.get(ENV_LOG_LEVEL) or "info").strip().lower(),
        log_format=(env.get(ENV_LOG_FORMAT) or "text").strip().lower(),
        reload=(env.get(ENV_RELOAD) or "1").strip().lower() not in ("0", "false", "no", "off"),
        access_log=(env.get(ENV_ACCESS_LOG) or "1").strip().lower()
        not in ("0", "false", "no", "off"),
        health_token=(env.get(ENV_HEALTH_TOKEN) or "").strip(),
        trusted_proxies=(env.get(ENV_TRUSTED_PROXIES) or "").strip(),
        history_url=(env.get(ENV_HISTORY) or "").strip(),
        history_days=_days(env.get(ENV_HISTORY_DAYS)),
        metrics=_flag(env.get(ENV_METRICS)),
        metrics_token=(env.get(ENV_METRICS_TOKEN) or "").strip(),
        fetch_filler_after=float(env.get(ENV_FETCH_FILLER_AFTER) or 1.0),
        callback_every=float(env.get(ENV_CALLBACK_EVERY) or 30.0),
        callback_retry_after=float(env.get(ENV_CALLBACK_RETRY_AFTER) or 60.0),
        callback_max_wait=float(env.get(ENV_CALLBACK_MAX_WAIT) or 1800.0),
    )


def _days(value: str | None) -> float:
    try:
        return float(value) if value else DEFAULT_HISTORY_DAYS
    except ValueError:
        return -1.0  # problems() explains
