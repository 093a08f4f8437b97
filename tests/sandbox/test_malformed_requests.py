"""The simulated Canvas answers malformed requests as Canvas does (400/401/404 with a JSON body), never a
500 with a traceback, and its request log stays bounded."""

from __future__ import annotations

import httpx
import pytest
from sandbox_helpers import bearer

from ally_wizard.sandbox import Sandbox
from ally_wizard.sandbox.http import REQUEST_LOG_MAX

HUGE_ID = "9" * 5000


def assert_canvas_like(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text and "Error handling request" not in response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        response.json()


async def test_json_nested_100k_deep_is_a_400(sb: Sandbox, http: httpx.AsyncClient) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = await http.post(
        f"{sb.base_url}/api/v1/accounts/1/developer_keys",
        content=body,
        headers={"Content-Type": "application/json", **bearer(sb.admin_token)},
    )
    assert_canvas_like(response, 400)
    for path in ("/login/oauth2/token", "/api/v1/courses/1/assignments"):
        response = await http.post(f"{sb.base_url}{path}", content=body, headers={"Content-Type": "application/json"})
        assert_canvas_like(response, 400, 401)


async def test_a_broken_multipart_body_is_a_400(sb: Sandbox, http: httpx.AsyncClient) -> None:
    for content_type, body in (
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data\r\n\r\nno end"),
        ("multipart/form-data", b"--xyz\r\n"),
        ("multipart/form-data; boundary=xyz", b"garbage without any boundary"),
    ):
        response = await http.post(
            f"{sb.base_url}/login/oauth2/token", content=body, headers={"Content-Type": content_type}
        )
        assert_canvas_like(response, 400)


async def test_invalid_utf8_in_the_login_form_is_a_400(sb: Sandbox, http: httpx.AsyncClient) -> None:
    for path in ("/login/canvas", "/login/oauth2/token", "/login/oauth2/accept"):
        response = await http.post(
            f"{sb.base_url}{path}",
            content=b"pseudonym_session%5Bunique_id%5D=\xff\xfe&client_id=\xc3",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert_canvas_like(response, 400)


@pytest.mark.parametrize(
    "client_id",
    [HUGE_ID, "²", "١٢٣", "-1", "1e5", ""],
    ids=["5000-digits", "superscript", "arabic", "neg", "exp", "empty"],
)
async def test_an_unreadable_client_id_is_an_unknown_client(
    sb: Sandbox, http: httpx.AsyncClient, client_id: str
) -> None:
    response = await http.get(
        f"{sb.base_url}/login/oauth2/auth", params={"client_id": client_id, "response_type": "code"}
    )
    assert_canvas_like(response, 400, 401)
    response = await http.post(
        f"{sb.base_url}/login/oauth2/token",
        data={"grant_type": "authorization_code", "client_id": client_id, "client_secret": "x", "code": "y"},
    )
    assert_canvas_like(response, 400, 401)


@pytest.mark.parametrize(
    "record_id", [HUGE_ID, "²", "%C2%B2", "1" * 30], ids=["5000-digits", "superscript", "encoded", "30-digits"]
)
async def test_an_unreadable_id_in_an_api_path_is_a_404(sb: Sandbox, http: httpx.AsyncClient, record_id: str) -> None:
    for path in (f"/api/v1/courses/{record_id}", f"/api/v1/accounts/{record_id}/courses"):
        response = await http.get(f"{sb.base_url}{path}", headers=bearer(sb.admin_token))
        assert_canvas_like(response, 404, 401)


async def test_the_request_log_is_a_bounded_ring_buffer(sb: Sandbox, http: httpx.AsyncClient) -> None:
    sb.clear_requests()
    for _ in range(REQUEST_LOG_MAX + 50):
        await http.get(f"{sb.base_url}/api/v1/users/self", headers=bearer("nope"))
    assert len(sb.requests) == REQUEST_LOG_MAX
