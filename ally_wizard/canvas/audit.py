"""The audit: read the Ally key's real settings through the Developer Keys API and name every drift.

With an admin token the wizard no longer guesses from the outside: it lists the root account's keys,
finds Ally's, and compares the one being checked with the recipe, row by row. The rows share ids and
meanings with `check` where they can (`key.exists`, `key.redirect_uri`, `key.enforce_scopes`,
`key.allow_includes`, `key.on`, `scope:<scope>`) and add what only the API shows. Only GET requests
are sent; nothing in Canvas changes. Each failing row's message names the fix.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ally_wizard.canvas import wording
from ally_wizard.canvas.admin import AdminSession, AdminTokenRefused, AdminUser, catalogue_scopes, check_admin_token
from ally_wizard.canvas.client import CanvasClient, CanvasError
from ally_wizard.canvas.keys import DeveloperKeyInfo, FoundKeys, ally_callback, find_keys
from ally_wizard.canvas.report import (
    KEY_ALLOW_INCLUDES,
    KEY_ENFORCE_SCOPES,
    KEY_EXISTS,
    KEY_ON,
    KEY_REDIRECT_URI,
    Check,
    CheckStatus,
    Evidence,
    Report,
    scope_check_id,
)
from ally_wizard.canvas.rows import clean_check
from ally_wizard.canvas.target import CheckCallback, emit, now
from ally_wizard.canvas.theme import ALLY_THEME, THEME_TITLE, ThemeSearch, find_theme_ally_config, theme_row
from ally_wizard.recipe import Recipe, default_recipe

if TYPE_CHECKING:
    from ally_wizard.profile import Profile

CANVAS_INSTANCE = "canvas.instance"
KEY_ACTIVE = "key.active"
KEY_API_KEY = "key.api_key"
KEY_REDIRECT_URIS_OTHER = "key.redirect_uris_other"
KEY_EXTRA_SCOPES = "key.extra_scopes"
KEY_IN_USE = "key.in_use"
CATALOGUE_SCOPES = "catalogue.scopes"
STALE_AFTER = dt.timedelta(days=14)  # Ally syncs daily: two weeks without a call means the sync stopped

AUDIT_TITLES = {
    CANVAS_INSTANCE: "This Canvas is production",
    KEY_ACTIVE: "The key itself is active",
    KEY_API_KEY: "The key is an API key",
    KEY_REDIRECT_URIS_OTHER: "No other Ally address is on the key",
    KEY_EXTRA_SCOPES: "The key holds only Ally's scopes",
    KEY_IN_USE: "Ally uses the key",
    CATALOGUE_SCOPES: "This Canvas offers all of Ally's scopes",
    ALLY_THEME: THEME_TITLE,
}


def audit_title(check_id: str) -> str:
    """A row's title: the audit's own rows, then the titles `check` uses."""
    return AUDIT_TITLES.get(check_id, wording.title(check_id))


@dataclass(frozen=True, slots=True)
class AuditTarget:
    """What the audit compares the key with: the Canvas, the Ally environment and Client ID, maybe a key ID."""

    canvas_url: str
    environment: str
    client_id: str
    redirect_uri: str
    key_id: str | None = None
    recipe: Recipe = field(default_factory=default_recipe)

    @property
    def scopes(self) -> tuple[str, ...]:
        """The recipe's scope strings."""
        return self.recipe.scope_strings


class KeyChoiceNeeded(Exception):
    """Several Ally keys and no key ID to choose between them: the caller lists them and asks."""

    def __init__(self, keys: Sequence[DeveloperKeyInfo]) -> None:
        super().__init__(f"{len(keys)} Ally keys were found; choose one by its ID.")
        self.keys = list(keys)


@dataclass(slots=True)
class AuditResult:
    """An audit's outcome: who audited, the Ally keys found, the key checked and the rows."""

    report: Report
    keys: list[DeveloperKeyInfo]
    key: DeveloperKeyInfo | None
    user: AdminUser | None = None
    pages: int = 0


def audit_ids(target: AuditTarget) -> list[str]:
    """Every row an audit can give, in report order."""
    return [
        CANVAS_INSTANCE,
        KEY_EXISTS,
        KEY_ACTIVE,
        KEY_API_KEY,
        KEY_REDIRECT_URI,
        KEY_REDIRECT_URIS_OTHER,
        KEY_ENFORCE_SCOPES,
        KEY_ALLOW_INCLUDES,
        KEY_ON,
        KEY_EXTRA_SCOPES,
        KEY_IN_USE,
        CATALOGUE_SCOPES,
        ALLY_THEME,
        *map(scope_check_id, target.scopes),
    ]


