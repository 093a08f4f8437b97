"""The institution's own Canvas address that only redirects: a second loopback listener answering every
request with a 301 to the simulated Canvas, path and query kept (docs/canvas.md 12). The same listener
can instead play a gate in front of Canvas (an SSO or captive portal) that sends every request to a login
page on another host: not Canvas's answer either, so no check may pass on it.

Many institutions reach Canvas at a name of their own (`canvas.school.edu`) whose web server answers
every request with a redirect to the real host (`school.instructure.com`). Such a redirect says nothing
about the developer key, and a client must never send the secret, a code or a token there. So the
listener records what it receives: the redacted requests for a test to read, and the raw bytes, kept
private, that a test can only ask about (`received`), so a leak is provable without being printed.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, quote_plus

from aiohttp import web

from ally_wizard.sandbox.http import serve_on_loopback
from ally_wizard.sandbox.recorder import RecordedRequest, record

_AUTH_KINDS = ("Bearer", "Basic")


@dataclass(frozen=True, slots=True)
class _RawRequest:
    """Everything one request carried: request line, headers and body (never shown)."""

    data: bytes = field(repr=False)


def _basic_decoded(request: web.Request) -> bytes:
    """HTTP Basic credentials decoded, so a secret sent that way is found like any other."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return b""
    try:
        return b"Basic-decoded: " + base64.b64decode(header[6:].strip(), validate=True) + b"\r\n"
    except (binascii.Error, ValueError):
        return b""


class RedirectingListener:
    """An aiohttp server on loopback that answers 301 to `target` for every method and path (or, with
    `gate_path`, 302 to that login page on `target`)."""

    def __init__(self, target: str, host: str = "127.0.0.1", port: int = 0, gate_path: str | None = None) -> None:
        self.target = target.rstrip("/")
        self.gate_path = gate_path  # set: a 302 to this login path on `target`, whatever was asked
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._records: list[RecordedRequest] = []
        self._raw: list[_RawRequest] = []
        self.base_url = ""

    async def start(self) -> None:
        """Bind and serve; `base_url` is set once the port is known."""
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._redirect)
        self._runner, self.base_url = await serve_on_loopback(app, self._host, self._port)

    async def stop(self) -> None:
        """Stop serving and release the port."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _redirect(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        head = f"{request.method} {request.raw_path}\r\n".encode()
        headers = b"".join(name + b": " + value + b"\r\n" for name, value in request.raw_headers)
        self._raw.append(_RawRequest(head + headers + _basic_decoded(request) + b"\r\n" + body))
        form: dict[str, list[str]] = {}
        if request.content_type == "application/x-www-form-urlencoded":
            for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                form.setdefault(name, []).append(value)
        kind = request.headers.get("Authorization", "").split(" ", 1)[0].capitalize()
        self._records.append(
            record(
                request.method,
                request.path,
                list(request.query.items()),
                form,
                301 if self.gate_path is None else 302,
                kind if kind in _AUTH_KINDS else None,
            )
        )
        if self.gate_path is not None:
            asked = quote(f"{request.scheme}://{request.host}{request.raw_path}", safe="")
            return web.Response(status=302, headers={"Location": f"{self.target}{self.gate_path}?service={asked}"})
        # The web server's redirect, not Canvas's: the same path and query on the real host
        return web.Response(status=301, headers={"Location": f"{self.target}{request.raw_path}"})

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far, redacted as the sandbox's own records are."""
        return list(self._records)

    def received(self, text: str) -> bool:
        """Whether any request received so far carried `text` anywhere (line, headers or body), as sent
        or percent-encoded; an empty `text` is never found."""
        if not text:
            return False
        needles = {text.encode(), quote(text, safe="").encode(), quote_plus(text).encode()}
        return any(needle in raw.data for raw in self._raw for needle in needles)

    def clear(self) -> None:
        """Forget what was received so far."""
        self._records.clear()
        self._raw.clear()
