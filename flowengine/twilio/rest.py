"""Outbound calls and text messages through twilio.rest.Client, to any Twilio-compatible API."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from flowengine.flow import twiml
from flowengine.twilio.phone import is_e164

ACCOUNT_SID = "TWILIO_ACCOUNT_SID"
AUTH_TOKEN = "TWILIO_AUTH_TOKEN"
API_KEY = "TWILIO_API_KEY"
API_SECRET = "TWILIO_API_SECRET"
API_BASE = "TWILIO_API_BASE"
DEFAULT_API_BASE = "https://api.twilio.com"

# twilio's own HTTP client waits forever by default; a request started from a web server's
# background task must not be able to hold a worker thread indefinitely.
DEFAULT_TIMEOUT = 30.0
MAX_INLINE_TWIML = 4000  # calls.create(twiml=...) limit


class ConfigError(Exception):
    """The environment does not say how to reach the API."""


class CredentialsError(ConfigError):
    def __init__(self, missing: Sequence[str], message: str) -> None:
        super().__init__(message)
        self.missing = tuple(missing)


class InvalidNumberError(ValueError):
    pass


class TwimlTooLongError(ValueError):
    pass


class ApiError(Exception):
    """The API refused a request (status and code set) or could not be reached (both None)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        more_info: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.more_info = more_info

    def __str__(self) -> str:
        if self.status is None:
            return self.message
        code = f"error {self.code}" if self.code is not None else "error"
        return f"Twilio API {code} (HTTP {self.status}): {self.message}"


