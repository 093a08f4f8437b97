"""Canvas's OAuth2 provider: authorize (checks 1-7 in Canvas's order), login, consent, the
out-of-band landing page, the token endpoint (both grants, every error of 3.3) and revocation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from ally_wizard.sandbox import pages
from ally_wizard.sandbox.catalogue import english_list
from ally_wizard.sandbox.http import (
    WWW_BEARER,
    api_error,
    ctx,
    json_response,
    oauth_error,
    param,
    params,
    truthy,
)
from ally_wizard.sandbox.records import DeveloperKey, PendingAuth, Session, local_id
from ally_wizard.sandbox.state import CanvasState

OOB = "urn:ietf:wg:oauth:2.0:oob"
SESSION_COOKIE = "_normandy_session"
INVALID_SCOPE = "A requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner."
NOT_ALLOWED_FOR_USER = "The current user is logged in but does not have permission to authorize this application."
_GRANTS = ("authorization_code", "refresh_token", "client_credentials")


# --- sessions -----------------------------------------------------------------------------------


def current_session(request: web.Request) -> Session | None:
    """The browser session named by the cookie, if it still exists."""
    sid = request.cookies.get(SESSION_COOKIE)
    return ctx(request).state.sessions.get(sid) if sid else None


def ensure_session(request: web.Request) -> tuple[Session, bool]:
    """The browser's session, creating one if needed; the flag says whether the cookie must be set."""
    session = current_session(request)
    if session is not None:
        return session, False
    return ctx(request).state.new_session(), True


def with_cookie(response: web.StreamResponse, session: Session, fresh: bool) -> web.StreamResponse:
    """Attach the session cookie when the session is new."""
    if fresh:
        response.set_cookie(SESSION_COOKIE, session.id, httponly=True, samesite="Lax", path="/")
    return response


def redirect(location: str) -> web.Response:
    """A plain 302 (not raised, so middlewares see the response)."""
    return web.Response(status=302, headers={"Location": location})


def origin(request: web.Request) -> str:
    """`scheme://host[:port]` of the request, the Canvas host the browser used."""
    return f"{request.scheme}://{request.host}"


# --- authorize ----------------------------------------------------------------------------------


def error_redirect(request: web.Request, redirect_uri: str, values: dict[str, str | None]) -> web.Response:
    """Canvas's error redirect: empty values dropped, keys sorted, form-encoded; OOB -> landing URL."""
    query = urlencode(sorted((k, v) for k, v in values.items() if v))
    if redirect_uri == OOB:
        return redirect(f"{origin(request)}/login/oauth2/auth?{query}")
    joiner = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{joiner}{query}")


def redirect_matches(key: DeveloperKey, uri: str) -> bool:
    """OOB always; else an exact match, else the legacy lenient match on the single redirect_uri."""
    if uri == OOB or uri in key.redirect_uris:
        return True
    if key.redirect_uri:
        try:
            want, got = urlsplit(key.redirect_uri), urlsplit(uri)
        except ValueError:
            return False
        host = (want.hostname or "").lower()
        got_host = (got.hostname or "").lower()
        return bool(host) and want.scheme == got.scheme and (got_host == host or got_host.endswith("." + host))
    return False


def find_client(state: CanvasState, client_id: str | None) -> DeveloperKey | None:
    """The active key named by a client_id (global or local id as an integer string)."""
    if client_id is None:
        return None
    number = local_id(client_id.strip())
    key = state.find_key(number) if number is not None else None
    return key if key and key.workflow_state == "active" else None


def requested_scopes(values: dict[str, list[str]]) -> list[str]:
    """`scope` wins over `scopes`; of repeated parameters only the last applies; space-separated."""
    raw = param(values, "scope")
    if raw is None:
        raw = param(values, "scopes")
    seen: list[str] = []
    for scope in (raw or "").split():
        if scope not in seen:
            seen.append(scope)
    return seen


def _pending(
    key: DeveloperKey, redirect_uri: str, scopes: list[str], client_state: str | None, values: dict[str, list[str]]
) -> PendingAuth:
    """The request Canvas stores in the session for the login and consent pages (PKCE only with S256)."""
    challenge = param(values, "code_challenge")
    method = param(values, "code_challenge_method")
    return PendingAuth(
        developer_key_id=key.id,
        redirect_uri=redirect_uri,
        scopes=tuple(scopes),
        state=client_state,
        purpose=param(values, "purpose") or "",
        code_challenge=challenge if (challenge and method == "S256") else None,
    )


