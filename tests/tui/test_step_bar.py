"""The step bar survives SVG export: every styled run starts with a glyph, so no renderer can close a gap."""

from __future__ import annotations

import html
import re

import pytest

from ally_wizard.profile import StepId, StepProgress, StepState
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp

from .helpers import FIXED, sample_profile, save_profile, wait_for


class Marker:
    """A training session's marker, as the demo gives it."""

    marker = "DEMO · missing-scopes"


@pytest.mark.parametrize("width", [80, 100, 160])
async def test_no_run_of_the_step_bar_starts_with_a_space(store: ProfileStore, width: int) -> None:
    """rsvg drops a <text> run's leading spaces; it ran "·7" and "6/7 done" together at 100 columns."""
    profile = sample_profile(done_through=StepId.ACTIVATE)
    profile.steps[StepId.CREATE_KEY] = StepProgress(StepState.IN_PROGRESS, FIXED, FIXED)  # done steps after it
    save_profile(store, profile)
    app = WizardApp(store, "production", presenter=True, demo=Marker())
    async with app.run_test(size=(width, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CreateKeyScreen")
        svg = app.export_screenshot()
    runs = [
        html.unescape(text).replace("\xa0", " ")
        for text in re.findall(r'<text class[^>]*y="(?:20|44\.4)"[^>]*>([^<]*)</text>', svg)
    ]
    assert any("done" in run for run in runs)
    assert [run for run in runs if run != "\n" and run.startswith(" ")] == []


async def test_presenter_mode_is_marked_within_80_columns_and_follows_the_app(store: ProfileStore) -> None:
    from ally_wizard.tui.widgets.step_bar import StepBar

    save_profile(store, sample_profile(name="a-rather-long-profile-name"))
    app = WizardApp(store, "a-rather-long-profile-name", demo=Marker())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        bar = app.screen.query_one(StepBar)
        assert "presenter" not in str(bar.render())
        await pilot.press("f2")
        await pilot.pause()
        assert bar.presenter  # watched, not pushed by the app
        first_line = str(bar.render()).splitlines()[0]
        assert "◐ presenter" in first_line[: bar.size.width]
