"""Wall time of an audit of a Canvas with 250 developer keys and 100 ms of latency per request, in units of
that latency, with its baselines measured in the same run.

The audit checks the admin token (who it belongs to, and a one-item read of the keys, together), then reads
every page of keys (100 a page: 3 pages for 252 keys), the Site Admin keys and the scope catalogue, and the
theme's ALLY_CFG from the login page, without credentials, beside all that. Pages after the first are
fetched together, once the first page's `Link` header says how many there are.

Baselines, same sandbox, same run: one bare GET (the floor: 1 unit plus the sandbox's own time), and the
same audit with one request at a time (concurrency 1), which is what following `next` links one by one
and reading the theme afterwards would cost.

Target: the audit takes at most the pages needed plus 3 units.

Run: python benchmarks/audit.py [--latency-ms 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from ally_wizard.canvas.audit import AuditTarget, run_audit
from ally_wizard.canvas.client import CanvasClient
from ally_wizard.canvas.report import CheckStatus
from ally_wizard.inputs import redirect_uri
from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import RunningSandbox

KEYS_PER_PAGE = 100


async def one_audit(sb: RunningSandbox, concurrency: int) -> tuple[float, int, int]:
    """Seconds, requests sent through the admin client, pages of keys read; raises if a row fails."""
    recipe = default_recipe()
    target = AuditTarget(
        sb.base_url,
        sb.ally_environment,
        sb.ally_client_id,
        redirect_uri(recipe, sb.ally_environment, sb.ally_client_id),
    )
    async with CanvasClient(sb.base_url, concurrency=concurrency) as client:
        start = time.perf_counter()
        result = await run_audit(client, sb.admin_token, target)
        elapsed = time.perf_counter() - start
        sent = client.requests_sent
    bad = [row.id for row in result.report.checks if row.status is not CheckStatus.PASS]
    if bad:
        raise SystemExit(f"The audit did not pass, so its timing means nothing: {bad}")
    return elapsed, sent, result.pages


async def bare_get(sb: RunningSandbox) -> float:
    """One authenticated GET of one key: the floor of any request."""
    async with httpx.AsyncClient(base_url=sb.base_url) as http:
        start = time.perf_counter()
        reply = await http.get(
            "/api/v1/accounts/self/developer_keys",
            params={"per_page": "1"},
            headers={"Authorization": f"Bearer {sb.admin_token}"},
        )
        elapsed = time.perf_counter() - start
    reply.raise_for_status()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=int, default=100, help="sandbox latency per request (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per setting; the median is shown (default 3)")
    options = parser.parse_args()
    unit = options.latency_ms / 1000

    with RunningSandbox(scenario="many-keys", latency_ms=options.latency_ms) as sb:
        total_keys = len(sb.snapshot()["developer_keys"])
        floor: list[float] = []
        audits: dict[int, list[tuple[float, int, int]]] = {8: [], 1: []}
        for _ in range(options.rounds):
            floor.append(asyncio.run(bare_get(sb)))
            for concurrency in audits:
                audits[concurrency].append(asyncio.run(one_audit(sb, concurrency)))

    pages_needed = -(-total_keys // KEYS_PER_PAGE)
    bare = statistics.median(floor)
    fast = statistics.median(run[0] for run in audits[8])
    slow = statistics.median(run[0] for run in audits[1])
    requests = audits[8][0][1]
    print(
        f"Audit of a simulated Canvas with {total_keys} developer keys ({pages_needed} pages of {KEYS_PER_PAGE}), "
        f"{options.latency_ms} ms per request, median of {options.rounds}:"
    )
    print(f"  one bare GET (floor):          {bare / unit:5.2f} units ({bare:.3f} s)")
    print(
        f"  audit, concurrency 8:          {fast / unit:5.2f} units ({fast:.3f} s, {requests} API requests "
        "plus 2 for the theme)"
    )
    print(f"  audit, one request at a time:  {slow / unit:5.2f} units ({slow:.3f} s)")
    print(f"  ratio audit / bare GET: {fast / bare:.2f}; one-at-a-time / audit: {slow / fast:.2f}x")
    target = pages_needed + 3
    print(
        f"  target <= pages needed + 3 = {target} units: {'met' if fast <= target * unit else 'MISSED'} "
        f"({fast / unit / target:.2f} of the target)"
    )


if __name__ == "__main__":
    main()
