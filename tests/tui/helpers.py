"""Shared helpers of the wizard's Pilot and snapshot tests: fixed profiles, waiting, reading the screen."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from ally_wizard.canvas.report import Check, CheckStatus, Evidence, Report, scope_check_id
from ally_wizard.profile import Profile, ScopeStatus, StepId, StepProgress, StepState
from ally_wizard.recipe import default_recipe
from ally_wizard.store import ProfileStore

FIXED = dt.datetime(2026, 11, 26, 14, 0, tzinfo=dt.UTC)
KEY_ID = "170000000000123"
SECRET = "s" * 60 + "9f3a"


def fixed_profile(
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
    """A profile with fixed times, done up to and including `done_through`."""
    profile = Profile(
        name=name,
        canvas_url=canvas_url,
        environment=environment,
        client_id=client_id,
        key_name="Anthology Ally",
        owner_email="lms-admins@school.edu",
        key_id=key_id,
        recipe_version=default_recipe().version,
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


def save_profile(store: ProfileStore, profile: Profile) -> None:
    """Write a profile as the wizard would."""
    store.create(profile)


def passing_report(missing: tuple[str, ...] = ()) -> Report:
    """A full live report at a fixed time: everything passes except the scopes named."""
    at = FIXED
    checks = [
        Check(
            "key.exists",
            "The key ID exists in Canvas (not deleted)",
            CheckStatus.PASS,
            "The key exists.",
            Evidence(302),
            at,
        ),
        Check("key.redirect_uri", "The Ally redirect URI is on the key", CheckStatus.PASS, "It is.", Evidence(302), at),
        Check("key.enforce_scopes", "Enforce Scopes is on", CheckStatus.PASS, "It is.", Evidence(302), at),
        Check("key.on", "The key's State is ON (not OFF or ALLOW)", CheckStatus.PASS, "It is.", Evidence(302), at),
        Check(
            "key.secret", "The secret belongs to the key", CheckStatus.PASS, "Canvas accepted it.", Evidence(200), at
        ),
        Check(
            "key.allow_includes", "Allow Include Parameters is checked", CheckStatus.PASS, "It is.", Evidence(200), at
        ),
    ]
    for scope in default_recipe().scope_strings:
        if scope in missing:
            checks.append(
                Check(
                    scope_check_id(scope),
                    scope,
                    CheckStatus.FAIL,
                    f"Edit the key in Admin > Developer Keys, tick {scope}, then Save.",
                    Evidence(401, "Insufficient scopes on access token."),
                    at,
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
                    at,
                )
            )
    checks.append(Check("token.revoked", "The test token was revoked", CheckStatus.PASS, "Revoked.", Evidence(200), at))
    return Report(started_at=FIXED, checks=checks, finished_at=FIXED, authorized_by="Avery Admin")


STOPPED_REASON = "No address was pasted (input ended), so no token was asked for."


def stopped_report() -> Report:
    """A run that stopped before it could judge the key: the preflight passed, the live rows were not checked."""
    checks = [
        Check(check.id, check.title, CheckStatus.SKIPPED, f"Not checked: {STOPPED_REASON}", Evidence(), FIXED)
        if check.id in ("key.secret", "key.allow_includes", "token.revoked")
        else check
        for check in passing_report().checks
    ]
    return Report(started_at=FIXED, checks=checks, finished_at=FIXED)


def all_scopes(status: ScopeStatus) -> dict[str, ScopeStatus]:
    """Every recipe scope at one status."""
    return {scope: status for scope in default_recipe().scope_strings}


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until `predicate()` holds; fail the test after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"Timed out after {timeout}s waiting for the app")
        await pilot.pause(0.05)


def text_of(pilot: Pilot[None], selector: str) -> str:
    """The plain text a Static shows."""
    widget = pilot.app.screen.query_one(selector, Static)
    return str(widget.render())


def fixed_home(name: str) -> Path:
    """A folder at a fixed path (snapshots show the profiles folder, so it must not vary, even with $TMPDIR)."""
    import shutil

    home = Path("/tmp/ally-wizard-snapshots") / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home
