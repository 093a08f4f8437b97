"""No key destroys what the admin typed: help on F1, `?` is text in a field, undo puts a value back."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.screens.help import HelpScreen

from .helpers import sample_profile, save_profile, text_of, wait_for

URL = "https://canvas.school.edu"


async def _on_step_2(store: ProfileStore, pilot: object, app: WizardApp) -> None:
    await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["question_mark", "q", "n", "d", "x", "space", "slash", "y"])
async def test_a_printable_key_on_step_2_leaves_the_saved_address_alone(store: ProfileStore, key: str) -> None:
    save_profile(store, sample_profile(canvas_url=URL))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_step_2(store, pilot, app)
        await pilot.press(key)
        await pilot.pause()
    assert store.load("production").profile.canvas_url == URL


async def test_f1_opens_help_from_a_field(store: ProfileStore) -> None:
    save_profile(store, sample_profile(canvas_url=URL))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_step_2(store, pilot, app)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_question_mark_opens_help_on_a_filled_step_where_no_field_has_the_focus(store: ProfileStore) -> None:
    save_profile(store, sample_profile(canvas_url=URL))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_step_2(store, pilot, app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_question_mark_in_an_empty_address_is_not_saved(store: ProfileStore) -> None:
    save_profile(store, sample_profile(canvas_url=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_step_2(store, pilot, app)
        assert app.screen.query_one("#canvas-url", Input).has_focus
        await pilot.press("question_mark")
        await pilot.pause()
        assert text_of(pilot, "#canvas-url-message").startswith("✗ ")
    assert store.load("production").profile.canvas_url == ""


async def test_focus_does_not_select_the_value_so_a_key_cannot_replace_it(store: ProfileStore) -> None:
    save_profile(store, sample_profile(canvas_url=URL))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_step_2(store, pilot, app)
        app.screen.query_one("#canvas-url", Input).focus()
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one("#canvas-url", Input).value.startswith(URL)


async def test_ctrl_z_puts_back_the_value_before_the_edit_and_saves_it(store: ProfileStore) -> None:
    save_profile(store, sample_profile(client_id="1234"))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_step_2(store, pilot, app)
        field = app.screen.query_one("#client-id", Input)
        field.focus()
        await pilot.press("end", "5", "6")
        await wait_for(pilot, lambda: store.load("production").profile.client_id == "123456")
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: field.value == "1234")
        await wait_for(pilot, lambda: store.load("production").profile.client_id == "1234")
        assert text_of(pilot, "#client-id-message") == "✓ 1234"


async def test_step_2_opens_with_its_label_hint_and_field_on_screen_at_80x24(store: ProfileStore) -> None:
    save_profile(store, sample_profile(canvas_url=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_step_2(store, pilot, app)
        await pilot.pause()
        await pilot.pause()
        body = app.screen.query_one("#body")
        assert body.scroll_y == 0
        for selector in ("Label", ".hint", "#canvas-url"):
            widget = app.screen.query(selector).first()
            assert widget.region.y >= body.region.y, selector