async def authorize(request: web.Request) -> web.StreamResponse:
    """`GET /login/oauth2/auth`: the landing page when it carries a code or error, else checks 1-7."""
    values = await params(request)
    if "code" in values or "error" in values:
        return web.Response(text=pages.landing_page(), content_type="text/html")
    sandbox = ctx(request)
    state = sandbox.state
    # 1. the key exists and is active
    key = find_client(state, param(values, "client_id"))
    if key is None:
        return oauth_error(401, "invalid_client", "unknown client", www=True)
    # 2. the redirect URI
    redirect_uri = param(values, "redirect_uri") or ""
    if not redirect_matches(key, redirect_uri):
        return oauth_error(400, "invalid_request", "redirect_uri does not match client settings")
    client_state = param(values, "state")
    scopes = requested_scopes(values)
    # 3. scopes, only when the key enforces them
    if key.require_scopes:
        missing = [scope for scope in scopes if scope not in key.scopes]
        if not scopes or missing:
            if sandbox.scenario.canvas.invalid_scope_style == "json400":
                return oauth_error(400, "invalid_scope", INVALID_SCOPE)
            description = f"{INVALID_SCOPE} The following scopes were requested, but not granted: "
            description += english_list(missing)
            return error_redirect(
                request,
                redirect_uri,
                {"error": "invalid_scope", "error_description": description, "state": client_state},
            )
    # 4. the key is authorized for this root account: the deciding binding (Site Admin's wins), the
    # owner in the account chain, usable here (docs/canvas.md 6.5 and 12)
    if not state.key_authorized(key):
        return error_redirect(
            request,
            redirect_uri,
            {
                "error": "unauthorized_client",
                "error_description": "Client does not have access to the specified Canvas account.",
                "state": client_state,
            },
        )
    # 5. response_type
    if param(values, "response_type") != "code":
        return error_redirect(
            request,
            redirect_uri,
            {
                "error": "unsupported_response_type",
                "error_description": "Only response_type=code is permitted",
                "state": client_state,
            },
        )
    # 6. prompt
    session, fresh = ensure_session(request)
    if not sandbox.scenario.canvas.prompt_support and session.user_id is None:
        # an old release without prompt: every request without a session goes to the login page (12)
        session.pending = _pending(key, redirect_uri, scopes, client_state, values)
        session.return_to = "/login/oauth2/confirm"
        return with_cookie(redirect(f"{origin(request)}/login"), session, fresh)
    prompt = param(values, "prompt") if sandbox.scenario.canvas.prompt_support else None
    force_login = truthy(param(values, "force_login")) or prompt == "login"
    if prompt not in (None, "none", "login"):  # `prompt=` (empty) is a value, not an omission
        return error_redirect(
            request,
            redirect_uri,
            {
                "error": "unsupported_prompt_type",
                "error_description": 'prompt must be "none" (or omitted)',
                "state": client_state,
            },
        )
    if prompt == "none":
        if session.user_id is None:
            description, error = "prompt=none but there is no current session", "login_required"
        else:
            description = "prompt=none but a token cannot be granted without user interaction"
            error = "interaction_required"
        return with_cookie(
            error_redirect(
                request, redirect_uri, {"error": error, "error_description": description, "state": client_state}
            ),
            session,
            fresh,
        )
    # 7. store the pending request; log in, then confirm
    session.pending = _pending(key, redirect_uri, scopes, client_state, values)
    if force_login:
        session.user_id = None
    if session.user_id is None:
        session.return_to = "/login/oauth2/confirm"
        unique_id = param(values, "unique_id") or ""
        location = "/login/canvas" + (f"?{urlencode({'unique_id': unique_id})}" if unique_id else "")
        return with_cookie(redirect(location), session, fresh)
    return with_cookie(redirect("/login/oauth2/confirm"), session, fresh)


# --- login --------------------------------------------------------------------------------------


async def login_redirect(request: web.Request) -> web.StreamResponse:
    """`GET /login`: Canvas sends the browser to its own login form."""
    return redirect("/login/canvas")


async def login_form(request: web.Request) -> web.StreamResponse:
    """`GET /login/canvas`: the login form."""
    session, fresh = ensure_session(request)
    themed = ctx(request).scenario.instance.theme != "none"
    scripts = (pages.THEME_JS_PATH,) if themed else ()
    html = pages.login_page(session.csrf_token, request.query.get("unique_id", ""), session.flash, scripts)
    session.flash = None
    return with_cookie(web.Response(text=html, content_type="text/html"), session, fresh)


