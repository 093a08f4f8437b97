"""Finding Ally's developer keys among a root account's keys, read through the Developer Keys API.

A key is Ally's when one of its redirect URIs goes to one of the recipe's Ally hosts (any region, any
Client ID), or when its name mentions Ally. Canvas's key JSON varies by release (docs/canvas.md 6.3):
`redirect_uris` is a newline-joined string (an array is accepted too), `all_redirect_uris` and the
binding may be missing, so every field is read defensively.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ally_wizard.canvas.admin import KEYS_PATH, AdminSession
from ally_wizard.recipe import Recipe, default_recipe

_ALLY_NAME = re.compile(r"\bally\b", re.IGNORECASE)
_CALLBACK = re.compile(r"^/api/v2/([0-9]+)/auth/canvas/callback/?$")


@dataclass(frozen=True, slots=True)
class DeveloperKeyInfo:
    """One developer key as the audit sees it (no secret: the `api_key` field is never read)."""

    id: str
    name: str
    workflow_state: str
    binding_state: str | None
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    require_scopes: bool
    allow_includes: bool | None
    is_lti_key: bool
    access_token_count: int | None
    last_used_at: str | None
    test_cluster_only: bool
    inherited: bool = False

    def as_dict(self) -> dict[str, object]:
        """The `keys` entries of `audit --json`."""
        return {
            "id": self.id,
            "name": self.name,
            "state": self.workflow_state,
            "binding": self.binding_state,
            "redirect_uris": list(self.redirect_uris),
            "scopes": len(self.scopes),
            "enforce_scopes": self.require_scopes,
            "allow_includes": self.allow_includes,
            "api_key": not self.is_lti_key,
            "access_token_count": self.access_token_count,
            "last_used_at": self.last_used_at,
            "test_cluster_only": self.test_cluster_only,
            "site_admin": self.inherited,
        }

    def summary(self) -> str:
        """One line for a list of keys: ID, name, state, binding, redirect URIs, scopes, includes, last use."""
        binding = (self.binding_state or "unknown").upper()
        includes = {True: "includes on", False: "includes off", None: "includes unknown"}[self.allow_includes]
        used = f"last used {self.last_used_at}" if self.last_used_at else "never used"
        uris = ", ".join(self.redirect_uris) or "no redirect URI"
        origin = " (Site Admin)" if self.inherited else ""
        return (
            f"{self.id}{origin} {self.name or '(no name)'}: {self.workflow_state}, {binding}, {uris}, "
            f"{len(self.scopes)} scopes, {includes}, {used}"
        )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _redirect_uris(data: dict[str, object]) -> tuple[str, ...]:
    raw = data.get("redirect_uris")
    found: list[str] = []
    if isinstance(raw, str):
        found = raw.split()
    elif isinstance(raw, list):
        found = [item.strip() for item in raw if isinstance(item, str) and item.strip()]
    if not found:
        listed = data.get("all_redirect_uris")
        if isinstance(listed, list):
            found = [
                str(item["redirect_uri"]).strip()
                for item in listed
                if isinstance(item, dict) and isinstance(item.get("redirect_uri"), str)
            ]
    legacy = _text(data.get("redirect_uri")).strip()
    if legacy and legacy not in found:
        found.append(legacy)
    return tuple(dict.fromkeys(found))


def parse_key(data: dict[str, object], *, inherited: bool = False) -> DeveloperKeyInfo | None:
    """A key from its JSON, or None when it has no id (not a key)."""
    raw_id = data.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int | str) or not str(raw_id).isdigit():
        return None
    binding = data.get("developer_key_account_binding")
    binding_state = binding.get("workflow_state") if isinstance(binding, dict) else None
    scopes = data.get("scopes")
    count = data.get("access_token_count")
    return DeveloperKeyInfo(
        id=str(raw_id),
        name=_text(data.get("name")),
        workflow_state=_text(data.get("workflow_state")) or "active",
        binding_state=binding_state if isinstance(binding_state, str) else None,
        redirect_uris=_redirect_uris(data),
        scopes=tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else (),
        require_scopes=data.get("require_scopes") is True,
        allow_includes=_bool(data.get("allow_includes")),
        is_lti_key=data.get("is_lti_key") is True or bool(data.get("public_jwk")) or bool(data.get("public_jwk_url")),
        access_token_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        last_used_at=_text(data.get("last_used_at")) or None,
        test_cluster_only=data.get("test_cluster_only") is True,
        inherited=inherited,
    )


def ally_hosts(recipe: Recipe | None = None) -> frozenset[str]:
    """The hosts of every Ally environment."""
    return frozenset(env.host for env in (recipe or default_recipe()).environments)


def ally_callback(uri: str, recipe: Recipe | None = None) -> tuple[str, str] | None:
    """(host, Client ID) when `uri` is an Ally callback of any region and Client ID, else None."""
    parts = urlsplit(uri.strip())
    host = (parts.hostname or "").lower()
    if host not in ally_hosts(recipe):
        return None
    found = _CALLBACK.match(parts.path)
    return host, found.group(1) if found else ""


def is_ally_key(key: DeveloperKeyInfo, recipe: Recipe | None = None) -> bool:
    """Whether a key is Ally's: a redirect URI to an Ally host, or a name mentioning Ally."""
    return any(ally_callback(uri, recipe) for uri in key.redirect_uris) or bool(_ALLY_NAME.search(key.name))


@dataclass(frozen=True, slots=True)
class FoundKeys:
    """Every key of the root account and the inherited Site Admin keys, and how many pages it took."""

    keys: tuple[DeveloperKeyInfo, ...]
    pages: int

    def ally(self, recipe: Recipe | None = None) -> list[DeveloperKeyInfo]:
        """Ally's keys, highest id (newest) first as Canvas lists them."""
        return [key for key in self.keys if is_ally_key(key, recipe)]

    def by_id(self, key_id: str) -> DeveloperKeyInfo | None:
        """The key with this global id, or with this local id (docs/canvas.md 6.6, 12: `123` is accepted)."""
        for key in self.keys:
            if key.id == key_id:
                return key
        if key_id.isdigit():
            local = int(key_id)
            for key in self.keys:
                if int(key.id) % 10**13 == local:
                    return key
        return None


def _parse_all(items: list[object], inherited: bool) -> list[DeveloperKeyInfo]:
    parsed = (parse_key(item, inherited=inherited) for item in items if isinstance(item, dict))
    return [key for key in parsed if key is not None and key.workflow_state != "deleted"]


async def find_keys(session: AdminSession) -> FoundKeys:
    """The root account's keys (every page, following `Link`) and the Site Admin keys (`?inherited=true`)."""
    (own, own_pages), (inherited, inherited_pages) = await asyncio.gather(
        session.get_all(KEYS_PATH), session.get_all(KEYS_PATH, [("inherited", "true")])
    )
    keys = _parse_all(own, inherited=False)
    known = {key.id for key in keys}
    keys.extend(key for key in _parse_all(inherited, inherited=True) if key.id not in known)
    return FoundKeys(tuple(keys), own_pages + inherited_pages)
