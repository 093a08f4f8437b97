"""Step 6's screen between answers: the detail pane follows its row, and presenting hides the pasted code."""

from __future__ import annotations

from textual.widgets import Input

from ally_wizard.canvas.report import Check, CheckStatus, Evidence
from ally_wizard.profile import StepId
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.widgets.check_table import CheckTable

from .helpers import FIXED, sample_profile, save_profile, text_of, wait_for
from .test_literal_text import screen_text

TITLE = "The key ID exists in Canvas (not deleted)"


async def test_detail_pane_shows_the_answer_that_replaced_waiting(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.ACTIVATE))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
        table = app.screen.query_one("#checks", CheckTable)
        table.display = True
        table.show([Check("key.exists", TITLE, CheckStatus.PENDING, "Waiting for Canvas…")])
        table.focus()
        await wait_for(pilot, lambda: "Waiting for Canvas" in text_of(pilot, "#detail"))
        table.put(
            Check(
                "key.exists",
                TITLE,
                CheckStatus.PASS,
                "Canvas found the key by its ID.",
                Evidence(302, "redirected to the Ally callback"),
                FIXED,
            )
        )
        await wait_for(pilot, lambda: "Canvas found the key by its ID." in text_of(pilot, "#detail"))
        assert "Waiting" not in text_of(pilot, "#detail")
        # A pass says what passing means; Canvas's raw answer comes on request (F5).
        assert "redirected to the Ally callback" not in text_of(pilot, "#detail")
        await pilot.press("f5")
        await wait_for(pilot, lambda: "redirected to the Ally callback" in text_of(pilot, "#detail"))


async def test_a_failing_row_shows_canvas_s_words_at_once(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.ACTIVATE))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
        table = app.screen.query_one("#checks", CheckTable)
        table.display = True
        table.show([Check("key.on", "The key", CheckStatus.FAIL, "Turn it ON.", Evidence(302, "unauthorized_client"))])
        table.focus()
        await wait_for(pilot, lambda: "unauthorized_client" in text_of(pilot, "#detail"))


async def test_pasted_address_is_masked_in_presenter_mode(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.ACTIVATE))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
        app.screen.query_one("#authorize-box").display = True
        field = app.screen.query_one("#pasted", Input)
        field.value = "https://canvas.school.edu/?code=one-use-code-4711"
        await pilot.pause()
        assert "one-use-code-4711" in screen_text(app)
        await pilot.press("f2")  # presenter mode on
        await pilot.pause()
        assert field.password
        assert "one-use-code-4711" not in screen_text(app)
        assert field.value.endswith("4711")  # only the display is masked