class _Rows:
    """The rows of one audit: stamped, scrubbed of the token, handed to the callback as they are decided."""

    def __init__(self, on_check: CheckCallback | None, hidden: Sequence[str]) -> None:
        self.on_check = on_check
        self.hidden = list(hidden)
        self.done: dict[str, Check] = {}

    def put(self, check_id: str, status: CheckStatus, message: str, evidence: Evidence | None = None) -> None:
        check = Check(check_id, audit_title(check_id), status, message, evidence or Evidence(), checked_at=now())
        self.done[check_id] = emit(self.on_check, clean_check(check, self.hidden))

    def ordered(self, ids: Sequence[str]) -> list[Check]:
        return [self.done[check_id] for check_id in ids if check_id in self.done]


# --- the rows, each from what the key JSON says ---------------------------------------------------


def instance_warning(canvas_url: str, ally_keys: Sequence[DeveloperKeyInfo]) -> str | None:
    """For a test or beta instance: why keys made there vanish, which key should come down, Test Cluster Only."""
    host = (urlsplit(canvas_url).hostname or "").lower()
    kind = next((k for k in ("test", "beta") if host.endswith(f".{k}.instructure.com")), None)
    if kind is None:
        return None
    every = "about every three weeks" if kind == "test" else "often weekly"
    copied = [key for key in ally_keys if not key.test_cluster_only]
    expected = (
        f" The Ally key {copied[0].id} ({copied[0].name or 'no name'}) looks copied from production: the next "
        "refresh brings production's version of it down again."
        if copied
        else " No Ally key here looks copied from production: make the key in production, and it arrives here "
        "with the next refresh."
    )
    return (
        f"This is a {kind} instance: Canvas refreshes it from production ({every}), so a key made only here "
        f"disappears at the next refresh and production's keys are copied down.{expected} A key marked Test "
        "Cluster Only works only on test and beta, never on production."
    )


def _in_use(key: DeveloperKeyInfo, today: dt.datetime) -> tuple[CheckStatus, str]:
    if key.access_token_count is None and key.last_used_at is None:
        return CheckStatus.SKIPPED, "Canvas did not show the key's token count or last use."
    if key.access_token_count == 0:
        return (
            CheckStatus.WARN,
            "No token of this key exists: Ally has not been authorized (or its tokens were deleted, e.g. when a "
            "scope was removed). On Ally's configuration page, select Configure Ally with Canvas Developer Key, "
            "Save and grant access, then Authorize.",
        )
    if key.last_used_at:
        try:
            used = dt.datetime.fromisoformat(key.last_used_at.replace("Z", "+00:00"))
        except ValueError:
            used = None
        if used is not None:
            if used.tzinfo is None:
                used = used.replace(tzinfo=dt.UTC)
            if today - used > STALE_AFTER:
                days = (today - used).days
                return (
                    CheckStatus.WARN,
                    f"The key was last used {days} days ago ({key.last_used_at}): Ally's sync seems to have "
                    "stopped. Open Ally's configuration page and authorize again if it asks.",
                )
            return CheckStatus.PASS, f"Used {key.last_used_at}; {key.access_token_count or 0} token(s) exist."
    return CheckStatus.PASS, f"{key.access_token_count} token(s) exist for the key."


def _is_ally_callback(uri: str, recipe: Recipe) -> bool:
    """An Ally callback with a Client ID (a typo in the path is key.redirect_uri's business, not this row's)."""
    found = ally_callback(uri, recipe)
    return found is not None and bool(found[1])


