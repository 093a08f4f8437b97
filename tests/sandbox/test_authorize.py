"""`GET /login/oauth2/auth` against docs/canvas.md 1.2-1.6 and 2: order of checks, every error
form, state echoing, the login and consent pages, and the OOB landing page."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from sandbox_helpers import ALLY_SCOPES, OOB, SENTINEL, auth_url, query_of

from ally_wizard.sandbox import Sandbox
from ally_wizard.sandbox.browser import BrowserError, parse_forms, play_browser
from ally_wizard.sandbox.pages import LANDING_TEXT

INVALID_SCOPE_START = (
    "A requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner."
)


async def test_unknown_client_is_401_json_with_www_authenticate(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(auth_url(sb, client_id="170000000009999"))
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client", "error_description": "unknown client"}
    assert response.headers["WWW-Authenticate"] == "Canvas OAuth 2.0"
    assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("client_id", ["", "abc", "99999999999999999999999", "1.5"])
async def test_client_id_that_is_not_an_integer_is_unknown(
    sb: Sandbox, http: httpx.AsyncClient, client_id: str
) -> None:
    response = await http.get(auth_url(sb, client_id=client_id))
    assert response.status_code == 401
    assert response.json()["error_description"] == "unknown client"


async def test_unknown_key_scenario_hands_out_an_id_canvas_does_not_know(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("unknown-key")
    response = await http.get(auth_url(sandbox))
    assert response.status_code == 401
    assert response.json()["error_description"] == "unknown client"


async def test_redirect_typo_is_400_json_before_scopes(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("redirect-typo")
    correct = "https://prod.ally.ac/api/v2/1234/auth/canvas/callback"
    response = await http.get(auth_url(sandbox, redirect_uri=correct, scope=SENTINEL))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "redirect_uri does not match client settings",
    }


async def test_oob_is_accepted_for_every_key_even_with_a_typo(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("redirect-typo")
    response = await http.get(auth_url(sandbox, prompt="none"))
    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == "login_required"


async def test_sentinel_alone_is_missing_with_state_echoed_to_oob_landing(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(auth_url(sb, scope=" ".join([*ALLY_SCOPES, SENTINEL]), prompt="none"))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{sb.base_url}/login/oauth2/auth?error=invalid_scope&error_description=")
    query = query_of(location)
    assert query["state"] == "s-123"
    assert query["error_description"] == (
        f"{INVALID_SCOPE_START} The following scopes were requested, but not granted: {SENTINEL}"
    )
    # keys sorted, form encoding: | : / , as %7C %3A %2F %2C and spaces as +
    assert "url%3AGET%7C%2Fapi%2Fv1%2Fally_wizard_sentinel" in location
    assert "invalid%2C+unknown" in location
    assert list(query) == ["error", "error_description", "state"]


async def test_missing_scopes_are_listed_in_canvas_sentence_form(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("missing-scopes")
    response = await http.get(auth_url(sandbox, scope=" ".join([*ALLY_SCOPES, SENTINEL])))
    description = query_of(response.headers["Location"])["error_description"]
    listed = description.split("not granted: ", 1)[1]
    missing = sandbox.scenario.key.missing_scopes
    assert listed == f"{missing[0]}, {missing[1]}, {missing[2]}, and {SENTINEL}"


async def test_two_missing_scopes_are_joined_with_and(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("missing-scopes")
    first = sandbox.scenario.key.missing_scopes[0]
    response = await http.get(auth_url(sandbox, scope=f"{first} {SENTINEL}"))
    assert query_of(response.headers["Location"])["error_description"].endswith(f": {first} and {SENTINEL}")


async def test_empty_scope_fails_when_the_key_enforces_scopes(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(auth_url(sb, scope=None))
    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == "invalid_scope"


async def test_scope_wins_over_scopes_and_the_last_repeated_value_applies(sb: Sandbox, http: httpx.AsyncClient) -> None:
    url = (
        auth_url(sb, scope=None, prompt="none")
        + f"&scopes={SENTINEL}&scope={SENTINEL}&scope="
        + "+".join(s.replace("|", "%7C") for s in ALLY_SCOPES)
    )
    response = await http.get(url)
    assert query_of(response.headers["Location"])["error"] == "login_required"


async def test_without_state_no_state_is_added(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(auth_url(sb, state=None, scope=SENTINEL))
    assert "state" not in query_of(response.headers["Location"])


async def test_error_redirect_to_a_registered_uri_appends_to_its_query(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("ready")
    uri = "https://prod.ally.ac/api/v2/1234/auth/canvas/callback"
    response = await http.get(auth_url(sandbox, redirect_uri=uri, scope=SENTINEL))
    assert response.headers["Location"].startswith(uri + "?error=invalid_scope&")


async def test_key_off_gives_unauthorized_client_after_the_scope_check(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("key-off")
    with_sentinel = await http.get(auth_url(sandbox, scope=" ".join([*ALLY_SCOPES, SENTINEL]), prompt="none"))
    assert query_of(with_sentinel.headers["Location"])["error"] == "invalid_scope"
    response = await http.get(auth_url(sandbox, prompt="none"))
    query = query_of(response.headers["Location"])
    assert query["error"] == "unauthorized_client"
    assert query["error_description"] == "Client does not have access to the specified Canvas account."
    assert query["state"] == "s-123"


async def test_enforce_scopes_off_skips_the_scope_check(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("enforce-scopes-off")
    response = await http.get(auth_url(sandbox, scope=f"{SENTINEL} openid", prompt="none"))
    query = query_of(response.headers["Location"])
    assert query["error"] == "login_required"
    assert query["error_description"] == "prompt=none but there is no current session"


async def test_wrong_response_type(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(auth_url(sb, response_type="token"))
    query = query_of(response.headers["Location"])
    assert (query["error"], query["error_description"]) == (
        "unsupported_response_type",
        "Only response_type=code is permitted",
    )


@pytest.mark.parametrize("prompt", ["consent", ""])
async def test_unknown_prompt_value(sb: Sandbox, http: httpx.AsyncClient, prompt: str) -> None:
    """An empty `prompt=` is sent, not omitted: Canvas's `case params[:prompt] when nil` does not match it."""
    response = await http.get(auth_url(sb, prompt=prompt))
    query = query_of(response.headers["Location"])
    assert query["error"] == "unsupported_prompt_type"
    assert query["error_description"] == 'prompt must be "none" (or omitted)'


