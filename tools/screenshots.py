"""Regenerate `screenshots/`: one SVG per step, exported by the app itself from fixed sample data.

Run `python tools/screenshots.py` (optionally `--out DIR`). No network is used: the live
authorization step is shown with a saved report, as after a passing run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from ally_wizard.canvas.report import Check, CheckStatus, Evidence, Report, scope_check_id
from ally_wizard.profile import Profile, ScopeStatus, StepId, StepProgress, StepState
from ally_wizard.recipe import default_recipe
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp

SIZE = (100, 32)
WHEN = dt.datetime(2026, 11, 26, 14, 0, tzinfo=dt.UTC)
SAMPLE_SECRET = "Xq" * 30 + "9f3a"
MISSING = ("url:GET|/api/v1/accounts/:account_id/terms", "url:PUT|/api/v1/media_objects/:media_object_id")


def sample_report(missing: tuple[str, ...] = ()) -> Report:
    """A live report as a passing run leaves it (the scopes in `missing` failed)."""
    rows = [
        ("key.exists", "The key ID exists in Canvas (not deleted)"),
        ("key.redirect_uri", "The Ally redirect URI is on the key"),
        ("key.enforce_scopes", "Enforce Scopes is on"),
        ("key.on", "The key's State is ON (not OFF or ALLOW)"),
        ("key.secret", "The secret belongs to the key"),
        ("key.allow_includes", "Allow Include Parameters is checked"),
    ]
    checks = [Check(cid, title, CheckStatus.PASS, "As required.", Evidence(200), WHEN) for cid, title in rows]
    for scope in default_recipe().scope_strings:
        if scope in missing:
            checks.append(
                Check(
                    scope_check_id(scope),
                    scope,
                    CheckStatus.FAIL,
                    f"Edit the key in Admin > Developer Keys, tick {scope}, then Save.",
                    Evidence(401, "Insufficient scopes on access token."),
                    WHEN,
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
                    WHEN,
                )
            )
    checks.append(
        Check("token.revoked", "The test token was revoked", CheckStatus.PASS, "Revoked.", Evidence(200), WHEN)
    )
    return Report(started_at=WHEN, checks=checks, finished_at=WHEN, authorized_by="Avery Admin")


def sample_profile(done_through: StepId | None, *, report: Report | None = None) -> Profile:
    """The sample setup, done up to and including `done_through`, with fixed times."""
    recipe = default_recipe()
    profile = Profile(
        name="production",
        canvas_url="https://canvas.school.edu",
        environment="us",
        client_id="1234",
        key_name=recipe.suggested_key_name,
        owner_email="lms-admins@school.edu",
        key_id="170000000000123",
        recipe_version=recipe.version,
        created_at=WHEN,
        updated_at=WHEN,
    )
    if done_through is not None:
        for step in StepId:
            profile.steps[step] = StepProgress(StepState.DONE, WHEN, WHEN)
            if step is done_through:
                break
    profile.create_checklist = [0, 1, 2, 3, 4]
    scopes = recipe.scope_strings
    for index, scope in enumerate(scopes):
        profile.scopes[scope] = ScopeStatus.TICKED if index < 20 else ScopeStatus.TODO
    profile.last_verification = report
    if report is not None:
        for check in report.checks:
            if check.scope is not None:
                verified = check.status is CheckStatus.PASS
                profile.scopes[check.scope] = ScopeStatus.VERIFIED if verified else ScopeStatus.MISSING
    return profile


def scopes_in_progress() -> Profile:
    """Step 4 after a "check now": most scopes on the key, two missing, some only ticked, one to do."""
    profile = sample_profile(StepId.CREATE_KEY)
    for index, scope in enumerate(default_recipe().scope_strings):
        profile.scopes[scope] = ScopeStatus.ON_KEY if index < 24 else ScopeStatus.TICKED
    for scope in MISSING:
        profile.scopes[scope] = ScopeStatus.MISSING
    profile.scopes["url:GET|/api/v1/accounts/:account_id/courses"] = ScopeStatus.UNKNOWN
    profile.scopes["url:PUT|/api/v1/courses/:course_id/quizzes/:id"] = ScopeStatus.TODO
    return profile


Action = Callable[[Pilot[None]], Awaitable[None]]


async def _nothing(pilot: Pilot[None]) -> None:
    await pilot.pause()


async def _with_secret(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, WizardApp)
    app.session.secret = SAMPLE_SECRET
    app.go_to(7)  # drawn again, now with the secret in memory


async def _type_secret(pilot: Pilot[None]) -> None:
    pilot.app.screen.query_one("#secret", Input).value = SAMPLE_SECRET


# file name, the profile on disk (None: first run), the profile to open, what to do before the picture
SHOTS: tuple[tuple[str, Profile | None, str | None, Action], ...] = (
    ("01-start.svg", sample_profile(StepId.SCOPES), None, _nothing),
    ("02-canvas.svg", sample_profile(None), "production", _nothing),
    ("03-create-key.svg", sample_profile(StepId.CANVAS), "production", _nothing),
    ("04-scopes.svg", scopes_in_progress(), "production", _nothing),
    ("05-activate.svg", sample_profile(StepId.SCOPES), "production", _type_secret),
    ("06-authorize.svg", sample_profile(StepId.ACTIVATE, report=sample_report()), "production", _nothing),
    (
        "06-authorize-missing-scopes.svg",
        sample_profile(StepId.ACTIVATE, report=sample_report(MISSING)),
        "production",
        _nothing,
    ),
    ("07-handoff.svg", sample_profile(StepId.AUTHORIZE, report=sample_report()), "production", _with_secret),
)


async def take(out: Path, name: str, profile: Profile | None, open_name: str | None, action: Action) -> Path:
    """Run the app headless on fixed data and export the screen as SVG."""
    home = Path(tempfile.gettempdir()) / "ally-wizard-screenshots"
    shutil.rmtree(home, ignore_errors=True)
    store = ProfileStore(home)
    if profile is not None:
        store.create(profile)
    app = WizardApp(store, open_name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await action(pilot)
        await pilot.pause()
        app.clear_notifications()
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()
        path = Path(app.save_screenshot(name, str(out)))
    shutil.rmtree(home, ignore_errors=True)
    return path


async def take_all(out: Path) -> list[Path]:
    """Every screenshot, one after the other."""
    out.mkdir(parents=True, exist_ok=True)
    return [await take(out, *shot) for shot in SHOTS]


def main(argv: list[str] | None = None) -> int:
    """Command line: write the SVGs and list them."""
    parser = argparse.ArgumentParser(description="Regenerate the wizard's screenshots (SVG).")
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="folder (default: screenshots)")
    args = parser.parse_args(argv)
    for path in asyncio.run(take_all(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