def judge_key(rows: _Rows, key: DeveloperKeyInfo, target: AuditTarget, today: dt.datetime) -> None:
    """The rows read from the key itself."""
    where = " (a Site Admin key)" if key.inherited else ""
    rows.put(KEY_EXISTS, CheckStatus.PASS, f"Found key {key.id} ({key.name or 'no name'}){where}.")
    if key.workflow_state == "active":
        rows.put(KEY_ACTIVE, CheckStatus.PASS, "The key's own state is active.")
    else:
        rows.put(
            KEY_ACTIVE,
            CheckStatus.FAIL,
            f"The key itself is {key.workflow_state}, so Canvas answers 'unknown client' for it. Activate it "
            "(PUT /api/v1/developer_keys/:id with developer_key[event]=activate, or the key's menu in older "
            "Canvas), or use another key.",
        )
    if key.is_lti_key:
        rows.put(
            KEY_API_KEY,
            CheckStatus.FAIL,
            "This is an LTI key. Ally needs an API key: in Admin > Developer Keys select + Developer Key, then "
            "API Key.",
        )
    else:
        rows.put(KEY_API_KEY, CheckStatus.PASS, "An API key, as Ally needs.")
    if target.redirect_uri in key.redirect_uris:
        rows.put(KEY_REDIRECT_URI, CheckStatus.PASS, wording.PASS_MESSAGES[KEY_REDIRECT_URI])
    else:
        shown = ", ".join(key.redirect_uris) or "none"
        rows.put(KEY_REDIRECT_URI, CheckStatus.FAIL, f"{wording.redirect_missing(target.redirect_uri)} Now: {shown}.")
    others = [uri for uri in key.redirect_uris if uri != target.redirect_uri and _is_ally_callback(uri, target.recipe)]
    if others:
        rows.put(
            KEY_REDIRECT_URIS_OTHER,
            CheckStatus.WARN,
            f"Also registered: {', '.join(others)} (another Ally region or Client ID). Remove them from Redirect "
            "URIs unless another Ally setup really uses this key.",
        )
    else:
        rows.put(KEY_REDIRECT_URIS_OTHER, CheckStatus.PASS, "No other Ally region or Client ID is registered.")
    if key.require_scopes:
        rows.put(KEY_ENFORCE_SCOPES, CheckStatus.PASS, "Enforce Scopes is on (read from the key).")
    else:
        rows.put(KEY_ENFORCE_SCOPES, CheckStatus.FAIL, wording.enforce_off())
    if key.allow_includes is None:
        rows.put(KEY_ALLOW_INCLUDES, CheckStatus.SKIPPED, "Canvas did not show Allow Include Parameters.")
    elif key.allow_includes:
        rows.put(KEY_ALLOW_INCLUDES, CheckStatus.PASS, "Allow Include Parameters is checked (read from the key).")
    else:
        rows.put(KEY_ALLOW_INCLUDES, CheckStatus.FAIL, wording.includes_off())
    if key.binding_state is None:
        rows.put(KEY_ON, CheckStatus.SKIPPED, "Canvas did not show the key's binding to the root account.")
    elif key.binding_state == "on":
        rows.put(KEY_ON, CheckStatus.PASS, "The key is ON for the root account.")
    else:
        rows.put(KEY_ON, CheckStatus.FAIL, f"The key is {key.binding_state.upper()}. {wording.key_not_on()}")
    wanted = set(target.scopes)
    extra = [scope for scope in key.scopes if scope not in wanted]
    if extra:
        rows.put(
            KEY_EXTRA_SCOPES,
            CheckStatus.WARN,
            f"{len(extra)} scope(s) beyond Ally's {len(wanted)}: {', '.join(extra)}. Ally does not need them (least "
            "privilege). Unticking a scope makes Canvas delete every token of the key, so Ally must then be "
            "authorized again.",
        )
    else:
        rows.put(KEY_EXTRA_SCOPES, CheckStatus.PASS, "No scope beyond Ally's.")
    status, message = _in_use(key, today)
    rows.put(KEY_IN_USE, status, message)
    held = set(key.scopes)
    for scope in target.scopes:
        if scope in held:
            rows.put(scope_check_id(scope), CheckStatus.PASS, "On the key (read from the key).")
        else:
            rows.put(scope_check_id(scope), CheckStatus.FAIL, wording.scope_missing(scope))


def renamed_scope(scope: str, catalogue: frozenset[str]) -> str | None:
    """The catalogue's name for a scope it knows under an older name (the Pages `:url` -> `:url_or_id` rename)."""
    older = scope.replace("/pages/:url_or_id", "/pages/:url")
    return older if older != scope and older in catalogue else None


