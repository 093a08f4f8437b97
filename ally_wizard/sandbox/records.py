"""Mutable records of the simulated Canvas that carry behaviour: users, developer keys, bindings,
access tokens, authorization codes and browser sessions.

Course content (assignments, pages, ...) is kept as plain JSON-ready dicts in `state.py`, since the
API only reads and updates its fields; these records have rules attached (states, expiry, secrets).
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
import time
from dataclasses import dataclass, field

SHARD = 17
SHARD_BASE = SHARD * 10**13
TOKEN_LIFETIME = 3600.0
CODE_LIFETIME = 600.0
_ALNUM = string.ascii_letters + string.digits


def global_id(local_id: int) -> int:
    """Canvas's global id: shard x 10^13 + local id (docs/canvas.md 6.6)."""
    return SHARD_BASE + local_id


def local_id(value: str | int) -> int | None:
    """The local id of a local or global id written as text, or None if it is not one."""
    text = str(value)
    # ASCII digits only ("²".isdigit() is True, int("²") raises) and no more than a 64-bit id can hold,
    # so a 5,000-digit id is "not found", not a conversion error.
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    if number >= 2**63:
        return None
    return number - SHARD_BASE if number > SHARD_BASE else number


def random_string(length: int) -> str:
    """A random letters-and-digits string, as Canvas's secrets and tokens are."""
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def iso(timestamp: float | None = None) -> str:
    """A UTC time in Canvas's JSON form, `2026-11-26T19:00:00Z`."""
    moment = dt.datetime.fromtimestamp(time.time() if timestamp is None else timestamp, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    """A Canvas user with a login; `admin` users administer the root account."""

    id: int
    name: str
    sortable_name: str
    login: str
    password: str
    email: str
    admin: bool

    def brief(self) -> dict[str, object]:
        """The `user` object of a token response."""
        return {
            "id": self.id,
            "name": self.name,
            "global_id": str(global_id(self.id)),
            "effective_locale": "en",
            "fake_student": False,
        }


@dataclass
class Binding:
    """A developer key's account binding on the root account: its ON/OFF/ALLOW state."""

    id: int
    account_id: int
    developer_key_id: int
    workflow_state: str = "off"

    def as_json(self, account_owns_binding: bool = True) -> dict[str, object]:
        """The binding as the Developer Keys API returns it (ids global); `account_owns_binding` is false
        when the binding shown belongs to another account than the one asked about (Site Admin's)."""
        return {
            "id": global_id(self.id),
            "account_id": global_id(self.account_id),
            "developer_key_id": global_id(self.developer_key_id),
            "workflow_state": self.workflow_state,
            "account_owns_binding": account_owns_binding,
        }


@dataclass
class DeveloperKey:
    """An API developer key on the root account."""

    id: int  # local id; the world sees global_id(id)
    name: str
    email: str
    api_key: str = field(repr=False)  # the secret: never in a traceback
    redirect_uris: list[str]
    scopes: list[str]
    require_scopes: bool = False
    allow_includes: bool = False
    workflow_state: str = "active"
    notes: str = ""
    icon_url: str | None = None
    vendor_code: str | None = None
    redirect_uri: str | None = None
    visible: bool = True
    test_cluster_only: bool = False
    auto_expire_tokens: bool = True
    user_id: int | None = None
    user_name: str | None = None
    account_id: int | None = 1  # the owning account: None for a Site Admin key, else a root account
    public_jwk: dict[str, str] | None = None  # LTI 1.3 keys carry one, which forces Enforce Scopes on
    created_at: str = field(default_factory=iso)
    last_used_at: str | None = None
    outside_tokens: int = 0  # tokens held by the integration itself (Ally), not issued in this sandbox

    @property
    def global_id(self) -> int:
        """The key ID shown in the Details column and used as `client_id`."""
        return global_id(self.id)

    @property
    def is_lti_key(self) -> bool:
        """An LTI 1.3 key (it has a public JWK) rather than an API key."""
        return self.public_jwk is not None


@dataclass
class AccessToken:
    """An access token: issued through OAuth for a developer key, or user-generated (no key)."""

    id: int
    user_id: int
    developer_key_id: int | None
    token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    scopes: tuple[str, ...]
    purpose: str
    created_at: float
    expires_at: float | None
    workflow_state: str = "active"  # active | revoked | deleted

    def is_live(self, now: float) -> bool:
        """Not revoked, deleted or expired."""
        return self.workflow_state == "active" and (self.expires_at is None or self.expires_at > now)


@dataclass
class AuthCode:
    """A single-use authorization code, valid for ten minutes."""

    code: str = field(repr=False)
    developer_key_id: int
    user_id: int
    scopes: tuple[str, ...]
    purpose: str
    code_challenge: str | None
    expires_at: float


@dataclass
class PendingAuth:
    """An authorization request stored for the browser between the checks and Authorize."""

    developer_key_id: int
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    purpose: str
    code_challenge: str | None


@dataclass
class Session:
    """A browser session: who is logged in, the CSRF token, and any pending authorization."""

    id: str = field(repr=False)  # the session cookie
    csrf_token: str = field(repr=False)
    user_id: int | None = None
    pending: PendingAuth | None = None
    return_to: str | None = None
    flash: str | None = None
