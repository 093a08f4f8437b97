"""The practice Developer Keys page: Canvas's Admin > Developer Keys screen as plain HTML forms.

Trainees do the help page's steps here by hand (make the key, tick the scopes, switch it ON, copy the
ID and secret) and the wizard then checks what they did exactly as it checks a real Canvas: every
form here changes the same records the API and OAuth use. No script is needed; each form carries the
session's CSRF token, and every field has a stable `id` and `name` so a browser test can drive it.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from aiohttp import web

from ally_wizard.sandbox import pages
from ally_wizard.sandbox.catalogue import sections
from ally_wizard.sandbox.devkeys import (
    KeyValidationError,
    apply_key_fields,
    create_key_from_fields,
    parse_redirect_uris,
    soft_delete_key,
)
from ally_wizard.sandbox.http import Handler, ctx, params
from ally_wizard.sandbox.oauth import ensure_session, redirect, with_cookie
from ally_wizard.sandbox.records import Binding, DeveloperKey, Session, User, local_id
from ally_wizard.sandbox.state import ROOT_ACCOUNT_ID, CanvasState

_PRACTICE_STYLE = """
<style>
main { max-width: 1100px; }
table { border-collapse: collapse; width: 100%; margin-top: 16px; }
th, td { border-bottom: 1px solid #c7cdd1; padding: 8px; text-align: left; vertical-align: top; }
.state-on { color: #0b874b; font-weight: bold; } .state-off { color: #e0061f; font-weight: bold; }
fieldset { border: 1px solid #c7cdd1; border-radius: 4px; margin: 12px 0; }
legend { font-weight: bold; }
.scope { display: block; font-family: monospace; font-size: 13px; margin: 2px 0; font-weight: normal; }
.toggle { display: inline-block; margin: 8px 16px 8px 0; font-weight: bold; }
code.secret { word-break: break-all; }
</style>
"""


def scope_field_id(scope: str) -> str:
    """A stable, unique HTML id for a scope's checkbox: `url:GET|/api/v1/accounts` -> `scope_GET_api_v1_accounts`."""
    body = scope.removeprefix("url:")
    return "scope_" + re.sub(r"[^A-Za-z0-9]+", "_", body).strip("_")


def _list_url() -> str:
    return f"/accounts/{ROOT_ACCOUNT_ID}/developer_keys"


def _refusal(status: int, title: str, text: str) -> web.Response:
    """The one-paragraph HTML page Canvas shows instead of a Developer Keys page it will not serve."""
    return web.Response(text=pages.message_page(title, text), status=status, content_type="text/html")


def _admin(request: web.Request) -> tuple[Session, User] | web.Response:
    """The logged-in admin, or the response that sends the browser to log in (or refuses it)."""
    session, fresh = ensure_session(request)
    state = ctx(request).state
    if session.user_id is None:
        session.return_to = request.path_qs if request.method == "GET" else _list_url()
        response = redirect("/login/canvas")
        with_cookie(response, session, fresh)
        return response
    user = state.users[session.user_id]
    if not user.admin:
        return _refusal(401, "Unauthorized", "You don't have permission to manage developer keys.")
    return session, user


def _root_or_404(request: web.Request) -> web.Response | None:
    raw = request.match_info["account_id"]
    number = None if raw == "self" else local_id(raw)
    if raw != "self" and number != ROOT_ACCOUNT_ID:
        return _refusal(404, "Page Not Found", "Developer keys live on the root account only.")
    return None


async def _check_csrf(request: web.Request, session: Session) -> web.Response | None:
    values = await params(request)
    given = (values.get("authenticity_token") or [""])[-1]
    if not secrets.compare_digest(given, session.csrf_token):
        return _refusal(422, "Invalid authenticity token", "Reload the page and try again.")
    return None


PageHandler = Callable[[web.Request, Session, User], Awaitable[web.StreamResponse]]


def _admin_page(*, form_post: bool) -> Callable[[PageHandler], Handler]:
    """Wrap a Developer Keys page in what Canvas checks before any of them, in Canvas's order.

    The account must be the root (404 page), the browser must be logged in as an admin (a login
    redirect, or 401 for anyone else), and a form post must carry the session's CSRF token (422).
    The page receives the session and the admin.
    """

    def wrap(inner: PageHandler) -> Handler:
        @functools.wraps(inner)
        async def handler(request: web.Request) -> web.StreamResponse:
            if (missing := _root_or_404(request)) is not None:
                return missing
            found = _admin(request)
            if isinstance(found, web.Response):
                return found
            session, user = found
            if form_post and (refused := await _check_csrf(request, session)) is not None:
                return refused
            return await inner(request, session, user)

        return handler

    return wrap


def _find(state: CanvasState, raw: str) -> DeveloperKey | None:
    return state.find_key(local_id(raw))


def _site_admin_decides(state: CanvasState, key: DeveloperKey) -> bool:
    """Site Admin's binding is on or off, so the root account's toggle has no effect (6.5)."""
    binding = state.site_admin_bindings.get(key.id)
    return binding is not None and binding.workflow_state in ("on", "off")


def _no_such_key() -> web.Response:
    return _page("Not Found", "<p>No such key.</p>", 404)


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(text=pages.page(title, _PRACTICE_STYLE + body), status=status, content_type="text/html")


def _csrf(session: Session) -> str:
    return f'<input type="hidden" name="authenticity_token" value="{escape(session.csrf_token)}">'


# --- the list -----------------------------------------------------------------------------------


@_admin_page(form_post=False)
async def list_page(request: web.Request, session: Session, user: User) -> web.StreamResponse:
    """`GET /accounts/:id/developer_keys`: the keys with State and Details (ID, Show Key)."""
    state = ctx(request).state
    shown = request.query.get("show_key", "")
    rows = []
    keys = sorted(
        (k for k in state.keys.values() if k.workflow_state != "deleted" and k.account_id in (None, ROOT_ACCOUNT_ID)),
        key=lambda k: -k.id,
    )
    for key in keys:
        binding = state.deciding_binding(key)
        current = binding.workflow_state if binding and binding.workflow_state != "allow" else "off"
        kid = str(key.global_id)
        if shown == kid:
            secret = f'<code class="secret" id="key_secret_{kid}">{escape(key.api_key)}</code>'
        else:
            secret = f'<a href="{_list_url()}?show_key={kid}#key_{kid}" id="show_key_{kid}">Show Key</a>'
        toggles = "".join(
            f'<button type="submit" name="workflow_state" value="{value}" id="state_{value}_{kid}"'
            f' aria-pressed="{"true" if current == value else "false"}"'
            f"{' class=primary' if current == value else ''}>{value.upper()}</button>"
            for value in ("on", "off")
        )
        inactive = " (inactive)" if key.workflow_state == "inactive" else ""
        if key.account_id is None:
            inactive += " (inherited from Site Admin" + (", which set it" if _site_admin_decides(state, key) else "")
            inactive += f" {current.upper()})" if _site_admin_decides(state, key) else ")"
        rows.append(
            f'<tr id="key_{kid}"><td><strong>{escape(key.name or "Unnamed key")}</strong>{inactive}<br>'
            f'<span class="note">{escape(key.email)}</span></td>'
            f'<td>ID <span class="key-id" id="key_id_{kid}">{kid}</span><br>{secret}</td>'
            f'<td><span id="state_{kid}" class="state-{current}">{current.upper()}</span>'
            f'<form method="post" action="{_list_url()}/{kid}/state" id="state_form_{kid}">{_csrf(session)}'
            f"{toggles}</form></td>"
            f'<td><a href="{_list_url()}/{kid}/edit" id="edit_key_{kid}">Edit</a>'
            f'<form method="post" action="{_list_url()}/{kid}/delete" id="delete_form_{kid}">{_csrf(session)}'
            f'<button type="submit" id="delete_key_{kid}">Delete</button></form></td></tr>'
        )
    body = (
        f"<h1>Developer Keys</h1><p>Account: {escape(state.content['accounts'][ROOT_ACCOUNT_ID]['name'])}"
        f' · logged in as {escape(user.name)} · <a href="/logout">Log out</a></p>'
        f'<p><a href="{_list_url()}/new" id="new_api_key">+ Developer Key &rarr; API Key</a></p>'
        "<table><thead><tr><th>Name</th><th>Details</th><th>State</th><th>Actions</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return _page("Developer Keys", body)


@_admin_page(form_post=True)
async def set_state(request: web.Request, _session: Session, _user: User) -> web.StreamResponse:
    """`POST .../developer_keys/:key/state`: the ON/OFF toggle (the root account's binding)."""
    state = ctx(request).state
    key = _find(state, request.match_info["key_id"])
    values = await params(request)
    wanted = (values.get("workflow_state") or [""])[-1]
    if key is None or wanted not in ("on", "off", "allow") or key.account_id not in (None, ROOT_ACCOUNT_ID):
        return _page("Not Found", "<p>No such key or state.</p>", 404)
    if _site_admin_decides(state, key):
        return _refusal(403, "Set by Site Admin", "Site Admin has set this key's state; a root admin cannot change it.")
    binding = state.bindings.get(key.id)
    if binding is None:
        binding = state.bindings[key.id] = Binding(state.next_id("binding"), ROOT_ACCOUNT_ID, key.id)
    binding.workflow_state = wanted
    return web.Response(status=303, headers={"Location": f"{_list_url()}#key_{key.global_id}"})


@_admin_page(form_post=True)
async def delete(request: web.Request, _session: Session, _user: User) -> web.StreamResponse:
    """`POST .../developer_keys/:key/delete`: soft delete, as the API's DELETE."""
    state = ctx(request).state
    key = _find(state, request.match_info["key_id"])
    if key is None:
        return _no_such_key()
    soft_delete_key(state, key)
    return web.Response(status=303, headers={"Location": _list_url()})


# --- the key editor -----------------------------------------------------------------------------


def _old_pages(request: web.Request) -> bool:
    """Whether this Canvas's catalogue has the Pages scopes under their pre-2022 names (docs/canvas.md 5)."""
    return ctx(request).scenario.canvas.old_pages_scopes


def _editor(
    session: Session,
    key: DeveloperKey | None,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    *,
    old_pages: bool = False,
) -> str:
    """The "API Key" editor: name, email, redirect URIs, notes, toggles and scopes by section."""
    values: dict[str, Any] = form or {
        "name": key.name if key else "",
        "email": key.email if key else "",
        "redirect_uris": "\n".join(key.redirect_uris) if key else "",
        "notes": key.notes if key else "",
        "require_scopes": key.require_scopes if key else False,
        "allow_includes": key.allow_includes if key else False,
        "scopes": set(key.scopes) if key else set(),
    }
    action = f"{_list_url()}/{key.global_id}" if key else _list_url()
    heading = f"Edit key {key.global_id}" if key else "Create API Key"
    groups = []
    for section, entries in sections(old_pages).items():
        boxes = "".join(
            f'<label class="scope" for="{scope_field_id(e.scope)}">'
            f'<input type="checkbox" name="scopes[]" value="{escape(e.scope)}" id="{scope_field_id(e.scope)}"'
            f"{' checked' if e.scope in values['scopes'] else ''}> {escape(e.scope)}</label>"
            for e in entries
        )
        section_id = "section_" + re.sub(r"[^A-Za-z0-9]+", "_", section).strip("_")
        groups.append(f'<fieldset id="{section_id}"><legend>{escape(section)}</legend>{boxes}</fieldset>')
    message = f'<p class="error" role="alert" id="form_error">{escape(error)}</p>' if error else ""

    def checked(flag: str) -> str:
        return " checked" if values[flag] else ""

    return (
        f"<h1>{escape(heading)}</h1>{message}"
        f'<form method="post" action="{action}" id="developer_key_form">{_csrf(session)}'
        f'<label for="key_name">Key Name</label>'
        f'<input type="text" id="key_name" name="name" value="{escape(values["name"])}">'
        f'<label for="key_email">Owner Email</label>'
        f'<input type="email" id="key_email" name="email" value="{escape(values["email"])}">'
        f'<label for="redirect_uris">Redirect URIs (one per line)</label>'
        f'<textarea id="redirect_uris" name="redirect_uris" rows="3">{escape(values["redirect_uris"])}</textarea>'
        f'<label for="key_notes">Notes</label>'
        f'<textarea id="key_notes" name="notes" rows="2">{escape(values["notes"])}</textarea>'
        f'<label class="toggle" for="require_scopes"><input type="checkbox" id="require_scopes" name="require_scopes"'
        f' value="1"{checked("require_scopes")}> Enforce Scopes</label>'
        f'<label class="toggle" for="allow_includes"><input type="checkbox" id="allow_includes" name="allow_includes"'
        f' value="1"{checked("allow_includes")}> Allow Include Parameters</label>'
        '<p class="note">With Enforce Scopes on, the key may call only the endpoints ticked below.</p>'
        f"{''.join(groups)}"
        f'<p><button type="submit" class="primary" id="save_key" value="Save">Save</button>'
        f' <a href="{_list_url()}" id="cancel_edit">Cancel</a></p></form>'
    )


@_admin_page(form_post=False)
async def new_page(request: web.Request, session: Session, _user: User) -> web.StreamResponse:
    """`GET .../developer_keys/new`: the empty API Key editor."""
    return _page("Create API Key", _editor(session, None, old_pages=_old_pages(request)))


@_admin_page(form_post=False)
async def edit_page(request: web.Request, session: Session, _user: User) -> web.StreamResponse:
    """`GET .../developer_keys/:key/edit`: the editor filled with the key's settings."""
    key = _find(ctx(request).state, request.match_info["key_id"])
    if key is None:
        return _no_such_key()
    return _page(f"Edit key {key.global_id}", _editor(session, key, old_pages=_old_pages(request)))


def _form_values(values: dict[str, list[str]]) -> dict[str, Any]:
    def last(name: str) -> str:
        return (values.get(name) or [""])[-1]

    return {
        "name": last("name").strip(),
        "email": last("email").strip(),
        "redirect_uris": last("redirect_uris"),
        "notes": last("notes"),
        "require_scopes": bool(last("require_scopes")),
        "allow_includes": bool(last("allow_includes")),
        "scopes": set(values.get("scopes[]", [])),
    }


def _api_values(form: dict[str, Any]) -> dict[str, list[str]]:
    """The editor's fields in the Developer Keys API's parameter names (one code path for both)."""
    return {
        "developer_key[name]": [form["name"]],
        "developer_key[email]": [form["email"]],
        "developer_key[notes]": [form["notes"]],
        "developer_key[redirect_uris]": [form["redirect_uris"]],
        "developer_key[require_scopes]": ["true" if form["require_scopes"] else "false"],
        "developer_key[allow_includes]": ["true" if form["allow_includes"] else "false"],
        # Canvas's editor hides the scope list while Enforce Scopes is off, and saves none.
        "developer_key[scopes][]": sorted(form["scopes"]) if form["require_scopes"] else [],
    }


@_admin_page(form_post=True)
async def save(request: web.Request, session: Session, user: User) -> web.StreamResponse:
    """`POST .../developer_keys[/:key]`: create (OFF by default) or update, then back to the list."""
    state = ctx(request).state
    raw_key = request.match_info.get("key_id")
    key = _find(state, raw_key) if raw_key else None
    if raw_key and key is None:
        return _no_such_key()
    form = _form_values(await params(request))
    api_values = _api_values(form)
    error = None
    if not form["name"]:
        error = "Key Name is required."
    else:
        try:
            parse_redirect_uris(api_values)
        except KeyValidationError as exc:
            error = f"Redirect URIs: {exc.message}."
    if error:
        return _page("Developer Key", _editor(session, key, form, error, old_pages=_old_pages(request)), 400)
    if key is None:
        key = create_key_from_fields(state, user, api_values)
    else:
        apply_key_fields(state, key, api_values, creating=False)
    return web.Response(status=303, headers={"Location": f"{_list_url()}#key_{key.global_id}"})


def add_routes(app: web.Application) -> None:
    """Register the practice page's routes."""
    base = "/accounts/{account_id}/developer_keys"
    app.router.add_get(base, list_page)
    app.router.add_post(base, save)
    app.router.add_get(f"{base}/new", new_page)
    app.router.add_get(f"{base}/{{key_id}}/edit", edit_page)
    app.router.add_post(f"{base}/{{key_id}}", save)
    app.router.add_post(f"{base}/{{key_id}}/state", set_state)
    app.router.add_post(f"{base}/{{key_id}}/delete", delete)
