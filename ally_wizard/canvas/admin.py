"""Reading Canvas with the admin's own token: the token check and the paginated GETs the audit makes.

The admin token is the admin's personal access token. It lives only in an `AdminSession` for one run: it
travels in the `Authorization` header of requests to the Canvas host and nowhere else (a `Link` header
that points at another host is not followed), it is never saved, printed, logged or put in an exception
(messages are fixed sentences plus Canvas's own words, scrubbed of it), and it is never revoked, since it
is the admin's own. Every request here is a GET: reading the Developer Keys API changes nothing.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

import httpx

from ally_wizard.canvas.client import CanvasClient, CanvasError, Params, Reply
from ally_wizard.canvas.messages import error_message, first_line, not_api_answer
from ally_wizard.canvas.report import Evidence
from ally_wizard.redact import mask_secrets

TOKEN_ENV = "ALLY_WIZARD_CANVAS_TOKEN"
KEYS_PATH = "/api/v1/accounts/self/developer_keys"
SCOPES_PATH = "/api/v1/accounts/self/scopes"
PER_PAGE = 100  # Canvas clamps per_page to 1..100 (docs/canvas.md 7.1)
MAX_PAGES = 200  # 20,000 keys: far beyond any institution, a stop for a Link header that never ends

_NOT_AUTHORIZED = "user not authorized to perform that action"
_CROSS_DOMAIN = "may only be managed from their account's domain"
_INSUFFICIENT = "insufficient scopes on access token"
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([a-z]+)"?', re.IGNORECASE)


class AdminTokenRefused(Exception):
    """Canvas refused the admin token for the audit; `message` says why and what to do, plainly.

    It never holds the token: the sentences are fixed, and Canvas's own words are scrubbed of it.
    """

    def __init__(self, message: str, evidence: Evidence | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.evidence = evidence or Evidence()


@dataclass(frozen=True, slots=True)
class AdminUser:
    """Who the token belongs to, from `GET /api/v1/users/self` (shown as "audited as ...")."""

    id: int | None
    name: str


def links(reply: Reply) -> dict[str, str]:
    """The `Link` header as `{rel: url}` (docs/canvas.md 7.1: comma-joined, `last` may be missing)."""
    found: dict[str, str] = {}
    for url, rel in _LINK.findall(reply.headers.get("link", "")):
        found.setdefault(rel.lower(), url)
    return found


@dataclass(slots=True)
class AdminSession:
    """GET requests to one Canvas with the admin token in the `Authorization` header."""

    client: CanvasClient
    token: str = field(repr=False)

    @property
    def hidden(self) -> tuple[str, ...]:
        """What must never appear in a message: the token."""
        return (self.token,)

    def scrubbed(self, text: str) -> str:
        """`text` without the token, should Canvas ever echo it back."""
        return mask_secrets(text, self.hidden)

    def evidence(self, reply: Reply) -> Evidence:
        """Canvas's status and words, scrubbed of the token."""
        return Evidence(reply.status, self.scrubbed(first_line(reply.text)))

    async def get(self, path: str, params: Params | None = None) -> Reply:
        """One GET with the token; `CanvasError` (no answer) is re-raised with a scrubbed message."""
        try:
            return await self.client.request(
                "GET", path, params=params, headers={"Authorization": f"Bearer {self.token}"}
            )
        except CanvasError as exc:
            raise type(exc)(self.scrubbed(exc.message), Evidence(exc.evidence.status, "")) from None

    def _same_canvas(self, url: str) -> str | None:
        """The path and query of `url` when it is on this Canvas's host, else None (the token stays home)."""
        base = httpx.URL(self.client.canvas_url)
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL:
            return None
        if target.scheme != base.scheme or target.host != base.host or target.port != base.port:
            return None
        query = target.query.decode("ascii", "replace")
        return target.path + (f"?{query}" if query else "")

    async def get_all(self, path: str, params: Params = ()) -> tuple[list[object], int]:
        """Every item of a paginated list, and how many pages it took.

        The first page says where the last one is (`rel="last"`): the rest are then fetched together,
        page numbers taken from that link. Without a `last`, the `next` links are followed one by one.
        Raises `AdminTokenRefused` when Canvas refuses a page, `CanvasError` when it does not answer.
        """
        first = await self.get(path, [*params, ("per_page", str(PER_PAGE))])
        items = self._items(first)
        pages = 1
        rels = links(first)
        last = rels.get("last")
        last_number = _page_number(last) if last else None
        next_url = rels.get("next")
        if next_url and last_number is not None and self._same_canvas(next_url) is not None:
            numbers = range(2, min(last_number, MAX_PAGES) + 1)
            replies = await asyncio.gather(
                *(self.get(path, [*params, ("per_page", str(PER_PAGE)), ("page", str(n))]) for n in numbers)
            )
            for reply in replies:
                items.extend(self._items(reply))
            return items, pages + len(replies)
        while next_url and pages < MAX_PAGES:
            relative = self._same_canvas(next_url)
            if relative is None:
                break
            reply = await self.get(relative)
            items.extend(self._items(reply))
            pages += 1
            next_url = links(reply).get("next")
        return items, pages

    def _items(self, reply: Reply) -> list[object]:
        return json_list(reply, self)


