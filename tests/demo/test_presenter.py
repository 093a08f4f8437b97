"""Presenter mode in a training session: no secret, token, full key ID or home path reaches the screen.

The snapshots use a practice Canvas with fixed values (a real simulated Canvas picks a new port and
secret on every run, and a snapshot must not change); the audit after them walks every screen of a
real demo, with the real practice values, and reads each exported SVG.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from ally_wizard.demo import DemoSession
from ally_wizard.sandbox.browser import play_browser
from ally_wizard.sandbox.scenario import Scenario, load_scenario
from ally_wizard.tui.demo_app import DemoWizardApp
from tools.demo_walk import (
    paste_landing,
    read_key_on_practice_page,
    screen_name,
    text_of,
    wait_for,
    walk_to_authorization,
)

from .conftest import DemoFactory

SIZE = (100, 32)
Snap = Callable[..., bool]


class FixedCanvas:
    """A practice Canvas description with fixed values, for pictures that must not change between runs."""

    base_url = "http://127.0.0.1:50123"
    canvas_url = base_url  # no redirecting address in front of it
    admin_token = "17~" + "T" * 60 + "tokn"
    key_id = "10000000000102"
    key_secret = "K" * 60 + "s3cr"

    def __init__(self, scenario: str) -> None:
        self._scenario = load_scenario(scenario)

    @property
    def scenario(self) -> Scenario:
        """The scenario named at creation."""
        return self._scenario

    def reset(self, scenario: str | Scenario | None = None, latency_ms: int | None = None) -> None:
        """Nothing runs, so nothing to re-seed."""

    def stop(self) -> None:
        """Nothing runs, so nothing to stop."""


def fixed_demo(home: Path, scenario: str = "ready") -> DemoSession:
    """A demo whose folder lies under the home folder, so presenter mode must hide it (and the picture shows
    `~/ally-wizard-demo-fixed` wherever the home is: each test has its own, no run deletes another's)."""
    folder = home / "ally-wizard-demo-fixed"
    folder.mkdir(parents=True)
    demo = DemoSession(load_scenario(scenario), canvas=FixedCanvas(scenario), folder=folder)
    demo.new_profile()
    return demo


def assert_nothing_secret(svg: str, *, secrets: list[str], key_id: str, home: str) -> None:
    """The picture shows none of the secrets, not the full key ID, and no path under the home folder."""
    text = svg.replace("&#160;", " ")
    for secret in secrets:
        assert secret not in text
        assert secret[:12] not in text  # not even its start, as a wrapped line would show it
    assert key_id not in text
    assert home not in text


def settled(then: Callable[[Pilot[None]], Awaitable[None]], check: Callable[[str], None]) -> Any:
    """Run `then`, quiet the screen, then `check` the exported SVG (the same picture the snapshot takes)."""

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await then(pilot)
        await pilot.pause()
        pilot.app.clear_notifications()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()
        check(pilot.app.export_screenshot())

    return run_before


class TestPresenterSnapshots:
    """Presenter mode over the demo's own values."""

    def test_practice_values_masked(self, snap_compare: Snap, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """The practice values: the token keeps its last four characters, the folder hides home; the practice
        password stays readable (trainees sign in with it) and the presenter marker shows at 80 columns."""
        monkeypatch.setenv("HOME", str(tmp_path))
        demo = fixed_demo(tmp_path)
        app = DemoWizardApp(demo, presenter=True)

        async def shown(pilot: Pilot[None]) -> None:
            await wait_for(pilot, lambda: screen_name(pilot) == "PracticeScreen")

        def check(svg: str) -> None:
            assert_nothing_secret(
                svg,
                secrets=[FixedCanvas.admin_token],
                key_id=FixedCanvas.key_id,
                home=str(tmp_path),
            )
            assert "tokn" in svg and "~/ally-wizard-demo-fixed" in svg
            assert demo.admin_password in svg

        assert snap_compare(app, terminal_size=SIZE, run_before=settled(shown, check))

    def test_secret_typed_and_shown_stays_masked(
        self, snap_compare: Snap, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Step 5 with the demo's key ID and secret typed, and Show pressed: both stay masked."""
        monkeypatch.setenv("HOME", str(tmp_path))
        demo = fixed_demo(tmp_path)
        app = DemoWizardApp(demo, presenter=True)

        async def typed(pilot: Pilot[None]) -> None:
            await wait_for(pilot, lambda: screen_name(pilot) == "PracticeScreen")
            await pilot.press("escape")
            assert isinstance(pilot.app, DemoWizardApp)
            pilot.app.go_to(5)
            await wait_for(pilot, lambda: screen_name(pilot) == "ActivateScreen")
            await pilot.pause()
            screen = pilot.app.screen
            screen.query_one("#key-id", Input).value = FixedCanvas.key_id
            screen.query_one("#secret", Input).post_message(events.Paste(FixedCanvas.key_secret))
            await pilot.pause()
            await pilot.press("ctrl+t")  # Show: refused in presenter mode
            await pilot.pause()
            assert screen.query_one("#secret", Input).password

        def check(svg: str) -> None:
            assert_nothing_secret(svg, secrets=[FixedCanvas.key_secret], key_id=FixedCanvas.key_id, home=str(tmp_path))

        assert snap_compare(app, terminal_size=SIZE, run_before=settled(typed, check))


async def test_every_screen_of_a_real_demo_hides_secrets_in_presenter_mode(
    demo_session: DemoFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    demo = demo_session("ready", temp_parent=home)  # the throwaway folder lies under the home folder
    assert demo.canvas is not None
    key_id, secret = await read_key_on_practice_page(demo)
    secrets = [secret, demo.canvas.admin_token]  # the practice password is shown on purpose
    app = DemoWizardApp(demo, presenter=True)
    pictures: dict[str, str] = {}

    def take(name: str) -> None:
        pictures[name] = app.export_screenshot()

    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "PracticeScreen")
        take("practice values")
        await walk_to_authorization(pilot, demo)
        take("authorize, before the check")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: bool(app.opened_urls))
        await pilot.pause()
        take("authorize URL shown")
        landing = await play_browser(app.opened_urls[-1], demo.admin_username, demo.admin_password)
        await paste_landing(pilot, landing)
        await wait_for(pilot, lambda: "All checks passed" in text_of(pilot, "#phase"))
        take("all checks passed")
        for number in (5, 7, 2, 3, 4):
            app.go_to(number)
            await pilot.pause(0.2)
            take(f"step {number}")
        await pilot.press("f4")
        await wait_for(pilot, lambda: screen_name(pilot) == "ScenarioPickerScreen")
        take("scenario picker")
        await pilot.press("escape")
        app.go_to(1)
        await pilot.pause(0.2)
        take("start")
    assert len(pictures) == 11
    for name, svg in pictures.items():
        try:
            assert_nothing_secret(svg, secrets=secrets, key_id=key_id, home=str(home))
        except AssertionError as exc:
            raise AssertionError(f"presenter mode leaked on: {name}") from exc
