"""The wizard's audit pieces (Pilot, against the simulated Canvas): Detect from Canvas on step 2."""

from __future__ import annotations

from collections.abc import Callable

from ally_wizard.sandbox import RunningSandbox
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp

from .helpers import fixed_profile, save_profile, text_of, wait_for

SandboxFactory = Callable[..., RunningSandbox]


async def test_detect_from_canvas_fills_step_2_from_the_theme(sandbox: SandboxFactory, store: ProfileStore) -> None:
    canvas = sandbox("ready")
    save_profile(store, fixed_profile("production", canvas_url=canvas.base_url, environment="", client_id=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        await pilot.press("ctrl+t")  # with the focus in the empty Client ID field
        await wait_for(pilot, lambda: "Found in the theme" in text_of(pilot, "#detect-message"))
        await wait_for(pilot, lambda: app.session.require().client_id == "1234")
        assert app.session.require().environment == "us"
        assert "prod.ally.ac/api/v2/1234/auth/canvas/callback" in text_of(pilot, "#redirect-preview")
    saved = store.load("production").profile
    assert (saved.environment, saved.client_id) == ("us", "1234")


async def test_detect_says_so_when_the_theme_names_another_setup(sandbox: SandboxFactory, store: ProfileStore) -> None:
    canvas = sandbox("drifted")  # its theme names the EU region and Client ID 1164
    save_profile(store, fixed_profile("production", canvas_url=canvas.base_url, environment="us", client_id="1234"))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        await pilot.click("#detect")
        await wait_for(pilot, lambda: app.session.require().client_id == "1164")
        assert app.session.require().environment == "eu"
        assert "prod-eu-central-1.ally.ac (eu), Client ID 1164" in text_of(pilot, "#detect-message")
