"""The audit's readers without a server: token refusals, pagination links, key JSON and the theme's ALLY_CFG."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from ally_wizard.canvas.admin import AdminSession, AdminTokenRefused, check_admin_token
from ally_wizard.canvas.client import CanvasClient
from ally_wizard.canvas.keys import is_ally_key, parse_key
from ally_wizard.canvas.theme import find_theme_ally_config, parse_ally_cfg

BASE = "https://canvas.school.edu"
TOKEN = "17~SECRETADMINTOKENvalue0123456789"
Answer = Callable[[httpx.Request], httpx.Response]


def errors(message: str, status: int) -> httpx.Response:
    return httpx.Response(status, json={"errors": [{"message": message}]})


def canvas(me: httpx.Response, keys: httpx.Response, accounts: list[object] | None = None) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET"
        if request.url.path == "/api/v1/users/self":
            return me
        if request.url.path == "/api/v1/accounts":
            return httpx.Response(200, json=accounts or [])
        return keys

    return answer


async def refusal_of(answer: Answer) -> str:
    async with CanvasClient(BASE, transport=httpx.MockTransport(answer), max_retries=0) as client:
        with pytest.raises(AdminTokenRefused) as raised:
            await check_admin_token(AdminSession(client, TOKEN))
    assert TOKEN not in raised.value.message
    return raised.value.message


ME = httpx.Response(200, json={"id": 1, "name": "Avery Admin"})
KEYS = httpx.Response(200, json=[])


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (canvas(errors("Invalid access token.", 401), KEYS), "does not accept this admin token"),
        (canvas(errors("Expired access token.", 401), KEYS), "has expired"),
        (canvas(errors("Insufficient scopes on access token.", 401), KEYS), "limited to certain scopes"),
        (canvas(ME, errors("user not authorized to perform that action", 401)), "manage_developer_keys"),
        (canvas(ME, errors("user not authorized to perform that action", 403)), "manage_developer_keys"),
        (
            canvas(ME, errors("Developer keys may only be managed from their account's domain", 403)),
            "cross-domain restriction",
        ),
        (
            canvas(
                ME,
                errors("user not authorized to perform that action", 401),
                [{"id": 2, "root_account_id": 1, "parent_account_id": 1}],
            ),
            "sub-account only",
        ),
    ],
)
async def test_each_refusal_has_its_plain_sentence(answer: Answer, words: str) -> None:
    assert words in await refusal_of(answer)


async def test_next_links_are_followed_on_the_same_host_only() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        page = request.url.params.get("page", "1")
        if page == "1":
            return httpx.Response(200, json=[{"id": 1}], headers={"Link": f'<{BASE}/api/v1/x?page=2>; rel="next"'})
        return httpx.Response(200, json=[{"id": 2}], headers={"Link": '<https://evil.example/x?page=3>; rel="next"'})

    async with CanvasClient(BASE, transport=httpx.MockTransport(answer)) as client:
        items, pages = await AdminSession(client, TOKEN).get_all("/api/v1/x")
    assert items == [{"id": 1}, {"id": 2}] and pages == 2
    assert all(url.startswith(BASE) for url in seen)


def test_key_json_in_every_form_is_read() -> None:
    key = parse_key(
        {
            "id": 170000000000123,
            "name": "Canvas data",
            "redirect_uris": "https://prod-eu-central-1.ally.ac/api/v2/77/auth/canvas/callback\nhttps://x.edu/cb",
            "developer_key_account_binding": {"workflow_state": "allow"},
            "scopes": ["url:GET|/api/v1/accounts"],
            "api_key": "S" * 64,
        }
    )
    assert key is not None and key.binding_state == "allow" and len(key.redirect_uris) == 2
    assert is_ally_key(key)
    assert "S" * 64 not in repr(key)
    listed = parse_key({"id": "5", "name": "Anthology ALLY", "redirect_uris": ["https://a.edu"]})
    assert listed is not None and is_ally_key(listed) and listed.allow_includes is None
    rally = parse_key({"id": 6, "name": "Rally sync", "redirect_uris": ""})
    assert rally is not None and not is_ally_key(rally)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("window.ALLY_CFG = { 'baseUrl': 'https://prod.ally.ac', 'clientId': 1164 };", ("us", "1164")),
        ('ALLY_CFG={"baseUrl":"https://prod-ca-central-1.ally.ac/","clientId":"42"}', ("ca", "42")),
        (
            "/* ALLY_CFG = {} */ var ALLY_CFG = {\n // note: {\n baseUrl: `https://prod-ap-southeast-2.ally.ac`,\n}",
            ("au", None),
        ),
        ("window.ALLY_CFG = { 'baseUrl': 'https://ally.example.org', 'clientId': 9 };", (None, "9")),
    ],
)
def test_ally_cfg_is_parsed_in_its_written_forms(text: str, expected: tuple[str | None, str | None]) -> None:
    found = parse_ally_cfg(text)
    assert found is not None and (found.environment, found.client_id) == expected


def test_no_ally_cfg_is_none() -> None:
    assert parse_ally_cfg("window.OTHER_CFG = { baseUrl: 'https://prod.ally.ac' }") is None
    assert parse_ally_cfg("window.ALLY_CFG = window.ALLY_CFG || {};") is None


async def test_theme_search_is_bounded_and_never_sends_a_token() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/login/canvas":
            page = (
                '<html><head><script src="/dist/main.js"></script>'
                '<script src="https://uploads.example.com/account_1/custom.js"></script>'
                '<script src="https://uploads.example.com/huge.js"></script></head></html>'
            )
            return httpx.Response(200, text=page)
        if request.url.path.endswith("huge.js"):
            return httpx.Response(200, content=b"x" * 2_000_000)
        return httpx.Response(200, text=f"window.ALLY_CFG = {json.dumps({'baseUrl': 'https://prod.ally.ac'})};")

    search = await find_theme_ally_config(BASE, transport=httpx.MockTransport(answer))
    assert search.found is not None and search.found.source == "https://uploads.example.com/account_1/custom.js"
    assert all("authorization" not in request.headers for request in seen)
    assert not any(request.url.path == "/dist/main.js" for request in seen)
