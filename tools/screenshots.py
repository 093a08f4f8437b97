"""Regenerate `screenshots/`: one SVG per step, exported by the app itself from fixed sample data.

Run `python -m tools.screenshots` from the repository (optionally `--out DIR`). No network is used: the live
authorization step is shown with a saved report, as after a passing run.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from ally_wizard.canvas.report import CheckStatus, Report
from ally_wizard.profile import Profile, ScopeStatus, StepId
from ally_wizard.recipe import default_recipe
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from tools.samples import sample_profile, sample_report

SIZE = (100, 32)
SAMPLE_SECRET = "Xq" * 30 + "9f3a"
MISSING = ("url:GET|/api/v1/accounts/:account_id/terms", "url:PUT|/api/v1/media_objects/:media_object_id")


def screenshot_profile(done_through: StepId | None, *, report: Report | None = None) -> Profile:
    """The sample setup as the screenshots show it: the checklist done, 20 scopes ticked, the report's verdicts."""
    profile = sample_profile(done_through=done_through, report=report)
    profile.create_checklist = [0, 1, 2, 3, 4]
    for index, scope in enumerate(default_recipe().scope_strings):
        profile.scopes[scope] = ScopeStatus.TICKED if index < 20 else ScopeStatus.TODO
    if report is not None:
        for check in report.checks:
            if check.scope is not None:
                verified = check.status is CheckStatus.PASS
                profile.scopes[check.scope] = ScopeStatus.VERIFIED if verified else ScopeStatus.MISSING
    return profile


def scopes_in_progress() -> Profile:
    """Step 4 after a "check now": most scopes on the key, two missing, some only ticked, one to do."""
    profile = screenshot_profile(StepId.CREATE_KEY)
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
    ("01-start.svg", screenshot_profile(StepId.SCOPES), None, _nothing),
    ("02-canvas.svg", screenshot_profile(None), "production", _nothing),
    ("03-create-key.svg", screenshot_profile(StepId.CANVAS), "production", _nothing),
    ("04-scopes.svg", scopes_in_progress(), "production", _nothing),
    ("05-activate.svg", screenshot_profile(StepId.SCOPES), "production", _type_secret),
    ("06-authorize.svg", screenshot_profile(StepId.ACTIVATE, report=sample_report()), "production", _nothing),
    (
        "06-authorize-missing-scopes.svg",
        screenshot_profile(StepId.ACTIVATE, report=sample_report(MISSING)),
        "production",
        _nothing,
    ),
    ("07-handoff.svg", screenshot_profile(StepId.AUTHORIZE, report=sample_report()), "production", _with_secret),
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
