"""Resolving the typed Canvas address: server redirects followed, bounded, https only, never to http."""

from __future__ import annotations

import httpx
import pytest

from ally_wizard.canvas.resolve import MAX_HOPS, resolve_canvas


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
    found = await resolve_canvas("https://canvas.school.edu", transport=transport)
    assert found.moved and found.resolved == "https://school.instructure.com"
    assert found.sentence == "canvas.school.edu redirects to school.instructure.com; checking there."


async def test_a_redirect_to_an_sso_login_is_left_for_the_preflight_to_judge() -> None:
    transport = redirecting({"canvas.school.edu": (302, "https://sso.school.edu/cas/login?service=x")})
    found = await resolve_canvas("https://canvas.school.edu", transport=transport)
    assert not found.moved and found.problem is None


async def test_a_redirect_to_http_is_refused() -> None:
    transport = redirecting({"canvas.school.edu": (301, "http://school.instructure.com/login/oauth2/auth")})
    found = await resolve_canvas("https://canvas.school.edu", transport=transport)
    assert found.problem is not None and "unencrypted" in found.problem


async def test_redirects_are_followed_a_bounded_number_of_times() -> None:
    hosts = {f"h{i}.school.edu": (301, f"https://h{i + 1}.school.edu/") for i in range(MAX_HOPS + 3)}
    found = await resolve_canvas("https://h0.school.edu", transport=redirecting(hosts))
    assert found.problem is not None and "kept redirecting" in found.problem


@pytest.mark.parametrize("location", ["http://]/login", "https://[x/login/oauth2/auth"])
async def test_a_malformed_location_stops_the_search_without_a_crash(location: str) -> None:
    found = await resolve_canvas(
        "https://canvas.school.edu", transport=redirecting({"canvas.school.edu": (301, location)})
    )
    assert not found.moved and found.problem is None


async def test_no_answer_at_all_is_the_problem_that_stops_the_run() -> None:
    found = await resolve_canvas("https://canvas.school.edu", transport=redirecting({}))
    assert found.problem is not None
