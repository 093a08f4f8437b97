"""A hostile answer is bounded: a huge, endless or compressed body is cut at the client's limit without
being held in memory, and a server dripping its answer is given up on at the request deadline."""

from __future__ import annotations

import asyncio
import functools
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from aiohttp import web

from ally_wizard.canvas.client import MAX_BODY, CanvasClient, CanvasUnreachable

CHUNK = b"x" * 65536
MEMORY_LIMIT = 100 * 1024 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def huge(request: web.Request) -> web.StreamResponse:
    """100 MB with a Content-Length, as a misconfigured proxy might send."""
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    response.content_length = 100 * 1024 * 1024
    await response.prepare(request)
    for _ in range(100 * 16):
        await response.write(CHUNK)
    return response


async def endless(request: web.Request) -> web.StreamResponse:
    """A chunked body that never ends (until the client goes away)."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write(b'{"errors": [{"message": "')
    while True:
        await response.write(CHUNK)


@functools.cache
def bomb_body() -> bytes:
    """About 200 KB of gzip that inflates to 200 MB (made in pieces, so making it costs no memory either)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * 1024 * 1024
    return b"".join([*(packer.compress(zeros) for _ in range(200)), packer.flush()])


async def bomb(request: web.Request) -> web.StreamResponse:
    """A small gzip body that inflates to 200 MB."""
    return web.Response(body=bomb_body(), headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"})


async def drip(request: web.Request) -> web.StreamResponse:
    """One byte every 0.2 s: never slow enough for a read timeout, never finished."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    while True:
        await response.write(b" ")
        await asyncio.sleep(0.2)


async def small(request: web.Request) -> web.StreamResponse:
    return web.json_response({"id": 1, "name": "Course"})


async def odd_charset(request: web.Request) -> web.StreamResponse:
    """A body in a "charset" that is no text encoding (or no encoding at all)."""
    charset = request.query["charset"]
    return web.Response(
        body=b'{"errors": [{"message": "\xff"}]}', headers={"Content-Type": f"text/html; charset={charset}"}
    )


@pytest.fixture
async def hostile() -> AsyncIterator[str]:
    app = web.Application()
    for name, handler in (
        ("huge", huge),
        ("endless", endless),
        ("bomb", bomb),
        ("drip", drip),
        ("small", small),
        ("odd", odd_charset),
    ):
        app.router.add_get(f"/{name}", handler)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("path", ["/huge", "/endless", "/bomb"])
async def test_a_hostile_body_is_cut_at_the_limit_and_memory_stays_bounded(hostile: str, path: str) -> None:
    bomb_body()
    tracemalloc.start()
    try:
        async with CanvasClient(hostile, max_retries=0) as client:
            reply = await client.request("GET", path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reply.cut
    assert len(reply.text.encode()) <= MAX_BODY
    assert reply.json() is None
    print(f"{path}: peak {peak / 1e6:.1f} MB traced")
    assert peak < MEMORY_LIMIT / 4, f"peak {peak / 1e6:.1f} MB"


async def test_a_small_answer_is_read_whole(hostile: str) -> None:
    async with CanvasClient(hostile) as client:
        reply = await client.request("GET", "/small")
    assert not reply.cut and reply.json() == {"id": 1, "name": "Course"}


async def test_a_dripping_answer_ends_at_the_request_deadline(hostile: str) -> None:
    started = time.monotonic()
    async with CanvasClient(hostile, max_retries=1, request_deadline=1.0, timeout=httpx.Timeout(5.0)) as client:
        with pytest.raises(CanvasUnreachable, match="did not finish its answer within 1 seconds"):
            await client.request("GET", "/drip")
    assert time.monotonic() - started < 5.0


@pytest.mark.parametrize("charset", ["rot13", "base64", "no-such-charset", "utf-16"])
async def test_a_body_in_a_charset_that_is_no_text_encoding_is_still_read(hostile: str, charset: str) -> None:
    async with CanvasClient(hostile) as client:
        reply = await client.request("GET", "/odd", params=[("charset", charset)])
    assert reply.status == 200 and isinstance(reply.text, str)
