"""Snapshots of every screen and the notable states, at 100x32 (one at 80x24).

Each app gets fixed data: a profiles folder at a fixed path, fixed times, no network, no cursor blink.
Update after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at
the report before committing.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from ally_wizard.profile import ScopeStatus, StepId
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp

from .helpers import SECRET, all_scopes, fixed_home, fixed_homes_held, sample_profile, sample_report, save_profile
from .test_scopes import MISSING

SIZE = (100, 32)
Snap = Callable[..., bool]


@pytest.fixture(autouse=True)
def _fixed_homes_held() -> Iterator[None]:
    with fixed_homes_held():
        yield


def _app(name: str, *profiles: Any, open_name: str | None = "production", presenter: bool = False) -> WizardApp:
    store = ProfileStore(fixed_home(name))
    for profile in profiles:
        save_profile(store, profile)
    return WizardApp(store, open_name, presenter=presenter)


def _settled(then: Callable[[Pilot[None]], Awaitable[None]] | None = None) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Run `then`, clear notifications and stop cursors blinking, so the picture is the same every time."""

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the start screen reads the setups in a thread
        await pilot.pause()
        if then is not None:
            await then(pilot)
            await pilot.pause()
        pilot.app.clear_notifications()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


class TestStartScreen:
    """Step 1: the list of setups, the first run, and a corrupt profile."""

    def test_setups_with_progress_and_a_corrupt_file(self, snap_compare: Snap, monkeypatch: Any) -> None:
        """Two setups (one checked, one new) and a profile that could not be read."""

        def move_aside(store: ProfileStore, path: Path) -> Path:
            target = path.with_name(f"{path.name}.corrupt-20261126T140000Z")  # fixed, unlike the real stamp
            os.replace(path, target)
            return target

        monkeypatch.setattr(ProfileStore, "_move_aside", move_aside)
        app = _app(
            "start",
            sample_profile(
                done_through=StepId.AUTHORIZE, report=sample_report(), scopes=all_scopes(ScopeStatus.VERIFIED)
            ),
            sample_profile("test-2026", canvas_url="https://school.test.instructure.com"),
            open_name=None,
        )
        (app.store.folder / "broken.toml").write_text("not = = toml", encoding="utf-8")
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled())

    def test_first_run_asks_for_a_name(self, snap_compare: Snap) -> None:
        """No setups yet: the new-setup dialog opens at once."""
        assert snap_compare(_app("first-run", open_name=None), terminal_size=SIZE, run_before=_settled())


class TestCanvasScreen:
    """Step 2: the Canvas address, the environment and the Client ID."""

    def test_inline_errors(self, snap_compare: Snap) -> None:
        """An http:// address and a whole URI in the Client ID field, each with its fix."""

        async def type_wrong(pilot: Pilot[None]) -> None:
            pilot.app.screen.query_one("#canvas-url", Input).value = "http://canvas.school.edu"
            pilot.app.screen.query_one("#client-id", Input).value = "https://prod.ally.ac/api/v2/1234/auth"

        app = _app("canvas-errors", sample_profile(canvas_url="", client_id="", environment=""))
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled(type_wrong))

    def test_test_instance_warning_and_redirect_uri(self, snap_compare: Snap) -> None:
        """A test instance is warned about; the environment and Client ID make the redirect URI."""
        app = _app("canvas-test", sample_profile(canvas_url="https://school.test.instructure.com", environment="eu"))
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled())


class TestCreateKeyScreen:
    """Step 3: the checklist, the suggested values and the redirect URI."""

    def test_checklist_half_done(self, snap_compare: Snap) -> None:
        """Three steps ticked; the redirect URI in full with its copy action."""
        profile = sample_profile(done_through=StepId.CANVAS)
        profile.create_checklist = [0, 1, 2]
        assert snap_compare(_app("create-key", profile), terminal_size=SIZE, run_before=_settled())


