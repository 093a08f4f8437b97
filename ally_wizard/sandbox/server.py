"""The simulated Canvas as an aiohttp application, and the two ways to run it: `Sandbox` in the
caller's event loop and `RunningSandbox` in a background thread with its own loop.

One middleware does what Canvas does around every controller, in Canvas's order: latency and
gateway faults (outside Canvas), routing, the throttle per token, loading the token (its key's
binding, expiry, revocation), the scope check on method and path, includes filtering, and recording.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import api, devkeys, oauth, pages, practice
from ally_wizard.sandbox.catalogue import scopes_allow
from ally_wizard.sandbox.faults import BAD_GATEWAY, GATEWAY_TIMEOUT, FaultPlan
from ally_wizard.sandbox.http import (
    AUTH,
    CTX,
    PARAMS,
    WWW_BEARER,
    Auth,
    Ctx,
    CtxHolder,
    MalformedRequest,
    api_error,
    ctx,
    json_response,
    malformed_request,
    not_found,
    params,
    serve_on_loopback,
)
from ally_wizard.sandbox.recorder import RecordedRequest, record
from ally_wizard.sandbox.records import AccessToken, iso
from ally_wizard.sandbox.scenario import Scenario, load_scenario
from ally_wizard.sandbox.state import ADMIN_LOGIN, PRACTICE_PASSWORD, CanvasState
from ally_wizard.sandbox.throttle import Throttle
from ally_wizard.sandbox.vanity import RedirectingListener

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")
log = logging.getLogger("ally_wizard.sandbox")
TOKEN_PATH = "/login/oauth2/token"
GATE_LOGIN_PATH = "/cas/login"  # where a gate in front of Canvas sends everyone (another host's login)


def new_context(scenario: Scenario) -> Ctx:
    """A freshly seeded Canvas for this scenario."""
    return Ctx(
        state=CanvasState(scenario),
        scenario=scenario,
        throttle=Throttle(scenario.throttle),
        faults=FaultPlan(scenario.faults),
    )


def _invalid_token() -> web.Response:
    return api_error(401, "Invalid access token.", {"WWW-Authenticate": WWW_BEARER})


async def _authenticated(request: web.Request, handler: Handler, given: str) -> web.StreamResponse:
    """Load the user from the token (4.5), then the scope check (4.1-4.3), then the handler."""
    sandbox = ctx(request)
    state = sandbox.state
    token: AccessToken | None = state.by_token.get(given)
    if token is None or token.workflow_state == "deleted":
        return _invalid_token()
    if token.workflow_state == "revoked":
        return api_error(401, "Revoked access token.", {"WWW-Authenticate": WWW_BEARER})
    if token.expires_at is not None and token.expires_at <= time.time():
        if sandbox.scenario.canvas.legacy_expired_token:
            return _invalid_token()
        return api_error(
            401, "Expired access token.", {"WWW-Authenticate": WWW_BEARER}, expired_at=iso(token.expires_at)
        )
    key = None
    if token.developer_key_id is not None:
        key = state.keys.get(token.developer_key_id)
        if key is None or not state.key_usable(key):
            return _invalid_token()
    scoped = key is not None and key.require_scopes
    if scoped and not scopes_allow(token.scopes, request.method, request.path):
        return api_error(401, "Insufficient scopes on access token.")
    request[AUTH] = Auth(
        user=state.users[token.user_id],
        token=token,
        key=key,
        filter_includes=bool(scoped and key is not None and not key.allow_includes),
        scoped=scoped,
    )
    return await handler(request)


async def _throttled(
    request: web.Request, given: str, inner: Callable[[], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Canvas's leaky bucket around a token-authenticated request, with its two headers."""
    sandbox = ctx(request)
    throttle = sandbox.throttle
    if not throttle.reserve(given):
        status = throttle.settings.status
        text = (
            "403 Forbidden (Rate Limit Exceeded)\n"
            if status == 403
            else "429 Too Many Requests (Rate Limit Exceeded)\n"
        )
        return web.Response(
            text=text, status=status, content_type="text/plain", headers={"X-Rate-Limit-Remaining": "0.0"}
        )
    started = time.perf_counter()
    response: web.StreamResponse | None = None
    try:
        response = await inner()
    finally:
        extra = sandbox.scenario.canvas.token_endpoint_extra_cost if request.path == TOKEN_PATH else 0.0
        cost, remaining = throttle.settle(given, time.perf_counter() - started, extra)
        if response is not None:
            response.headers["X-Request-Cost"] = repr(round(cost, 6))
            response.headers["X-Rate-Limit-Remaining"] = repr(round(remaining, 6))
    return response