async def test_inactive_key_is_unknown_client(sb: Sandbox, http: httpx.AsyncClient) -> None:
    key = next(k for k in sb.state.keys.values() if str(k.global_id) == sb.key_id)
    key.workflow_state = "inactive"
    response = await http.get(auth_url(sb))
    assert response.status_code == 401


async def test_old_canvas_answers_invalid_scope_as_400_json_without_a_list(
    make_sandbox, http: httpx.AsyncClient
) -> None:
    sandbox = await make_sandbox("old-canvas")
    response = await http.get(auth_url(sandbox, scope=" ".join([*ALLY_SCOPES, SENTINEL])))
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_scope", "error_description": INVALID_SCOPE_START}
    passing = await http.get(auth_url(sandbox, prompt="none"))
    assert query_of(passing.headers["Location"])["error"] == "login_required"


async def test_not_logged_in_goes_to_the_login_form(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(auth_url(sb))
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/canvas"
    assert "_normandy_session" in response.cookies


async def test_landing_page_shows_no_code(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{sb.base_url}/login/oauth2/auth?code=abc123secret&state=s")
    assert response.status_code == 200
    assert LANDING_TEXT in response.text
    assert "abc123secret" not in response.text


async def test_browser_logs_in_and_authorizes_through_the_forms(sb: Sandbox) -> None:
    landed = await play_browser(auth_url(sb, purpose="Ally setup wizard"), sb.admin_username, sb.admin_password)
    assert landed.startswith(f"{sb.base_url}/login/oauth2/auth?code=")
    query = query_of(landed)
    assert len(query["code"]) == 128 and all(c in "0123456789abcdef" for c in query["code"])
    assert query["state"] == "s-123"
    assert list(query) == ["code", "state"]


async def test_cancel_lands_with_access_denied_and_state(sb: Sandbox) -> None:
    landed = await play_browser(auth_url(sb), sb.admin_username, sb.admin_password, approve=False)
    assert query_of(landed) == {"error": "access_denied", "state": "s-123"}
    assert urlsplit(landed).path == "/login/oauth2/auth"


async def test_authorize_for_a_registered_uri_redirects_away_with_the_code(sb: Sandbox) -> None:
    uri = "https://prod.ally.ac/api/v2/1234/auth/canvas/callback"
    landed = await play_browser(auth_url(sb, redirect_uri=uri), sb.admin_username, sb.admin_password)
    assert landed.startswith(uri + "?code=")


async def test_wrong_password_is_refused(sb: Sandbox) -> None:
    with pytest.raises(BrowserError, match="refused"):
        await play_browser(auth_url(sb), sb.admin_username, "not-the-password")


async def test_login_and_consent_pages_are_plain_forms(sb: Sandbox, http: httpx.AsyncClient) -> None:
    await http.get(auth_url(sb))
    login = await http.get(f"{sb.base_url}/login/canvas")
    form = parse_forms(login.text)[0]
    assert form.method == "post" and form.action == "/login/canvas"
    names = [name for name, _, _ in form.fields]
    assert {"authenticity_token", "pseudonym_session[unique_id]", "pseudonym_session[password]"} <= set(names)
    assert login.text.count("<script") == 1  # only the theme's JavaScript (ALLY_CFG); the form needs none
    assert '<script src="/theme/custom_theme.js">' in login.text


async def test_accept_without_custom_csrf_token_is_plain_text_400(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.post(f"{sb.base_url}/login/oauth2/accept", data={})
    assert response.status_code == 400
    assert response.text == "Invalid or missing session for oauth"
    await http.get(auth_url(sb))
    login = await http.get(f"{sb.base_url}/login/canvas")
    token = dict((n, v) for n, v, _ in parse_forms(login.text)[0].fields)["authenticity_token"]
    await http.post(
        f"{sb.base_url}/login/canvas",
        data={
            "authenticity_token": token,
            "pseudonym_session[unique_id]": sb.admin_username,
            "pseudonym_session[password]": sb.admin_password,
        },
    )
    missing = await http.post(f"{sb.base_url}/login/oauth2/accept", data={})
    assert (missing.status_code, missing.text) == (400, "Missing custom CSRF token")
    wrong = await http.post(f"{sb.base_url}/login/oauth2/accept", data={"custom_csrf_token": "x"})
    assert (wrong.status_code, wrong.text) == (400, "Invalid custom CSRF token")
    assert wrong.headers["Content-Type"].startswith("text/plain")


async def test_prompt_none_when_logged_in_needs_interaction(sb: Sandbox, http: httpx.AsyncClient) -> None:
    session = sb.state.new_session()
    session.user_id = 1
    http.cookies.set("_normandy_session", session.id)
    response = await http.get(auth_url(sb, prompt="none"))
    assert query_of(response.headers["Location"])["error"] == "interaction_required"


async def test_logged_in_goes_to_confirm_and_force_login_to_login(sb: Sandbox, http: httpx.AsyncClient) -> None:
    session = sb.state.new_session()
    session.user_id = 1
    http.cookies.set("_normandy_session", session.id)
    assert (await http.get(auth_url(sb))).headers["Location"] == "/login/oauth2/confirm"
    assert (await http.get(auth_url(sb, force_login="1"))).headers["Location"] == "/login/canvas"


async def test_pkce_challenge_is_kept_only_with_s256(sb: Sandbox) -> None:
    await play_browser(
        auth_url(sb, code_challenge="abc", code_challenge_method="plain"), sb.admin_username, sb.admin_password
    )
    await play_browser(
        auth_url(sb, code_challenge="abc", code_challenge_method="S256"), sb.admin_username, sb.admin_password
    )
    challenges = sorted((c.code_challenge or "") for c in sb.state.codes.values())
    assert challenges == ["", "abc"]
    assert OOB  # the flows above used the out-of-band redirect
