"""Reading Canvas's authorization endpoint without logging in (docs/canvas.md 1.2 and 1.4).

`GET /login/oauth2/auth` checks the key, the redirect URI, the scopes and the account binding, in that
order, before it ever asks who the user is. Sent with no session and `prompt=none`, its answer says how far
the request got, and so which of the key's settings are right. This module sends such probes and turns
every answer form (current, 2019-era and in between) into one `AuthorizeAnswer`.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from ally_wizard.canvas.client import CanvasClient, Reply
from ally_wizard.canvas.messages import canvas_words, not_api_answer
from ally_wizard.canvas.report import Evidence

AUTHORIZE_PATH = "/login/oauth2/auth"
OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
# A scope-shaped string no key can hold (keys hold only catalogue scopes): it stops a probe at the scope
# check when Canvas enforces scopes, and sails through when it does not.
SENTINEL_SCOPE = "url:GET|/api/v1/ally_wizard_sentinel"
MISSING_MARKER = "The following scopes were requested, but not granted:"
_LIST_SPLIT = re.compile(r", and |, | and ")
_PASSED_ERRORS = {"login_required", "interaction_required"}


class Outcome(enum.Enum):
    """How far an authorize request got through Canvas's checks."""

    UNKNOWN_CLIENT = "unknown_client"  # check 1: no such key, or not active
    REDIRECT_MISMATCH = "redirect_mismatch"  # check 2
    INVALID_SCOPE = "invalid_scope"  # check 3
    NOT_ON = "not_on"  # check 4: the key is not ON for the root account
    PASSED = "passed"  # checks 1-5 passed: login_required, or on to the login page
    OTHER_ERROR = "other_error"  # an OAuth error this wizard does not expect
    NOT_API = "not_api"  # not an answer Canvas's authorize endpoint gives (a proxy, an SSO page)


@dataclass(frozen=True, slots=True)
class AuthorizeAnswer:
    """One probe's result: the outcome, Canvas's words, and for `invalid_scope` the scopes it listed."""

    outcome: Outcome
    evidence: Evidence
    error: str = ""
    missing: tuple[str, ...] | None = None
    location: str | None = None  # a redirect's target, made absolute (where a vanity address sends the probe)

    @property
    def passed_scope_check(self) -> bool:
        """True when the request got past the scope check (check 3), so the scopes it asked for are fine."""
        return self.outcome in (Outcome.NOT_ON, Outcome.PASSED) or self.error in (
            "unsupported_response_type",
            "unsupported_prompt_type",
        )


def parse_missing_scopes(description: str) -> tuple[str, ...] | None:
    """The scopes in Canvas's "requested, but not granted: a, b, and c" sentence; None when it has no list."""
    index = description.find(MISSING_MARKER)
    if index < 0:
        return None
    listed = description[index + len(MISSING_MARKER) :].strip()
    if not listed:
        return None
    return tuple(part.strip() for part in _LIST_SPLIT.split(listed) if part.strip())


def redirect_params(location: str) -> dict[str, str]:
    """The query of a redirect target, form-decoded (`+` is a space, `%7C` a bar); {} when malformed."""
    try:
        return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))
    except ValueError:
        return {}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    parts.port  # noqa: B018 - raises ValueError on a malformed port
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def classify_authorize_answer(reply: Reply) -> AuthorizeAnswer:
    """Turn an answer of `GET /login/oauth2/auth` into an `AuthorizeAnswer` (every form in 1.2).

    A redirect without an error is "passed every check" only when it goes to the login of the very host that
    was asked (docs/canvas.md 12): one to another host (a vanity name's server, an SSO gate) is evidence,
    never a pass. Error redirects go to the key's redirect URI, wherever that is.
    """
    if 300 <= reply.status < 400 and reply.location:
        try:
            target = urljoin(reply.url, reply.location.strip())
            same_host = _origin(target) == _origin(reply.url)
        except ValueError:
            return AuthorizeAnswer(
                Outcome.NOT_API,
                reply.evidence(f"Canvas answered with a malformed redirect address: {reply.location[:200]}"),
            )
        return dataclasses.replace(_classify_redirect(reply, target, same_host=same_host), location=target)
    data = reply.json()
    if not isinstance(data, dict):
        return AuthorizeAnswer(
            Outcome.NOT_API, reply.evidence(not_api_answer(reply.status, reply.content_type, reply.text))
        )
    error = str(data.get("error", ""))
    description = str(data.get("error_description", ""))
    evidence = reply.evidence(canvas_words(data) or reply.text.strip())
    if reply.status == 401 and error == "invalid_client":
        return AuthorizeAnswer(Outcome.UNKNOWN_CLIENT, evidence, error)
    if error == "invalid_request" and "redirect_uri" in description:
        return AuthorizeAnswer(Outcome.REDIRECT_MISMATCH, evidence, error)
    if error == "invalid_scope":
        return AuthorizeAnswer(Outcome.INVALID_SCOPE, evidence, error, parse_missing_scopes(description))
    return AuthorizeAnswer(Outcome.OTHER_ERROR, evidence, error)


def _classify_redirect(reply: Reply, location: str, *, same_host: bool) -> AuthorizeAnswer:
    params = redirect_params(location)
    error = params.get("error", "")
    description = params.get("error_description", "")
    if not error:
        path = urlsplit(location).path
        if not same_host:
            return AuthorizeAnswer(
                Outcome.NOT_API,
                reply.evidence(f"The server redirected to another host, not Canvas's own answer: {location[:200]}"),
            )
        if path.startswith("/login") and path.rstrip("/") != AUTHORIZE_PATH:
            # No `prompt=none` support (or a different login flow): the request passed every check and
            # Canvas sent the browser on to log in, or to the confirm page.
            return AuthorizeAnswer(Outcome.PASSED, reply.evidence(f"Canvas sent the browser on to {path}"), "login")
        return AuthorizeAnswer(
            Outcome.NOT_API, reply.evidence(f"Canvas redirected to an unexpected address: {location}")
        )
    evidence = reply.evidence(f"{error}: {description}" if description else error)
    if error == "invalid_scope":
        return AuthorizeAnswer(Outcome.INVALID_SCOPE, evidence, error, parse_missing_scopes(description))
    if error == "unauthorized_client":
        return AuthorizeAnswer(Outcome.NOT_ON, evidence, error)
    if error in _PASSED_ERRORS:
        return AuthorizeAnswer(Outcome.PASSED, evidence, error)
    return AuthorizeAnswer(Outcome.OTHER_ERROR, evidence, error)


def probe_params(key_id: str, redirect_uri: str, scopes: Sequence[str], state: str) -> list[tuple[str, str]]:
    """The query of a credential-free probe: `prompt=none` stops Canvas before it would need a login."""
    return [
        ("client_id", key_id),
        ("response_type", "code"),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("prompt", "none"),
        ("scope", " ".join(scopes)),
    ]


async def probe_authorize(
    client: CanvasClient, key_id: str, redirect_uri: str, scopes: Sequence[str]
) -> AuthorizeAnswer:
    """Send one probe and classify the answer. Raises `CanvasError` when no answer could be had.

    A probe creates nothing in Canvas beyond a pending request in a session it never keeps, so it is
    repeated freely on throttling and gateway errors.
    """
    reply = await client.request(
        "GET",
        AUTHORIZE_PATH,
        params=probe_params(key_id, redirect_uri, scopes, secrets.token_urlsafe(16)),
        repeatable=True,
    )
    return classify_authorize_answer(reply)
