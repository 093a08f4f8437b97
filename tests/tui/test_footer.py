"""The footer: every step's keys fit 80 columns, the start screen keeps "Resume" on show, and a key can be
clicked and shows its tooltip under the pointer, as on Textual's own footer."""

from __future__ import annotations

import pytest

from ally_wizard.profile import StepId
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.screens.help import HelpScreen
from ally_wizard.tui.steps import STEPS
from ally_wizard.tui.widgets.footer import KeysFooter

from .helpers import sample_profile, sample_report, save_profile, wait_for
from .test_literal_text import screen_text


@pytest.mark.parametrize("number", [info.number for info in STEPS])
async def test_every_footer_fits_80_columns(store: ProfileStore, number: int) -> None:
    save_profile(store, sample_profile(done_through=StepId.HANDOFF, report=sample_report(missing=("x",))))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ != "StartScreen")
        app.go_to(number)
        await pilot.pause()
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        assert footer.needed_width <= footer.size.width, screen_text(app).splitlines()[-1]


async def test_start_screen_footer_offers_resume_while_the_table_has_focus(store: ProfileStore) -> None:
    save_profile(store, sample_profile())
    app = WizardApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#profiles").has_focus)
        await pilot.pause()
        assert "⏎ Resume" in screen_text(app).splitlines()[-1]


async def _footer_column(app: WizardApp, label: str) -> int:
    """The column where `label` (a key and its description) starts on the footer line."""
    line = screen_text(app).splitlines()[-1]
    assert label in line, line
    return line.index(label)


async def test_clicking_a_footer_key_presses_it(store: ProfileStore) -> None:
    save_profile(store, sample_profile())
    app = WizardApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#profiles").has_focus)
        await pilot.click(KeysFooter, offset=(await _footer_column(app, "f1 Help"), 0))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_a_footer_key_under_the_pointer_shows_its_tooltip(store: ProfileStore) -> None:
    save_profile(store, sample_profile())
    app = WizardApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#profiles").has_focus)
        footer = app.screen.query_one(KeysFooter)
        await pilot.hover(KeysFooter, offset=(await _footer_column(app, "f2 Presenter") + 3, 0))
        assert footer.tooltip == "Mask secrets, key IDs and home paths"
        await pilot.hover(KeysFooter, offset=(await _footer_column(app, "f1 Help"), 0))
        assert footer.tooltip is None
