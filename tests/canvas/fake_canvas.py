"""A small Canvas for httpx.MockTransport unit tests: just the answers the engine reads, per docs/canvas.md.

The integration tests use the real simulated Canvas over sockets; this fake lets the unit tests set up the
odd cases (older releases, throttling sequences, HTML from a proxy) in a line each, with no server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

import httpx

from ally_wizard.canvas.client import CanvasClient
from ally_wizard.recipe import default_recipe

OOB = "urn:ietf:wg:oauth:2.0:oob"
BASE = "https://canvas.example.edu"
KEY_ID = "170000000000123"
SECRET = "s" * 60 + "CRET"
REDIRECT = "https://prod.ally.ac/api/v2/1234/auth/canvas/callback"
ClientFactory = Callable[..., CanvasClient]
INVALID_SCOPE = "A requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner."


def english_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


def scope_regex(scope: str) -> tuple[str, re.Pattern[str]]:
    verb, path = scope[len("url:") :].split("|", 1)
    body = re.sub(r":[a-z_]+", "[^/]+", path)
    return verb, re.compile(f"^{body}(?:\\.[^/]+|)$")


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, headers={"content-type": "application/json", **(headers or {})}, content=json.dumps(body).encode()
    )


@dataclass
class FakeCanvas:
    """One key, one admin, one course; `style` picks the authorize answers of a Canvas era."""

    key_exists: bool = True
    redirect_uris: tuple[str, ...] = (REDIRECT,)
    enforce: bool = True
    scopes: set[str] = field(default_factory=lambda: set(default_recipe().scope_strings))
    binding_on: bool = True
    allow_includes: bool = True
    secret: str = SECRET
    courses: int = 1
    style: str = "current"  # "current", "2019" (400 JSON, no list), "later" (no list, no state)
    while_prefix: bool = False
    before: Callable[[httpx.Request], httpx.Response | None] | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # code -> challenge
    tokens: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.before is not None:
            early = self.before(request)
            if early is not None:
                return early
        path = request.url.path
        if path == "/login/oauth2/auth":
            return self.authorize(request)
        if path == "/login/oauth2/token" and request.method == "POST":
            return self.token(request)
        if path == "/login/oauth2/token" and request.method == "DELETE":
            return self.revoke(request)
        if path.startswith("/api/v1/"):
            return self.api(request)
        return httpx.Response(404, text="<html><title>Page Not Found</title></html>")

    # -- OAuth ------------------------------------------------------------------------------------------

    def _redirect(self, redirect_uri: str, params: dict[str, str]) -> httpx.Response:
        query = urlencode(sorted((k, v) for k, v in params.items() if v))
        target = (
            f"{BASE}/login/oauth2/auth?{query}"
            if redirect_uri == OOB
            else (f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}")
        )
        return httpx.Response(302, headers={"location": target})

    def authorize(self, request: httpx.Request) -> httpx.Response:
        q = dict(request.url.params)
        if q.get("client_id") != KEY_ID or not self.key_exists:
            return _json(
                401,
                {"error": "invalid_client", "error_description": "unknown client"},
                {"www-authenticate": "Canvas OAuth 2.0"},
            )
        redirect_uri = q.get("redirect_uri", "")
        if redirect_uri != OOB and redirect_uri not in self.redirect_uris:
            return _json(
                400, {"error": "invalid_request", "error_description": "redirect_uri does not match client settings"}
            )
        state = q.get("state", "")
        asked = q.get("scope", "").split()
        if self.enforce:
            missing = [s for s in asked if s not in self.scopes]
            if not asked or missing:
                if self.style == "2019" or (self.style == "later" and redirect_uri == OOB):
                    return _json(400, {"error": "invalid_scope", "error_description": INVALID_SCOPE})
                if self.style == "later":
                    return self._redirect(redirect_uri, {"error": "invalid_scope", "error_description": INVALID_SCOPE})
                description = (
                    f"{INVALID_SCOPE} The following scopes were requested, but not granted: {english_list(missing)}"
                )
                return self._redirect(
                    redirect_uri, {"error": "invalid_scope", "error_description": description, "state": state}
                )
        if not self.binding_on:
            return self._redirect(
                redirect_uri,
                {
                    "error": "unauthorized_client",
                    "error_description": "Client does not have access to the specified Canvas account.",
                    "state": state,
                },
            )
        if q.get("prompt") == "none":
            return self._redirect(
                redirect_uri,
                {
                    "error": "login_required",
                    "error_description": "prompt=none but there is no current session",
                    "state": state,
                },
            )
        return httpx.Response(302, headers={"location": f"{BASE}/login/canvas"})

    def issue_code(self, challenge: str) -> str:
        code = secrets.token_hex(64)
        self.codes[code] = challenge
        return code

    def token(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        if form.get("client_id") != KEY_ID or not self.key_exists:
            return _json(401, {"error": "invalid_client", "error_description": "unknown client"})
        if form.get("client_secret") != self.secret:
            return _json(401, {"error": "invalid_client", "error_description": "invalid client"})
        code = form.get("code", "")
        challenge = self.codes.pop(code, None)
        if challenge is None:
            return _json(400, {"error": "invalid_grant", "error_description": "authorization_code not found"})
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if digest != challenge:
            return _json(400, {"error": "invalid_grant"})
        token = "1~" + secrets.token_hex(32)
        self.tokens.add(token)
        return _json(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "user": {"id": 1, "name": "Ada Admin", "global_id": "10000000000001"},
                "refresh_token": "1~" + secrets.token_hex(32),
                "expires_in": 3599,
            },
        )

    def _bearer(self, request: httpx.Request) -> str:
        header: str = request.headers.get("authorization", "")
        return header.removeprefix("Bearer ")

    def revoke(self, request: httpx.Request) -> httpx.Response:
        token = self._bearer(request)
        if token not in self.tokens:
            return _json(400, {"message": "can't delete OAuth access token when not using an OAuth access token"})
        self.tokens.discard(token)
        self.revoked.add(token)
        return _json(200, {})

    # -- API --------------------------------------------------------------------------------------------

    def api(self, request: httpx.Request) -> httpx.Response:
        token = self._bearer(request)
        if token in self.revoked:
            return _json(401, {"errors": [{"message": "Revoked access token."}]})
        if token not in self.tokens or not self.binding_on:
            return _json(401, {"errors": [{"message": "Invalid access token."}]})
        path = request.url.path
        if self.enforce:
            allowed = any(
                verb == request.method and pattern.match(path) for verb, pattern in map(scope_regex, self.scopes)
            )
            if not allowed:
                return _json(401, {"errors": [{"message": "Insufficient scopes on access token."}]})
        if path == "/api/v1/users/self":
            return self._body(200, {"id": 1, "name": "Ada Admin"})
        if path == "/api/v1/accounts/self":
            return self._body(200, {"id": 1, "name": "Example University", "root_account_id": None})
        if path in ("/api/v1/accounts", "/api/v1/accounts/self/sub_accounts", "/api/v1/accounts/self/terms"):
            return self._body(200, [{"id": 2, "name": "Something"}])
        if path == "/api/v1/accounts/self/courses":
            includes = request.url.params.get_list("include[]")
            if self.enforce and not self.allow_includes:
                includes = [item for item in includes if item == "uuid"]
            courses = [{"id": n + 1, "name": f"Course {n + 1}", "uuid": "u"} for n in range(self.courses)]
            if "term" in includes:
                for course in courses:
                    course["term"] = {"id": 1, "name": "Default Term"}
            return self._body(200, courses[:1])
        if path.startswith("/api/v1/media_objects/"):
            return _json(
                401, {"status": "unauthorized", "errors": [{"message": "user not authorized to perform that action"}]}
            )
        return _json(404, {"errors": [{"message": "The specified resource does not exist."}]})

    def _body(self, status: int, data: object) -> httpx.Response:
        text = json.dumps(data)
        if self.while_prefix:
            text = "while(1);" + text
        return httpx.Response(status, headers={"content-type": "application/json"}, content=text.encode())


class NoSleep:
    """An injectable sleep that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
