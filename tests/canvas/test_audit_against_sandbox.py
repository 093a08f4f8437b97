"""The audit against the simulated Canvas over real sockets, with the admin token.

`ready` audits clean; each drift made through the Developer Keys API is named by exactly its rows; the
audit sends only GET requests and the Developer Keys API answers the same before and after; the token
never reaches a row, an exception or the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
import pytest

from ally_wizard.canvas.admin import AdminTokenRefused
from ally_wizard.canvas.audit import (
    ALLY_THEME,
    CATALOGUE_SCOPES,
    KEY_ACTIVE,
    KEY_EXTRA_SCOPES,
    KEY_IN_USE,
    AuditResult,
    AuditTarget,
    KeyChoiceNeeded,
    run_audit,
)
from ally_wizard.canvas.client import CanvasClient
from ally_wizard.canvas.report import CheckStatus, scope_check_id
from ally_wizard.canvas.theme import find_theme_ally_config
from ally_wizard.inputs import redirect_uri
from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import RunningSandbox, load_scenario

SandboxFactory = Callable[..., RunningSandbox]
RECIPE = default_recipe()
REDIRECT = redirect_uri(RECIPE, "us", "1234")
EXTRA_SCOPE = "url:GET|/api/v1/accounts/:account_id/users"
REMOVED = ("url:GET|/api/v1/courses/:course_id/quizzes", "url:GET|/api/v1/accounts/:account_id/terms")


def target(sb: RunningSandbox, key_id: str | None = None) -> AuditTarget:
    return AuditTarget(sb.base_url, "us", "1234", REDIRECT, key_id)


async def audit(sb: RunningSandbox, key_id: str | None = None, token: str | None = None) -> AuditResult:
    async with CanvasClient(sb.base_url) as client:
        return await run_audit(client, token or sb.admin_token, target(sb, key_id))


def not_passed(result: AuditResult) -> dict[str, CheckStatus]:
    return {check.id: check.status for check in result.report.checks if check.status is not CheckStatus.PASS}


def admin(sb: RunningSandbox) -> dict[str, str]:
    return {"Authorization": f"Bearer {sb.admin_token}"}


def keys_json(sb: RunningSandbox) -> object:
    reply = httpx.get(f"{sb.base_url}/api/v1/accounts/self/developer_keys?per_page=100", headers=admin(sb))
    return reply.json()


async def test_ready_audits_clean_with_only_gets_and_nothing_changed(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready")
    before_api, before = keys_json(sb), sb.snapshot()
    sb.clear_requests()
    result = await audit(sb)
    assert not_passed(result) == {}
    assert result.key is not None and result.key.id == sb.key_id
    assert len([c for c in result.report.checks if c.scope]) == len(RECIPE.scopes)
    assert {r.method for r in sb.requests} == {"GET"}
    assert sb.snapshot() == before
    assert keys_json(sb) == before_api


async def test_the_token_reaches_no_row_and_no_repr(sandbox: SandboxFactory) -> None:
    sb = sandbox("drifted")
    result = await audit(sb, key_id=sb.key_id)
    text = repr(result) + repr(result.report.as_dict())
    assert sb.admin_token not in text
    assert sb.admin_token[3:20] not in text


def _put_key(sb: RunningSandbox, fields: list[tuple[str, str]]) -> None:
    form = {**admin(sb), "Content-Type": "application/x-www-form-urlencoded"}
    reply = httpx.put(f"{sb.base_url}/api/v1/developer_keys/{sb.key_id}", content=urlencode(fields), headers=form)
    assert reply.status_code == 200, reply.text


def _binding(sb: RunningSandbox, state: str) -> None:
    url = f"{sb.base_url}/api/v1/accounts/self/developer_keys/{sb.key_id}/developer_key_account_bindings"
    reply = httpx.post(url, data={"developer_key_account_binding[workflow_state]": state}, headers=admin(sb))
    assert reply.status_code in (200, 201), reply.text


DRIFTS: dict[str, tuple[Callable[[RunningSandbox], None], dict[str, CheckStatus]]] = {
    "scopes removed": (
        lambda sb: _put_key(sb, [("developer_key[scopes][]", s) for s in RECIPE.scope_strings if s not in REMOVED]),
        # removing scopes deletes every token of the key (docs/canvas.md 6.2), Ally's included
        {**{scope_check_id(s): CheckStatus.FAIL for s in REMOVED}, KEY_IN_USE: CheckStatus.WARN},
    ),
    "includes off": (
        lambda sb: _put_key(sb, [("developer_key[allow_includes]", "false")]),
        {"key.allow_includes": CheckStatus.FAIL},
    ),
    "binding off": (lambda sb: _binding(sb, "off"), {"key.on": CheckStatus.FAIL}),
    "binding allow": (lambda sb: _binding(sb, "allow"), {"key.on": CheckStatus.FAIL}),
    "key deactivated": (
        lambda sb: _put_key(sb, [("developer_key[event]", "deactivate")]),
        {KEY_ACTIVE: CheckStatus.FAIL},
    ),
    "redirect URI changed": (
        lambda sb: _put_key(sb, [("developer_key[redirect_uris]", REDIRECT.replace("callback", "callbak"))]),
        {"key.redirect_uri": CheckStatus.FAIL},
    ),
    "another Client ID beside the right URI": (
        lambda sb: _put_key(sb, [("developer_key[redirect_uris]", f"{REDIRECT} {REDIRECT.replace('1234', '77')}")]),
        {"key.redirect_uris_other": CheckStatus.WARN},
    ),
    "extra scope added": (
        lambda sb: _put_key(sb, [("developer_key[scopes][]", s) for s in (*RECIPE.scope_strings, EXTRA_SCOPE)]),
        {KEY_EXTRA_SCOPES: CheckStatus.WARN},
    ),
}


@pytest.mark.parametrize("drift", sorted(DRIFTS))
async def test_each_drift_through_the_api_is_named_by_exactly_its_rows(sandbox: SandboxFactory, drift: str) -> None:
    sb = sandbox("ready")
    make, expected = DRIFTS[drift]
    make(sb)
    before = keys_json(sb)
    result = await audit(sb, key_id=sb.key_id)
    assert not_passed(result) == expected
    assert keys_json(sb) == before


async def test_drifted_names_every_drift_of_its_key(sandbox: SandboxFactory) -> None:
    sb = sandbox("drifted")
    setup = load_scenario("drifted").key
    result = await audit(sb, key_id=sb.key_id)
    assert not_passed(result) == {
        "key.allow_includes": CheckStatus.FAIL,
        "key.on": CheckStatus.FAIL,
        KEY_EXTRA_SCOPES: CheckStatus.WARN,
        KEY_IN_USE: CheckStatus.WARN,
        ALLY_THEME: CheckStatus.WARN,
        **{scope_check_id(s): CheckStatus.FAIL for s in setup.missing_scopes},
    }


async def test_several_ally_keys_and_no_choice_lists_them(sandbox: SandboxFactory) -> None:
    sb = sandbox("drifted")
    with pytest.raises(KeyChoiceNeeded) as raised:
        await audit(sb)
    assert {key.name for key in raised.value.keys} == {"Anthology Ally", "Ally (old)"}


async def test_the_stale_key_is_found_and_judged_inactive(sandbox: SandboxFactory) -> None:
    sb = sandbox("drifted")
    result = await audit(sb, key_id=sb.key_id)
    stale = next(key for key in result.keys if key.name == "Ally (old)")
    stale_result = await audit(sb, key_id=stale.id)
    failed = not_passed(stale_result)
    assert failed[KEY_ACTIVE] is CheckStatus.FAIL
    assert failed["key.redirect_uri"] is CheckStatus.FAIL
    assert failed["key.redirect_uris_other"] is CheckStatus.WARN


async def test_no_ally_key_fails_key_exists_only(sandbox: SandboxFactory) -> None:
    sb = sandbox("no-ally-key")
    result = await audit(sb)
    assert result.keys == [] and result.key is None
    assert not_passed(result) == {"key.exists": CheckStatus.FAIL}
    assert "Create the key" in result.report.checks[0].message


async def test_all_pages_of_250_keys_are_read(sandbox: SandboxFactory) -> None:
    sb = sandbox("many-keys")
    result = await audit(sb)
    assert result.key is not None and result.key.id == sb.key_id
    assert not_passed(result) == {}
    listed = [r for r in sb.requests if r.path.endswith("/developer_keys")]
    assert len(listed) == 1 + 3 + 1  # the token check, three pages of 100, the Site Admin keys


async def test_old_canvas_catalogue_names_the_old_pages_scopes(sandbox: SandboxFactory) -> None:
    sb = sandbox("old-canvas")
    result = await audit(sb)
    row = result.report.get(CATALOGUE_SCOPES)
    assert row is not None and row.status is CheckStatus.FAIL
    assert "url:GET|/api/v1/courses/:course_id/pages/:url_or_id (this Canvas calls it" in row.message
    assert "/pages/:url)" in row.message
    assert not_passed(result) == {CATALOGUE_SCOPES: CheckStatus.FAIL}


async def test_a_teacher_token_is_refused_as_without_manage_developer_keys(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready")
    with pytest.raises(AdminTokenRefused, match="manage_developer_keys") as raised:
        await audit(sb, token=sb.non_admin_token)
    assert sb.non_admin_token not in str(raised.value)


async def test_an_unknown_token_is_refused_plainly(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready")
    with pytest.raises(AdminTokenRefused, match="does not accept this admin token") as raised:
        await audit(sb, token="17~not-a-real-token-at-all")
    assert "not-a-real-token" not in str(raised.value)


async def test_theme_detection_reads_the_login_pages_ally_cfg(sandbox: SandboxFactory) -> None:
    found = (await find_theme_ally_config(sandbox("ready").base_url)).found
    assert found is not None
    assert (found.host, found.environment, found.client_id) == ("prod.ally.ac", "us", "1234")
    mismatch = (await find_theme_ally_config(sandbox("drifted").base_url)).found
    assert mismatch is not None and (mismatch.environment, mismatch.client_id) == ("eu", "1164")


async def test_no_theme_gives_a_skipped_row(sandbox: SandboxFactory) -> None:
    plain = load_scenario("ready")
    scenario = dataclasses.replace(plain, instance=dataclasses.replace(plain.instance, theme="none"))
    sb = sandbox(scenario)
    result = await audit(sb)
    row = result.report.get(ALLY_THEME)
    assert row is not None and row.status is CheckStatus.SKIPPED
    assert "sets no ALLY_CFG" in row.message
