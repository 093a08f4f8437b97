"""The verification engine's front door: what the screens and `ally-wizard check` call.

A run has two halves. The preflight (`run_preflight`) needs no login and judges the key's existence,
redirect URI, Enforce Scopes, state and scopes from Canvas's authorization endpoint. The live half
(`begin_authorization`, `read_pasted_code`, `run_live_checks`) needs the admin to authorize once in a
browser; it verifies the secret, Allow Include Parameters and every scope with a real token, then revokes
it. `combine` merges both halves into the rows of one report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ally_wizard.canvas.live import LiveResult, live_ids, planned_live, run_live_checks
from ally_wizard.canvas.oauth import (
    AuthorizationInputError,
    PendingAuthorization,
    begin_authorization,
    read_pasted_code,
)
from ally_wizard.canvas.preflight import planned_preflight, preflight_ids, run_preflight
from ally_wizard.canvas.report import (
    KEY_ALLOW_INCLUDES,
    KEY_ENFORCE_SCOPES,
    KEY_EXISTS,
    KEY_ON,
    KEY_REDIRECT_URI,
    KEY_SECRET,
    TOKEN_REVOKED,
    Check,
    CheckStatus,
    Report,
    scope_check_id,
)
from ally_wizard.canvas.target import CheckCallback, KeyTarget

__all__ = [
    "AuthorizationInputError",
    "CheckCallback",
    "KeyTarget",
    "LiveResult",
    "PendingAuthorization",
    "begin_authorization",
    "combine",
    "enforce_scopes_found",
    "live_blocker",
    "live_ids",
    "planned_live",
    "planned_preflight",
    "preflight_ids",
    "read_pasted_code",
    "report_of",
    "run_live_checks",
    "run_preflight",
]


def report_ids(target: KeyTarget) -> list[str]:
    """Every row of a full run, in the order a report shows them."""
    return [
        KEY_EXISTS,
        KEY_REDIRECT_URI,
        KEY_ENFORCE_SCOPES,
        KEY_ON,
        KEY_SECRET,
        KEY_ALLOW_INCLUDES,
        *map(scope_check_id, target.scopes),
        TOKEN_REVOKED,
    ]


def _by_id(checks: Sequence[Check]) -> dict[str, Check]:
    return {check.id: check for check in checks}


def live_blocker(preflight: Sequence[Check]) -> str | None:
    """Why authorizing cannot work yet (a sentence), or None. The redirect URI does not block: OOB is used.

    Canvas refuses the authorization itself when the key is unknown or not ON, or when a requested scope
    is not on a key that enforces scopes, so the admin should fix those rows first.
    """
    rows = _by_id(preflight)

    def failed(check_id: str) -> bool:
        row = rows.get(check_id)
        return row is not None and row.status is CheckStatus.FAIL

    if failed(KEY_EXISTS):
        return "Canvas does not know the key, so it cannot be authorized; fix the key ID first."
    exists = rows.get(KEY_EXISTS)
    if exists is not None and exists.status is CheckStatus.ERROR:
        # No answer a Canvas gives (a gate, a proxy, an outage): the secret must not go there.
        return (
            "The address did not answer as Canvas does, so neither the secret nor an authorization is sent "
            "there; check that it is your Canvas's address, then check again."
        )
    missing = [row for row in preflight if row.scope is not None and row.status is CheckStatus.FAIL]
    if missing:
        return (
            f"{len(missing)} scope(s) are not on the key, and Canvas refuses an authorization that asks for "
            "them; tick them and Save first."
        )
    if failed(KEY_ON):
        return "The key is not ON for this Canvas, and Canvas refuses to authorize it; turn it ON first."
    return None


def enforce_scopes_found(preflight: Sequence[Check]) -> bool | None:
    """What the preflight found about Enforce Scopes (None when it could not tell), for `run_live_checks`."""
    row = _by_id(preflight).get(KEY_ENFORCE_SCOPES)
    if row is None or row.status not in (CheckStatus.PASS, CheckStatus.FAIL):
        return None
    return row.status is CheckStatus.PASS


def combine(target: KeyTarget, preflight: Sequence[Check], live: Sequence[Check] = ()) -> list[Check]:
    """One row per id: a live verdict replaces the preflight's for a scope, unless the live run skipped it."""
    merged = _by_id(preflight)
    for check in live:
        earlier = merged.get(check.id)
        if check.status is CheckStatus.SKIPPED and earlier is not None:
            continue
        merged[check.id] = check
    return [merged[check_id] for check_id in report_ids(target) if check_id in merged]


def report_of(
    target: KeyTarget,
    started_at: dt.datetime,
    preflight: Sequence[Check],
    live: LiveResult | None = None,
) -> Report:
    """The report of a run (what the profile keeps): no secret or token is in any row."""
    return Report(
        started_at=started_at,
        checks=combine(target, preflight, live.checks if live else ()),
        finished_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        authorized_by=live.authorized_by if live else None,
    )
