"""`serve` answers only its own address, its own origin and a browser holding the session token: no other web
page (and no DNS-rebound name) can open a wizard or read a screen."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest

from ally_wizard.serve_server import GuardedServer

# A stand-in for a tab's wizard: these tests are about who may connect, not about the wizard.
IDLE_TAB = [sys.executable, "-c", "import time; time.sleep(30)"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def server() -> AsyncIterator[GuardedServer]:
    served = GuardedServer(IDLE_TAB, host="127.0.0.1", port=free_port(), title="test", public_url=None)
    stop = asyncio.Event()
    task = asyncio.create_task(served.serve_until_stopped(stop))
    await asyncio.wait_for(served.ready.wait(), 10)
    try:
        yield served
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert not served.tabs


def base(server: GuardedServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def own_cookie(server: GuardedServer) -> dict[str, str]:
    return {"Cookie": f"{server.cookie_name}={server.token}"}


async def status(url: str, headers: dict[str, str] | None = None) -> int:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers, allow_redirects=False) as got:
        return got.status


async def test_the_page_without_the_token_is_refused(server: GuardedServer) -> None:
    assert await status(base(server) + "/") == 403
    assert await status(base(server) + "/static/js/textual.js") == 403


async def test_a_wrong_token_is_refused(server: GuardedServer) -> None:
    assert await status(base(server) + "/?token=" + "x" * len(server.token)) == 403
    assert await status(base(server) + "/", {"Cookie": f"{server.cookie_name}=guess"}) == 403


async def test_the_printed_address_sets_the_session_cookie_and_drops_the_token_from_the_address(
    server: GuardedServer,
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.open_url, allow_redirects=False) as got,
    ):
        assert got.status == 303
        assert got.headers["Location"] == "/"
        cookie = got.cookies[server.cookie_name]
        assert cookie.value == server.token
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert await status(base(server) + "/", own_cookie(server)) == 200


async def test_a_foreign_host_is_refused_even_with_the_token(server: GuardedServer) -> None:
    rebound = {"Host": f"rebind.evil.example:{server.port}", **own_cookie(server)}
    assert await status(base(server) + "/", rebound) == 403
    assert await status(f"{base(server)}/?token={server.token}", {"Host": f"rebind.evil.example:{server.port}"}) == 403
    assert await status(base(server) + "/", {"Host": "127.0.0.1:1", **own_cookie(server)}) == 403


async def websocket_status(server: GuardedServer, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(base(server) + "/ws", headers=headers) as socket_:
                await asyncio.sleep(0.3)
                assert server.tabs, "an accepted WebSocket starts a tab"
                await socket_.close()
                return 101
        except aiohttp.WSServerHandshakeError as refused:
            return refused.status


async def test_a_websocket_from_a_foreign_origin_is_refused(server: GuardedServer) -> None:
    for origin in ("https://evil.example", "null", f"http://localhost.evil.example:{server.port}"):
        assert await websocket_status(server, {"Origin": origin, **own_cookie(server)}) == 403
    assert not server.tabs


async def test_a_websocket_without_the_token_is_refused(server: GuardedServer) -> None:
    assert await websocket_status(server, {"Origin": base(server)}) == 403
    assert not server.tabs


async def test_a_websocket_with_the_token_from_the_own_page_starts_a_wizard(server: GuardedServer) -> None:
    assert await websocket_status(server, {"Origin": base(server), **own_cookie(server)}) == 101


def test_public_url_host_is_the_one_answered() -> None:
    served = GuardedServer(IDLE_TAB, host="0.0.0.0", port=8000, title="t", public_url="https://wizard.school.edu")
    assert ("wizard.school.edu", 443) in served.allowed
    assert served.open_url.startswith("https://wizard.school.edu/?token=")
