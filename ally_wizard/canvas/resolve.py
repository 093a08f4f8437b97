"""Find the host that really serves Canvas behind the address the admin typed (docs/canvas.md 12).

Many institutions reach Canvas at their own name (`canvas.school.edu`); some of those names answer every
request with a redirect to the real host (`school.instructure.com`), path and query kept. That redirect is
the web server's, not Canvas's, and says nothing about the key; worse, the token request must not meet it
(a redirected POST could carry the secret elsewhere).

No round trip is spent on finding the host alone: the run's first requests (the preflight's two authorize
probes, nothing secret in them) go to the typed address, and their answer tells where Canvas is. Only a
server redirect is followed: to another origin, keeping the path (or to the root of the other host), with
no OAuth `error` in it (Canvas's own answers go to the key's redirect URI), https only and never from https
to http, at most `MAX_HOPS` times; the first requests are then sent again there. A redirect to the same
host (Canvas's own login) or to another path on another host (an SSO gate) ends the search: the preflight
judges what that host said.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

from ally_wizard.canvas.authorize import AUTHORIZE_PATH
from ally_wizard.canvas.client import CanvasClient, CanvasUnreachable
from ally_wizard.canvas.report import Evidence
from ally_wizard.inputs import InputError, normalize_canvas_url

MAX_HOPS = 5


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where the typed address leads: the resolved origin, or the `problem` that stops the run there."""

    original: str
    resolved: str
    hops: tuple[str, ...] = ()
    problem: str | None = None
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def moved(self) -> bool:
        """True when Canvas is served at another origin than the one typed."""
        return self.problem is None and self.resolved != self.original

    @property
    def sentence(self) -> str:
        """What to tell the admin: "canvas.school.edu redirects to school.instructure.com; checking there"."""
        return f"{_shown(self.original)} redirects to {_shown(self.resolved)}; checking there."


@dataclass(frozen=True, slots=True)
class Arrival:
    """How an address answered the first requests: the status and, for a redirect, its absolute target; or
    `unreachable` when no answer came at all."""

    status: int | None = None
    location: str | None = None
    unreachable: CanvasUnreachable | None = None


class FirstRequests(Protocol):
    """The requests a run sends first at an address; their answer also says whether Canvas is there."""

    async def arrival(self) -> Arrival:
        """How the address answered them."""
        ...

    def cancel(self) -> None:
        """Drop them: the address only redirects, or nothing more will be asked."""
        ...


F = TypeVar("F", bound=FirstRequests)


@dataclass(slots=True)
class Located(Generic[F]):
    """The resolution and, unless it is a `problem`, an open client on the resolved host with the first
    requests sent there (the caller closes the client)."""

    resolution: Resolution
    client: CanvasClient | None = None
    first: F | None = None


def _shown(origin: str) -> str:
    """An origin as admins write it: the host (and port), without https://."""
    return origin.removeprefix("https://")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


async def resolve_canvas(
    canvas_url: str,
    open_client: Callable[[str], CanvasClient],
    send: Callable[[CanvasClient], F],
    *,
    max_hops: int = MAX_HOPS,
) -> Located[F]:
    """Send the first requests to the typed address, and again wherever its web server redirects them.

    Never raises for what the network or a server does: no answer at all gives a `problem` (the run stops:
    Canvas could not be reached), and so do a redirect to http://, a malformed target and too many hops.
    """
    original = canvas_url.rstrip("/")
    current = original
    hops: list[str] = []
    while True:
        client = open_client(current)
        kept = False
        try:
            await client.__aenter__()
            first = send(client)
            try:
                step = _next(original, current, tuple(hops), await first.arrival(), max_hops)
                kept = isinstance(step, Resolution) and step.problem is None
            finally:
                if not kept:
                    first.cancel()
        finally:
            if not kept:
                with contextlib.suppress(Exception):
                    await client.aclose()
        if isinstance(step, Resolution):
            return Located(step, client, first) if kept else Located(step)
        hops.append(step)
        current = step


def _next(original: str, current: str, hops: tuple[str, ...], arrival: Arrival, max_hops: int) -> Resolution | str:
    """The resolution, when `current` is where Canvas is (or a problem stops the search); else the next origin."""
    if arrival.unreachable is not None:
        return Resolution(original, current, hops, arrival.unreachable.message, arrival.unreachable.evidence)
    status, location = arrival.status, arrival.location
    if status is None or not (300 <= status < 400 and location):
        return Resolution(original, current, hops)
    try:
        parts = urlsplit(location.strip())
        parts.port  # noqa: B018 - raises ValueError on a malformed port
        oauth_answer = any(name == "error" for name, _ in parse_qsl(parts.query))
    except ValueError:
        # A malformed Location is evidence for the preflight to classify, not a place to go.
        return Resolution(original, current, hops)
    origin = _origin(location.strip())
    if origin == current or oauth_answer or parts.path.rstrip("/") not in ("", AUTHORIZE_PATH):
        return Resolution(original, current, hops)
    evidence = Evidence(status, f"{status} redirect to {origin}")
    if parts.scheme.lower() != "https" and current.startswith("https://"):
        return Resolution(
            original,
            current,
            hops,
            f"{_shown(current)} redirects to {origin}, which would send the key secret unencrypted, so the "
            "check does not follow it. Type the https:// address your Canvas is served at.",
            evidence,
        )
    try:
        following = normalize_canvas_url(origin)
    except InputError as exc:
        return Resolution(
            original, current, hops, f"{_shown(current)} redirects to an address that is not usable: {exc}", evidence
        )
    if len(hops) >= max_hops:
        return Resolution(
            original,
            current,
            hops,
            f"{_shown(original)} kept redirecting ({max_hops} times) without reaching Canvas. Type the address "
            "your browser shows once Canvas's login page has opened.",
            evidence,
        )
    return following
