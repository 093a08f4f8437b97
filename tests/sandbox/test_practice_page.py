"""The practice Developer Keys page: Canvas's key screen as plain forms, sharing state with the API."""

from __future__ import annotations

import re

import httpx
import pytest
from sandbox_helpers import ALLY_SCOPES, SENTINEL, auth_url, bearer, get_token, query_of

from ally_wizard.sandbox import Sandbox
from ally_wizard.sandbox.browser import (
    BrowserError,
    ScriptedBrowser,
    edit_key_on_practice_page,
    parse_forms,
    set_key_state_on_practice_page,
    tick_scopes_on_practice_page,
)
from ally_wizard.sandbox.catalogue import catalogue
from ally_wizard.sandbox.practice import scope_field_id

LIST = "/accounts/1/developer_keys"


async def logged_in(sb: Sandbox, client: httpx.AsyncClient, username: str | None = None) -> ScriptedBrowser:
    browser = ScriptedBrowser(client, sb.base_url)
    await browser.go("GET", f"{sb.base_url}{LIST}")
    login = parse_forms(browser.page)[0]
    await browser.submit(
        login,
        {
            "pseudonym_session[unique_id]": username or sb.admin_username,
            "pseudonym_session[password]": sb.admin_password,
        },
    )
    return browser


async def probe(sb: Sandbox, http: httpx.AsyncClient, sentinel: bool = False) -> str:
    scope = " ".join([*ALLY_SCOPES, SENTINEL]) if sentinel else None
    response = await http.get(auth_url(sb, prompt="none", **({"scope": scope} if scope else {})))
    return query_of(response.headers["Location"])["error"]


