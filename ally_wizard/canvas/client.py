"""One HTTP client per verification run: keep-alive, TLS always verified, bounded concurrency, safe retries.

Canvas throttles per token and sits behind load balancers that drop the odd request, so every request goes
through `CanvasClient.request`, which

- holds one of `concurrency` slots (12 by default: what Canvas's default throttle lets a fresh token run at
  once; the live run paces its token's requests by the budget Canvas reports) only while a request is in flight,
  so a request waiting out its backoff does not block the others;
- retries a *repeatable* request on 403 `Rate Limit Exceeded`, 429, 502, 503, 504, timeouts and dropped
  connections, with exponential backoff and jitter, honouring `Retry-After`, a bounded number of times;
- retries a request that is not repeatable (a POST that would create a second record if it arrived
  twice) only when Canvas cannot have acted on it: a throttled answer (the throttle refuses before the
  application runs) or a connection that was never made;
- raises `CanvasUnreachable` or `CanvasUnavailable` with one plain sentence when it gives up, so callers
  turn that into an `error` row, never a `pass` or `fail`.

Every answer is bounded: the body is streamed and cut at `max_body` bytes (1 MB; Canvas's answers here are a
few kilobytes), a compressed body is inflated only up to that size, and each attempt has a total deadline
(`request_deadline`) on top of httpx's per-read timeout, so a server dripping a byte at a time cannot hold a
request open for ever. A cut body is kept as read; it is then usually not JSON, and is judged as such.

The client never follows redirects (the authorize probes read `Location`), never stores cookies (the probes
must look like a browser with no session), and never logs: the token travels in a header the caller gives.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import http.cookiejar
import json
import random
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import httpx

from ally_wizard import __version__
from ally_wizard.canvas import tls
from ally_wizard.canvas.messages import describe_network_error, first_line, is_permanent_network_error
from ally_wizard.canvas.report import Evidence

DEFAULT_CONCURRENCY = 12
DEFAULT_MAX_RETRIES = 4
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# One attempt (connect, send, the whole answer) never takes longer than this, whatever the server drips.
DEFAULT_REQUEST_DEADLINE = 45.0
MAX_BODY = 1024 * 1024
_INFLATE = {"gzip", "x-gzip", "deflate"}
USER_AGENT = f"ally-wizard/{__version__}"
_WHILE_PREFIX = "while(1);"
_GATEWAY_STATUSES = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}

Params = Sequence[tuple[str, str]]
FormData = Mapping[str, str | list[str]]  # a list sends the field once per value (`developer_key[scopes][]`)
Sleep = Callable[[float], Awaitable[None]]


class CanvasError(Exception):
    """A request that got no usable answer. `message` is one plain sentence; it never holds a secret."""

    def __init__(self, message: str, evidence: Evidence | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.evidence = evidence or Evidence(None, message)


class CanvasUnreachable(CanvasError):
    """No HTTP answer at all: DNS, TLS, refused or dropped connections, timeouts."""


class CanvasUnavailable(CanvasError):
    """Canvas answered, but only with throttling or gateway errors, even after the retries allowed."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long to wait between attempts: exponential from `base`, capped, with jitter.

    `max_wait` bounds a `Retry-After`: a Canvas asking for longer than that is reported rather than obeyed,
    since an admin watching a progress bar will not wait minutes.
    """

    base: float = 0.5
    cap: float = 8.0
    max_wait: float = 60.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The wait before retry number `attempt` (0-based): half fixed, half random ("equal jitter")."""
        ceiling = min(self.cap, self.base * (2.0**attempt))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True, slots=True)
class Reply:
    """Canvas's answer to one request, read in full. `text` has any leading `while(1);` removed.

    The body stays out of repr: a token response holds the access and refresh tokens, and a repr ends up
    in tracebacks and logs.
    """

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    text: str = field(repr=False)
    retries: tuple[str, ...] = field(default=())
    cut: bool = False

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case (`application/json`)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def location(self) -> str | None:
        """The `Location` header of a redirect, if any."""
        return self.headers.get("location")

    def json(self) -> object | None:
        """The body as JSON, or None when it is not JSON (an HTML page from a proxy or an SSO portal)."""
        body = self.text.strip()
        if not body or body[0] not in "[{":
            return None
        try:
            parsed: object = json.loads(body)
        except ValueError:
            return None
        return parsed

    def evidence(self, detail: str | None = None) -> Evidence:
        """The HTTP status and Canvas's own words (or `detail` when the caller has better words)."""
        return Evidence(self.status, detail if detail is not None else first_line(self.text))


def strip_while_prefix(text: str) -> str:
    """Remove the `while(1);` that very old Canvas puts before JSON (docs/canvas.md 7.3)."""
    stripped = text.lstrip()
    return stripped[len(_WHILE_PREFIX) :] if stripped.startswith(_WHILE_PREFIX) else text


def is_throttled(status: int, text: str) -> bool:
    """Canvas's throttle: 403 `Rate Limit Exceeded` (or 429 where the setting asks for it)."""
    return status == 429 or (status == 403 and "rate limit exceeded" in text.lower())


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Parse `Retry-After`: seconds, or an HTTP date. None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Refuse every cookie: the probes must reach Canvas as a browser with no session."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