class _HttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends each request to the configured API base and keeps the last response per thread.

    The twilio exceptions drop the error body's `more_info` link, so it is read back from
    the response; per thread, because one client may serve several background senders.
    """

    def __init__(self, api_base: SplitResult | None, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._api_base = api_base
        self._local = threading.local()

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        self._local.response = None
        response = super().request(method, self._rebase(url), *args, **kwargs)
        self._local.response = response
        return response

    def last_body(self) -> Mapping[str, Any]:
        response = getattr(self._local, "response", None)
        try:
            body = json.loads(response.text) if response is not None else None
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def _rebase(self, url: str) -> str:
        # Every URL is rewritten, not just api.twilio.com ones: credentials meant for another
        # provider must never be sent to Twilio.
        if self._api_base is None:
            return url
        parts = urlsplit(url)
        base = self._api_base
        path = base.path.rstrip("/") + parts.path
        return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


def client_from_env(
    environ: Mapping[str, str] | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> Client:
    """A Client from TWILIO_* variables; raises CredentialsError/ConfigError when incomplete."""
    env = os.environ if environ is None else environ
    username, password, account_sid = _credentials(env)
    http_client = _HttpClient(_api_base(env), timeout)
    # environment= keeps TWILIO_EDGE/TWILIO_REGION coming from the same mapping.
    return Client(username, password, account_sid, http_client=http_client, environment=dict(env))


def _credentials(env: Mapping[str, str]) -> tuple[str, str, str]:
    def get(name: str) -> str:
        return env.get(name, "").strip()

    sid, token, key, secret = get(ACCOUNT_SID), get(AUTH_TOKEN), get(API_KEY), get(API_SECRET)
    if key or secret:
        missing = [
            n for n, v in ((API_KEY, key), (API_SECRET, secret), (ACCOUNT_SID, sid)) if not v
        ]
        if missing:
            raise CredentialsError(
                missing,
                f"incomplete API key credentials: set {_names(missing)} "
                f"({API_KEY} and {API_SECRET} with {ACCOUNT_SID}, the account the key belongs to)",
            )
        return key, secret, sid
    missing = [n for n, v in ((ACCOUNT_SID, sid), (AUTH_TOKEN, token)) if not v]
    if len(missing) == 2:
        raise CredentialsError(
            missing,
            f"no Twilio credentials: set {ACCOUNT_SID} and {AUTH_TOKEN}, "
            f"or {API_KEY}, {API_SECRET} and {ACCOUNT_SID}",
        )
    if missing:
        raise CredentialsError(missing, f"incomplete Twilio credentials: set {missing[0]}")
    return sid, token, sid


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _api_base(env: Mapping[str, str]) -> SplitResult | None:
    raw = env.get(API_BASE, "").strip()
    if not raw or raw.rstrip("/") == DEFAULT_API_BASE:
        return None
    base = urlsplit(raw)
    if base.scheme not in ("http", "https") or not base.netloc or base.query or base.fragment:
        raise ConfigError(f"{API_BASE} must be an http(s) URL like {DEFAULT_API_BASE}, not {raw!r}")
    return base


def check_e164(number: str, label: str = "phone number") -> str:
    if not is_e164(number):
        raise InvalidNumberError(
            f"{label} {number!r} is not an E.164 number: write + then the country code and "
            "number, digits only, like +14155550100"
        )
    return number


def say_twiml(text: str, voice: str | None = None, language: str | None = None) -> str:
    # ElementTree would write characters XML cannot carry as they are.
    text = twiml.valid_chars(text)
    if not text.strip():
        raise ValueError("nothing to say: the text is empty")
    response = VoiceResponse()
    response.say(text, voice=voice, language=language)
    return str(response.to_xml(xml_declaration=False))


def check_twiml_length(twiml: str) -> str:
    if len(twiml) > MAX_INLINE_TWIML:
        raise TwimlTooLongError(
            f"inline TwiML is {len(twiml):,} characters; Twilio accepts at most "
            f"{MAX_INLINE_TWIML:,} (serve longer documents from a URL instead)"
        )
    return twiml


def start_call(
    client: Client,
    to: str,
    from_: str,
    url: str | None = None,
    twiml: str | None = None,
    status_callback: str | None = None,
    method: str = "POST",
) -> str:
    """Start an outbound call that fetches `url` or runs `twiml`; returns the call SID."""
    check_e164(to, "To")
    check_e164(from_, "From")
    params: dict[str, Any] = {"to": to, "from_": from_}
    if (url is None) == (twiml is None):
        raise ValueError("a call needs exactly one of url and twiml")
    if url is not None:
        if method.upper() not in ("GET", "POST"):
            raise ValueError(f"method must be GET or POST, not {method!r}")
        params.update(url=url, method=method.upper())
    else:
        params["twiml"] = check_twiml_length(str(twiml))
    if status_callback:
        params["status_callback"] = status_callback
    call = _request(client, lambda: client.calls.create(**params))
    return str(call.sid)


def send_message(
    client: Client,
    to: str,
    from_: str,
    body: str,
    media_urls: Sequence[str] | None = None,
    status_callback: str | None = None,
) -> str:
    """Send a text (with media: MMS); returns the message SID.

    Blocking and free of shared state apart from the client's connection pool, so it can run
    in a worker thread after the TwiML response has gone out.
    """
    check_e164(to, "To")
    check_e164(from_, "From")
    if not body and not media_urls:
        raise ValueError("a message needs a body or media")
    params: dict[str, Any] = {"to": to, "from_": from_}
    if body:
        params["body"] = body
    if media_urls:
        params["media_url"] = list(media_urls)
    if status_callback:
        params["status_callback"] = status_callback
    message = _request(client, lambda: client.messages.create(**params))
    return str(message.sid)


def _request(client: Client, create: Callable[[], Any]) -> Any:
    try:
        return create()
    except TwilioException as exc:
        raise _api_error(client, exc) from exc
    except OSError as exc:  # requests' errors derive from OSError
        # requests wraps urllib3's error, whose `reason` is the short, useful part.
        reason = getattr(exc.args[0] if exc.args else None, "reason", None) or exc
        raise ApiError(f"could not reach the API: {reason}") from exc


def _api_error(client: Client, exc: TwilioException) -> ApiError:
    http_client = getattr(client, "http_client", None)
    body = http_client.last_body() if isinstance(http_client, _HttpClient) else {}
    status = body.get("status", getattr(exc, "status", None))
    code = body.get("code", getattr(exc, "code", None))
    # Legacy errors carry `message` (plus `detail` for auth errors); RFC 9457 ones `title`/`detail`.
    message = body.get("message") or body.get("title") or getattr(exc, "msg", None) or str(exc)
    detail = body.get("detail")
    if detail and detail != message:
        message = f"{message}: {detail}"
    more_info = body.get("more_info") or body.get("type")
    if not more_info and isinstance(code, int) and code >= 10000:
        more_info = f"https://www.twilio.com/docs/errors/{code}"
    return ApiError(
        str(message),
        status=_int_or_none(status),
        code=_int_or_none(code),
        more_info=str(more_info) if more_info else None,
    )


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
