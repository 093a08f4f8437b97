"""Wall time of a full `check` against the simulated Canvas with 100 ms of latency per request, in units of
that latency, at the default concurrency (8) and at concurrency 1, measured in the same run.

A full check is the preflight (two authorize probes at once), the code exchange, 31 scope probes plus the
includes check in waves of the concurrency bound, and the revoke. The time the benchmark spends playing
the admin's browser (login and consent pages) is left out: it is the admin's, not the wizard's.

Targets: preflight <= 2 units; full check <= 7 units + 0.5 s; concurrency 1 about 36 units.

Run: python benchmarks/check.py [--latency-ms 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass

from ally_wizard.canvas.client import CanvasClient
from ally_wizard.canvas.report import CheckStatus
from ally_wizard.canvas.verify import (
    KeyTarget,
    begin_authorization,
    enforce_scopes_found,
    read_pasted_code,
    run_live_checks,
    run_preflight,
)
from ally_wizard.inputs import redirect_uri
from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.sandbox.browser import play_browser


@dataclass
class Timing:
    """One full check: the preflight, the whole check without the browser, and the browser alone."""

    preflight: float
    full: float
    browser: float
    requests: int


async def one_check(sb: RunningSandbox, concurrency: int) -> Timing:
    """A full check, timed in parts; raises if any row does not pass (a benchmark of a broken run is void)."""
    target = KeyTarget.from_recipe(
        sb.base_url, sb.key_id, redirect_uri(default_recipe(), sb.ally_environment, sb.ally_client_id)
    )
    async with CanvasClient(sb.base_url, concurrency=concurrency) as client:
        start = time.perf_counter()
        preflight = await run_preflight(client, target)
        preflight_time = time.perf_counter() - start

        pending = begin_authorization(target)
        browser_start = time.perf_counter()
        landing = await play_browser(pending.authorize_url, sb.admin_username, sb.admin_password)
        browser_time = time.perf_counter() - browser_start

        live_start = time.perf_counter()
        code = read_pasted_code(pending, landing)
        live = await run_live_checks(
            client, target, pending, code, sb.key_secret, enforce_scopes=enforce_scopes_found(preflight)
        )
        live_time = time.perf_counter() - live_start
        sent = client.requests_sent
    rows = [*preflight, *live.checks]
    bad = [row.id for row in rows if row.status is not CheckStatus.PASS]
    if bad:
        raise SystemExit(f"The check did not pass, so its timing means nothing: {bad}")
    return Timing(preflight_time, preflight_time + live_time, browser_time, sent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=int, default=100, help="sandbox latency per request (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per setting; the median is shown (default 3)")
    options = parser.parse_args()
    unit = options.latency_ms / 1000

    with RunningSandbox(scenario="ready", latency_ms=options.latency_ms) as sb:
        results: dict[int, list[Timing]] = {8: [], 1: []}
        for _ in range(options.rounds):
            for concurrency in results:
                results[concurrency].append(asyncio.run(one_check(sb, concurrency)))

    def median(concurrency: int, part: str) -> float:
        return statistics.median(getattr(timing, part) for timing in results[concurrency])

    print(
        f"Full check against the simulated Canvas, {options.latency_ms} ms per request, "
        f"median of {options.rounds} (browser time left out):"
    )
    for concurrency in results:
        requests = results[concurrency][0].requests
        print(
            f"  concurrency {concurrency}: preflight {median(concurrency, 'preflight') / unit:5.2f} units, "
            f"full check {median(concurrency, 'full') / unit:5.2f} units "
            f"({median(concurrency, 'full'):.2f} s, {requests} requests; "
            f"browser {median(concurrency, 'browser'):.2f} s not counted)"
        )
    full_8 = median(8, "full")
    full_1 = median(1, "full")
    print(f"  speed-up of concurrency 8 over 1: {full_1 / full_8:.1f}x")
    verdicts = [
        ("preflight <= 2 units", median(8, "preflight") <= 2 * unit),
        ("full check <= 7 units + 0.5 s", full_8 <= 7 * unit + 0.5),
    ]
    for label, met in verdicts:
        print(f"  target {label}: {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
