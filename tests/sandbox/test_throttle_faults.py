"""Throttling (7.2), gateway faults (`flaky`) and latency (`slow`)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import httpx
from sandbox_helpers import OOB, bearer, get_code

from ally_wizard.sandbox import Sandbox, load_scenario
from ally_wizard.sandbox.faults import FaultPlan
from ally_wizard.sandbox.scenario import FaultSettings, ThrottleSettings


async def burst(sb: Sandbox, http: httpx.AsyncClient, count: int) -> list[httpx.Response]:
    return [await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(sb.admin_token)) for _ in range(count)]


async def test_token_requests_carry_cost_and_remaining(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = (await burst(sb, http, 1))[0]
    assert float(response.headers["X-Request-Cost"]) >= 0
    assert 0 < float(response.headers["X-Rate-Limit-Remaining"]) <= 800


async def test_browser_requests_carry_no_throttle_headers(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{sb.base_url}/login/canvas")
    assert "X-Request-Cost" not in response.headers and "X-Rate-Limit-Remaining" not in response.headers


async def test_throttled_scenario_answers_429_then_recovers(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("throttled")
    responses = await burst(sandbox, http, 15)
    limited = [r for r in responses if r.status_code == 429]
    assert limited, [r.status_code for r in responses]
    assert responses[0].status_code == 200
    first = limited[0]
    assert first.text == "429 Too Many Requests (Rate Limit Exceeded)\n"
    assert first.headers["Content-Type"].startswith("text/plain")
    assert first.headers["X-Rate-Limit-Remaining"] == "0.0"
    assert "X-Request-Cost" not in first.headers
    await asyncio.sleep(1.1)
    assert (await burst(sandbox, http, 1))[0].status_code == 200


async def test_buckets_are_per_token(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("throttled")
    await burst(sandbox, http, 15)
    other = sandbox.state.issue_token(sandbox.state.users[1], None, (), "other", expires=False)
    response = await http.get(f"{sandbox.base_url}/api/v1/accounts/self", headers=bearer(other.token))
    assert response.status_code == 200


async def test_old_canvas_throttles_with_403(make_sandbox, http: httpx.AsyncClient) -> None:
    old = load_scenario("old-canvas")
    tight = replace(old, throttle=ThrottleSettings(maximum=100, outflow=1, up_front_cost=50, fixed_cost=60, status=403))
    sandbox = await make_sandbox(tight)
    responses = await burst(sandbox, http, 4)
    assert [r.status_code for r in responses][-1] == 403
    assert responses[-1].text == "403 Forbidden (Rate Limit Exceeded)\n"


async def _get_with_retries(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
    for _ in range(4):
        try:
            response = await http.get(url, headers=headers, timeout=0.5)
        except httpx.TimeoutException:
            continue
        if response.status_code not in (502, 504):
            return response
    raise AssertionError("bounded retries did not get through")


async def test_flaky_faults_are_seeded_and_bounded(make_sandbox, http: httpx.AsyncClient) -> None:
    flaky = load_scenario("flaky")
    quick = replace(flaky, faults=replace(flaky.faults, stall_seconds=0.05))
    statuses = []
    for _ in range(2):
        sandbox = await make_sandbox(quick)
        for _ in range(40):
            response = await http.get(f"{sandbox.base_url}/api/v1/accounts/self", headers=bearer(sandbox.admin_token))
            statuses.append(response.status_code)
    first, second = statuses[:40], statuses[40:]
    assert first == second  # the same seed gives the same faults
    assert 502 in first and 504 in first and 200 in first
    runs = "".join("x" if s != 200 else "." for s in first)
    assert "xxx" not in runs  # never more than two faults in a row


async def test_flaky_client_with_bounded_retries_gets_through(make_sandbox, http: httpx.AsyncClient) -> None:
    flaky = load_scenario("flaky")
    sandbox = await make_sandbox(replace(flaky, faults=replace(flaky.faults, stall_seconds=0.8)))
    for _ in range(12):
        response = await _get_with_retries(
            http, f"{sandbox.base_url}/api/v1/accounts/self", bearer(sandbox.admin_token)
        )
        assert response.status_code == 200
    code = await get_code(sandbox)  # the browser pages are not faulted
    for _ in range(4):
        token = await http.post(
            f"{sandbox.base_url}/login/oauth2/token",
            data={"client_id": sandbox.key_id, "client_secret": sandbox.key_secret, "code": code, "redirect_uri": OOB},
        )
        if token.status_code == 200:
            break
    assert token.status_code == 200  # a faulted exchange never used the code up


async def test_latency_applies_to_every_request(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("ready", latency_ms=150)
    started = time.perf_counter()
    await http.get(f"{sandbox.base_url}/login/canvas")
    assert time.perf_counter() - started >= 0.15
    assert load_scenario("slow").latency_ms > 0


def test_a_request_retried_beside_others_fails_at_most_max_consecutive_times_in_a_row() -> None:
    plan = FaultPlan(FaultSettings(rate=0.9, seed=3, max_consecutive=2))
    streak = 0
    for _ in range(200):
        plan.next("GET /api/v1/other")  # another request's draw between each retry of ours
        if plan.next("GET /api/v1/ours") is None:
            streak = 0
        else:
            streak += 1
            assert streak <= 2