class TestScopesScreen:
    """Step 4: the 31 scopes with their statuses."""

    def test_statuses_after_a_check(self, snap_compare: Snap) -> None:
        """On the key, missing, ticked, could not check, to do: each as symbol and word."""
        scopes = all_scopes(ScopeStatus.ON_KEY)
        scopes.update({scope: ScopeStatus.MISSING for scope in MISSING})
        scopes["url:GET|/api/v1/accounts/:id"] = ScopeStatus.TICKED
        scopes["url:GET|/api/v1/accounts/:account_id/courses"] = ScopeStatus.UNKNOWN
        scopes["url:GET|/api/v1/courses/:course_id/assignments"] = ScopeStatus.TODO
        app = _app("scopes", sample_profile(done_through=StepId.CREATE_KEY, scopes=scopes))
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled())

    def test_all_verified_filtered_at_80x24(self, snap_compare: Snap) -> None:
        """All 31 verified live, filtered to one section, in an 80x24 terminal."""

        async def filter_files(pilot: Pilot[None]) -> None:
            await pilot.press("slash", *"files", "enter")

        app = _app("scopes-80", sample_profile(done_through=StepId.CREATE_KEY, scopes=all_scopes(ScopeStatus.VERIFIED)))
        assert snap_compare(app, terminal_size=(80, 24), run_before=_settled(filter_files))


class TestActivateScreen:
    """Step 5: the key ID and the secret."""

    def test_bad_key_id_and_short_secret(self, snap_compare: Snap) -> None:
        """A key ID too short to be a global one (a local ID or a count); a secret shorter than 64 (a warning only)."""

        async def type_wrong(pilot: Pilot[None]) -> None:
            pilot.app.screen.query_one("#key-id", Input).value = "12"
            pilot.app.screen.query_one("#secret", Input).value = "x" * 40

        app = _app("activate", sample_profile(done_through=StepId.SCOPES, key_id=""))
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled(type_wrong))


class TestAuthorizeScreen:
    """Step 6: before the check, after a failed one, and all verified."""

    def test_before_the_first_check(self, snap_compare: Snap) -> None:
        """What will happen, and the secret field (the secret is not in memory after a restart)."""
        app = _app("authorize-new", sample_profile(done_through=StepId.ACTIVATE))
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled())

    def test_missing_scopes_with_their_fix(self, snap_compare: Snap) -> None:
        """Three scopes failed live: each named with its fix, and a button to the step that fixes it."""
        app = _app(
            "authorize-fail", sample_profile(done_through=StepId.ACTIVATE, report=sample_report(missing=MISSING))
        )
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled())

    def test_all_verified(self, snap_compare: Snap) -> None:
        """Every check passed and the token was revoked."""
        app = _app(
            "authorize-pass",
            sample_profile(
                done_through=StepId.ACTIVATE, report=sample_report(), scopes=all_scopes(ScopeStatus.VERIFIED)
            ),
        )
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled())


class TestHandoffScreen:
    """Step 7: Ally's steps, the values to copy, the summary."""

    def test_handoff_after_a_passing_check(self, snap_compare: Snap) -> None:
        """The secret is masked to its last four characters even outside presenter mode."""

        async def with_secret(pilot: Pilot[None]) -> None:
            assert isinstance(pilot.app, WizardApp)
            pilot.app.session.secret = SECRET
            pilot.app.go_to(7)

        app = _app(
            "handoff",
            sample_profile(
                done_through=StepId.AUTHORIZE, report=sample_report(), scopes=all_scopes(ScopeStatus.VERIFIED)
            ),
        )
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled(with_secret))

    def test_presenter_mode_masks_key_id_and_secret(self, snap_compare: Snap) -> None:
        """Presenter mode: the key ID's middle and all but four characters of the secret are masked."""

        async def with_secret(pilot: Pilot[None]) -> None:
            assert isinstance(pilot.app, WizardApp)
            pilot.app.session.secret = SECRET
            pilot.app.go_to(7)

        app = _app(
            "handoff-presenter", sample_profile(done_through=StepId.AUTHORIZE, report=sample_report()), presenter=True
        )
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled(with_secret))


class TestHelp:
    """The `?` help over a step."""

    def test_help_for_the_scopes_step(self, snap_compare: Snap) -> None:
        """Why the step exists and what commonly goes wrong."""

        async def ask(pilot: Pilot[None]) -> None:
            await pilot.press("question_mark")

        app = _app("help", sample_profile(done_through=StepId.CREATE_KEY))
        assert snap_compare(app, terminal_size=SIZE, run_before=_settled(ask))
