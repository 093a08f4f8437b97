"""`POST /login/oauth2/token` and `DELETE /login/oauth2/token` against docs/canvas.md 3."""

from __future__ import annotations

import base64
import hashlib
import time

import httpx
import pytest
from sandbox_helpers import OOB, bearer, get_code, get_token

from ally_wizard.sandbox import Sandbox

UNKNOWN = {"error": "invalid_client", "error_description": "unknown client"}
INVALID = {"error": "invalid_client", "error_description": "invalid client"}


def form(sb: Sandbox, **values: str | None) -> dict[str, str]:
    base: dict[str, str | None] = {
        "grant_type": "authorization_code",
        "client_id": sb.key_id,
        "client_secret": sb.key_secret,
        "redirect_uri": OOB,
    }
    base.update(values)
    return {k: v for k, v in base.items() if v is not None}


async def post(http: httpx.AsyncClient, sb: Sandbox, data: dict[str, str], **kwargs: object) -> httpx.Response:
    return await http.post(f"{sb.base_url}/login/oauth2/token", data=data, **kwargs)  # type: ignore[arg-type]


async def test_code_exchange_returns_canvas_token_json(sb: Sandbox, http: httpx.AsyncClient) -> None:
    body = await get_token(sb, http)
    assert set(body) == {"access_token", "token_type", "user", "canvas_region", "refresh_token", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["user"] == {
        "id": 1,
        "name": "Avery Admin",
        "global_id": "170000000000001",
        "effective_locale": "en",
        "fake_student": False,
    }
    assert 3590 <= int(body["expires_in"]) <= 3600  # type: ignore[call-overload]
    assert str(body["access_token"]).startswith("17~")


async def test_basic_auth_credentials_work(sb: Sandbox, http: httpx.AsyncClient) -> None:
    code = await get_code(sb)
    response = await post(http, sb, {"grant_type": "authorization_code", "code": code}, auth=(sb.key_id, sb.key_secret))
    assert response.status_code == 200


async def test_unsupported_grant_type_is_checked_first(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await post(http, sb, form(sb, grant_type="password", client_id="nope"))
    assert response.status_code == 400
    assert response.json() == {
        "error": "unsupported_grant_type",
        "error_description": "The grant_type you requested is not currently supported",
    }


async def test_missing_grant_type_with_a_code_means_authorization_code(sb: Sandbox, http: httpx.AsyncClient) -> None:
    code = await get_code(sb)
    response = await post(http, sb, form(sb, grant_type=None, code=code))
    assert response.status_code == 200


async def test_an_empty_grant_type_is_sent_not_missing(sb: Sandbox, http: httpx.AsyncClient) -> None:
    """3.1: only a *missing* grant_type with a code means authorization_code; `grant_type=` is unsupported."""
    code = await get_code(sb)
    response = await post(http, sb, form(sb, grant_type="", code=code))
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")


@pytest.mark.parametrize("client_id", [None, "abc", "170000000009999"])
async def test_unknown_client(sb: Sandbox, http: httpx.AsyncClient, client_id: str | None) -> None:
    response = await post(http, sb, form(sb, client_id=client_id, code="x"))
    assert response.status_code == 401
    assert response.json() == UNKNOWN
    assert response.headers["WWW-Authenticate"] == "Canvas OAuth 2.0"


@pytest.mark.parametrize("secret", [None, "wrong"])
async def test_wrong_or_missing_secret(sb: Sandbox, http: httpx.AsyncClient, secret: str | None) -> None:
    response = await post(http, sb, form(sb, client_secret=secret, code="x"))
    assert response.status_code == 401
    assert response.json() == INVALID
    assert response.headers["WWW-Authenticate"] == "Canvas OAuth 2.0"


async def test_wrong_secret_scenario_hands_out_a_secret_that_fails(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("wrong-secret")
    code = await get_code(sandbox)
    response = await post(http, sandbox, form(sandbox, code=code))
    assert (response.status_code, response.json()) == (401, INVALID)
    assert len(sandbox.key_secret) == 64


async def test_no_code(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await post(http, sb, form(sb))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "You must provide the code parameter when using the authorization_code grant type",
    }


async def test_code_is_single_use(sb: Sandbox, http: httpx.AsyncClient) -> None:
    code = await get_code(sb)
    assert (await post(http, sb, form(sb, code=code))).status_code == 200
    again = await post(http, sb, form(sb, code=code))
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "authorization_code not found"}


async def test_code_expires_after_ten_minutes(sb: Sandbox, http: httpx.AsyncClient) -> None:
    code = await get_code(sb)
    record = sb.state.codes[code]
    assert 590 < record.expires_at - time.time() <= 600
    record.expires_at = time.time() - 1
    response = await post(http, sb, form(sb, code=code))
    assert response.json()["error_description"] == "authorization_code not found"


async def test_code_of_another_client(sb: Sandbox, http: httpx.AsyncClient) -> None:
    code = await get_code(sb)
    other = next(k for k in sb.state.keys.values() if str(k.global_id) != sb.key_id)
    response = await post(http, sb, form(sb, client_id=str(other.global_id), client_secret=other.api_key, code=code))
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "incorrect client"}


async def test_refresh_grant_returns_a_new_access_token_without_refresh_token(
    sb: Sandbox, http: httpx.AsyncClient
) -> None:
    first = await get_token(sb, http)
    response = await post(http, sb, form(sb, grant_type="refresh_token", refresh_token=str(first["refresh_token"])))
    assert response.status_code == 200
    body = response.json()
    assert "refresh_token" not in body
    assert body["access_token"] != first["access_token"]
    old = await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(first["access_token"]))
    assert old.json() == {"errors": [{"message": "Invalid access token."}]}
    new = await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(body["access_token"]))
    assert new.status_code == 200