def judge_catalogue(rows: _Rows, catalogue: frozenset[str] | None, note: str, target: AuditTarget) -> None:
    """catalogue.scopes: every recipe scope string is one this Canvas knows."""
    if catalogue is None:
        rows.put(CATALOGUE_SCOPES, CheckStatus.ERROR, f"The scope catalogue could not be read: {note}")
        return
    missing = [scope for scope in target.scopes if scope not in catalogue]
    if not missing:
        rows.put(CATALOGUE_SCOPES, CheckStatus.PASS, f"All {len(target.scopes)} scopes are in this Canvas's catalogue.")
        return
    parts = []
    for scope in missing:
        older = renamed_scope(scope, catalogue)
        parts.append(f"{scope} (this Canvas calls it {older})" if older else scope)
    rows.put(
        CATALOGUE_SCOPES,
        CheckStatus.FAIL,
        f"This Canvas does not know {len(missing)} of Ally's scopes: {'; '.join(parts)}. It is an older release "
        "(the Pages scopes were renamed in May 2022): tick the names this Canvas shows, and ask the Canvas "
        "administrator to update, since Ally requests the current names.",
    )


def choose_key(found: FoundKeys, target: AuditTarget) -> tuple[DeveloperKeyInfo | None, list[DeveloperKeyInfo], str]:
    """The key to audit, Ally's keys, and the sentence for key.exists when none; `KeyChoiceNeeded` if unclear."""
    ally = found.ally(target.recipe)
    if target.key_id:
        key = found.by_id(target.key_id)
        if key is None:
            listed = "; ".join(k.summary() for k in ally) or "none"
            return (
                None,
                ally,
                f"No developer key with ID {target.key_id} on this Canvas (root account and Site Admin keys "
                f"searched). Ally keys found: {listed}.",
            )
        return key, ally if key in ally else [key, *ally], ""
    if len(ally) == 1:
        return ally[0], ally, ""
    if not ally:
        return (
            None,
            ally,
            f"None of the {len(found.keys)} developer keys is Ally's (no Ally redirect URI, no name mentioning "
            "Ally). Create the key (the wizard's step 3).",
        )
    raise KeyChoiceNeeded(ally)


async def _catalogue(session: AdminSession) -> tuple[frozenset[str] | None, str]:
    try:
        return await catalogue_scopes(session), ""
    except (AdminTokenRefused, CanvasError) as exc:
        return None, exc.message


async def run_audit(
    client: CanvasClient,
    token: str,
    target: AuditTarget,
    *,
    on_check: CheckCallback | None = None,
    theme: asyncio.Task[ThemeSearch] | None = None,
    today: dt.datetime | None = None,
) -> AuditResult:
    """Audit the Ally key of `target` on the Canvas of `client` with the admin `token` (only GET requests).

    Raises `AdminTokenRefused` when the token cannot read developer keys, `KeyChoiceNeeded` when several
    Ally keys are found and no key ID chooses, `CanvasError` when Canvas does not answer.
    """
    started = now()
    session = AdminSession(client, token)
    theme_task = theme or asyncio.create_task(find_theme_ally_config(target.canvas_url, recipe=target.recipe))
    try:
        user = await check_admin_token(session)
        found, (catalogue, note) = await asyncio.gather(find_keys(session), _catalogue(session))
        key, ally, why = choose_key(found, target)
    except BaseException:
        theme_task.cancel()
        raise
    rows = _Rows(on_check, session.hidden)
    warning = instance_warning(target.canvas_url, ally)
    if warning:
        rows.put(CANVAS_INSTANCE, CheckStatus.WARN, warning)
    if key is None:
        rows.put(KEY_EXISTS, CheckStatus.FAIL, why)
    else:
        judge_key(rows, key, target, today or dt.datetime.now(dt.UTC))
    judge_catalogue(rows, catalogue, note, target)
    theme_check = theme_row(await theme_task, target.redirect_uri)
    rows.done[ALLY_THEME] = emit(on_check, theme_check)
    report = Report(started_at=started, checks=rows.ordered(audit_ids(target)), finished_at=now())
    return AuditResult(report, ally, key, user, found.pages)


def apply_audit(profile: Profile, result: AuditResult) -> None:
    """The scope checklist takes an audit's verdicts: a scope read from the key is verified, a missing one missing."""
    from ally_wizard.profile import scope_statuses

    if result.key is not None:
        profile.scopes.update(scope_statuses((), result.report.checks, profile.scopes))