class CanvasClient:
    """The one HTTP client of a run, for one Canvas. Use as `async with CanvasClient(url) as client:`."""

    def __init__(
        self,
        canvas_url: str,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff: Backoff | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_body: int = MAX_BODY,
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        self.canvas_url = canvas_url.rstrip("/")
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.backoff = backoff or Backoff()
        self._sleep: Sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._gate = asyncio.Semaphore(concurrency)
        self.max_body = max_body
        self.request_deadline = request_deadline
        self._http = httpx.AsyncClient(
            base_url=self.canvas_url,
            # identity: Canvas's answers are small, and an uncompressed body cannot inflate past its size.
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "identity"},
            timeout=self._timeout,
            follow_redirects=False,
            verify=tls.context(),  # one context per process, loaded once
            cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
            limits=httpx.Limits(max_connections=concurrency + 2, max_keepalive_connections=concurrency + 2),
            transport=transport,
        )
        self.requests_sent = 0

    @property
    def host(self) -> str:
        """The Canvas host, as the admin typed it (for messages)."""
        return httpx.URL(self.canvas_url).host or self.canvas_url

    async def __aenter__(self) -> Self:
        await self._http.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._http.__aexit__(exc_type, exc, tb)

    async def aclose(self) -> None:
        """Close the connections (what leaving the `async with` does)."""
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        data: FormData | None = None,
        headers: Mapping[str, str] | None = None,
        repeatable: bool = True,
    ) -> Reply:
        """Send one request, retrying as the module docstring explains; return Canvas's answer.

        `repeatable` says whether sending the request twice is harmless: true for reads, for writes to
        records that do not exist, and for the single-use code exchange; the caller decides, since only it
        knows what the request does. Raises `CanvasUnreachable` or `CanvasUnavailable` when it gives up.
        """
        retries: list[str] = []
        attempt = 0
        while True:
            failure: CanvasError
            retry_after: float | None = None
            processed_maybe: bool
            async with self._gate:
                self.requests_sent += 1
                try:
                    async with asyncio.timeout(self.request_deadline):
                        reply = await self._send(method, path, params, data, headers, tuple(retries))
                except TimeoutError:
                    failure = CanvasUnreachable(
                        f"Canvas at {self.host} did not finish its answer within {self.request_deadline:g} seconds."
                    )
                    processed_maybe = True
                    reason = "deadline"
                except httpx.TransportError as exc:
                    sentence = describe_network_error(exc, self.host, self._timeout)
                    if is_permanent_network_error(exc):
                        raise CanvasUnreachable(sentence) from None
                    failure = CanvasUnreachable(sentence)
                    processed_maybe = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
                    reason = type(exc).__name__
                else:
                    if is_throttled(reply.status, reply.text):
                        failure = CanvasUnavailable(
                            "Canvas kept refusing requests because of its rate limit "
                            f"({first_line(reply.text) or reply.status}); wait a minute, then check again.",
                            reply.evidence(),
                        )
                        processed_maybe = False
                    elif reply.status in _GATEWAY_STATUSES:
                        failure = CanvasUnavailable(
                            f"Canvas answered {reply.status} {_GATEWAY_STATUSES[reply.status]} "
                            "(a server or proxy in front of it is failing); try again in a few minutes.",
                            reply.evidence(),
                        )
                        processed_maybe = True
                    else:
                        return reply
                    retry_after = retry_after_seconds(reply.headers.get("retry-after"))
                    reason = str(reply.status)
            if processed_maybe and not repeatable:
                raise type(failure)(
                    f"{failure.message} The request was not repeated, because sending it twice is not safe.",
                    failure.evidence,
                )
            if attempt >= self.max_retries:
                raise failure
            if retry_after is not None and retry_after > self.backoff.max_wait:
                raise type(failure)(
                    f"{failure.message} Canvas asked to wait {retry_after:.0f} seconds before trying again.",
                    failure.evidence,
                )
            wait = self.backoff.delay(attempt, self._rng)
            if retry_after is not None:
                wait = max(wait, retry_after)
            retries.append(reason)
            attempt += 1
            await self._sleep(wait)

    async def _send(
        self,
        method: str,
        path: str,
        params: Params | None,
        data: FormData | None,
        headers: Mapping[str, str] | None,
        retries: tuple[str, ...],
    ) -> Reply:
        """One attempt: send, then read at most `max_body` bytes of the answer (inflated, if compressed)."""
        request = self._http.build_request(
            method, path, params=list(params) if params else None, data=data, headers=headers
        )
        response = await self._http.send(request, stream=True)
        try:
            body, cut = await self._read_bounded(response)
        finally:
            await response.aclose()
        return Reply(
            method=method,
            url=str(request.url),
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            text=strip_while_prefix(body.decode(_charset(response), errors="replace")),
            retries=retries,
            cut=cut,
        )

    async def _read_bounded(self, response: httpx.Response) -> tuple[bytes, bool]:
        """The body up to `max_body` bytes, and whether there was more. Reads raw chunks (a few KB each), so
        an endless body costs no more memory than the limit; gzip and deflate are inflated to the limit only."""
        if response.is_stream_consumed:  # a transport that hands over a body already read (httpx.MockTransport)
            return response.content[: self.max_body], len(response.content) > self.max_body
        encoding = response.headers.get("content-encoding", "").strip().lower()
        inflate = zlib.decompressobj(47) if encoding in _INFLATE else None  # 47: a gzip or a zlib header
        parts: list[bytes] = []
        size = 0
        async for raw in response.aiter_raw():
            room = self.max_body - size
            chunk = raw
            if inflate is not None:
                try:
                    chunk = inflate.decompress(raw, room + 1)  # one byte more than fits says "there is more"
                except zlib.error:
                    return b"".join(parts), True
            if len(chunk) > room:
                parts.append(chunk[:room])
                return b"".join(parts), True
            parts.append(chunk)
            size += len(chunk)
        return b"".join(parts), False


def _charset(response: httpx.Response) -> str:
    """The body's character set from Content-Type, or UTF-8 (what Canvas sends) when unknown or unnamed."""
    name = response.charset_encoding or "utf-8"
    try:
        b"a".decode(name, "replace")  # an unknown name, or a codec that is not a text encoding (rot13, base64), raises
    except LookupError:
        return "utf-8"
    return name
