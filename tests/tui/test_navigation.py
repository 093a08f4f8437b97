"""Moving through the wizard: first run, Back and Next, the step bar, help, the command palette, quitting."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Input

from ally_wizard.profile import StepId, StepState
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.screens.dialogs import NewProfileScreen
from ally_wizard.tui.screens.help import HelpScreen
from ally_wizard.tui.widgets.step_bar import StepBar

from .helpers import sample_profile, save_profile, wait_for


async def test_first_run_goes_straight_to_naming_a_new_setup(store: ProfileStore) -> None:
    app = WizardApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, NewProfileScreen)
        assert app.screen.query_one("#profile-name", Input).value == "production"
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
    assert store.names() == ["production"]


async def test_next_and_back_move_one_step_and_mark_the_step_done(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=None))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CreateKeyScreen")
        bar = str(app.screen.query_one(StepBar).render())
        assert "Step 3 of 7" in bar
        assert "✓2" in bar
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
    assert store.load("production").profile.steps[StepId.CANVAS].state is StepState.DONE


async def test_back_from_step_two_returns_to_the_start_screen(store: ProfileStore) -> None:
    save_profile(store, sample_profile())
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        await pilot.click("#back")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartScreen")
        assert app.session.profile is None


async def test_a_setup_opened_at_once_leaves_the_start_screen_unbuilt_until_back_shows_it(
    store: ProfileStore,
) -> None:
    save_profile(store, sample_profile())
    save_profile(store, sample_profile("test-2026"))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        await pilot.pause()
        assert not app.screen_stack[0].query("#profiles")  # the first frame paid for step 2 alone
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartScreen")
        table = app.screen.query_one("#profiles", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        assert table.has_focus
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        assert app.session.require().name == "test-2026"


async def test_question_mark_opens_help_for_the_current_step(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.CREATE_KEY))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ScopesScreen")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen.query_one("#help-text").render())
        assert "Step 4: Scopes" in text
        assert "What commonly goes wrong" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ScopesScreen")


async def test_command_palette_lists_the_steps_and_jumps_to_one(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.SCOPES))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActivateScreen")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"step 4")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ScopesScreen")


async def test_command_palette_offers_the_screens_main_action(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.ACTIVATE))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
        names = [command.title for command in app.get_system_commands(app.screen)]
        assert "Check now" in names
        assert "Go to step 7: Hand-off to Ally" in names
        assert "Copy the redirect URI" not in names
        assert "Quit" in names  # Textual's own system commands are still there


async def test_the_palette_offers_cancel_only_while_a_check_runs(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.ACTIVATE))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
        names = [command.title for command in app.get_system_commands(app.screen)]
        assert "Cancel the running check" not in names
        release = asyncio.Event()
        app.screen.run_worker(release.wait(), group="check")
        await pilot.pause()
        names = [command.title for command in app.get_system_commands(app.screen)]
        assert "Cancel the running check" in names
        release.set()


async def test_ctrl_q_quits_and_ctrl_c_quits_too(store: ProfileStore) -> None:
    save_profile(store, sample_profile())
    for key in ("ctrl+q", "ctrl+c"):
        app = WizardApp(store, "production")
        async with app.run_test(size=(100, 32)) as pilot:
            await wait_for(pilot, lambda app=app: type(app.screen).__name__ == "CanvasScreen")
            app.screen.query_one("#canvas-url", Input).focus()
            await pilot.pause()
            assert isinstance(app.focused, Input)  # Ctrl+C is not taken for "copy" by the field
            await pilot.press(key)
            await pilot.pause()
            assert not app.is_running
            assert app.return_code == 0


async def test_every_screen_fits_at_80_by_24(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.AUTHORIZE))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoffScreen")
        for number in range(2, 8):
            app.go_to(number)
            await pilot.pause()
            nav = app.screen.query_one("#nav")
            assert nav.region.bottom <= 24
            assert nav.region.height == 1


async def test_naming_a_profile_that_does_not_exist_starts_it(store: ProfileStore) -> None:
    app = WizardApp(store, "campus-b")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        assert [type(s).__name__ for s in app.screen_stack] == ["StartScreen", "CanvasScreen"]
    assert store.names() == ["campus-b"]