def _page_number(url: str) -> int | None:
    try:
        raw = httpx.URL(url).params.get("page")
    except httpx.InvalidURL:
        return None
    # ASCII digits of a sane length: "²".isdigit() is True but int("²") raises, and so does a 5,000-digit page.
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def refusal(reply: Reply, session: AdminSession) -> AdminTokenRefused:
    """The plain sentence for a refused Developer Keys request (docs/canvas.md 6.4, 8.2, 4.5)."""
    words = error_message(reply.json()) or first_line(reply.text)
    lowered = words.lower()
    evidence = session.evidence(reply)
    host = session.client.host
    if reply.status in (401, 403) and _CROSS_DOMAIN in lowered:
        return AdminTokenRefused(
            f"Canvas only lets developer keys be managed from their account's own domain, and {host} is not "
            "it (the cross-domain restriction). Run the audit against the root account's Canvas address.",
            evidence,
        )
    if reply.status == 401 and _INSUFFICIENT in lowered:
        return AdminTokenRefused(
            "This token is limited to certain scopes (it was issued through a developer key that enforces "
            "scopes, like Ally's), so it cannot read developer keys. Use a personal access token: in Canvas, "
            "Account > Settings > + New Access Token.",
            evidence,
        )
    if reply.status in (401, 403) and _NOT_AUTHORIZED in lowered:
        return AdminTokenRefused(
            "The token's user may not manage developer keys on this Canvas: it needs the root account "
            "permission Developer Keys - manage (manage_developer_keys). Use a token of a root account admin.",
            evidence,
        )
    if reply.status == 404:
        return AdminTokenRefused(
            f"Canvas at {host} has no root account developer keys at this address (404): developer keys live "
            "on the root account only. Use the institution's main Canvas address.",
            evidence,
        )
    if reply.status in (401, 403):
        return AdminTokenRefused(
            f"Canvas refused to show the developer keys (HTTP {reply.status}: {session.scrubbed(words)}).", evidence
        )
    return AdminTokenRefused(session.scrubbed(not_api_answer(reply.status, reply.content_type, reply.text)), evidence)


def _token_refusal(reply: Reply, session: AdminSession) -> AdminTokenRefused:
    """The sentence for a refused `GET /api/v1/users/self` (docs/canvas.md 4.5, 8.3, 12)."""
    words = error_message(reply.json()) or first_line(reply.text)
    lowered = words.lower()
    evidence = session.evidence(reply)
    if reply.status == 401 and "expired" in lowered:
        return AdminTokenRefused(
            "The admin token has expired. Make a new one in Canvas (Account > Settings > + New Access Token).",
            evidence,
        )
    if reply.status == 401 and _INSUFFICIENT in lowered:
        return refusal(reply, session)
    if reply.status == 401 and ("invalid" in lowered or "revoked" in lowered or "required" in lowered):
        return AdminTokenRefused(
            f"Canvas does not accept this admin token ({session.scrubbed(words)}): it is mistyped, was deleted, "
            "or belongs to another Canvas. Copy it again, or make a new one under Account > Settings.",
            evidence,
        )
    if reply.status in (401, 403):
        return refusal(reply, session)
    return AdminTokenRefused(session.scrubbed(not_api_answer(reply.status, reply.content_type, reply.text)), evidence)


async def _sub_account_admin(session: AdminSession) -> bool:
    """Whether the user administers accounts, none of them a root account (docs/canvas.md 8.1-8.2)."""
    try:
        reply = await session.get("/api/v1/accounts", [("per_page", str(PER_PAGE))])
    except CanvasError:
        return False
    data = reply.json() if reply.status == 200 else None
    if not isinstance(data, list) or not data:
        return False
    return all(isinstance(a, dict) and a.get("root_account_id") is not None for a in data)


async def check_admin_token(session: AdminSession) -> AdminUser:
    """Check the token first: who it belongs to, and a one-item read of the root account's developer keys.

    Raises `AdminTokenRefused` with a plain sentence for each refusal (invalid or expired token, a token
    limited by scopes, a user without manage_developer_keys, a sub-account admin, the cross-domain
    restriction), `CanvasError` when Canvas does not answer.
    """
    me, keys = await asyncio.gather(session.get("/api/v1/users/self"), session.get(KEYS_PATH, [("per_page", "1")]))
    if me.status != 200:
        raise _token_refusal(me, session)
    if keys.status != 200:
        refused = refusal(keys, session)
        words = (error_message(keys.json()) or keys.text).lower()
        plain_refusal = _CROSS_DOMAIN not in words and _INSUFFICIENT not in words
        if keys.status in (401, 403, 404) and plain_refusal and await _sub_account_admin(session):
            raise AdminTokenRefused(
                "The token's user is an admin of a sub-account only. Developer keys live on the root account: "
                "use a token of a root account admin.",
                refused.evidence,
            )
        raise refused
    data = me.json()
    if not isinstance(data, dict):
        raise AdminTokenRefused(session.scrubbed(not_api_answer(me.status, me.content_type, me.text)))
    raw_id = data.get("id")
    name = data.get("name")
    return AdminUser(raw_id if isinstance(raw_id, int) else None, str(name) if isinstance(name, str) else "")


def json_list(reply: Reply, session: AdminSession) -> list[object]:
    """A 200 answer's JSON array; a refusal or any other answer raises `AdminTokenRefused` in plain words."""
    if reply.status != 200:
        raise refusal(reply, session)
    data = reply.json()
    if not isinstance(data, list):
        raise AdminTokenRefused(
            session.scrubbed(not_api_answer(reply.status, reply.content_type, reply.text)), session.evidence(reply)
        )
    return list(data)


async def catalogue_scopes(session: AdminSession) -> frozenset[str]:
    """Every scope string this Canvas's catalogue offers (`GET /api/v1/accounts/self/scopes`, docs/canvas.md 5)."""
    data = json_list(await session.get(SCOPES_PATH), session)
    return frozenset(str(entry["scope"]) for entry in data if isinstance(entry, dict) and "scope" in entry)