async def test_the_page_needs_a_login_and_returns_to_it(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{sb.base_url}{LIST}")
    assert (response.status_code, response.headers["Location"]) == (302, "/login/canvas")
    browser = await logged_in(sb, http)
    assert browser.url.endswith(LIST)
    assert "<h1>Developer Keys</h1>" in browser.page


async def test_list_shows_state_id_and_show_key(sb: Sandbox, http: httpx.AsyncClient) -> None:
    browser = await logged_in(sb, http)
    assert f'id="key_id_{sb.key_id}">{sb.key_id}<' in browser.page
    assert f'id="state_{sb.key_id}" class="state-on">ON<' in browser.page
    assert sb.key_secret not in browser.page  # the secret stays hidden until Show Key
    assert f'id="show_key_{sb.key_id}"' in browser.page
    await browser.go("GET", f"{LIST}?show_key={sb.key_id}")
    assert f'<code class="secret" id="key_secret_{sb.key_id}">{sb.key_secret}</code>' in browser.page
    assert "+ Developer Key &rarr; API Key" in browser.page


async def test_editor_has_stable_ids_and_every_catalogue_scope_by_section(sb: Sandbox, http: httpx.AsyncClient) -> None:
    browser = await logged_in(sb, http)
    await browser.go("GET", f"{LIST}/new")
    form = next(f for f in parse_forms(browser.page) if f.id == "developer_key_form")
    names = {name for name, _, _ in form.fields}
    assert {"authenticity_token", "name", "email", "redirect_uris", "require_scopes", "allow_includes"} <= names
    boxes = [value for name, value, kind in form.fields if name == "scopes[]" and kind == "checkbox"]
    assert sorted(boxes) == sorted(e.scope for e in catalogue())
    ids = [scope_field_id(s) for s in boxes]
    assert len(set(ids)) == len(ids)
    for scope in ALLY_SCOPES:
        assert f'id="{scope_field_id(scope)}"' in browser.page
    assert scope_field_id("url:GET|/api/v1/accounts/:id") == "scope_GET_api_v1_accounts_id"
    assert re.search(r'<fieldset id="section_Media_Objects"><legend>Media Objects</legend>', browser.page)
    assert "<script" not in browser.page


async def test_ticking_the_missing_scopes_fixes_the_key(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("missing-scopes")
    assert await probe(sandbox, http) == "invalid_scope"
    await tick_scopes_on_practice_page(
        sandbox.base_url,
        sandbox.admin_username,
        sandbox.admin_password,
        sandbox.key_id,
        list(sandbox.scenario.key.missing_scopes),
    )
    assert await probe(sandbox, http) == "login_required"
    listed = await http.get(
        f"{sandbox.base_url}/api/v1/accounts/self/developer_keys", headers=bearer(sandbox.admin_token)
    )
    ally = next(k for k in listed.json() if str(k["id"]) == sandbox.key_id)
    assert sorted(ally["scopes"]) == sorted(ALLY_SCOPES)


async def test_switching_the_key_on_fixes_key_off(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("key-off")
    assert await probe(sandbox, http) == "unauthorized_client"
    await set_key_state_on_practice_page(
        sandbox.base_url, sandbox.admin_username, sandbox.admin_password, sandbox.key_id, "on"
    )
    assert await probe(sandbox, http) == "login_required"


async def test_turning_enforce_scopes_on_is_seen_by_the_probe(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("enforce-scopes-off")
    assert await probe(sandbox, http, sentinel=True) == "login_required"
    await edit_key_on_practice_page(
        sandbox.base_url,
        sandbox.admin_username,
        sandbox.admin_password,
        sandbox.key_id,
        tick=list(ALLY_SCOPES),
        enforce_scopes=True,
        allow_includes=True,
    )
    assert await probe(sandbox, http, sentinel=True) == "invalid_scope"
    assert await probe(sandbox, http) == "login_required"


async def test_fixing_the_redirect_uri(make_sandbox, http: httpx.AsyncClient) -> None:
    sandbox = await make_sandbox("redirect-typo")
    correct = "https://prod.ally.ac/api/v2/1234/auth/canvas/callback"
    assert (await http.get(auth_url(sandbox, redirect_uri=correct))).status_code == 400
    await edit_key_on_practice_page(
        sandbox.base_url, sandbox.admin_username, sandbox.admin_password, sandbox.key_id, redirect_uris=correct
    )
    assert (await http.get(auth_url(sandbox, redirect_uri=correct))).status_code == 302


async def test_unticking_a_scope_destroys_the_keys_tokens(sb: Sandbox, http: httpx.AsyncClient) -> None:
    token = (await get_token(sb, http))["access_token"]
    await edit_key_on_practice_page(
        sb.base_url, sb.admin_username, sb.admin_password, sb.key_id, untick=[ALLY_SCOPES[0]]
    )
    response = await http.get(f"{sb.base_url}/api/v1/accounts/self", headers=bearer(token))
    assert response.json() == {"errors": [{"message": "Invalid access token."}]}


async def test_creating_a_key_through_the_form_starts_off(sb: Sandbox, http: httpx.AsyncClient) -> None:
    browser = await logged_in(sb, http)
    await browser.go("GET", f"{LIST}/new")
    form = next(f for f in parse_forms(browser.page) if f.id == "developer_key_form")
    form.checked.update({"require_scopes=1", "allow_includes=1", *(f"scopes[]={s}" for s in ALLY_SCOPES)})
    await browser.submit(
        form,
        {
            "name": "Anthology Ally (practice)",
            "email": "me@example.edu",
            "redirect_uris": "https://prod.ally.ac/api/v2/1234/auth/canvas/callback",
        },
        button="Save",
    )
    assert browser.status == 200 and "Anthology Ally (practice)" in browser.page
    keys = (await http.get(f"{sb.base_url}/api/v1/accounts/self/developer_keys", headers=bearer(sb.admin_token))).json()
    made = next(k for k in keys if k["name"] == "Anthology Ally (practice)")
    assert made["developer_key_account_binding"]["workflow_state"] == "off"
    assert made["require_scopes"] and made["allow_includes"] and len(made["scopes"]) == 31
    assert f'id="state_{made["id"]}" class="state-off">OFF<' in browser.page


async def test_an_invalid_redirect_uri_is_refused_and_changes_nothing(sb: Sandbox) -> None:
    before = sb.snapshot()
    with pytest.raises(BrowserError, match="400"):
        await edit_key_on_practice_page(
            sb.base_url, sb.admin_username, sb.admin_password, sb.key_id, redirect_uris="not a uri"
        )
    assert sb.snapshot() == before


async def test_a_wrong_csrf_token_is_refused(sb: Sandbox, http: httpx.AsyncClient) -> None:
    await logged_in(sb, http)
    before = sb.snapshot()
    response = await http.post(
        f"{sb.base_url}{LIST}/{sb.key_id}/state", data={"authenticity_token": "forged", "workflow_state": "off"}
    )
    assert response.status_code == 422
    assert sb.snapshot() == before


async def test_a_teacher_may_not_manage_keys(sb: Sandbox, http: httpx.AsyncClient) -> None:
    browser = await logged_in(sb, http, username="teacher@example.edu")
    assert browser.status == 401


async def test_sub_account_has_no_developer_keys_page(sb: Sandbox, http: httpx.AsyncClient) -> None:
    await logged_in(sb, http)
    assert (await http.get(f"{sb.base_url}/accounts/2/developer_keys")).status_code == 404


async def test_deleting_a_key_makes_it_unknown(sb: Sandbox, http: httpx.AsyncClient) -> None:
    browser = await logged_in(sb, http)
    form = next(f for f in parse_forms(browser.page) if f.id == f"delete_form_{sb.key_id}")
    await browser.submit(form)
    assert sb.key_id not in browser.page
    assert (await http.get(auth_url(sb))).status_code == 401


async def test_a_key_made_through_the_api_shows_on_the_page_on(make_sandbox, http: httpx.AsyncClient) -> None:
    """What a trainer shows after "create it for me": the new key in the list, ON, with its ID."""
    from ally_wizard.canvas.audit import AuditTarget
    from ally_wizard.canvas.client import CanvasClient
    from ally_wizard.canvas.create import KeyPlan, create_key
    from ally_wizard.inputs import redirect_uri
    from ally_wizard.recipe import default_recipe

    sb = await make_sandbox("no-ally-key")
    recipe = default_recipe()
    target = AuditTarget(sb.base_url, "us", "1234", redirect_uri(recipe, "us", "1234"), None, recipe)
    async with CanvasClient(sb.base_url) as client:
        created = await create_key(client, sb.state.handout.admin_token, KeyPlan(target, "Anthology Ally", ""))
    browser = await logged_in(sb, http)
    assert f'id="key_id_{created.key_id}">{created.key_id}<' in browser.page
    assert f'id="state_{created.key_id}" class="state-on">ON<' in browser.page
    assert created.secret not in browser.page