def _authorization_kind(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    kind = header.split(" ", 1)[0].capitalize()
    return kind if kind in ("Bearer", "Basic") else None


@web.middleware
async def canvas_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Latency, faults, routing, throttle, authentication, scope check and recording (module doc)."""
    sandbox = ctx(request)
    path = request.path
    is_api = path.startswith("/api/")
    status = 500
    try:
        if request.method not in ("GET", "HEAD"):
            await params(request)
        if sandbox.scenario.latency_ms:
            await asyncio.sleep(sandbox.scenario.latency_ms / 1000)
        response = await _dispatch(request, handler, sandbox, path, is_api)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except MalformedRequest:
        status = 400
        return malformed_request()
    except Exception as exc:  # Canvas answers its own failures with JSON, never a traceback
        log.warning("simulated Canvas: %s on %s %s", type(exc).__name__, request.method, path)
        status = 500
        return api_error(500, "An error occurred.")
    finally:
        form = request.get(PARAMS) or {}
        query_keys = set(request.query.keys())
        body = {k: v for k, v in form.items() if k not in query_keys}
        sandbox.requests.append(
            record(request.method, path, list(request.query.items()), body, status, _authorization_kind(request))
        )


async def _dispatch(
    request: web.Request, handler: Handler, sandbox: Ctx, path: str, is_api: bool
) -> web.StreamResponse:
    if (is_api or path == TOKEN_PATH) and sandbox.scenario.faults.rate > 0:
        fault = sandbox.faults.next(f"{request.method} {request.path_qs}")
        if fault == "502":
            return web.Response(text=BAD_GATEWAY, status=502, content_type="text/html")
        if fault == "stall":
            await asyncio.sleep(sandbox.scenario.faults.stall_seconds)
            return web.Response(text=GATEWAY_TIMEOUT, status=504, content_type="text/html")
    if is_api and request.match_info.http_exception is not None:
        return not_found()
    given = oauth.bearer_token(request)
    if is_api:
        if not given:
            return json_response(
                {"status": "unauthenticated", "errors": [{"message": "user authorization required"}]},
                401,
                {"WWW-Authenticate": WWW_BEARER},
            )
        response = await _throttled(request, given, lambda: _authenticated(request, handler, given))
        if (
            sandbox.scenario.canvas.json_prefix
            and request.method == "GET"
            and isinstance(response, web.Response)
            and response.content_type == "application/json"
            and response.body is not None
        ):
            body = response.body
            response.body = b"while(1);" + (body if isinstance(body, bytes) else str(body).encode())
        return response
    if given and path == TOKEN_PATH:
        return await _throttled(request, given, lambda: handler(request))
    return await handler(request)


async def home(request: web.Request) -> web.StreamResponse:
    """`GET /`: a short page pointing at the login and the practice Developer Keys page."""
    scenario = ctx(request).scenario
    body = (
        f"<h1>Simulated Canvas</h1><p>Scenario: <strong>{scenario.name}</strong>: {scenario.goal}</p>"
        '<p><a href="/login/canvas">Log in</a> · <a href="/accounts/1/developer_keys">Developer Keys</a></p>'
    )
    return web.Response(text=pages.page("Simulated Canvas", body), content_type="text/html")


async def theme_js(request: web.Request) -> web.StreamResponse:
    """The theme's custom JavaScript: `ALLY_CFG` for the scenario's Ally setup (or another in `mismatch`)."""
    scenario = ctx(request).scenario
    if scenario.instance.theme == "none":
        return web.Response(status=404, text="Not Found", content_type="text/plain")
    environment, client_id = scenario.ally_environment, scenario.ally_client_id
    if scenario.instance.theme == "mismatch":
        environment = "eu" if environment != "eu" else "us"
        client_id = "1164" if client_id != "1164" else "1165"
    host = default_recipe().environment(environment).host
    return web.Response(text=pages.theme_js(f"https://{host}", client_id), content_type="application/javascript")


def build_app(holder: CtxHolder) -> web.Application:
    """The aiohttp application serving one simulated Canvas."""
    app = web.Application(middlewares=[canvas_middleware], client_max_size=8 * 1024 * 1024)
    app[CTX] = holder
    app.router.add_get("/", home)
    app.router.add_get(pages.THEME_JS_PATH, theme_js)
    app.router.add_get("/login/oauth2/auth", oauth.authorize)
    app.router.add_get("/login/oauth2/confirm", oauth.confirm)
    app.router.add_post("/login/oauth2/accept", oauth.accept)
    app.router.add_get("/login/oauth2/deny", oauth.deny)
    app.router.add_post(TOKEN_PATH, oauth.token)
    app.router.add_delete(TOKEN_PATH, oauth.revoke)
    app.router.add_get("/login", oauth.login_redirect)
    app.router.add_get("/login/canvas", oauth.login_form)
    app.router.add_post("/login/canvas", oauth.login_submit)
    app.router.add_route("*", "/logout", oauth.logout)
    api.add_routes(app)
    devkeys.add_routes(app)
    practice.add_routes(app)
    return app


def resolve_scenario(scenario: str | Scenario, latency_ms: int | None) -> Scenario:
    """A Scenario from a name or an object, with the latency override applied."""
    found = load_scenario(scenario) if isinstance(scenario, str) else scenario
    return found.with_latency(latency_ms)


@dataclass(frozen=True, slots=True)
class LiveToken:
    """A token that still works, as tests see it (the token string itself is kept out)."""

    id: int
    user_id: int
    developer_key_id: int | None
    scopes: tuple[str, ...]
    purpose: str
    expires_at: float | None


class _SandboxFacts(ABC):
    """What callers read of a simulated Canvas, written once for both ways to run it.

    Records are read through `_read`: `Sandbox` reads them in place (the caller shares its loop), and
    `RunningSandbox` reads them on the sandbox's own loop, so a reader never sees a half-made update.
    The scenario's own values never change while it plays, so they are read in place by both.
    """

    admin_username = ADMIN_LOGIN
    admin_password = PRACTICE_PASSWORD

    @abstractmethod
    def _read(self, read: Callable[[Sandbox], T]) -> T:
        """`read(sandbox)`, where it is safe to read the records."""

    @property
    @abstractmethod
    def scenario(self) -> Scenario:
        """The scenario being played."""

    @property
    def admin_token(self) -> str:
        """An unscoped token of the admin, for the Developer Keys API."""
        return self._read(lambda sandbox: sandbox.state.handout.admin_token)

    @property
    def non_admin_token(self) -> str:
        """An unscoped token of a teacher, who may not manage developer keys."""
        return self._read(lambda sandbox: sandbox.state.handout.non_admin_token)

    @property
    def key_id(self) -> str:
        """The developer key ID handed to the admin (a non-existent one in `unknown-key`)."""
        return self._read(lambda sandbox: sandbox.state.handout.key_id)

    @property
    def key_secret(self) -> str:
        """The secret handed to the admin (not the key's in `wrong-secret`)."""
        return self._read(lambda sandbox: sandbox.state.handout.key_secret)

    @property
    def ally_environment(self) -> str:
        """The Ally environment the key was made for."""
        return self.scenario.ally_environment

    @property
    def ally_client_id(self) -> str:
        """The Ally Client ID the key was made for."""
        return self.scenario.ally_client_id

    @property
    def vanity_url(self) -> str:
        """The address that only redirects here (301, path kept), or "" when none is running."""
        return self._read(lambda sandbox: sandbox._vanity.base_url if sandbox._vanity else "")

    @property
    def canvas_url(self) -> str:
        """The Canvas address the admin knows and types: the redirecting one when there is one."""
        return self._read(lambda sandbox: sandbox._vanity.base_url if sandbox._vanity else sandbox.base_url)

    @property
    def vanity_requests(self) -> list[RecordedRequest]:
        """What the redirecting address received (redacted), oldest first; [] when none is running."""
        return self._read(lambda sandbox: sandbox._vanity.requests if sandbox._vanity else [])

    def vanity_received(self, text: str) -> bool:
        """Whether the redirecting address was ever sent `text` (in any part of any request): a test's
        proof that no secret, code or token went to a host other than Canvas's own."""
        return self._read(lambda sandbox: bool(sandbox._vanity and sandbox._vanity.received(text)))

    @property
    def gate_url(self) -> str:
        """An address gated by a login on another host (SSO, captive portal), or "" when none runs."""
        return self._read(lambda sandbox: sandbox._gate.base_url if sandbox._gate else "")

    def gate_received(self, text: str) -> bool:
        """Whether the gated address was ever sent `text` (as `vanity_received`)."""
        return self._read(lambda sandbox: bool(sandbox._gate and sandbox._gate.received(text)))

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far."""
        return self._read(lambda sandbox: list(sandbox._ctx.requests))

    def clear_requests(self) -> None:
        """Forget the requests recorded so far."""
        self._read(lambda sandbox: sandbox._ctx.requests.clear())

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of Canvas's records (no tokens), comparable with `==`."""
        return self._read(lambda sandbox: sandbox.state.snapshot())

    def live_tokens(self) -> list[LiveToken]:
        """The tokens that still work (not revoked, deleted or expired), the admin's own included."""
        return self._read(
            lambda sandbox: [
                LiveToken(t.id, t.user_id, t.developer_key_id, t.scopes, t.purpose, t.expires_at)
                for t in sandbox.state.live_tokens()
            ]
        )


class Sandbox(_SandboxFacts):
    """A simulated Canvas on loopback, run in the caller's event loop (`async with`).

    With `vanity=True` (the default for a scenario with `vanity_redirect`), a second listener stands
    for the institution's own address, answering every request with a 301 to this one (`vanity.py`).
    With `gate=True`, another listener (`gate_url`) sends every request to a login on another host.
    """

    def __init__(
        self,
        scenario: str | Scenario = "ready",
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: int | None = None,
        vanity: bool | None = None,
        sock: socket.socket | None = None,
        gate: bool = False,
    ) -> None:
        self._latency_override = latency_ms
        self._want_gate = gate
        self._gate: RedirectingListener | None = None
        self._holder = CtxHolder(new_context(resolve_scenario(scenario, latency_ms)))
        self._host = host
        self._port = port
        self._sock = sock  # a socket already listening (its address was needed before aiohttp was loaded)
        self._runner: web.AppRunner | None = None
        self._want_vanity = vanity
        self._vanity: RedirectingListener | None = None
        self.base_url = ""

    @property
    def _ctx(self) -> Ctx:
        return self._holder.current

    def _read(self, read: Callable[[Sandbox], T]) -> T:
        return read(self)

    async def start(self) -> None:
        """Bind and serve; `base_url` is set once the port is known."""
        self._runner, self.base_url = await serve_on_loopback(
            build_app(self._holder), self._host, self._port, self._sock
        )
        await self._start_vanity_if_wanted()
        if self._want_gate:
            self._gate = RedirectingListener(self.base_url, self._host, gate_path=GATE_LOGIN_PATH)
            await self._gate.start()

    async def _start_vanity_if_wanted(self) -> None:
        wanted = self._want_vanity if self._want_vanity is not None else self._ctx.scenario.vanity_redirect
        if wanted and self._vanity is None and self._runner is not None:
            listener = RedirectingListener(self.base_url, self._host)
            await listener.start()
            self._vanity = listener

    async def stop(self) -> None:
        """Stop serving and release the ports."""
        if self._gate is not None:
            await self._gate.stop()
            self._gate = None
        if self._vanity is not None:
            await self._vanity.stop()
            self._vanity = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def reset(self, scenario: str | Scenario | None = None, latency_ms: int | None = None) -> None:
        """Re-seed everything (same port), for this scenario or the current one."""
        chosen = scenario if scenario is not None else self._ctx.scenario.name
        latency = latency_ms if latency_ms is not None else self._latency_override
        self._holder.current = new_context(resolve_scenario(chosen, latency))
        if self._vanity is not None:
            self._vanity.clear()
        await self._start_vanity_if_wanted()  # a redirecting address, once started, stays until stop

    @property
    def scenario(self) -> Scenario:
        """The scenario being played."""
        return self._ctx.scenario

    @property
    def state(self) -> CanvasState:
        """The live records (for the sandbox's own tests; others use `snapshot`)."""
        return self._ctx.state


class RunningSandbox(_SandboxFacts):
    """A `Sandbox` in a background thread with its own event loop, for synchronous callers.

    Every read goes through the sandbox's loop, so a test never sees a half-made update.
    """

    def __init__(
        self,
        scenario: str | Scenario = "ready",
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: int | None = None,
        vanity: bool | None = None,
        sock: socket.socket | None = None,
        gate: bool = False,
    ) -> None:
        self._sandbox = Sandbox(scenario, host, port, latency_ms, vanity, sock, gate)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self) -> RunningSandbox:
        """Start the thread and wait until the sandbox listens."""
        self._thread = threading.Thread(target=self._run, name="canvas-sandbox", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=30)
        if self._error is not None:
            raise self._error
        if not self._ready.is_set():
            raise RuntimeError("The simulated Canvas did not start within 30 seconds.")
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._sandbox.start())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._sandbox.stop())
            loop.close()

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)

    def __enter__(self) -> RunningSandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _on_loop(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run `work()` on the sandbox's loop and wait for its result (30 s at the most)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("The simulated Canvas is not running; call start() first.")
        return asyncio.run_coroutine_threadsafe(work(), loop).result(timeout=30)

    def _read(self, read: Callable[[Sandbox], T]) -> T:
        async def inside() -> T:
            return read(self._sandbox)

        return self._on_loop(inside)

    def reset(self, scenario: str | Scenario | None = None, latency_ms: int | None = None) -> None:
        """Re-seed everything for this scenario (same port)."""
        self._on_loop(lambda: self._sandbox.reset(scenario, latency_ms))

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return self._sandbox.base_url

    @property
    def scenario(self) -> Scenario:
        """The scenario being played."""
        return self._sandbox.scenario

    def run(self, func: Callable[[Sandbox], T]) -> T:
        """Run `func(sandbox)` on the sandbox's loop (for tests that inspect or change records)."""
        return self._read(func)
