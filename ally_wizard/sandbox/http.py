"""Small HTTP helpers shared by the simulated Canvas's handlers: Canvas's error bodies, request
parameters in every form Canvas accepts, and pagination with `Link` headers.
"""

from __future__ import annotations

import functools
import json
import socket
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from ally_wizard.sandbox.faults import FaultPlan
from ally_wizard.sandbox.recorder import RecordedRequest
from ally_wizard.sandbox.records import AccessToken, DeveloperKey, User
from ally_wizard.sandbox.scenario import Scenario
from ally_wizard.sandbox.state import CanvasState
from ally_wizard.sandbox.throttle import Throttle

NOT_FOUND = "The specified resource does not exist."
UNAUTHORIZED = "user not authorized to perform that action"
WWW_BEARER = 'Bearer realm="canvas-lms"'
WWW_OAUTH = "Canvas OAuth 2.0"
_JSON_TYPE = "application/json"
# The request log keeps the latest requests only (a ring buffer): a sandbox serving a long training day,
# or a fuzzer, must not grow without bound. Tests read far fewer than this.
REQUEST_LOG_MAX = 5000

Values = dict[str, list[str]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Found = TypeVar("Found")
RecordHandler = Callable[[web.Request, Found, Values], Awaitable[web.StreamResponse]]


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A compact JSON response, as Canvas sends them."""
    return web.Response(text=_dumps(data), status=status, headers=headers, content_type=_JSON_TYPE, charset="utf-8")


def api_error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> web.Response:
    """`{"errors":[{"message": ...}]}` with any extra fields inside the error object."""
    return json_response({"errors": [{"message": message, **extra}]}, status, headers)


def not_found() -> web.Response:
    """Canvas's 404 for a record that does not exist."""
    return api_error(404, NOT_FOUND)


def unauthorized() -> web.Response:
    """An authenticated user without the permission (401, as without `api_auth_error_updates`)."""
    return json_response({"status": "unauthorized", "errors": [{"message": UNAUTHORIZED}]}, 401)


def oauth_error(status: int, error: str, description: str, www: bool = False) -> web.Response:
    """`{"error": ..., "error_description": ...}`, with `WWW-Authenticate` for client errors."""
    headers = {"WWW-Authenticate": WWW_OAUTH} if www else None
    return json_response({"error": error, "error_description": description}, status, headers)


@dataclass
class Auth:
    """Who is calling the API: the token's user, the token, and its developer key (None: user-made)."""

    user: User
    token: AccessToken
    key: DeveloperKey | None
    filter_includes: bool = False
    scoped: bool = False


@dataclass
class Ctx:
    """Everything the handlers share: the state, the scenario, throttle, faults and the request log (the
    latest `REQUEST_LOG_MAX` requests).

    `Sandbox.reset` swaps the whole object, so a reset never leaves half of the old instance behind.
    """

    state: CanvasState
    scenario: Scenario
    throttle: Throttle
    faults: FaultPlan
    requests: deque[RecordedRequest] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_MAX))
    extras: dict[str, Any] = field(default_factory=dict)


class CtxHolder:
    """The app's pointer to its current context (replaced on reset)."""

    def __init__(self, current: Ctx) -> None:
        self.current = current


CTX: web.AppKey[CtxHolder] = web.AppKey("ctx", CtxHolder)
REQUEST_CTX: web.RequestKey[Ctx] = web.RequestKey("sandbox_ctx", Ctx)
PARAMS: web.RequestKey[dict[str, list[str]]] = web.RequestKey("sandbox_params", dict)
JSON_LIST: web.RequestKey[list[Any]] = web.RequestKey("sandbox_json_list", list)
AUTH: web.RequestKey[Auth] = web.RequestKey("sandbox_auth", Auth)


def ctx(request: web.Request) -> Ctx:
    """The sandbox context of the app serving this request (fixed for the request's lifetime)."""
    if REQUEST_CTX in request:
        return request[REQUEST_CTX]
    current = request.app[CTX].current
    request[REQUEST_CTX] = current
    return current


def auth(request: web.Request) -> Auth:
    """The authenticated caller (set by the middleware before any API handler runs)."""
    assert AUTH in request, "API handler reached without authentication"
    return request[AUTH]


def _flatten(prefix: str, value: Any, out: dict[str, list[str]]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}[{key}]" if prefix else str(key), inner, out)
    elif isinstance(value, list):
        for inner in value:
            if isinstance(inner, dict | list):
                _flatten(f"{prefix}[]", inner, out)
            else:
                out.setdefault(f"{prefix}[]", []).append(_scalar(inner))
    else:
        out.setdefault(prefix, []).append(_scalar(value))


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class MalformedRequest(ValueError):
    """A body Canvas's Rails stack cannot parse (Rails answers 400 before any controller runs)."""


def malformed_request() -> web.Response:
    """Canvas's 400 for a body its parameter parser refuses."""
    return api_error(400, "The request could not be understood: its body is not valid for its content type.")


