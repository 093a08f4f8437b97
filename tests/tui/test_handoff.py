"""Step 7 and what crosses screens: the summary export, copying, presenter mode, the DEMO marker."""

from __future__ import annotations

import stat
from dataclasses import dataclass

import pytest
from textual.widgets import Input

from ally_wizard.cli import main as cli_main
from ally_wizard.profile import StepId
from ally_wizard.recipe import default_recipe
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.errors import describe_error
from ally_wizard.tui.summary import summary_markdown
from ally_wizard.tui.widgets.step_bar import StepBar

from .helpers import (
    KEY_ID,
    SECRET,
    STOPPED_REASON,
    sample_profile,
    sample_report,
    save_profile,
    stopped_report,
    text_of,
    wait_for,
)


async def test_export_writes_a_private_summary_without_the_secret(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.AUTHORIZE, report=sample_report()))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoffScreen")
        app.session.secret = SECRET
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert text_of(pilot, "#export-message").startswith("✓ Summary written to")
    path = store.folder / "production-summary.md"
    text = path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert SECRET not in text
    assert "canvas.school.edu" in text
    assert "US data center (prod.ally.ac)" in text
    assert "https://prod.ally.ac/api/v2/1234/auth/canvas/callback" in text
    assert KEY_ID in text
    assert "| ✓ pass | The secret belongs to the key | 14:00:00 |" in text


async def test_export_to_a_path_the_admin_chooses(store: ProfileStore, tmp_path: object) -> None:
    save_profile(store, sample_profile(done_through=StepId.AUTHORIZE))
    app = WizardApp(store, "production")
    target = f"{tmp_path}/records/ally-key.md"
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoffScreen")
        app.screen.query_one("#export-path", Input).value = target
        await pilot.click("#export")
        await pilot.pause()
    with open(target, encoding="utf-8") as handle:
        assert "No live check has been run yet." in handle.read()


async def test_copy_actions_put_key_id_and_secret_on_the_clipboard(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.AUTHORIZE))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoffScreen")
        await pilot.press("ctrl+k")
        assert app.clipboard == KEY_ID
        await pilot.press("ctrl+s")
        assert app.clipboard == KEY_ID  # no secret in memory: nothing copied
        app.session.secret = SECRET
        await pilot.press("ctrl+s")
        assert app.clipboard == SECRET


async def test_presenter_key_masks_the_key_id_everywhere_it_shows(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.SCOPES))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActivateScreen")
        assert KEY_ID in text_of(pilot, "#key-id-message")
        await pilot.press("f2")
        await pilot.pause()
        assert app.presenter
        assert KEY_ID not in text_of(pilot, "#key-id-message")
        assert "17•••••••••••23" in text_of(pilot, "#key-id-message")
        assert app.screen.query_one("#key-id", Input).password
        assert "◐ presenter" in str(app.screen.query_one(StepBar).render())
        await pilot.press("ctrl+t")  # show secret: refused while presenting
        assert app.screen.query_one("#secret", Input).password


@dataclass
class _Demo:
    marker: str = "DEMO · ready"


async def test_a_demo_shows_its_marker_on_every_screen(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.AUTHORIZE))
    app = WizardApp(store, "production", demo=_Demo())
    async with app.run_test(size=(100, 32)) as pilot:
        for number in range(1, 8):
            if number > 1 and app.session.profile is None:
                app.session.open("production")
            app.go_to(number)
            await pilot.pause()
            assert "DEMO · ready" in str(app.screen.query_one(StepBar).render())


def test_summary_masks_the_key_id_in_presenter_mode() -> None:
    text = summary_markdown(sample_profile(), default_recipe(), mask=True)
    assert KEY_ID not in text
    assert "17•••••••••••23" in text


def test_worker_errors_become_sentences() -> None:
    import httpx

    from ally_wizard.canvas.client import CanvasUnreachable

    request = httpx.Request("GET", "https://canvas.school.edu/login/oauth2/auth")
    assert "Could not connect to Canvas at canvas.school.edu" in describe_error(
        httpx.ConnectError("refused", request=request)
    )
    assert describe_error(CanvasUnreachable("Canvas at x did not answer.")) == "Canvas at x did not answer."
    assert describe_error(RuntimeError("boom")).startswith("The check stopped unexpectedly (RuntimeError: boom)")


def test_wizard_command_refuses_a_bad_profile_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["wizard", "no spaces please"]) == 2
    assert "cannot be a profile name" in capsys.readouterr().err


async def test_a_check_that_stopped_before_judging_is_not_called_problems(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.AUTHORIZE, report=stopped_report()))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoffScreen")
        verdict = text_of(pilot, "#verdict")
    assert verdict.startswith("- The last live check stopped before it could judge the key:")
    assert STOPPED_REASON in verdict and "problem" not in verdict
    assert verdict.endswith("Nothing was found wrong so far; check again on step 6.")
