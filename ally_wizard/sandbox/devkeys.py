"""The Developer Keys API of the root account (docs/canvas.md 6.1-6.5): list, create, update,
delete, regenerate the secret, and set the account binding with the nested parameter.

Only a caller with manage_developer_keys (the admin) may use it; a token whose key enforces scopes
never gets here, because the middleware's scope check refuses these paths first.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from ally_wizard.sandbox.catalogue import catalogue_scope_strings
from ally_wizard.sandbox.http import (
    Values,
    api_error,
    auth,
    ctx,
    found_then_admin,
    json_response,
    paged_json,
    param,
    truthy,
)
from ally_wizard.sandbox.records import Binding, DeveloperKey, User, local_id, random_string
from ally_wizard.sandbox.state import ROOT_ACCOUNT_ID, CanvasState

MAX_URI = 4096
BINDING_STATES = ("on", "off", "allow")


class KeyValidationError(ValueError):
    """A developer key field Canvas refuses: `attribute` and Canvas's message."""

    def __init__(self, attribute: str, message: str) -> None:
        super().__init__(f"{attribute} {message}")
        self.attribute = attribute
        self.message = message

    def response(self) -> web.Response:
        """Rails's per-attribute error body, 400."""
        return json_response(
            {
                "errors": {
                    self.attribute: [{"attribute": self.attribute, "type": self.message, "message": self.message}]
                }
            },
            400,
        )


def _is_root_account(state: CanvasState, raw: str) -> bool:
    """Whether `raw` names the root account (`self` does); a sub-account or no account does not."""
    if raw == "self":
        return True
    number = local_id(raw)
    return number is not None and number in state.content["accounts"] and number == ROOT_ACCOUNT_ID


def parse_redirect_uris(values: dict[str, list[str]]) -> list[str] | None:
    """`developer_key[redirect_uris]` as a whitespace-separated string or an array; None if absent."""
    if "developer_key[redirect_uris][]" in values:
        raw = values["developer_key[redirect_uris][]"]
    elif "developer_key[redirect_uris]" in values:
        raw = (param(values, "developer_key[redirect_uris]") or "").split()
    else:
        return None
    uris = [uri.strip() for uri in raw if uri.strip()]
    for uri in uris:
        if len(uri) > MAX_URI:
            raise KeyValidationError("redirect_uris", "a redirect_uri is too long")
        parts = urlsplit(uri)
        if not parts.scheme or not (parts.netloc or parts.path) or any(ch.isspace() for ch in uri):
            raise KeyValidationError("redirect_uris", "is not a valid URI")
    return uris


def parse_scopes(values: dict[str, list[str]], creating: bool, old_pages: bool = False) -> list[str] | None:
    """`developer_key[scopes][]`: unknown scopes refused on create, silently dropped on update.

    `old_pages`: this Canvas's catalogue still has the Pages scopes under their old names (docs/canvas.md 5).
    """
    if "developer_key[scopes][]" not in values and "developer_key[scopes]" not in values:
        return None
    raw = values.get("developer_key[scopes][]") or (param(values, "developer_key[scopes]") or "").split()
    known = catalogue_scope_strings(old_pages)
    scopes: list[str] = []
    for scope in raw:
        if not scope:
            continue
        if scope not in known:
            if creating:
                raise KeyValidationError("scopes", f"cannot contain {scope}")
            continue
        if scope not in scopes:
            scopes.append(scope)
    return scopes


def apply_key_fields(state: CanvasState, key: DeveloperKey, values: dict[str, list[str]], creating: bool) -> None:
    """Apply `developer_key[...]` parameters to a key (validating first, so a refusal changes nothing)."""
    uris = parse_redirect_uris(values)
    scopes = parse_scopes(values, creating, state.scenario.canvas.old_pages_scopes)
    require = param(values, "developer_key[require_scopes]")
    new_require = truthy(require) if require is not None else key.require_scopes
    for field in ("name", "email", "notes", "icon_url", "vendor_code", "redirect_uri"):
        value = param(values, f"developer_key[{field}]")
        if value is not None:
            setattr(key, field, value)
    for field in ("visible", "test_cluster_only", "allow_includes", "auto_expire_tokens"):
        value = param(values, f"developer_key[{field}]")
        if value is not None:
            setattr(key, field, truthy(value))
    if creating:
        key.auto_expire_tokens = True
    if uris is not None:
        key.redirect_uris = uris
    state.change_key_scopes(key, scopes if scopes is not None else key.scopes, new_require)
    event = param(values, "developer_key[event]")
    if not creating and event in ("activate", "deactivate"):
        key.workflow_state = "active" if event == "activate" else "inactive"


def create_key_from_fields(state: CanvasState, owner: User, values: Values) -> DeveloperKey:
    """A new key made from `developer_key[...]` parameters: the API's create and the practice page's save."""
    key = state.create_key(
        owner, name="", email="", redirect_uris=[], scopes=[], require_scopes=False, allow_includes=False
    )
    apply_key_fields(state, key, values, creating=True)
    return key


def soft_delete_key(state: CanvasState, key: DeveloperKey) -> None:
    """Delete a key as Canvas does, keeping the record, and end the tokens it issued."""
    key.workflow_state = "deleted"
    key.outside_tokens = 0
    for token in state.tokens.values():
        if token.developer_key_id == key.id and token.workflow_state == "active":
            token.workflow_state = "deleted"


