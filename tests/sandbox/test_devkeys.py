"""The Developer Keys API (docs/canvas.md 6): list, create, update, delete, bindings, permissions."""

from __future__ import annotations

import httpx
from sandbox_helpers import ALLY_SCOPES, bearer, get_token

from ally_wizard.sandbox import Sandbox

SHARD_BASE = 17 * 10**13


async def create(sb: Sandbox, http: httpx.AsyncClient, **fields: object) -> httpx.Response:
    data: dict[str, object] = {
        "developer_key[name]": "Made by API",
        "developer_key[email]": "it@example.edu",
        "developer_key[redirect_uris]": "https://a.example/cb https://b.example/cb",
        "developer_key[scopes][]": list(ALLY_SCOPES[:3]),
        "developer_key[require_scopes]": "true",
        "developer_key[allow_includes]": "true",
    }
    data.update(fields)
    return await http.post(
        f"{sb.base_url}/api/v1/accounts/self/developer_keys", data=data, headers=bearer(sb.admin_token)
    )


async def test_list_shows_keys_highest_id_first_with_global_ids(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{sb.base_url}/api/v1/accounts/self/developer_keys", headers=bearer(sb.admin_token))
    keys = response.json()
    assert [k["id"] for k in keys] == sorted((k["id"] for k in keys), reverse=True)
    ally = next(k for k in keys if str(k["id"]) == sb.key_id)
    assert ally["id"] > SHARD_BASE
    assert ally["api_key"] == sb.key_secret and len(ally["api_key"]) == 64
    assert ally["redirect_uris"] == "https://prod.ally.ac/api/v2/1234/auth/canvas/callback"
    assert ally["require_scopes"] is True and ally["allow_includes"] is True
    assert sorted(ally["scopes"]) == sorted(ALLY_SCOPES)
    binding = ally["developer_key_account_binding"]
    assert binding["workflow_state"] == "on"
    assert binding["developer_key_id"] == ally["id"] and binding["account_id"] == SHARD_BASE + 1
    assert "Link" in response.headers


async def test_create_returns_200_with_secret_and_binding_off(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await create(sb, http)
    assert response.status_code == 200
    key = response.json()
    assert len(key["api_key"]) == 64
    assert key["redirect_uris"] == "https://a.example/cb\nhttps://b.example/cb"
    assert key["developer_key_account_binding"]["workflow_state"] == "off"
    assert key["workflow_state"] == "active"


async def test_create_accepts_json_bodies(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"{sb.base_url}/api/v1/accounts/self/developer_keys",
        json={"developer_key": {"name": "JSON key", "redirect_uris": ["https://c.example/cb"], "scopes": []}},
        headers=bearer(sb.admin_token),
    )
    assert response.status_code == 200
    assert response.json()["redirect_uris"] == "https://c.example/cb"


async def test_create_refuses_scopes_outside_the_catalogue(sb: Sandbox, http: httpx.AsyncClient) -> None:
    before = sb.snapshot()
    response = await create(sb, http, **{"developer_key[scopes][]": ["url:GET|/api/v1/nothing"]})
    assert response.status_code == 400
    assert "cannot contain url:GET|/api/v1/nothing" in response.text
    assert sb.snapshot() == before


async def test_create_refuses_an_invalid_redirect_uri(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await create(sb, http, **{"developer_key[redirect_uris][]": ["not a uri"]})
    assert response.status_code == 400
    assert "is not a valid URI" in response.text


async def test_update_drops_unknown_scopes_and_removing_a_scope_kills_tokens(
    sb: Sandbox, http: httpx.AsyncClient
) -> None:
    token = (await get_token(sb, http))["access_token"]
    kept = list(ALLY_SCOPES[1:])
    response = await http.put(
        f"{sb.base_url}/api/v1/developer_keys/{sb.key_id}",
        data={"developer_key[scopes][]": [*kept, "url:GET|/api/v1/nothing"]},
        headers=bearer(sb.admin_token),
    )
    assert response.status_code == 200
    assert sorted(response.json()["scopes"]) == sorted(kept)
    dead = await http.get(f"{sb.base_url}/api/v1/accounts/self/courses", headers=bearer(token))
    assert dead.json() == {"errors": [{"message": "Invalid access token."}]}


async def test_deactivate_makes_the_key_unknown_to_oauth(sb: Sandbox, http: httpx.AsyncClient) -> None:
    await http.put(
        f"{sb.base_url}/api/v1/developer_keys/{sb.key_id}",
        data={"developer_key[event]": "deactivate"},
        headers=bearer(sb.admin_token),
    )
    response = await http.get(
        f"{sb.base_url}/login/oauth2/auth?client_id={sb.key_id}&response_type=code&redirect_uri=urn:ietf:wg:oauth:2.0:oob"
    )
    assert response.status_code == 401


async def test_delete_is_soft_and_hides_the_key(sb: Sandbox, http: httpx.AsyncClient) -> None:
    key = (await create(sb, http)).json()
    response = await http.delete(f"{sb.base_url}/api/v1/developer_keys/{key['id']}", headers=bearer(sb.admin_token))
    assert (response.status_code, response.json()["workflow_state"]) == (200, "deleted")
    listed = await http.get(f"{sb.base_url}/api/v1/accounts/self/developer_keys", headers=bearer(sb.admin_token))
    assert key["id"] not in [k["id"] for k in listed.json()]


async def test_binding_needs_the_nested_parameter(sb: Sandbox, http: httpx.AsyncClient) -> None:
    key = (await create(sb, http)).json()
    url = f"{sb.base_url}/api/v1/accounts/self/developer_keys/{key['id']}/developer_key_account_bindings"
    bare = await http.post(url, data={"workflow_state": "on"}, headers=bearer(sb.admin_token))
    assert bare.status_code == 400
    # Canvas's ApplicationController renders ParameterMissing as "#{param} is missing" (6.5)
    assert bare.json() == {"errors": [{"message": "developer_key_account_binding is missing"}]}
    nested = await http.post(
        url, data={"developer_key_account_binding[workflow_state]": "on"}, headers=bearer(sb.admin_token)
    )
    assert nested.status_code in (200, 201)
    assert nested.json()["workflow_state"] == "on"
    assert nested.json()["developer_key_id"] == key["id"]


async def test_ally_scoped_token_cannot_use_the_developer_keys_api(sb: Sandbox, http: httpx.AsyncClient) -> None:
    token = (await get_token(sb, http))["access_token"]
    response = await http.get(f"{sb.base_url}/api/v1/accounts/self/developer_keys", headers=bearer(token))
    assert response.json() == {"errors": [{"message": "Insufficient scopes on access token."}]}


async def test_non_admin_gets_the_unauthorized_body(sb: Sandbox, http: httpx.AsyncClient) -> None:
    teacher = sb.state.issue_token(sb.state.users[2], None, (), "test", expires=False)
    response = await http.get(f"{sb.base_url}/api/v1/accounts/self/developer_keys", headers=bearer(teacher.token))
    assert response.status_code == 401
    assert response.json() == {
        "status": "unauthorized",
        "errors": [{"message": "user not authorized to perform that action"}],
    }


async def test_sub_account_has_no_developer_keys(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{sb.base_url}/api/v1/accounts/2/developer_keys", headers=bearer(sb.admin_token))
    assert response.status_code == 404


async def test_regenerate_secret_is_not_enabled(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"{sb.base_url}/api/v1/developer_keys/{sb.key_id}/regenerate_secret", headers=bearer(sb.admin_token)
    )
    assert (response.status_code, response.json()) == (403, {"errors": [{"message": "Feature not enabled"}]})


async def test_inherited_lists_site_admin_keys_of_which_there_are_none(sb: Sandbox, http: httpx.AsyncClient) -> None:
    response = await http.get(
        f"{sb.base_url}/api/v1/accounts/self/developer_keys?inherited=true", headers=bearer(sb.admin_token)
    )
    assert (response.status_code, response.json()) == (200, [])
