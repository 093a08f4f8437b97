"""Throughput of the simulated Canvas on simple authenticated API requests, against a bare aiohttp
"hello" handler measured in the same run on the same machine.

Each server runs in its own process; 8 concurrent clients (one aiohttp session, 8 workers) send
`GET /api/v1/accounts/self` with the admin's token, so every request goes through the whole Canvas
path: recording, throttle, token lookup, handler, JSON. Target: at least 1,000 requests a second.

The load generator shares the 2 cores with the server, so both figures include its cost; the ratio
says how much the Canvas path costs over aiohttp's own minimum.

Run: python benchmarks/sandbox.py [--seconds S] [--clients N] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
from multiprocessing.connection import Connection

import aiohttp
from aiohttp import web

TARGET_RPS = 1000.0


def _serve_hello(conn: Connection) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"hello": "world"})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/hello", hello)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        conn.send((f"http://127.0.0.1:{port}/hello", ""))
        await asyncio.Event().wait()

    asyncio.run(main())


def _serve_sandbox(conn: Connection) -> None:
    from ally_wizard.sandbox import Sandbox

    async def main() -> None:
        sandbox = Sandbox("ready")
        await sandbox.start()
        conn.send((f"{sandbox.base_url}/api/v1/accounts/self", sandbox.admin_token))
        await asyncio.Event().wait()

    asyncio.run(main())


async def _load(url: str, token: str, seconds: float, clients: int) -> tuple[int, int, float]:
    """Requests completed (and how many were not 200) by `clients` workers in about `seconds`, and the
    seconds they took: timed from after the warm-up, which goes one request at a time and would otherwise
    count as slow measured time (at high latency it dominated the figure)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connector = aiohttp.TCPConnector(limit=clients)
    done = 0
    failed = 0
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(clients * 5):  # warm up connections
            async with session.get(url, headers=headers) as response:
                await response.read()
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            nonlocal done, failed
            while time.perf_counter() < deadline:
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    done += 1
                    if response.status != 200:
                        failed += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return done, failed, elapsed


def measure(target: str, seconds: float, clients: int) -> float:
    """Requests per second against a server started in its own process."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    serve = _serve_hello if target == "hello" else _serve_sandbox
    process = ctx.Process(target=serve, args=(child,), daemon=True)
    process.start()
    try:
        if not parent.poll(60):
            raise SystemExit(f"the {target} server did not start")
        url, token = parent.recv()
        done, failed, elapsed = asyncio.run(_load(url, token, seconds, clients))
        if failed:
            raise SystemExit(f"{failed} of {done} requests to the {target} server did not answer 200")
        return done / elapsed
    finally:
        process.terminate()
        process.join(10)


def main() -> int:
    """Measure both, print the figures and the ratio; exit 1 below the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per server (default 3)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; the best of each (default 2)")
    args = parser.parse_args()
    # Alternate and keep the best round of each, so a burst of load from elsewhere on the machine
    # does not decide the ratio.
    baseline = sandbox = 0.0
    for _ in range(args.rounds):
        baseline = max(baseline, measure("hello", args.seconds, args.clients))
        sandbox = max(sandbox, measure("sandbox", args.seconds, args.clients))
    print(f"bare aiohttp hello handler:       {baseline:8.0f} req/s ({args.clients} concurrent clients)")
    print(f"simulated Canvas, authenticated:  {sandbox:8.0f} req/s (GET /api/v1/accounts/self)")
    print(f"ratio sandbox / baseline:         {sandbox / baseline:8.2f}")
    verdict = "meets" if sandbox >= TARGET_RPS else "MISSES"
    print(f"target {TARGET_RPS:.0f} req/s: {verdict}")
    return 0 if sandbox >= TARGET_RPS else 1


if __name__ == "__main__":
    raise SystemExit(main())
