"""Developer Keys writes as Canvas answers them (issue 13's practice): the hint-only secret of the
regenerate-secret feature, `cannot contain` for scopes an older catalogue lacks, tokens gone with a scope."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import RunningSandbox

SandboxFactory = Callable[..., RunningSandbox]
SCOPES = default_recipe().scope_strings
KEYS = "/api/v1/accounts/self/developer_keys"


def admin(sb: RunningSandbox) -> dict[str, str]:
    return {"Authorization": f"Bearer {sb.admin_token}"}


def create(sb: RunningSandbox, scopes: tuple[str, ...] = SCOPES) -> httpx.Response:
    data = {
        "developer_key[name]": "Anthology Ally",
        "developer_key[redirect_uris]": "https://prod.ally.ac/api/v2/1234/auth/canvas/callback",
        "developer_key[scopes][]": list(scopes),
        "developer_key[require_scopes]": "true",
    }
    return httpx.post(f"{sb.base_url}{KEYS}", data=data, headers=admin(sb))


def listed(sb: RunningSandbox, key_id: int) -> dict[str, object]:
    keys = httpx.get(f"{sb.base_url}{KEYS}?per_page=100", headers=admin(sb)).json()
    return next(key for key in keys if key["id"] == key_id)


def test_with_the_regenerate_feature_only_create_and_regenerate_show_the_whole_secret(
    sandbox: SandboxFactory,
) -> None:
    sb = sandbox("no-ally-key")
    made = create(sb).json()
    secret = made["api_key"]
    assert len(secret) == 64
    hint = listed(sb, made["id"])["api_key"]
    assert isinstance(hint, str) and secret not in hint and len(hint) < 64
    renewed = httpx.post(f"{sb.base_url}/api/v1/developer_keys/{made['id']}/regenerate_secret", headers=admin(sb))
    assert renewed.status_code == 200
    assert len(renewed.json()["api_key"]) == 64 and renewed.json()["api_key"] != secret
    assert renewed.json()["api_key"] not in str(listed(sb, made["id"])["api_key"])


def test_without_the_feature_lists_show_the_secret_and_regenerate_is_refused(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready")
    assert len(str(listed(sb, int(sb.key_id))["api_key"])) == 64
    refused = httpx.post(f"{sb.base_url}/api/v1/developer_keys/{sb.key_id}/regenerate_secret", headers=admin(sb))
    assert refused.status_code == 403 and refused.json()["errors"][0]["message"] == "Feature not enabled"


def test_an_older_catalogue_refuses_the_current_pages_scope_names_on_create(sandbox: SandboxFactory) -> None:
    sb = sandbox("old-canvas")
    refused = create(sb)
    assert refused.status_code == 400
    assert "cannot contain url:GET|/api/v1/courses/:course_id/pages/:url_or_id" in refused.text
    older = tuple(scope.replace("/pages/:url_or_id", "/pages/:url") for scope in SCOPES)
    assert create(sb, older).status_code == 200


def test_removing_a_scope_deletes_allys_tokens_and_adding_one_does_not(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready")
    key_id = int(sb.key_id)
    assert listed(sb, key_id)["access_token_count"] == 1  # Ally's own token
    url = f"{sb.base_url}/api/v1/developer_keys/{sb.key_id}"
    extra = "url:GET|/api/v1/accounts/:account_id/users"
    httpx.put(url, data={"developer_key[scopes][]": [*SCOPES, extra]}, headers=admin(sb))
    assert listed(sb, key_id)["access_token_count"] == 1
    httpx.put(url, data={"developer_key[scopes][]": list(SCOPES)}, headers=admin(sb))
    assert listed(sb, key_id)["access_token_count"] == 0
