"""The situations of issue 9 in the simulated Canvas, over real sockets: an address that only redirects,
a user Canvas refuses, the extra causes of `unauthorized_client`, and an LTI key handed out for the API
key (docs/canvas.md 12)."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from sandbox_helpers import ALLY_SCOPES, OOB, SENTINEL, auth_url, bearer, get_token, query_of

from ally_wizard.commands.sandbox import describe
from ally_wizard.sandbox import RunningSandbox, Sandbox, Scenario, ScenarioError, load_scenario
from ally_wizard.sandbox.browser import BrowserError, play_browser, set_key_state_on_practice_page
from ally_wizard.sandbox.oauth import INVALID_SCOPE, NOT_ALLOWED_FOR_USER, SESSION_COOKIE
from ally_wizard.sandbox.records import DeveloperKey, PendingAuth, local_id
from ally_wizard.sandbox.scenario import parse_scenario

ALLY_URI = "https://prod.ally.ac/api/v2/1234/auth/canvas/callback"
UNAUTHORIZED = "Client does not have access to the specified Canvas account."
HEAD = '[scenario]\nname="x"\ngoal="g"\nwhat_you_see="w"\nfix="f"\n'


def ally_key(sandbox: Sandbox) -> DeveloperKey:
    """The record of the key handed out to the admin."""
    number = local_id(sandbox.key_id)
    assert number is not None
    return sandbox.state.keys[number]


async def probe(sandbox: Sandbox, http: httpx.AsyncClient, **overrides: str | None) -> httpx.Response:
    """The credential-free probe of docs/canvas.md 1.4 (prompt=none, no cookies, no redirects followed)."""
    return await http.get(auth_url(sandbox, prompt="none", **overrides))


async def keys_listed(sandbox: Sandbox, http: httpx.AsyncClient, inherited: bool = False) -> list[dict[str, object]]:
    query = "?inherited=true" if inherited else ""
    response = await http.get(
        f"{sandbox.base_url}/api/v1/accounts/self/developer_keys{query}", headers=bearer(sandbox.admin_token)
    )
    assert response.status_code == 200
    keys: list[dict[str, object]] = response.json()
    return keys


# --- vanity-redirect --------------------------------------------------------------------------------


async def test_the_vanity_address_answers_301_to_canvas_keeping_path_and_query(
    make_sandbox, http: httpx.AsyncClient
) -> None:
    sandbox = await make_sandbox("vanity-redirect")
    assert sandbox.vanity_url and sandbox.canvas_url == sandbox.vanity_url != sandbox.base_url
    for method, path in (("GET", "/login/oauth2/auth?client_id=1&scope=a+b"), ("POST", "/login/oauth2/token")):
        response = await http.request(method, f"{sandbox.canvas_url}{path}")
        assert response.status_code == 301
        assert response.headers["Location"] == f"{sandbox.base_url}{path}"
    assert [(r.method, r.path, r.status) for r in sandbox.vanity_requests] == [
        ("GET", "/login/oauth2/auth", 301),
        ("POST", "/login/oauth2/token", 301),
    ]
    assert sandbox.requests == []  # the real Canvas saw none of it


async def test_canvas_behind_the_vanity_address_is_the_ready_one(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("vanity-redirect")
    followed = await http.get(auth_url(sandbox, prompt="none").replace(sandbox.base_url, sandbox.canvas_url))
    assert followed.status_code == 301
    answer = await http.get(followed.headers["Location"])
    assert query_of(answer.headers["Location"])["error"] == "login_required"


async def test_the_vanity_address_proves_what_it_was_sent_without_showing_it(
    make_sandbox, http: httpx.AsyncClient
) -> None:
    sandbox = await make_sandbox("vanity-redirect")
    secret, token = sandbox.key_secret, sandbox.admin_token
    assert not sandbox.vanity_received(secret) and not sandbox.vanity_received("")
    await http.post(f"{sandbox.canvas_url}/login/oauth2/token", data={"client_secret": secret, "code": "c0de42"})
    await http.get(f"{sandbox.canvas_url}/api/v1/accounts", headers=bearer(token))
    assert sandbox.vanity_received(secret) and sandbox.vanity_received("c0de42") and sandbox.vanity_received(token)
    recorded = repr(sandbox.vanity_requests)
    assert secret not in recorded and token not in recorded and "c0de42" not in recorded
    assert sandbox.vanity_requests[0].field("client_secret") == "[redacted]"
    assert sandbox.vanity_requests[1].authorization == "Bearer"


async def test_a_secret_in_basic_auth_is_found_too(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("ready", vanity=True)
    await http.post(f"{sandbox.canvas_url}/login/oauth2/token", auth=(sandbox.key_id, sandbox.key_secret))
    assert sandbox.vanity_received(sandbox.key_secret)


async def test_without_a_vanity_address_canvas_url_is_the_base_url(sb: Sandbox) -> None:
    assert sb.vanity_url == "" and sb.canvas_url == sb.base_url
    assert sb.vanity_requests == [] and not sb.vanity_received(sb.key_secret)


async def test_any_scenario_can_sit_behind_a_vanity_address(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("key-off", vanity=True)
    redirected = await http.get(f"{sandbox.canvas_url}/login")
    assert redirected.status_code == 301 and redirected.headers["Location"] == f"{sandbox.base_url}/login"
    answer = await probe(sandbox, http, scope=" ".join(ALLY_SCOPES))
    assert query_of(answer.headers["Location"])["error"] == "unauthorized_client"


async def test_a_reset_keeps_the_vanity_address_and_forgets_what_it_received(make_sandbox, http) -> None:
    sandbox = await make_sandbox("ready")
    await sandbox.reset("vanity-redirect")
    assert sandbox.vanity_url
    await http.get(f"{sandbox.canvas_url}/")
    address = sandbox.vanity_url
    await sandbox.reset("ready")
    assert sandbox.vanity_url == address and sandbox.vanity_requests == []


async def test_the_sandbox_command_prints_the_vanity_address(make_sandbox, sb: Sandbox) -> None:
    sandbox = await make_sandbox("vanity-redirect")
    assert f"Vanity address:  {sandbox.vanity_url} (answers 301" in describe(sandbox)
    assert "Vanity address" not in describe(sb)


def test_a_running_sandbox_reports_its_vanity_address(sandbox) -> None:
    running: RunningSandbox = sandbox("vanity-redirect")
    response = httpx.get(f"{running.canvas_url}/login/canvas?x=1", follow_redirects=False)
    assert response.status_code == 301 and response.headers["Location"] == f"{running.base_url}/login/canvas?x=1"
    assert [r.path for r in running.vanity_requests] == ["/login/canvas"]


# --- user-not-allowed -------------------------------------------------------------------------------


async def test_a_user_canvas_refuses_lands_on_client_not_allowed_without_state(make_sandbox) -> None:
    sandbox = await make_sandbox("user-not-allowed")
    landed = await play_browser(auth_url(sandbox), sandbox.admin_username, sandbox.admin_password)
    assert query_of(landed) == {
        "error": "client_not_allowed_for_user",
        "error_description": NOT_ALLOWED_FOR_USER,
    }
    assert sandbox.state.codes == {}


async def test_the_refusal_goes_to_a_registered_redirect_uri_too(make_sandbox) -> None:
    sandbox = await make_sandbox("user-not-allowed")
    landed = await play_browser(
        auth_url(sandbox, redirect_uri=ALLY_URI), sandbox.admin_username, sandbox.admin_password
    )
    assert landed.startswith(f"{ALLY_URI}?error=client_not_allowed_for_user&")


async def test_the_key_itself_passes_the_probe_when_the_user_is_refused(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("user-not-allowed")
    answer = await probe(sandbox, http, scope=" ".join([*ALLY_SCOPES, SENTINEL]))
    assert query_of(answer.headers["Location"])["error_description"].endswith(SENTINEL)
    answer = await probe(sandbox, http)
    assert query_of(answer.headers["Location"])["error"] == "login_required"


async def test_accept_posted_directly_is_refused_the_same_way(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("user-not-allowed")
    session = sandbox.state.new_session()
    session.user_id = 1
    session.pending = PendingAuth(ally_key(sandbox).id, OOB, tuple(ALLY_SCOPES), "s-1", "", None)
    async with httpx.AsyncClient(cookies={SESSION_COOKIE: session.id}) as browser:
        response = await browser.post(
            f"{sandbox.base_url}/login/oauth2/accept", data={"custom_csrf_token": session.csrf_token}
        )
    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == "client_not_allowed_for_user"
    assert sandbox.state.codes == {} and session.pending is None


async def test_without_the_token_limit_the_teacher_may_authorize(sb: Sandbox) -> None:
    landed = await play_browser(auth_url(sb), "teacher@example.edu", sb.admin_password)
    assert "code" in query_of(landed)


# --- the causes of unauthorized_client beyond the root binding --------------------------------------


@pytest.mark.parametrize("scenario", ["site-admin-off", "other-root-account", "test-cluster-only"])
async def test_the_key_passes_checks_1_to_3_then_fails_the_account_check(
    make_sandbox, http: httpx.AsyncClient, scenario: str
) -> None:
    sandbox = await make_sandbox(scenario)
    with_sentinel = await probe(sandbox, http, redirect_uri=ALLY_URI, scope=" ".join([*ALLY_SCOPES, SENTINEL]))
    description = query_of(with_sentinel.headers["Location"])["error_description"]
    assert description == f"{INVALID_SCOPE} The following scopes were requested, but not granted: {SENTINEL}"
    without = await probe(sandbox, http, redirect_uri=ALLY_URI, scope=" ".join(ALLY_SCOPES))
    assert query_of(without.headers["Location"]) == {
        "error": "unauthorized_client",
        "error_description": UNAUTHORIZED,
        "state": "s-123",
    }


async def test_site_admin_off_wins_over_the_root_accounts_on(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("site-admin-off")
    assert [k["name"] for k in await keys_listed(sandbox, http)] == ["Studio Integration"]
    (inherited,) = await keys_listed(sandbox, http, inherited=True)
    assert inherited["id"] == int(sandbox.key_id) and inherited["account_name"] == "Site Admin"
    binding = inherited["developer_key_account_binding"]
    assert isinstance(binding, dict)
    assert binding["workflow_state"] == "off" and binding["account_owns_binding"] is False
    assert sandbox.state.bindings[ally_key(sandbox).id].workflow_state == "on"  # the root admin's toggle is ON


async def test_site_admin_allow_defers_to_the_root_binding(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("site-admin-off")
    sandbox.state.site_admin_bindings[ally_key(sandbox).id].workflow_state = "allow"
    answer = await probe(sandbox, http, scope=" ".join(ALLY_SCOPES))
    assert query_of(answer.headers["Location"])["error"] == "login_required"
    sandbox.state.bindings[ally_key(sandbox).id].workflow_state = "off"
    answer = await probe(sandbox, http, scope=" ".join(ALLY_SCOPES))
    assert query_of(answer.headers["Location"])["error"] == "unauthorized_client"


async def test_site_admin_on_wins_over_the_root_accounts_off(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("site-admin-off")
    sandbox.state.site_admin_bindings[ally_key(sandbox).id].workflow_state = "on"
    sandbox.state.bindings[ally_key(sandbox).id].workflow_state = "off"
    answer = await probe(sandbox, http, scope=" ".join(ALLY_SCOPES))
    assert query_of(answer.headers["Location"])["error"] == "login_required"


async def test_the_root_admin_cannot_toggle_a_key_site_admin_decides(make_sandbox) -> None:
    sandbox = await make_sandbox("site-admin-off")
    with pytest.raises(BrowserError, match="failed"):
        await set_key_state_on_practice_page(
            sandbox.base_url, sandbox.admin_username, sandbox.admin_password, sandbox.key_id, "on"
        )


async def test_another_root_accounts_key_is_not_ours_to_list_or_bind(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("other-root-account")
    listed = [str(k["id"]) for k in await keys_listed(sandbox, http) + await keys_listed(sandbox, http, True)]
    assert sandbox.key_id not in listed
    response = await http.post(
        f"{sandbox.base_url}/api/v1/accounts/self/developer_keys/{sandbox.key_id}/developer_key_account_bindings",
        data={"developer_key_account_binding[workflow_state]": "on"},
        headers=bearer(sandbox.admin_token),
    )
    assert response.status_code == 404


async def test_clearing_test_cluster_only_lets_the_key_through(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("test-cluster-only")
    (key,) = [k for k in await keys_listed(sandbox, http) if str(k["id"]) == sandbox.key_id]
    assert key["test_cluster_only"] is True
    response = await http.put(
        f"{sandbox.base_url}/api/v1/developer_keys/{sandbox.key_id}",
        data={"developer_key[test_cluster_only]": "false"},
        headers=bearer(sandbox.admin_token),
    )
    assert response.status_code == 200 and response.json()["test_cluster_only"] is False
    answer = await probe(sandbox, http, scope=" ".join(ALLY_SCOPES))
    assert query_of(answer.headers["Location"])["error"] == "login_required"


async def test_a_token_of_an_unusable_key_is_an_invalid_token(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("ready")
    token = (await get_token(sandbox, http))["access_token"]
    ally_key(sandbox).test_cluster_only = True
    response = await http.get(f"{sandbox.base_url}/api/v1/accounts/self", headers=bearer(token))
    assert response.status_code == 401
    assert response.json() == {"errors": [{"message": "Invalid access token."}]}


# --- lti-key ----------------------------------------------------------------------------------------


async def test_the_lti_key_refuses_the_ally_redirect_uri(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("lti-key")
    response = await probe(sandbox, http, redirect_uri=ALLY_URI)
    assert response.status_code == 400
    assert response.json()["error_description"] == "redirect_uri does not match client settings"


async def test_the_lti_key_reports_all_31_scopes_missing(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("lti-key")
    response = await probe(sandbox, http, scope=" ".join([*ALLY_SCOPES, SENTINEL]))
    description = query_of(response.headers["Location"])["error_description"]
    missing = description.split("not granted: ", 1)[1]
    assert all(scope in missing for scope in ALLY_SCOPES) and missing.endswith(f", and {SENTINEL}")


async def test_the_lti_key_has_enforce_scopes_forced_on(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("lti-key")
    (lti,) = [k for k in await keys_listed(sandbox, http) if str(k["id"]) == sandbox.key_id]
    assert lti["is_lti_key"] is True and isinstance(lti["public_jwk"], dict) and lti["require_scopes"] is True
    assert not any(str(scope).startswith("url:") for scope in lti["scopes"])  # type: ignore[union-attr]
    response = await http.put(
        f"{sandbox.base_url}/api/v1/developer_keys/{sandbox.key_id}",
        data={"developer_key[require_scopes]": "false"},
        headers=bearer(sandbox.admin_token),
    )
    assert response.json()["require_scopes"] is True


async def test_the_api_key_beside_the_lti_key_is_the_right_one(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("lti-key")
    (api_key,) = [k for k in await keys_listed(sandbox, http) if k["name"] == "Anthology Ally"]
    assert api_key["is_lti_key"] is False and str(api_key["id"]) != sandbox.key_id
    response = await probe(sandbox, http, client_id=str(api_key["id"]), redirect_uri=ALLY_URI)
    assert query_of(response.headers["Location"])["error"] == "login_required"


# --- scenario files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEAD + '[key]\nowner="district"\n', "owner must be"),
        (HEAD + '[key]\nsite_admin_binding="off"\n', "needs owner"),
        (HEAD + '[key]\nowner="site_admin"\nsite_admin_binding="maybe"\n', "site_admin_binding must be"),
        (HEAD + "vanity_redirect = 1\n", "vanity_redirect must be"),
        (HEAD + "[account]\nlimit_personal_access_tokens = 'yes'\n", "true or false"),
    ],
)
def test_bad_edge_settings_are_refused_by_name(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(text)


# --- more of docs/canvas.md 12, as settings a test combines (no scenario files) ----------------------


def variant(name: str = "ready", **tables: dict[str, object]) -> Scenario:
    """A shipped scenario with some settings changed, e.g. `variant(canvas={"prompt_support": False})`."""
    base = load_scenario(name)
    changed = {table: replace(getattr(base, table), **values) for table, values in tables.items()}
    return replace(base, **changed)


async def test_a_gate_sends_every_request_to_another_hosts_login(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("ready", gate=True)
    assert sandbox.gate_url and sandbox.gate_url != sandbox.base_url and sandbox.canvas_url == sandbox.base_url
    response = await http.get(auth_url(sandbox, prompt="none").replace(sandbox.base_url, sandbox.gate_url))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{sandbox.base_url}/cas/login?service=")
    assert query_of(location)["service"].startswith(f"{sandbox.gate_url}/login/oauth2/auth?")
    await http.post(f"{sandbox.gate_url}/login/oauth2/token", data={"client_secret": sandbox.key_secret})
    assert sandbox.gate_received(sandbox.key_secret) and not sandbox.vanity_received(sandbox.key_secret)


async def test_an_old_canvas_without_prompt_sends_the_probe_to_its_login(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox(variant(canvas={"prompt_support": False}))
    response = await probe(sandbox, http, scope=" ".join(ALLY_SCOPES))
    assert response.status_code == 302 and response.headers["Location"] == f"{sandbox.base_url}/login"
    unsupported = await http.get(auth_url(sandbox, prompt="bogus"))
    assert unsupported.headers["Location"] == f"{sandbox.base_url}/login"  # no prompt check at all
    missing = await probe(sandbox, http, scope=" ".join([*ALLY_SCOPES, SENTINEL]))
    assert query_of(missing.headers["Location"])["error"] == "invalid_scope"  # checks 1-5 still run


async def test_an_old_canvas_without_prompt_still_authorizes_through_its_login(make_sandbox) -> None:
    sandbox = await make_sandbox(variant(canvas={"prompt_support": False}))
    landed = await play_browser(auth_url(sandbox), sandbox.admin_username, sandbox.admin_password)
    assert set(query_of(landed)) == {"code", "state"}


async def test_a_deleted_key_answers_as_an_unknown_one(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox(variant(key={"workflow_state": "deleted"}))
    response = await probe(sandbox, http)
    assert response.status_code == 401 and response.json()["error_description"] == "unknown client"
    assert sandbox.key_id not in [str(k["id"]) for k in await keys_listed(sandbox, http)]


async def test_the_local_form_of_the_key_id_is_accepted(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox(variant(key={"hand_out_local_id": True}))
    assert len(sandbox.key_id) < 6
    response = await probe(sandbox, http, redirect_uri=ALLY_URI, scope=" ".join(ALLY_SCOPES))
    assert query_of(response.headers["Location"])["error"] == "login_required"
    assert (await get_token(sandbox, http))["access_token"]


async def test_a_key_without_auto_expiry_issues_tokens_without_expiry_or_refresh(
    make_sandbox, http: httpx.AsyncClient
) -> None:
    sandbox = await make_sandbox(variant(key={"auto_expire_tokens": False}))
    body = await get_token(sandbox, http)
    assert "expires_in" not in body and "refresh_token" not in body and body["access_token"]
