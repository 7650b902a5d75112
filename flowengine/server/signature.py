"""X-Twilio-Signature: the URL Twilio signed, and the check with twilio's RequestValidator."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from starlette.requests import Request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)


def path_and_query(scope: Mapping[str, object]) -> str:
    """The path exactly as requested (percent-escapes kept), with the query string."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else str(scope.get("path", "/"))
    query = scope.get("query_string")
    if isinstance(query, bytes) and query:
        return f"{path}?{query.decode('latin-1')}"
    return path


class SignatureCheck:
    """Checks against `public_url` + path when the server sits behind a TLS proxy.

    Without a public URL the request's own URL is used: its scheme and host come from
    uvicorn, which honours X-Forwarded-Proto/For only with --proxy-headers from trusted
    addresses (--forwarded-allow-ips).
    """

    def __init__(self, token: str, public_url: str = "") -> None:
        self._validator = RequestValidator(token)
        # A path in the public URL (https://host/ivr) is a prefix the proxy strips.
        self._base = public_url.rstrip("/")

    def url(self, request: Request) -> str:
        scope = request.scope
        if self._base:
            return self._base + path_and_query(scope)
        host = request.headers.get("host") or "localhost"
        return f"{scope.get('scheme', 'http')}://{host}{path_and_query(scope)}"

    def valid(self, request: Request, values_by_name: FormValues) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return False
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        url, params = self.url(request), values_by_name
        try:
            # The hot path computes one signature, for the URL exactly as received.
            expected = self._validator.compute_signature(url, params, algorithm)
        except ValueError:  # an algorithm this twilio release does not know
            return False
        if hmac.compare_digest(str(expected).encode(), signature.encode()):
            return True
        # Twilio signs some URLs with the default port and some without: let the
        # reference validator try both before refusing.
        try:
            return bool(self._validator.validate(url, params, signature, algorithm))
        except ValueError:  # a Host header such as "example.com:99999" cannot be a signed URL
            return False

    def signed_for(self, request: Request, values_by_name: FormValues) -> str | None:
        """For a request that failed: the URL it is validly signed for, if a likely one.

        Tried only after a failure: the http/https and host variants a wrong public URL or
        a proxy setting produce. A match proves the request came from Twilio and the
        server checks the wrong URL, which a forger without the token cannot fake.
        """
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return None
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        path = path_and_query(request.scope)
        hosts = {
            h for h in (request.headers.get("x-forwarded-host"), request.headers.get("host")) if h
        }
        prefix = self._base.split("://", 1)[-1].partition("/")[2]
        paths = {path, f"/{prefix}{path}"} if prefix else {path}
        checked = self.url(request)
        for host in sorted(hosts):
            for scheme in ("https", "http"):
                for candidate_path in sorted(paths):
                    url = f"{scheme}://{host}{candidate_path}"
                    if url == checked:
                        continue
                    try:
                        if self._validator.validate(url, values_by_name, signature, algorithm):
                            return url
                    except ValueError:
                        return None
        return None


class FormValues(dict[str, list[str]]):
    """Every value of every posted field, in the shape RequestValidator reads (`getall`)."""

    def getall(self, name: str) -> list[str]:
        return self[name]
