"""Saved as typed, resumed where it stopped: quitting loses nothing, and the secret is never written."""

from __future__ import annotations

import os

from textual.widgets import DataTable, Input, RadioSet

from ally_wizard.profile import ScopeStatus, StepId, StepState
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.screens.dialogs import ConfirmScreen

from .helpers import SECRET, sample_profile, sample_report, save_profile, text_of, wait_for


async def test_quit_mid_way_and_resume_on_the_same_step_with_the_same_values(store: ProfileStore) -> None:
    app = WizardApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")  # first run: name the setup "production"
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        await pilot.press(*"canvas.school.edu", "tab")
        await pilot.press("down", "enter", "tab")  # Canadian data center
        await pilot.press(*"4321")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CreateKeyScreen")
        await pilot.press("space", "down", "space")  # two checklist steps done
        app.screen.query_one("#owner-email", Input).focus()
        await pilot.press(*"it@school.edu")
        await pilot.press("ctrl+q")
    assert not app.is_running

    again = WizardApp(store)
    async with again.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(again.screen).__name__ == "StartScreen")
        table = again.screen.query_one("#profiles", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)  # the rows are filled after the first paint
        assert table.get_row_at(0)[2].plain == "2/7"
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(again.screen).__name__ == "CreateKeyScreen")
        checklist = again.screen.query_one("#checklist", DataTable)
        assert [str(checklist.get_cell(str(n), "done")) for n in range(3)] == ["☑ done", "☑ done", "○ to do"]
        assert again.screen.query_one("#owner-email", Input).value == "it@school.edu"
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: type(again.screen).__name__ == "CanvasScreen")
        assert again.screen.query_one("#canvas-url", Input).value == "https://canvas.school.edu"
        assert again.screen.query_one("#client-id", Input).value == "4321"
        pressed = again.screen.query_one("#environment", RadioSet).pressed_button
        assert pressed is not None and pressed.name == "ca"


async def test_a_value_not_yet_valid_never_replaces_the_saved_one(store: ProfileStore) -> None:
    save_profile(store, sample_profile(canvas_url="https://canvas.school.edu"))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        app.screen.query_one("#canvas-url", Input).value = ""
        await pilot.press(*"canvas")
        await pilot.press("ctrl+c")
    assert store.load("production").profile.canvas_url == "https://canvas.school.edu"


async def test_ticked_scopes_are_saved_and_the_secret_never_is(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.CREATE_KEY))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ScopesScreen")
        await pilot.press("down", "space")  # the first scope under "Accounts"
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActivateScreen")
        app.screen.query_one("#secret", Input).value = SECRET  # as a paste would
        await pilot.pause()
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
    profile = store.load("production").profile
    assert profile.scope_status("url:GET|/api/v1/accounts") is ScopeStatus.TICKED
    assert profile.steps[StepId.ACTIVATE].state is StepState.DONE
    for root, _dirs, files in os.walk(store.home):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                assert SECRET.encode() not in handle.read()


async def test_start_screen_shows_progress_and_last_check(store: ProfileStore) -> None:
    report = sample_report(missing=("url:GET|/api/v1/accounts/:account_id/terms",))
    save_profile(
        store,
        sample_profile(
            done_through=StepId.ACTIVATE, report=report, scopes={"url:GET|/api/v1/accounts": ScopeStatus.VERIFIED}
        ),
    )
    app = WizardApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartScreen")
        table = app.screen.query_one("#profiles", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        row = table.get_row_at(0)
        assert row[0].plain == "production"
        assert row[2].plain == "5/7"
        assert row[3].plain == "1/31"
        assert str(row[4]) == "2026-11-26 ✗ fail"
        assert row[5].plain == "6 Authorize"


async def test_a_corrupt_profile_is_reported_not_crashed_on(store: ProfileStore) -> None:
    save_profile(store, sample_profile())
    (store.folder / "broken.toml").write_text("this is = = not toml", encoding="utf-8")
    app = WizardApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartScreen")
        await wait_for(pilot, lambda: app.screen.query_one("#profiles", DataTable).row_count > 0)
        problems = text_of(pilot, "#problems")
        assert "'broken' could not be read" in problems
        assert app.screen.query_one("#profiles", DataTable).row_count == 1


async def test_delete_asks_first_and_no_keeps_the_profile(store: ProfileStore) -> None:
    save_profile(store, sample_profile())
    app = WizardApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartScreen")
        await wait_for(pilot, lambda: app.screen.query_one("#profiles", DataTable).row_count > 0)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # the focused, safe answer: No
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartScreen")
        assert store.names() == ["production"]
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not store.names())


async def test_a_change_made_elsewhere_is_not_overwritten(store: ProfileStore) -> None:
    save_profile(store, sample_profile(client_id="1234"))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        other = store.load("production")
        other.profile.client_id = "999"
        store.save(other)
        app.screen.query_one("#client-id", Input).focus()
        await pilot.press("backspace")
        await pilot.pause()
        assert app.session.last_save_error is not None
        assert "changed by another ally-wizard" in app.session.last_save_error
    assert store.load("production").profile.client_id == "999"


async def test_a_clean_quit_leaves_no_lock_file(store: ProfileStore) -> None:
    save_profile(store, sample_profile(client_id="1234"))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        app.screen.query_one("#client-id", Input).value = "4321"
        await wait_for(pilot, lambda: store.load("production").profile.client_id == "4321")
        assert (store.folder / ".production.toml.lock").exists()
        await pilot.press("ctrl+q")
    assert not list(store.folder.glob("*.lock"))
