"""The fixed sample data of the screenshots and of the wizard's tests: one setup, one report, fixed times.

No Textual here: the unit tests use it too. Not part of the installed package (like all of `tools/`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ally_wizard.canvas.report import Check, CheckStatus, Evidence, Report, scope_check_id
from ally_wizard.profile import Profile, ScopeStatus, StepId, StepProgress, StepState
from ally_wizard.recipe import default_recipe

if TYPE_CHECKING:
    from ally_wizard.sandbox import RunningSandbox

FIXED = dt.datetime(2026, 11, 26, 14, 0, tzinfo=dt.UTC)
KEY_ID = "170000000000123"
STOPPED_REASON = "No address was pasted (input ended), so no token was asked for."
KEY_ROWS = (
    ("key.exists", "The key ID exists in Canvas (not deleted)"),
    ("key.redirect_uri", "The Ally redirect URI is on the key"),
    ("key.enforce_scopes", "Enforce Scopes is on"),
    ("key.on", "The key's State is ON (not OFF or ALLOW)"),
    ("key.secret", "The secret belongs to the key"),
    ("key.allow_includes", "Allow Include Parameters is checked"),
)
LIVE_ROWS = ("key.secret", "key.allow_includes", "token.revoked")


def sample_profile(
    name: str = "production",
    *,
    done_through: StepId | None = None,
    canvas_url: str = "https://canvas.school.edu",
    environment: str = "us",
    client_id: str = "1234",
    key_id: str = KEY_ID,
    scopes: dict[str, ScopeStatus] | None = None,
    report: Report | None = None,
) -> Profile:
    """The sample setup with fixed times, done up to and including `done_through`."""
    recipe = default_recipe()
    profile = Profile(
        name=name,
        canvas_url=canvas_url,
        environment=environment,
        client_id=client_id,
        key_name=recipe.suggested_key_name,
        owner_email="lms-admins@school.edu",
        key_id=key_id,
        recipe_version=recipe.version,
        created_at=FIXED,
        updated_at=FIXED,
    )
    if done_through is not None:
        for step in StepId:
            profile.steps[step] = StepProgress(StepState.DONE, FIXED, FIXED)
            if step is done_through:
                break
    if scopes:
        profile.scopes.update(scopes)
    profile.last_verification = report
    return profile


def sample_report(missing: tuple[str, ...] = ()) -> Report:
    """A live report as a passing run leaves it (the scopes in `missing` failed)."""
    checks = [Check(cid, title, CheckStatus.PASS, "As required.", Evidence(200), FIXED) for cid, title in KEY_ROWS]
    for scope in default_recipe().scope_strings:
        if scope in missing:
            checks.append(
                Check(
                    scope_check_id(scope),
                    scope,
                    CheckStatus.FAIL,
                    f"Edit the key in Admin > Developer Keys, tick {scope}, then Save.",
                    Evidence(401, "Insufficient scopes on access token."),
                    FIXED,
                )
            )
        else:
            checks.append(
                Check(
                    scope_check_id(scope),
                    scope,
                    CheckStatus.PASS,
                    "Verified live: Canvas let the token through.",
                    Evidence(404),
                    FIXED,
                )
            )
    checks.append(
        Check("token.revoked", "The test token was revoked", CheckStatus.PASS, "Revoked.", Evidence(200), FIXED)
    )
    return Report(started_at=FIXED, checks=checks, finished_at=FIXED, authorized_by="Avery Admin")


def stopped_report() -> Report:
    """A run that stopped before it could judge the key: the preflight passed, the live rows were not checked."""
    checks = [
        Check(check.id, check.title, CheckStatus.SKIPPED, f"Not checked: {STOPPED_REASON}", Evidence(), FIXED)
        if check.id in LIVE_ROWS
        else check
        for check in sample_report().checks
    ]
    return Report(started_at=FIXED, checks=checks, finished_at=FIXED)


def sandbox_profile(
    canvas: RunningSandbox, name: str = "production", *, done_through: StepId | None = StepId.ACTIVATE
) -> Profile:
    """The sample setup pointed at a simulated Canvas: its address (the redirecting one an admin types,
    when there is one), its Ally environment, Client ID and key ID; done through step 5 by default."""
    return sample_profile(
        name,
        done_through=done_through,
        canvas_url=canvas.canvas_url,
        environment=canvas.ally_environment,
        client_id=canvas.ally_client_id,
        key_id=canvas.key_id,
    )