async def params(request: web.Request) -> dict[str, list[str]]:
    """Query, form and JSON body parameters merged, nested JSON flattened to Rails names (`a[b][]`).

    Raises `MalformedRequest` for a body that cannot be parsed: JSON nested too deep for the parser,
    a broken multipart body, or a form that is not UTF-8.
    """
    if PARAMS in request:
        return request[PARAMS]
    out: dict[str, list[str]] = {}
    for key, value in request.query.items():
        out.setdefault(key, []).append(value)
    if request.method not in ("GET", "HEAD") and request.can_read_body:
        if request.content_type == _JSON_TYPE:
            try:
                body = await request.json()
            except ValueError:  # Rails ignores a JSON body it cannot read as parameters
                body = None
            except RecursionError:
                raise MalformedRequest("JSON nested too deep") from None
            try:
                if isinstance(body, dict):
                    _flatten("", body, out)
                elif isinstance(body, list):
                    request[JSON_LIST] = body
            except RecursionError:
                raise MalformedRequest("JSON nested too deep") from None
        else:
            try:
                form = await request.post()
            except (ValueError, AssertionError, LookupError, RecursionError) as exc:
                # UnicodeDecodeError is a ValueError; aiohttp's multipart reader asserts on a broken body.
                raise MalformedRequest(type(exc).__name__) from None
            for name, field_value in form.items():
                if isinstance(field_value, str):
                    out.setdefault(name, []).append(field_value)
    request[PARAMS] = out
    return out


def param(values: dict[str, list[str]], name: str) -> str | None:
    """The last value of a parameter (Rails keeps the last of repeated scalars)."""
    found = values.get(name)
    return found[-1] if found else None


def truthy(value: str | None) -> bool:
    """Rails's boolean casting of a parameter."""
    return value is not None and value.strip().lower() in ("1", "true", "t", "on", "yes", "y")


def includes(request: web.Request, values: dict[str, list[str]]) -> set[str]:
    """The `include[]`/`includes[]` values, cut to `uuid` when the key does not allow includes."""
    found: set[str] = set()
    for name in ("include[]", "includes[]", "include", "includes"):
        if name in values and (name.endswith("[]") or not auth(request).filter_includes):
            found.update(values[name])
    if auth(request).filter_includes:
        found &= {"uuid"}
    return found


def paginate(request: web.Request, values: dict[str, list[str]], items: list[Any]) -> tuple[list[Any], str]:
    """One page of `items` and its `Link` header; `per_page` clamped to 1..100, default 10."""
    try:
        per_page = int(param(values, "per_page") or 10)
    except ValueError:
        per_page = 10
    per_page = min(100, max(1, per_page))
    try:
        page = max(1, int(param(values, "page") or 1))
    except ValueError:
        page = 1
    last = max(1, -(-len(items) // per_page))
    start = (page - 1) * per_page
    chosen = items[start : start + per_page]
    query = [(k, v) for k, v in request.query.items() if k not in ("page", "per_page", "access_token")]
    base = request.url.with_query(None)

    def link(number: int, rel: str) -> str:
        url = base.with_query([*query, ("page", str(number)), ("per_page", str(per_page))])
        return f'<{url}>; rel="{rel}"'

    links = [link(page, "current")]
    if page < last:
        links.append(link(page + 1, "next"))
    if page > 1:
        links.append(link(page - 1, "prev"))
    links.append(link(1, "first"))
    links.append(link(last, "last"))
    return chosen, ",".join(links)


def paged_json(request: web.Request, values: dict[str, list[str]], items: list[Any]) -> web.Response:
    """A paginated JSON array response."""
    chosen, links = paginate(request, values, items)
    return json_response(chosen, headers={"Link": links})


def found_then_admin(
    find: Callable[[web.Request], Found | None], missing: Callable[[], web.Response] = not_found
) -> Callable[[RecordHandler[Found]], Handler]:
    """Wrap a handler of a record the path names that only an admin may touch, checked in Canvas's order.

    Canvas looks the record up before it checks the permission: a missing record answers `missing()`
    (404, or 401 where Canvas's lookup is itself the permission check) whoever asks, and only then does
    a caller without admin rights get 401. The handler receives the record found and the parameters.
    """

    def wrap(inner: RecordHandler[Found]) -> Handler:
        @functools.wraps(inner)
        async def handler(request: web.Request) -> web.StreamResponse:
            values = await params(request)
            found = find(request)
            if found is None:
                return missing()
            if not auth(request).user.admin:
                return unauthorized()
            return await inner(request, found, values)

        return handler

    return wrap


async def serve_on_loopback(
    app: web.Application, host: str, port: int, sock: socket.socket | None = None
) -> tuple[web.AppRunner, str]:
    """Start serving `app` (on `sock` when given, else on host:port) and return the runner and the
    `http://host:port` it answers on, once the port is known."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site: web.BaseSite = (
        web.SockSite(runner, sock) if sock is not None else web.TCPSite(runner, host, port, reuse_address=True)
    )
    await site.start()
    address = runner.addresses[0]
    shown = f"[{address[0]}]" if ":" in str(address[0]) else str(address[0])
    return runner, f"http://{shown}:{address[1]}"
