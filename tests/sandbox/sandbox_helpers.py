"""Helpers for the simulated Canvas's tests: authorize URLs, and a code or token obtained the way a
real client gets one (authorize in the browser through the forms, then exchange the code)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import Sandbox
from ally_wizard.sandbox.browser import play_browser

OOB = "urn:ietf:wg:oauth:2.0:oob"
ALLY_SCOPES = default_recipe().scope_strings
SENTINEL = "url:GET|/api/v1/ally_wizard_sentinel"


def auth_url(sandbox: Sandbox, **overrides: str | None) -> str:
    """An authorize URL for the handed-out key with all 31 scopes, OOB, and a state."""
    values: dict[str, str | None] = {
        "client_id": sandbox.key_id,
        "response_type": "code",
        "redirect_uri": OOB,
        "state": "s-123",
        "scope": " ".join(ALLY_SCOPES),
    }
    values.update(overrides)
    return f"{sandbox.base_url}/login/oauth2/auth?{urlencode({k: v for k, v in values.items() if v is not None})}"


def query_of(url: str) -> dict[str, str]:
    """The query of a URL as a plain dict (form-decoded)."""
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


async def get_code(sandbox: Sandbox, **overrides: str | None) -> str:
    """Authorize through the forms as the admin and return the code from the landing URL."""
    landed = await play_browser(auth_url(sandbox, **overrides), sandbox.admin_username, sandbox.admin_password)
    return query_of(landed)["code"]


async def get_token(
    sandbox: Sandbox, http: httpx.AsyncClient, secret: str | None = None, **overrides: str | None
) -> dict[str, object]:
    """The token response for a fresh code (the real flow, end to end)."""
    code = await get_code(sandbox, **overrides)
    response = await http.post(
        f"{sandbox.base_url}/login/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": sandbox.key_id,
            "client_secret": secret or sandbox.key_secret,
            "code": code,
            "redirect_uri": OOB,
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def bearer(token: object) -> dict[str, str]:
    """An Authorization header for this token."""
    return {"Authorization": f"Bearer {token}"}
