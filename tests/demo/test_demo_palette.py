"""The command palette of a training session offers the scenario picker beside the wizard's own entries."""

from __future__ import annotations

from pytest import MonkeyPatch
from textual.command import CommandPalette

from ally_wizard.tui.demo_app import DemoWizardApp

from .conftest import DemoFactory


async def test_palette_lists_the_practice_commands_and_opens_the_scenario_picker(demo_session: DemoFactory) -> None:
    app = DemoWizardApp(demo_session("ready"))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        while app.screen.is_modal:  # the practice values open over step 2 at start
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"practice scenario")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "ScenarioPickerScreen"


async def test_a_shared_demo_offers_no_scenario_switch(demo_session: DemoFactory, monkeypatch: MonkeyPatch) -> None:
    session = demo_session("ready")
    # As under `serve --demo`, where every tab shares one simulated Canvas that this process does not run.
    monkeypatch.setattr(type(session), "can_switch", property(lambda _self: False))
    app = DemoWizardApp(session)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert not app.screen.query("#scenarios")  # the practice values offer no Scenario button
        names = [command.title for command in app.get_system_commands(app.screen)]
        assert "Show the practice values" in names
        assert "Choose a practice scenario" not in names
        assert app.check_action("scenarios", ()) is False


async def test_practice_values_at_60x20_open_at_the_top_with_whole_buttons(demo_session: DemoFactory) -> None:
    from textual.widgets import Button

    app = DemoWizardApp(demo_session("ready"))
    async with app.run_test(size=(60, 20)) as pilot:
        while type(app.screen).__name__ != "PracticeScreen":
            await pilot.pause(0.05)
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#practice-body").scroll_y == 0
        for button in app.screen.query(Button):
            region = button.region
            # The first and last cell of each button are that button on screen: nothing cuts or covers it.
            for x in (region.x, region.right - 1):
                assert app.screen.get_widget_at(x, region.y)[0] is button, button.id
