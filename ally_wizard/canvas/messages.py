"""Plain sentences for what went wrong on the way to Canvas, and Canvas's own words from its answers.

An admin seeing `ConnectError: [Errno -2]` learns nothing; "canvas.school.edu could not be found" tells
them to check the address. Each network fault gets one sentence naming the host and the likely fix.
None of these functions masks secrets: a hostile server may echo the request, so every row's message and
evidence is masked by `ally_wizard.redact` (through `canvas/rows.py`) before it is shortened or kept.
"""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator

import httpx

from ally_wizard.redact import shorten

# Long enough to quote inside a sentence; secrets are masked (cut edges included) and evidence is shortened
# afterwards, in one place (ally_wizard.redact, applied to every row by canvas/rows.py).
_FIRST_LINE_MAX = 400
_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo failed",
    "temporary failure in name resolution",
    "no address associated",
    "name resolution",
)
_TAG = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _text_of(exc: BaseException) -> str:
    return " ".join(str(item) for item in _chain(exc)).lower()


def _is_dns(exc: BaseException) -> bool:
    return any(isinstance(item, socket.gaierror) for item in _chain(exc)) or any(
        word in _text_of(exc) for word in _DNS_WORDS
    )


def _is_certificate(exc: BaseException) -> bool:
    return any(isinstance(item, ssl.SSLCertVerificationError) for item in _chain(exc)) or (
        "certificate_verify_failed" in _text_of(exc)
    )


def _is_tls(exc: BaseException) -> bool:
    return any(isinstance(item, ssl.SSLError) for item in _chain(exc)) or "[ssl" in _text_of(exc)


def _is_refused(exc: BaseException) -> bool:
    return any(isinstance(item, ConnectionRefusedError) for item in _chain(exc)) or (
        "connection refused" in _text_of(exc) or "errno 111" in _text_of(exc)
    )


def is_permanent_network_error(exc: BaseException) -> bool:
    """True for faults a retry cannot cure: an unknown host name, a refused connection, a bad certificate."""
    if isinstance(exc, httpx.UnsupportedProtocol):
        return True
    return isinstance(exc, httpx.ConnectError) and (_is_dns(exc) or _is_tls(exc) or _is_refused(exc))


def _seconds(timeout: httpx.Timeout | None, kind: str) -> str:
    value = getattr(timeout, kind, None) if timeout is not None else None
    return f" within {value:g} seconds" if isinstance(value, int | float) else ""


def describe_network_error(exc: BaseException, host: str, timeout: httpx.Timeout | None = None) -> str:
    """One plain sentence for a network fault talking to `host`."""
    if isinstance(exc, httpx.ConnectTimeout):
        return (
            f"{host} did not accept a connection{_seconds(timeout, 'connect')}; check the address, "
            "and that this computer can reach it (a VPN or firewall may be in the way)."
        )
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return f"Canvas at {host} accepted the connection but did not answer{_seconds(timeout, 'read')}."
    if isinstance(exc, httpx.PoolTimeout):
        return f"Too many requests to {host} were waiting at once; check again with a lower concurrency."
    if _is_dns(exc):
        return f"{host} could not be found: the name does not resolve; check the Canvas address for typos."
    if _is_certificate(exc):
        return (
            f"The security certificate of {host} could not be verified, so nothing was sent; if your "
            "institution inspects encrypted traffic, run the check from a network that does not."
        )
    if _is_tls(exc):
        return f"A secure (TLS) connection to {host} could not be set up; check that the address uses https://."
    if _is_refused(exc):
        return f"{host} refused the connection: nothing answers at that address and port."
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"Canvas at {host} closed the connection without answering."
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"The connection to {host} broke off in the middle of a request."
    return f"The connection to {host} failed ({type(exc).__name__})."


def first_line(text: str) -> str:
    """The first non-empty line of a body (an HTML page's title when it has one), shortened for a report."""
    title = _TITLE.search(text)
    if title:
        candidate = " ".join(_TAG.sub("", title.group(1)).split())
        if candidate:
            return _shorten(candidate)
    for line in text.splitlines():
        stripped = line.strip()
        if stripped:
            return _shorten(stripped)
    return ""


def _shorten(text: str) -> str:
    return shorten(text, _FIRST_LINE_MAX)


def not_api_answer(status: int, content_type: str, text: str) -> str:
    """The sentence for an answer that should have been JSON but was not (a proxy or an SSO page)."""
    what = first_line(text)
    kind = f", {content_type}" if content_type else ""
    came = f": {what}" if what else " (an empty body)"
    return f"Canvas did not answer as its API does (HTTP {status}{kind}){came}."


def canvas_words(data: object) -> str:
    """Canvas's own words from a JSON body: `error_description`, the first `errors[].message`, or `message`."""
    if not isinstance(data, dict):
        return ""
    error = data.get("error")
    description = data.get("error_description")
    if isinstance(description, str) and description:
        return f"{error}: {description}" if isinstance(error, str) and error else description
    errors = data.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict) and isinstance(item.get("message"), str):
                return str(item["message"])
    if isinstance(errors, dict):
        parts = [f"{key}: {value}" for key, value in errors.items()]
        if parts:
            return "; ".join(parts)
    message = data.get("message")
    if isinstance(message, str):
        return message
    if isinstance(error, str):
        return error
    return ""


def error_message(data: object) -> str:
    """The bare first `errors[].message` (or `message`) of an API error body, for matching exact texts."""
    if isinstance(data, dict):
        errors = data.get("errors")
        if isinstance(errors, list):
            for item in errors:
                if isinstance(item, dict) and isinstance(item.get("message"), str):
                    return str(item["message"]).strip()
        message = data.get("message")
        if isinstance(message, str):
            return message.strip()
    return ""
