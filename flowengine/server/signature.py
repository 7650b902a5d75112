"""X-Twilio-Signature: the URL Twilio signed, and the check.

The check on every webhook is Twilio's algorithm written against a key prepared once
(twilio's `RequestValidator.compute_signature` builds the HMAC from the token, looks the
values up through `getall` and grows the signed string one `+=` at a time on every
request). Twilio's own `RequestValidator` stays the reference: it decides every request
the fast path refuses (the URL with or without its default port, algorithms), and the
tests compare both on random forms.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

from twilio.request_validator import (
    HMAC_SHA1,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

Headers = Mapping[str, str]


def path_and_query(scope: Mapping[str, object]) -> str:
    """The path exactly as requested (percent-escapes kept), with the query string."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else str(scope.get("path", "/"))
    query = scope.get("query_string")
    if isinstance(query, bytes) and query:
        return f"{path}?{query.decode('latin-1')}"
    return path


def signed_text(url: str, pairs: Iterable[tuple[str, str]]) -> str:
    """What Twilio signs: the URL, then name+value for each distinct pair, sorted by name and
    then value (twilio's `sorted(set(names))`, then `sorted(set(values))` per name)."""
    return url + "".join([name + value for name, value in sorted(set(pairs))])


class SignatureCheck:
    """Checks against `public_url` + path when the server sits behind a TLS proxy.

    Without a public URL the request's own URL is used: its scheme and host come from
    uvicorn, which honours X-Forwarded-Proto/For only with --proxy-headers from trusted
    addresses (--forwarded-allow-ips).
    """

    def __init__(self, token: str, public_url: str = "") -> None:
        self._validator = RequestValidator(token)
        # The key schedule once: each request copies it instead of rebuilding it.
        self._sha1 = hmac.new(token.encode("utf-8"), digestmod=hashlib.sha1)
        # A path in the public URL (https://host/ivr) is a prefix the proxy strips.
        self._base = public_url.rstrip("/")

    def url(self, scope: Mapping[str, object], headers: Headers) -> str:
        if self._base:
            return self._base + path_and_query(scope)
        host = headers.get("host") or "localhost"
        return f"{scope.get('scheme', 'http')}://{host}{path_and_query(scope)}"

    def valid(
        self, scope: Mapping[str, object], headers: Headers, pairs: list[tuple[str, str]]
    ) -> bool:
        signature = headers.get(SIGNATURE_HEADER.lower())
        if not signature:
            return False
        url = self.url(scope, headers)
        settings = headers.get(SIGNATURE_SETTINGS_HEADER.lower())
        if not settings or get_signature_algorithm(settings).upper() == HMAC_SHA1:
            expected = self.sha1(url, pairs)
            if hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
                return True
        return self._reference(url, signature, settings, pairs)

    def sha1(self, url: str, pairs: list[tuple[str, str]]) -> bytes:
        """The Auth Token signature (HMAC-SHA1, base64) of a request to `url`."""
        mac = self._sha1.copy()
        mac.update(signed_text(url, pairs).encode("utf-8"))
        return base64.b64encode(mac.digest())

    def _reference(
        self, url: str, signature: str, settings: str | None, pairs: list[tuple[str, str]]
    ) -> bool:
        """twilio's own validator: other algorithms, and the URL with or without its default
        port (Twilio signs some URLs one way and some the other)."""
        try:
            return bool(
                self._validator.validate(
                    url, values_by_name(pairs), signature, get_signature_algorithm(settings)
                )
            )
        except ValueError:  # an unknown algorithm, or a Host such as "example.com:99999"
            return False

    def signed_for(
        self, scope: Mapping[str, object], headers: Headers, pairs: list[tuple[str, str]]
    ) -> str | None:
        """For a request that failed: the URL it is validly signed for, if a likely one.

        Tried only after a failure: the http/https and host variants a wrong public URL or
        a proxy setting produce. A match proves the request came from Twilio and the
        server checks the wrong URL, which a forger without the token cannot fake.
        """
        signature = headers.get(SIGNATURE_HEADER.lower())
        if not signature:
            return None
        algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER.lower()))
        path = path_and_query(scope)
        hosts = {h for h in (headers.get("x-forwarded-host"), headers.get("host")) if h}
        prefix = self._base.split("://", 1)[-1].partition("/")[2]
        paths = {path, f"/{prefix}{path}"} if prefix else {path}
        checked = self.url(scope, headers)
        values = values_by_name(pairs)
        for host in sorted(hosts):
            for scheme in ("https", "http"):
                for candidate_path in sorted(paths):
                    url = f"{scheme}://{host}{candidate_path}"
                    if url == checked:
                        continue
                    try:
                        if self._validator.validate(url, values, signature, algorithm):
                            return url
                    except ValueError:
                        return None
        return None


class FormValues(dict[str, list[str]]):
    """Every value of every posted field, in the shape RequestValidator reads (`getall`)."""

    def getall(self, name: str) -> list[str]:
        return self[name]


def values_by_name(pairs: Iterable[tuple[str, str]]) -> FormValues:
    values = FormValues()
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return values