async def login_submit(request: web.Request) -> web.StreamResponse:
    """`POST /login/canvas`: check the CSRF token and the password, then go back where the user was."""
    session = current_session(request)
    values = await params(request)
    if session is None or not secrets.compare_digest(param(values, "authenticity_token") or "", session.csrf_token):
        fresh_session, fresh = ensure_session(request)
        html = pages.login_page(fresh_session.csrf_token, error="Your session expired. Log in again.")
        return with_cookie(web.Response(text=html, status=422, content_type="text/html"), fresh_session, fresh)
    login = param(values, "pseudonym_session[unique_id]") or ""
    user = ctx(request).state.check_login(login, param(values, "pseudonym_session[password]") or "")
    if user is None:
        html = pages.login_page(session.csrf_token, login, "Please verify your username or password and try again.")
        return web.Response(text=html, status=400, content_type="text/html")
    session.user_id = user.id
    target = session.return_to or "/"
    session.return_to = None
    return redirect(target)


async def logout(request: web.Request) -> web.StreamResponse:
    """`GET|POST /logout`: end the browser session."""
    session = current_session(request)
    if session is not None:
        ctx(request).state.sessions.pop(session.id, None)
    response = redirect("/login/canvas")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


# --- consent ------------------------------------------------------------------------------------


async def confirm(request: web.Request) -> web.StreamResponse:
    """`GET /login/oauth2/confirm`: the consent page with Authorize and Cancel."""
    session = current_session(request)
    state = ctx(request).state
    if session is None or session.user_id is None:
        return redirect("/login/canvas")
    pending = session.pending
    key = state.find_key(pending.developer_key_id) if pending else None
    if pending is None or key is None:
        session.flash = "Must submit new OAuth2 request"
        return redirect("/login/canvas")
    user = state.users[session.user_id]
    if not state.may_issue_token(user):
        return _not_allowed_for_user(request, session)
    html = pages.confirm_page(key.name, user.name, pending.purpose, session.csrf_token)
    return web.Response(text=html, content_type="text/html")


def _not_allowed_for_user(request: web.Request, session: Session) -> web.Response:
    """Canvas refuses to issue this user a token: the pending request ends and the browser goes to the
    redirect URI with `client_not_allowed_for_user` and, unlike the other errors, no `state` (1.5, 12)."""
    pending = session.pending
    session.pending = None
    redirect_uri = pending.redirect_uri if pending else OOB
    return error_redirect(
        request,
        redirect_uri,
        {"error": "client_not_allowed_for_user", "error_description": NOT_ALLOWED_FOR_USER},
    )


def _text_400(message: str) -> web.Response:
    return web.Response(text=message, status=400, content_type="text/plain")


async def accept(request: web.Request) -> web.StreamResponse:
    """`POST /login/oauth2/accept`: issue the code and redirect (OOB: to the landing page)."""
    session = current_session(request)
    values = await params(request)
    state = ctx(request).state
    if session is None or session.user_id is None or session.pending is None:
        return _text_400("Invalid or missing session for oauth")
    given = param(values, "custom_csrf_token")
    if not given:
        return _text_400("Missing custom CSRF token")
    if not secrets.compare_digest(given, session.csrf_token):
        return _text_400("Invalid custom CSRF token")
    if not state.may_issue_token(state.users[session.user_id]):
        return _not_allowed_for_user(request, session)
    pending = session.pending
    session.pending = None
    key = state.find_key(pending.developer_key_id)
    if key is None:
        return _text_400("Invalid or missing session for oauth")
    code = state.new_code(key, state.users[session.user_id], pending)
    query = urlencode([(k, v) for k, v in (("code", code.code), ("state", pending.state)) if v])
    if pending.redirect_uri == OOB:
        return redirect(f"{origin(request)}/login/oauth2/auth?{query}")
    joiner = "&" if "?" in pending.redirect_uri else "?"
    return redirect(f"{pending.redirect_uri}{joiner}{query}")


async def deny(request: web.Request) -> web.StreamResponse:
    """`GET /login/oauth2/deny`: Cancel; redirect with `error=access_denied` and the stored state."""
    session = current_session(request)
    if session is None or session.pending is None:
        if session is not None:
            session.flash = "Must submit new OAuth2 request"
        return redirect("/login/canvas")
    pending = session.pending
    session.pending = None
    return error_redirect(request, pending.redirect_uri, {"error": "access_denied", "state": pending.state})


