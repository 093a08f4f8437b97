"""Find the host that really serves Canvas behind the address the admin typed (docs/canvas.md 12).

Many institutions reach Canvas at their own name (`canvas.school.edu`); some of those names answer every
request with a redirect to the real host (`school.instructure.com`), path and query kept. That redirect is
the web server's, not Canvas's, and says nothing about the key; worse, the token request must not meet it
(a redirected POST could carry the secret elsewhere). So before anything else a run sends a plain
`GET /login/oauth2/auth` (no key, nothing secret) and follows only such server redirects: to another
origin, keeping the path (or to the root of the other host), https only and never from https to http, at
most `MAX_HOPS` times. A redirect to the same host (Canvas's own login) or to another path on another host
(an SSO gate) ends the search: the preflight judges what that host says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from ally_wizard.canvas.authorize import AUTHORIZE_PATH
from ally_wizard.canvas.client import CanvasClient, CanvasError, CanvasUnreachable
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


def _shown(origin: str) -> str:
    """An origin as admins write it: the host (and port), without https://."""
    return origin.removeprefix("https://")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


async def resolve_canvas(
    canvas_url: str, *, transport: httpx.AsyncBaseTransport | None = None, max_hops: int = MAX_HOPS
) -> Resolution:
    """Follow the web server's redirects of the typed address to the origin that serves Canvas.

    Never raises for what the network or a server does: no answer at all gives a `problem` (the run stops:
    Canvas could not be reached), and so do a redirect to http://, a malformed target and too many hops.
    """
    original = canvas_url.rstrip("/")
    current = original
    hops: list[str] = []
    while True:
        async with CanvasClient(current, transport=transport, max_retries=2) as client:
            try:
                reply = await client.request("GET", AUTHORIZE_PATH)
            except CanvasUnreachable as exc:
                return Resolution(original, current, tuple(hops), exc.message, exc.evidence)
            except CanvasError:
                # An answer came (throttled, a failing gateway): this is the host; the preflight says the rest.
                return Resolution(original, current, tuple(hops))
        location = reply.location
        if not (300 <= reply.status < 400 and location):
            return Resolution(original, current, tuple(hops))
        try:
            target = urljoin(reply.url, location.strip())
            parts = urlsplit(target)
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            # A malformed Location is evidence for the preflight to classify, not a place to go.
            return Resolution(original, current, tuple(hops))
        origin = _origin(target)
        if origin == current or parts.path.rstrip("/") not in ("", AUTHORIZE_PATH):
            return Resolution(original, current, tuple(hops))
        evidence = reply.evidence(f"{reply.status} redirect to {origin}")
        if parts.scheme.lower() != "https" and current.startswith("https://"):
            return Resolution(
                original,
                current,
                tuple(hops),
                f"{_shown(current)} redirects to {origin}, which would send the key secret unencrypted, so the "
                "check does not follow it. Type the https:// address your Canvas is served at.",
                evidence,
            )
        try:
            following = normalize_canvas_url(origin)
        except InputError as exc:
            return Resolution(
                original,
                current,
                tuple(hops),
                f"{_shown(current)} redirects to an address that is not usable: {exc}",
                evidence,
            )
        if len(hops) >= max_hops:
            return Resolution(
                original,
                current,
                tuple(hops),
                f"{_shown(original)} kept redirecting ({max_hops} times) without reaching Canvas. Type the address "
                "your browser shows once Canvas's login page has opened.",
                evidence,
            )
        hops.append(following)
        current = following
