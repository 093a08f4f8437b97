"""The web server behind `ally-wizard serve`: textual-serve's, with a guard in front and a clean stop.

textual-serve starts a wizard for every WebSocket that reaches `/ws`, and its pages answer any `Host`. A
loopback address does not protect against the admin's own browser: any web page it opens can connect to
`ws://127.0.0.1:8000/ws` (a WebSocket is not bound by the same-origin policy), and a name that resolves to
127.0.0.1 (DNS rebinding) reaches the pages. So every request passes `GuardedServer.guard`, which refuses
with 403 unless

- `Host` names the address served (the bind address and port, or `--public-url`'s host and port);
- `Origin`, when the browser sends one (it always does for a WebSocket), is one of those same addresses;
- the browser holds the session token: printed at start inside the address to open (as Jupyter does),
  turned into a cookie (`HttpOnly`, `SameSite=Strict`) by the first page load, which then redirects to
  the address without it. Another page cannot read the cookie, and a cross-site request does not carry it.

Stopping: SIGINT, SIGTERM and SIGHUP end the server the same way, within about 2 seconds even with tabs
connected. Each tab's wizard runs in a process group of its own (no shell in between), is asked to quit,
then terminated, then killed, so no tab process outlives the server. (Windows has no process groups or
these signals: Ctrl+C stops the server, and each tab's wizard ends when its input pipe closes.)
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import secrets
import signal
import sys
from asyncio.subprocess import Process
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("ally-wizard.serve")

TOKEN_PARAM = "token"
# A tab is asked to quit, then terminated, then killed: together well inside the 2 seconds a stop may take.
QUIT_GRACE = 0.5
TERM_GRACE = 0.4
_DEFAULT_PORTS = {"http": 80, "https": 443}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _host_and_port(netloc: str, scheme: str) -> tuple[str, int] | None:
    """`("host", port)` from a Host header or a URL's netloc, lower case; None when it cannot be read."""
    try:
        parts = urlsplit(f"//{netloc}")
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or parts.username is not None or parts.password is not None:
        return None
    return host, port if port is not None else _DEFAULT_PORTS.get(scheme, 80)


class TabService(AppService):
    """One tab's wizard: started without a shell, in a process group of its own, so it can be ended whole."""

    def __init__(self, argv: Sequence[str], tabs: set[TabService], **options: Any) -> None:
        import shlex

        super().__init__(shlex.join(argv), **options)
        self.argv = list(argv)
        self.tabs = tabs
        self.process: Process | None = None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        # textual-serve's hook for starting the app (its own version goes through `sh -c`, whose child
        # outlives a terminated shell); the attributes set here are the ones its `run` reads.
        process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
        )
        assert process.stdin is not None
        self._process = self.process = process
        self._stdin = process.stdin
        self.tabs.add(self)
        return process

    def signal_group(self, signum: int) -> None:
        """Send `signum` to the tab's whole process group (the wizard and anything it started, which may
        outlive it: the group keeps the wizard's process id while any member is left)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if sys.platform == "win32":  # pragma: no cover - no process groups
                self.process.kill()
            else:
                os.killpg(self.process.pid, signum)

    async def wait_ended(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the wizard to exit; True when it has."""
        if self.process is None:
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), timeout)
        return self.process.returncode is not None