# --- token --------------------------------------------------------------------------------------


def _basic_credentials(request: web.Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _pkce_ok(challenge: str, verifier: str) -> bool:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    computed = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return secrets.compare_digest(computed, challenge)


async def token(request: web.Request) -> web.StreamResponse:
    """`POST /login/oauth2/token`: the authorization_code and refresh_token grants."""
    values = await params(request)
    sandbox = ctx(request)
    state = sandbox.state
    grant = param(values, "grant_type")
    if grant is None:  # missing, not empty: `grant_type=` is an unsupported value (3.1)
        grant = "authorization_code" if param(values, "code") else ""
    if grant not in _GRANTS:
        return oauth_error(400, "unsupported_grant_type", "The grant_type you requested is not currently supported")
    basic = _basic_credentials(request)
    client_id, secret = basic if basic else (param(values, "client_id"), param(values, "client_secret"))
    key = find_client(state, client_id)
    if key is None:
        return oauth_error(401, "invalid_client", "unknown client", www=True)
    if not secret or not secrets.compare_digest(secret.encode(), key.api_key.encode()):
        return oauth_error(401, "invalid_client", "invalid client", www=True)
    if grant == "client_credentials":
        return oauth_error(
            400, "invalid_request", "client_assertion_type and client_assertion are required for client_credentials"
        )
    if grant == "refresh_token":
        given = param(values, "refresh_token")
        if not given:
            return oauth_error(
                400,
                "invalid_request",
                "You must provide the refresh_token parameter when using the refresh_token grant type",
            )
        found = state.by_refresh.get(given)
        if found is None or found.workflow_state != "active":
            return oauth_error(400, "invalid_request", "refresh_token not found")
        if found.developer_key_id != key.id:
            return oauth_error(400, "invalid_grant", "incorrect client")
        refreshed = state.refresh_token(found)
        return json_response(_token_body(request, refreshed.token, None, refreshed.user_id, refreshed.expires_at))
    code_value = param(values, "code")
    if not code_value:
        return oauth_error(
            400,
            "invalid_request",
            "You must provide the code parameter when using the authorization_code grant type",
        )
    code = state.take_code(code_value)
    if code is None:
        return oauth_error(400, "invalid_grant", "authorization_code not found")
    if code.developer_key_id != key.id:
        return oauth_error(400, "invalid_grant", "incorrect client")
    # A code_verifier selects Canvas's PKCE grant, which needs the challenge kept with the code (1.6): a
    # verifier for a code without one fails too. A challenge without a verifier is refused (section 11).
    verifier = param(values, "code_verifier")
    if (code.code_challenge is not None or verifier) and not (
        verifier and code.code_challenge is not None and _pkce_ok(code.code_challenge, verifier)
    ):
        return oauth_error(400, "invalid_grant", "The code verifier does not match the code challenge")
    user = state.users[code.user_id]
    issued = state.issue_token(user, key, code.scopes, code.purpose)
    if truthy(param(values, "replace_tokens")):
        state.replace_other_tokens(issued)
    return json_response(_token_body(request, issued.token, issued.refresh_token, user.id, issued.expires_at))


def _token_body(
    request: web.Request, access: str, refresh: str | None, user_id: int, expires_at: float | None
) -> dict[str, object]:
    sandbox = ctx(request)
    user = sandbox.state.users[user_id].brief()
    body: dict[str, object] = {"access_token": access, "token_type": "Bearer", "user": user}
    if sandbox.scenario.canvas.legacy_token_response:
        user.pop("fake_student", None)
    else:
        body["canvas_region"] = "us-east-1"
    if refresh:
        body["refresh_token"] = refresh
    if expires_at is not None:
        body["expires_in"] = max(0, int(expires_at - time.time()))
    return body


def bearer_token(request: web.Request) -> str | None:
    """The access token of a request: `Authorization: Bearer` or an `access_token` parameter."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.query.get("access_token") or None


async def revoke(request: web.Request) -> web.StreamResponse:
    """`DELETE /login/oauth2/token`: revoke the presented token; 200 `{}`."""
    values = await params(request)
    given = bearer_token(request) or param(values, "access_token")
    if not given:
        return json_response({"message": "can't delete OAuth access token when not using an OAuth access token"}, 400)
    found = ctx(request).state.by_token.get(given)
    if found is None or not found.is_live(time.time()):
        return api_error(401, "Invalid access token.", {"WWW-Authenticate": WWW_BEARER})
    found.workflow_state = "revoked"
    return json_response({})
