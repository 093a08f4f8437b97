"""The client: headers, no cookies, bounded concurrency, retries with backoff on safe requests only."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import socket
import ssl
from collections.abc import Callable

import httpx
import pytest
from fake_canvas import ClientFactory, FakeCanvas, NoSleep

from ally_wizard import __version__
from ally_wizard.canvas.client import (
    Backoff,
    CanvasClient,
    CanvasUnavailable,
    CanvasUnreachable,
    Reply,
    retry_after_seconds,
)
from ally_wizard.canvas.messages import describe_network_error

THROTTLED = httpx.Response(403, headers={"content-type": "text/plain"}, text="403 Forbidden (Rate Limit Exceeded)\n")


def sequence(*answers: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response | None]:
    """A `before` hook answering the first requests with `answers`, then letting the fake Canvas answer."""
    queue = list(answers)

    def before(request: httpx.Request) -> httpx.Response | None:
        if not queue:
            return None
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return before


async def test_every_request_names_the_wizard_and_asks_for_json(fake: FakeCanvas, client: CanvasClient) -> None:
    await client.request("GET", "/login/oauth2/auth", params=[("client_id", "1")])
    sent = fake.requests[0]
    assert sent.headers["user-agent"] == f"ally-wizard/{__version__}"
    assert sent.headers["accept"] == "application/json"


async def test_redirects_are_not_followed_and_cookies_are_not_kept(fake: FakeCanvas, client: CanvasClient) -> None:
    fake.before = sequence(httpx.Response(302, headers={"location": "/login/canvas", "set-cookie": "s=1; Path=/"}))
    first = await client.request("GET", "/login/oauth2/auth")
    await client.request("GET", "/login/oauth2/auth")
    assert first.status == 302 and first.location == "/login/canvas"
    assert "cookie" not in fake.requests[1].headers


async def test_throttled_get_is_retried_until_it_gets_through(
    fake: FakeCanvas, client: CanvasClient, no_sleep: NoSleep
) -> None:
    fake.before = sequence(THROTTLED, httpx.Response(429, text="429 Too Many Requests (Rate Limit Exceeded)\n"))
    reply = await client.request("GET", "/login/oauth2/auth")
    assert reply.status == 401  # the fake's answer for an unknown client, once through
    assert len(fake.requests) == 3
    assert reply.retries == ("403", "429")
    assert len(no_sleep.waits) == 2


async def test_retry_after_is_honoured(fake: FakeCanvas, client: CanvasClient, no_sleep: NoSleep) -> None:
    fake.before = sequence(httpx.Response(503, headers={"retry-after": "3"}, text="busy"))
    await client.request("GET", "/login/oauth2/auth")
    assert no_sleep.waits == [3.0]


async def test_a_retry_after_beyond_the_limit_is_reported_not_obeyed(
    fake: FakeCanvas, make_client: ClientFactory, no_sleep: NoSleep
) -> None:
    fake.before = sequence(httpx.Response(429, headers={"retry-after": "600"}, text="Rate Limit Exceeded"))
    async with make_client(backoff=Backoff(0.01, 0.1, max_wait=30)) as client:
        with pytest.raises(CanvasUnavailable, match="asked to wait 600 seconds"):
            await client.request("GET", "/login/oauth2/auth")
    assert no_sleep.waits == []


async def test_retries_are_bounded_then_the_request_errors(fake: FakeCanvas, make_client: ClientFactory) -> None:
    fake.before = lambda request: httpx.Response(502, text="<html><title>502 Bad Gateway</title></html>")
    async with make_client(max_retries=3) as client:
        with pytest.raises(CanvasUnavailable) as caught:
            await client.request("GET", "/api/v1/accounts")
    assert len(fake.requests) == 4
    assert "502 Bad Gateway" in caught.value.message
    assert caught.value.evidence.status == 502


async def test_a_post_is_not_repeated_after_a_gateway_error(fake: FakeCanvas, client: CanvasClient) -> None:
    fake.before = sequence(httpx.Response(502, text="bad gateway"))
    with pytest.raises(CanvasUnavailable, match="not repeated, because sending it twice is not safe"):
        await client.request("POST", "/login/oauth2/token", data={"code": "c"}, repeatable=False)
    assert len(fake.requests) == 1


async def test_a_post_is_not_repeated_after_a_read_timeout(fake: FakeCanvas, client: CanvasClient) -> None:
    fake.before = sequence(httpx.ReadTimeout("timed out"))
    with pytest.raises(CanvasUnreachable, match="did not answer"):
        await client.request("POST", "/login/oauth2/token", repeatable=False)
    assert len(fake.requests) == 1


async def test_a_post_is_repeated_after_throttling_which_refuses_before_acting(
    fake: FakeCanvas, client: CanvasClient
) -> None:
    fake.before = sequence(THROTTLED)
    reply = await client.request("POST", "/login/oauth2/token", data={"client_id": "1"}, repeatable=False)
    assert reply.status == 401
    assert len(fake.requests) == 2


async def test_timeouts_on_safe_requests_are_retried(fake: FakeCanvas, client: CanvasClient) -> None:
    fake.before = sequence(httpx.ReadTimeout("timed out"), httpx.ConnectTimeout("timed out"))
    reply = await client.request("GET", "/login/oauth2/auth")
    assert reply.status == 401
    assert reply.retries == ("ReadTimeout", "ConnectTimeout")


async def test_an_unknown_host_is_not_retried_and_reads_as_one_sentence(fake: FakeCanvas, client: CanvasClient) -> None:
    error = httpx.ConnectError("[Errno -2] Name or service not known")
    fake.before = sequence(error, error)
    with pytest.raises(CanvasUnreachable) as caught:
        await client.request("GET", "/login/oauth2/auth")
    assert caught.value.message == (
        "canvas.example.edu could not be found: the name does not resolve; check the Canvas address for typos."
    )
    assert len(fake.requests) == 1


async def test_a_refused_connection_over_a_real_socket_is_one_sentence() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with CanvasClient(f"http://127.0.0.1:{port}", max_retries=0) as client:
        with pytest.raises(CanvasUnreachable) as caught:
            await client.request("GET", "/login/oauth2/auth")
    assert caught.value.message == "127.0.0.1 refused the connection: nothing answers at that address and port."


def test_network_errors_read_as_plain_sentences() -> None:
    timeout = httpx.Timeout(30.0, connect=10.0)
    try:
        raise httpx.ConnectError("handshake") from ssl.SSLCertVerificationError(1, "certificate verify failed")
    except httpx.ConnectError as exc:
        cert = describe_network_error(exc, "canvas.example.edu", timeout)
    assert cert.startswith("The security certificate of canvas.example.edu could not be verified")
    tls = describe_network_error(httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version"), "h", timeout)
    assert tls == "A secure (TLS) connection to h could not be set up; check that the address uses https://."
    assert describe_network_error(httpx.ConnectTimeout("x"), "h", timeout).startswith(
        "h did not accept a connection within 10 seconds"
    )
    assert describe_network_error(httpx.ReadTimeout("x"), "h", timeout) == (
        "Canvas at h accepted the connection but did not answer within 30 seconds."
    )
    assert describe_network_error(httpx.RemoteProtocolError("x"), "h") == (
        "Canvas at h closed the connection without answering."
    )


async def test_concurrency_is_bounded(fake: FakeCanvas, make_client: ClientFactory) -> None:
    in_flight = 0
    peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        in_flight -= 1
        return httpx.Response(200, json={})

    async with make_client(transport=httpx.MockTransport(slow), concurrency=3) as client:
        await asyncio.gather(*(client.request("GET", f"/api/v1/x/{n}") for n in range(12)))
    assert peak == 3


def test_backoff_grows_with_jitter_and_stays_under_its_cap() -> None:
    backoff = Backoff(base=0.5, cap=4.0)
    rng = random.Random(7)
    delays = [backoff.delay(attempt, rng) for attempt in range(6)]
    for attempt, delay in enumerate(delays):
        ceiling = min(4.0, 0.5 * 2**attempt)
        assert ceiling / 2 <= delay <= ceiling
    assert len({round(d, 6) for d in delays}) == len(delays)  # jitter: no two alike


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = dt.datetime(2026, 11, 26, 20, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 26 Nov 2026 20:00:05 GMT", now) == 5.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_a_reply_never_shows_its_body_in_repr() -> None:
    """A token response's body holds the access and refresh tokens: a repr in a traceback must not."""
    token, refresh = "17~" + "a" * 64, "17~" + "b" * 64
    reply = Reply(
        "POST",
        "https://canvas.example.edu/login/oauth2/token",
        200,
        {"content-type": "application/json"},
        f'{{"access_token":"{token}","token_type":"Bearer","refresh_token":"{refresh}"}}',
    )
    shown = repr(reply) + str(reply)
    assert token not in shown and refresh not in shown
    assert "200" in shown and "/login/oauth2/token" in shown