def _root_in_path(request: web.Request) -> dict[str, Any] | None:
    """The root account when `:account_id` names it: developer keys live on no other account."""
    state = ctx(request).state
    named_root = _is_root_account(state, request.match_info["account_id"])
    return state.content["accounts"][ROOT_ACCOUNT_ID] if named_root else None


def _key_in_path(request: web.Request) -> DeveloperKey | None:
    """The non-deleted key `:id` names."""
    return ctx(request).state.find_key(local_id(request.match_info["id"]))


def _bound_key_in_path(request: web.Request) -> DeveloperKey | None:
    """The key `:developer_key_id` names, when `:account_id` names the root account (the only binding)."""
    if _root_in_path(request) is None:
        return None
    key = ctx(request).state.find_key(local_id(request.match_info["developer_key_id"]))
    # only a key of this account chain, or a Site Admin key, can be bound here (6.5)
    return key if key is not None and key.account_id in (None, ROOT_ACCOUNT_ID) else None


_on_root = found_then_admin(_root_in_path)
_on_key = found_then_admin(_key_in_path)


@_on_root
async def list_keys(request: web.Request, _root: dict[str, Any], values: Values) -> web.StreamResponse:
    """`GET /api/v1/accounts/:account_id/developer_keys`: the account's own non-deleted keys, highest id
    first; `inherited=true` lists Site Admin's keys instead. Another root account's keys never appear."""
    owner = None if truthy(param(values, "inherited")) else ROOT_ACCOUNT_ID
    state = ctx(request).state
    keys = sorted(
        (k for k in state.keys.values() if k.workflow_state != "deleted" and k.account_id == owner),
        key=lambda k: -k.id,
    )
    return paged_json(request, values, [state.key_json(k) for k in keys])


@_on_root
async def create_key(request: web.Request, _root: dict[str, Any], values: Values) -> web.StreamResponse:
    """`POST /api/v1/accounts/:account_id/developer_keys`: 200 with the key and its full secret."""
    try:
        parse_redirect_uris(values)
        parse_scopes(values, creating=True, old_pages=ctx(request).scenario.canvas.old_pages_scopes)
    except KeyValidationError as exc:
        return exc.response()
    state = ctx(request).state
    key = create_key_from_fields(state, auth(request).user, values)
    return json_response(state.key_json(key, full_secret=True))


@_on_key
async def update_key(request: web.Request, key: DeveloperKey, values: Values) -> web.StreamResponse:
    """`PUT /api/v1/developer_keys/:id`: update fields; `developer_key[event]` (de)activates."""
    try:
        parse_redirect_uris(values)
    except KeyValidationError as exc:
        return exc.response()
    apply_key_fields(ctx(request).state, key, values, creating=False)
    return json_response(ctx(request).state.key_json(key))


@_on_key
async def delete_key(request: web.Request, key: DeveloperKey, _values: Values) -> web.StreamResponse:
    """`DELETE /api/v1/developer_keys/:id`: soft delete, 200 with the key."""
    state = ctx(request).state
    soft_delete_key(state, key)
    return json_response(state.key_json(key))


@_on_key
async def regenerate_secret(request: web.Request, key: DeveloperKey, _values: Values) -> web.StreamResponse:
    """`POST /api/v1/developer_keys/:id/regenerate_secret`: a new secret, shown whole in this answer only;
    403 "Feature not enabled" unless the scenario turns the regenerate-secret feature on."""
    state = ctx(request).state
    if not state.scenario.canvas.regenerate_secret:
        return api_error(403, "Feature not enabled")
    key.api_key = random_string(64)
    return json_response(state.key_json(key, full_secret=True))


@found_then_admin(_bound_key_in_path)
async def set_binding(request: web.Request, key: DeveloperKey, values: Values) -> web.StreamResponse:
    """`POST .../developer_keys/:developer_key_id/developer_key_account_bindings`: 200 new, 201 updated."""
    wanted = param(values, "developer_key_account_binding[workflow_state]")
    if wanted is None:
        return api_error(400, "developer_key_account_binding is missing")  # Canvas's ParameterMissing form
    if wanted not in BINDING_STATES:
        return KeyValidationError("workflow_state", "inclusion").response()
    state = ctx(request).state
    binding = state.bindings.get(key.id)
    status = 201
    if binding is None:
        binding = state.bindings[key.id] = Binding(state.next_id("binding"), ROOT_ACCOUNT_ID, key.id)
        status = 200
    binding.workflow_state = wanted
    return json_response(binding.as_json(), status)


def add_routes(app: web.Application) -> None:
    """Register the Developer Keys API."""
    v1 = "/api/v1"
    app.router.add_get(f"{v1}/accounts/{{account_id}}/developer_keys", list_keys)
    app.router.add_post(f"{v1}/accounts/{{account_id}}/developer_keys", create_key)
    app.router.add_put(f"{v1}/developer_keys/{{id}}", update_key)
    app.router.add_delete(f"{v1}/developer_keys/{{id}}", delete_key)
    app.router.add_post(f"{v1}/developer_keys/{{id}}/regenerate_secret", regenerate_secret)
    app.router.add_post(
        f"{v1}/accounts/{{account_id}}/developer_keys/{{developer_key_id}}/developer_key_account_bindings",
        set_binding,
    )