async def test_refresh_errors(sb: Sandbox, http: httpx.AsyncClient) -> None:
    missing = await post(http, sb, form(sb, grant_type="refresh_token"))
    assert missing.json() == {
        "error": "invalid_request",
        "error_description": "You must provide the refresh_token parameter when using the refresh_token grant type",
    }
    unknown = await post(http, sb, form(sb, grant_type="refresh_token", refresh_token="nope"))
    assert (unknown.status_code, unknown.json()) == (
        400,
        {"error": "invalid_request", "error_description": "refresh_token not found"},
    )
    first = await get_token(sb, http)
    other = next(k for k in sb.state.keys.values() if str(k.global_id) != sb.key_id)
    foreign = await post(
        http,
        sb,
        form(
            sb,
            grant_type="refresh_token",
            refresh_token=str(first["refresh_token"]),
            client_id=str(other.global_id),
            client_secret=other.api_key,
        ),
    )
    assert foreign.json() == {"error": "invalid_grant", "error_description": "incorrect client"}


async def test_pkce_verifier_must_match(sb: Sandbox, http: httpx.AsyncClient) -> None:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    code = await get_code(sb, code_challenge=challenge, code_challenge_method="S256")
    bad = await post(http, sb, form(sb, code=code, code_verifier="w" * 50))
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    code = await get_code(sb, code_challenge=challenge, code_challenge_method="S256")
    good = await post(http, sb, form(sb, code=code, code_verifier=verifier))
    assert good.status_code == 200


PKCE_VERIFIER = "v" * 50
PKCE_CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(PKCE_VERIFIER.encode()).digest()).decode().rstrip("=")


@pytest.mark.parametrize(
    "sent",
    [
        {"code_challenge": PKCE_CHALLENGE},
        {"code_challenge_method": "S256"},
        {"code_challenge": PKCE_VERIFIER, "code_challenge_method": "plain"},
    ],
    ids=["challenge-only", "method-only", "plain"],
)
async def test_a_verifier_for_a_code_without_a_kept_challenge_is_refused(
    sb: Sandbox, http: httpx.AsyncClient, sent: dict[str, str]
) -> None:
    """1.6: only both PKCE parameters together (S256) keep a challenge; a `code_verifier` still selects the PKCE
    grant, which then has no challenge to match, so the exchange fails with invalid_grant."""
    code = await get_code(sb, **sent)
    refused = await post(http, sb, form(sb, code=code, code_verifier=PKCE_VERIFIER))
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    code = await get_code(sb, **sent)
    plain = await post(http, sb, form(sb, code=code))
    assert plain.status_code == 200  # the ignored parameters left an ordinary code


