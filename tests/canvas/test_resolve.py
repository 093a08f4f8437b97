"""Resolving the typed Canvas address with the preflight's first probes: server redirects followed, bounded,
https only, never to http; Canvas's own answers (to the key's redirect URI) never followed."""

from __future__ import annotations

import httpx
import pytest
from fake_canvas import KEY_ID, REDIRECT, FakeCanvas, NoSleep

from ally_wizard.canvas.client import CanvasClient
from ally_wizard.canvas.flow import CheckFlow, NoQuestions
from ally_wizard.canvas.preflight import FirstProbes
from ally_wizard.canvas.resolve import MAX_HOPS, Resolution, resolve_canvas
from ally_wizard.canvas.target import KeyTarget


async def resolve(canvas_url: str, transport: httpx.MockTransport) -> Resolution:
    target = KeyTarget.from_recipe(canvas_url, KEY_ID, REDIRECT)
    located = await resolve_canvas(
        canvas_url,
        lambda url: CanvasClient(url, transport=transport, sleep=NoSleep()),
        lambda client: FirstProbes(client, target),
    )
    if located.client is not None and located.first is not None:
        located.first.cancel()
        await located.client.aclose()
    return located.resolution


def redirecting(routes: dict[str, tuple[int, str | None]]) -> httpx.MockTransport:
    """Each host answers with (status, Location); unknown hosts refuse the connection."""

    def handle(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host not in routes:
            raise httpx.ConnectError("refused", request=request)
        status, location = routes[host]
        headers = {"location": location} if location else {}
        return httpx.Response(status, headers=headers, json={"error": "invalid_client"})

    return httpx.MockTransport(handle)


async def test_a_server_redirect_keeping_the_path_is_followed() -> None:
    transport = redirecting(
        {
            "canvas.school.edu": (301, "https://school.instructure.com/login/oauth2/auth"),
            "school.instructure.com": (401, None),
        }
    )
    found = await resolve("https://canvas.school.edu", transport)
    assert found.moved and found.resolved == "https://school.instructure.com"
    assert found.sentence == "canvas.school.edu redirects to school.instructure.com; checking there."


async def test_a_redirect_to_an_sso_login_is_left_for_the_preflight_to_judge() -> None:
    transport = redirecting({"canvas.school.edu": (302, "https://sso.school.edu/cas/login?service=x")})
    found = await resolve("https://canvas.school.edu", transport)
    assert not found.moved and found.problem is None


async def test_a_redirect_to_http_is_refused() -> None:
    transport = redirecting({"canvas.school.edu": (301, "http://school.instructure.com/login/oauth2/auth")})
    found = await resolve("https://canvas.school.edu", transport)
    assert found.problem is not None and "unencrypted" in found.problem


async def test_redirects_are_followed_a_bounded_number_of_times() -> None:
    hosts = {f"h{i}.school.edu": (301, f"https://h{i + 1}.school.edu/") for i in range(MAX_HOPS + 3)}
    found = await resolve("https://h0.school.edu", redirecting(hosts))
    assert found.problem is not None and "kept redirecting" in found.problem


@pytest.mark.parametrize("location", ["http://]/login", "https://[x/login/oauth2/auth"])
async def test_a_malformed_location_stops_the_search_without_a_crash(location: str) -> None:
    found = await resolve("https://canvas.school.edu", redirecting({"canvas.school.edu": (301, location)}))
    assert not found.moved and found.problem is None


async def test_no_answer_at_all_is_the_problem_that_stops_the_run() -> None:
    found = await resolve("https://canvas.school.edu", redirecting({}))
    assert found.problem is not None


async def test_canvas_sending_an_error_to_a_redirect_uri_on_another_host_is_its_answer_not_a_hop() -> None:
    transport = redirecting({"canvas.school.edu": (302, "https://ally.school.edu/?error=invalid_scope&state=x")})
    found = await resolve("https://canvas.school.edu", transport)
    assert not found.moved and found.problem is None


async def test_the_ready_case_finds_the_host_with_the_preflights_own_first_probes(fake: FakeCanvas) -> None:
    target = KeyTarget.from_recipe("https://canvas.example.edu", KEY_ID, REDIRECT)
    flow = CheckFlow(target, NoQuestions(), login=False, transport=fake.transport(), theme=False)
    run = await flow.run()
    assert {check.status.value for check in run.preflight} == {"pass"}
    assert run.resolution is None
    assert len(fake.requests) == 2  # probes A and B, sent at once: no request spent on finding the host


async def test_a_vanity_address_costs_the_first_probes_once_more_at_the_real_host(fake: FakeCanvas) -> None:
    def vanity(request: httpx.Request) -> httpx.Response:
        if request.url.host == "canvas.school.edu":
            moved = request.url.copy_with(scheme="https", host="canvas.example.edu")
            return httpx.Response(301, headers={"location": str(moved)})
        return fake.handle(request)

    target = KeyTarget.from_recipe("https://canvas.school.edu", KEY_ID, REDIRECT)
    flow = CheckFlow(target, NoQuestions(), login=False, transport=httpx.MockTransport(vanity), theme=False)
    run = await flow.run()
    assert run.resolution is not None and run.resolution.resolved == "https://canvas.example.edu"
    assert {check.status.value for check in run.preflight} == {"pass"}
    assert len(fake.requests) == 2