class GuardedServer(Server):
    """textual-serve's `Server` with the Host/Origin/token guard, quiet logs and a stop that ends every tab."""

    def __init__(self, argv: Sequence[str], *, host: str, port: int, title: str, public_url: str | None) -> None:
        import shlex

        super().__init__(shlex.join(argv), host=host, port=port, title=title, public_url=public_url)
        self.argv = list(argv)
        self.token = secrets.token_urlsafe(32)
        self.cookie_name = f"ally-wizard-session-{port}"  # cookies ignore ports: one name per server
        self.tabs: set[TabService] = set()
        public = urlsplit(self.public_url)
        self.scheme = public.scheme or "http"
        bound = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        addresses = ((bound, "http"), (public.netloc, self.scheme))
        self.allowed = {found for netloc, scheme in addresses if (found := _host_and_port(netloc, scheme))}
        self.ready = asyncio.Event()

    @property
    def open_url(self) -> str:
        """The address to open in a browser: the served page with the session token."""
        return f"{self.public_url.rstrip('/')}/?{urlencode({TOKEN_PARAM: self.token})}"

    # -- textual-serve's hooks ------------------------------------------------------------------------

    def initialize_logging(self) -> None:
        """Warnings only, one line each: textual-serve's own setup prints tracebacks with local variables."""
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("textual-serve").setLevel(logging.ERROR)
        logging.getLogger("aiohttp.access").setLevel(logging.ERROR)

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: textual-serve prints its logo here; the address is printed once the port is listening."""

    async def _make_app(self) -> web.Application:
        app: web.Application = await super()._make_app()
        app.middlewares.append(self.guard)
        return app

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's WebSocket handler, with each tab's wizard started by `TabService`."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        service: TabService | None = None
        try:
            await websocket.prepare(request)
            service = TabService(
                self.argv,
                self.tabs,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a broken tab must not stop the server; one line, no traceback
            log.warning("a tab ended with an error: %s", type(error).__name__)
        finally:
            if service is not None:
                await self._end(service)
        return websocket

    # -- the guard ------------------------------------------------------------------------------------

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """403 unless Host, Origin and the session token are this server's (see the module docstring)."""
        host = _host_and_port(request.host, self.scheme)
        if host is None or host not in self.allowed:
            return _forbidden("this server does not answer to that host name")
        origin = request.headers.get("Origin")
        if origin is not None:
            parts = urlsplit(origin)
            # One of this server's own addresses (not necessarily the Host: a proxy may rewrite that).
            if parts.scheme not in _DEFAULT_PORTS or _host_and_port(parts.netloc, parts.scheme) not in self.allowed:
                return _forbidden("requests from other web sites are refused")
        offered = request.query.get(TOKEN_PARAM)
        if offered is not None and self._is_token(offered):
            if request.method == "GET" and request.path == "/":
                # Keep the token out of the address bar (and of bookmarks and history): set it as a cookie.
                rest = [(key, value) for key, value in request.query.items() if key != TOKEN_PARAM]
                response = web.Response(status=303, headers={"Location": "/" + (f"?{urlencode(rest)}" if rest else "")})
                response.set_cookie(
                    self.cookie_name,
                    self.token,
                    httponly=True,
                    samesite="Strict",
                    secure=self.scheme == "https",
                    path="/",
                )
                return response
            return await handler(request)
        if self._is_token(request.cookies.get(self.cookie_name, "")):
            return await handler(request)
        return _forbidden("open the address `ally-wizard serve` printed, which holds the session token")

    def _is_token(self, offered: str) -> bool:
        return hmac.compare_digest(offered.encode("utf-8", "replace"), self.token.encode())

    # -- serving and stopping -------------------------------------------------------------------------

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT, SIGTERM or SIGHUP (Ctrl+C on Windows), then end every tab and return."""
        self.debug = debug
        self.initialize_logging()
        asyncio.run(self.serve_until_stopped())

    async def serve_until_stopped(self, stop: asyncio.Event | None = None) -> None:
        """Serve until `stop` is set or a stopping signal arrives; every tab is ended before returning."""
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        signals = [signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
        installed = []
        for signum in signals:
            try:
                loop.add_signal_handler(signum, stop.set)
            except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
                continue
            installed.append(signum)
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log=None, shutdown_timeout=0.3)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            print(f"Open this address in a browser (it holds this session's token): {self.open_url}", flush=True)
            print("Press Ctrl+C to stop.", flush=True)
            self.ready.set()
            await stop.wait()
        finally:
            await self.end_tabs()
            await runner.cleanup()
            for signum in installed:
                loop.remove_signal_handler(signum)

    async def end_tabs(self) -> None:
        """Ask every tab's wizard to quit; terminate, then kill, the process groups that do not."""
        tabs = list(self.tabs)
        await asyncio.gather(*(self._end(tab) for tab in tabs), return_exceptions=True)

    async def _end(self, tab: TabService) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(tab.send_meta({"type": "quit"}), QUIT_GRACE)
        if not await tab.wait_ended(QUIT_GRACE):
            tab.signal_group(signal.SIGTERM)
            if not await tab.wait_ended(TERM_GRACE):
                tab.signal_group(getattr(signal, "SIGKILL", signal.SIGTERM))
                await tab.wait_ended(TERM_GRACE)
        else:
            tab.signal_group(signal.SIGTERM)  # anything the wizard started and left behind in its group
        with contextlib.suppress(Exception):
            await asyncio.wait_for(tab.stop(), TERM_GRACE)
        self.tabs.discard(tab)


def _forbidden(reason: str) -> web.Response:
    return web.Response(status=403, text=f"Forbidden: {reason}.\n", content_type="text/plain")