async def test_replace_tokens_deletes_the_users_other_tokens_for_the_key(sb: Sandbox, http: httpx.AsyncClient) -> None:
    first = await get_token(sb, http)
    code = await get_code(sb)
    response = await post(http, sb, form(sb, code=code, replace_tokens="1"))
    assert response.status_code == 200
    old = await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(first["access_token"]))
    assert old.json() == {"errors": [{"message": "Invalid access token."}]}
    assert any(r.replace_tokens for r in sb.requests)
    assert sb.admin_token  # the admin's own token is not the key's and survives
    admin = await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(sb.admin_token))
    assert admin.status_code == 200


async def test_without_replace_tokens_both_tokens_work(sb: Sandbox, http: httpx.AsyncClient) -> None:
    first = await get_token(sb, http)
    second = await get_token(sb, http)
    for body in (first, second):
        response = await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(body["access_token"]))
        assert response.status_code == 200
    assert not any(r.replace_tokens for r in sb.requests)


async def test_revoke_with_bearer_then_token_is_revoked(sb: Sandbox, http: httpx.AsyncClient) -> None:
    body = await get_token(sb, http)
    before = len(sb.live_tokens())
    response = await http.delete(f"{sb.base_url}/login/oauth2/token", headers=bearer(body["access_token"]))
    assert (response.status_code, response.json()) == (200, {})
    assert len(sb.live_tokens()) == before - 1
    after = await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(body["access_token"]))
    assert after.status_code == 401
    assert after.json() == {"errors": [{"message": "Revoked access token."}]}
    assert after.headers["WWW-Authenticate"] == 'Bearer realm="canvas-lms"'


async def test_revoke_with_access_token_parameter(sb: Sandbox, http: httpx.AsyncClient) -> None:
    body = await get_token(sb, http)
    response = await http.delete(
        f"{sb.base_url}/login/oauth2/token", params={"access_token": str(body["access_token"])}
    )
    assert response.status_code == 200


async def test_revoke_without_token(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.delete(f"{sb.base_url}/login/oauth2/token")
    assert response.status_code == 400
    assert response.json() == {"message": "can't delete OAuth access token when not using an OAuth access token"}


async def test_old_canvas_token_response_lacks_region_and_fake_student(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("old-canvas")
    body = await get_token(sandbox, http)
    assert "canvas_region" not in body
    assert "fake_student" not in body["user"]  # type: ignore[operator]


async def test_token_request_secrets_are_redacted_in_the_record(sb: Sandbox, http: httpx.AsyncClient) -> None:
    await get_token(sb, http)
    exchange = next(r for r in sb.requests if r.path == "/login/oauth2/token")
    assert exchange.field("client_secret") == "[redacted]"
    assert exchange.field("code") == "[redacted]"
    assert exchange.field("grant_type") == "authorization_code"
    assert sb.key_secret not in repr(sb.requests)


async def test_records_keep_secrets_and_tokens_out_of_repr(sb: Sandbox, http: httpx.AsyncClient) -> None:
    """A record printed in a traceback or an assertion must not show a secret, token, code or session id."""
    body = await get_token(sb, http)
    code = await get_code(sb)
    state = sb.state
    secrets_held = [sb.key_secret, sb.admin_token, str(body["access_token"]), str(body["refresh_token"]), code]
    secrets_held += [session.id for session in state.sessions.values()]
    secrets_held += [session.csrf_token for session in state.sessions.values()]
    shown = repr([list(state.keys.values()), list(state.tokens.values()), list(state.codes.values())])
    shown += repr(list(state.sessions.values())) + repr(state.handout)
    assert [value for value in secrets_held if value and value in shown] == []
