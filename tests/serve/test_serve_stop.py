"""`serve` with a tab connected stops within 2 seconds of SIGTERM, SIGINT or SIGHUP, and leaves no tab
process behind (Linux: the test reads the process tree from /proc)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from .test_serve_guard import free_port

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def descendants(root: int) -> set[int]:
    found: set[int] = set()
    frontier = {root}
    while frontier:
        children = {
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and parent_of(int(entry.name)) in frontier
        }
        frontier = children - found
        found |= children
    return found


async def open_tab(url: str, port: int) -> aiohttp.ClientSession:
    """Connect a tab as the page would, and wait until its wizard has painted something."""
    session = aiohttp.ClientSession()
    try:
        socket_ = await session.ws_connect(
            f"ws://127.0.0.1:{port}/ws?width=80&height=24&token={url.split('token=')[1]}",
            headers={"Origin": f"http://127.0.0.1:{port}"},
        )
        await socket_.send_json(["resize", {"width": 80, "height": 24}])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message = await socket_.receive(timeout=60)
            if message.type == aiohttp.WSMsgType.BINARY and len(message.data) > 100:
                return session
    except BaseException:
        await session.close()
        raise
    await session.close()
    raise AssertionError("the tab's wizard never painted")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["TERM", "INT", "HUP"])
async def test_serve_stops_within_two_seconds_and_ends_every_tab(tmp_path: Path, signum: int) -> None:
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path), "ALLY_WIZARD_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(
        [sys.executable, "-m", "ally_wizard", "serve", "--demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
        text=True,
    )
    session: aiohttp.ClientSession | None = None
    try:
        assert process.stdout is not None
        url = ""
        for line in process.stdout:
            if found := re.search(r"(http://\S+\?token=\S+)", line):
                url = found.group(1)
                break
        assert url, "serve printed no address with a token"
        session = await open_tab(url, port)
        tabs = descendants(process.pid)
        assert tabs, "the tab's wizard runs as a child of serve"
        started = time.monotonic()
        process.send_signal(signum)
        await asyncio.to_thread(process.wait, 10)
        took = time.monotonic() - started
        print(f"serve stopped {took:.2f}s after signal {signum}")
        assert took < 2.0, f"serve took {took:.2f}s to stop"
        await asyncio.sleep(0.2)
        left = sorted(pid for pid in tabs if alive(pid))
        assert left == [], f"processes left behind: {left}"
    finally:
        if session is not None:
            await session.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
