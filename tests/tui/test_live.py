"""The live authorization against the simulated Canvas, with the test playing the admin's browser."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from ally_wizard.canvas.report import CheckStatus
from ally_wizard.profile import ScopeStatus, StepId, StepState
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.sandbox.browser import play_browser
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.screens.authorize import AuthorizeScreen
from ally_wizard.tui.widgets.check_table import CheckTable

from .helpers import sandbox_profile, save_profile, text_of, wait_for, wizard_on
from .test_scopes import MISSING


def _wizard_tokens(canvas: RunningSandbox) -> list[object]:
    return [token for token in canvas.live_tokens() if token.developer_key_id is not None]


async def _start(app: WizardApp, pilot: Pilot[None], canvas: RunningSandbox) -> None:
    """Paste the key's secret on step 6 and start the check."""
    app.screen.query_one("#secret", Input).post_message(events.Paste(canvas.key_secret))
    await pilot.press("ctrl+r")


async def _authorize(pilot: object, app: WizardApp, canvas: RunningSandbox) -> None:
    """Paste the secret, start, play the browser, paste the landing address and press Enter."""
    screen = app.screen
    assert isinstance(screen, AuthorizeScreen)
    await _start(app, pilot, canvas)  # type: ignore[arg-type]
    await wait_for(pilot, lambda: bool(app.opened_urls))  # type: ignore[arg-type]
    landing = await play_browser(app.opened_urls[-1], canvas.admin_username, canvas.admin_password)
    pasted = screen.query_one("#pasted", Input)
    assert app.focused is pasted
    pasted.post_message(events.Paste(landing))  # what a terminal sends when the admin pastes
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_ready_key_passes_every_check_and_the_token_is_revoked(
    store: ProfileStore, sandbox: Callable[..., RunningSandbox]
) -> None:
    canvas = sandbox(scenario="ready")
    save_profile(store, sandbox_profile(canvas))
    async with wizard_on(store, "AuthorizeScreen") as (app, pilot):
        await _authorize(pilot, app, canvas)
        await wait_for(pilot, lambda: "All checks passed" in text_of(pilot, "#phase"))
        rows = app.screen.query_one("#checks", CheckTable).checks
        assert len(rows) == 6 + 31 + 1 + 1  # ... token.revoked, ally.theme
        assert all(check.status is CheckStatus.PASS for check in rows.values())
        assert "Authorized by" in text_of(pilot, "#phase")
    assert _wizard_tokens(canvas) == []
    profile = store.load("production").profile
    assert profile.steps[StepId.AUTHORIZE].state is StepState.DONE
    assert profile.last_verification is not None
    assert profile.last_verification.overall is CheckStatus.PASS
    assert all(profile.scope_status(s) is ScopeStatus.VERIFIED for s in app.recipe.scope_strings)


async def test_missing_scopes_are_named_and_lead_to_the_scopes_step(
    store: ProfileStore, sandbox: Callable[..., RunningSandbox]
) -> None:
    canvas = sandbox(scenario="missing-scopes")
    save_profile(store, sandbox_profile(canvas))
    async with wizard_on(store, "AuthorizeScreen") as (app, pilot):
        await _start(app, pilot, canvas)
        await wait_for(pilot, lambda: text_of(pilot, "#phase").startswith("✗"))
        assert "3 scope(s) are not on the key" in text_of(pilot, "#phase")
        rows = app.screen.query_one("#checks", CheckTable).checks
        failed = {check.scope for check in rows.values() if check.status is CheckStatus.FAIL}
        assert failed == set(MISSING)
        problems = text_of(pilot, "#problems")
        for scope in MISSING:
            assert scope in problems
        assert app.opened_urls == []  # Canvas would refuse the authorization: none is offered
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ScopesScreen")
    profile = store.load("production").profile
    assert {s for s, status in profile.scopes.items() if status is ScopeStatus.MISSING} == set(MISSING)
    assert profile.last_verification is not None
    assert profile.last_verification.overall is CheckStatus.FAIL


async def test_a_wrong_secret_is_named_with_the_step_that_fixes_it(
    store: ProfileStore, sandbox: Callable[..., RunningSandbox]
) -> None:
    canvas = sandbox(scenario="wrong-secret")
    save_profile(store, sandbox_profile(canvas))
    async with wizard_on(store, "AuthorizeScreen") as (app, pilot):
        await _authorize(pilot, app, canvas)
        await wait_for(pilot, lambda: text_of(pilot, "#phase").startswith("✗"))
        rows = app.screen.query_one("#checks", CheckTable).checks
        assert rows["key.secret"].status is CheckStatus.FAIL
        assert "[step 5]" in text_of(pilot, "#problems")
        assert canvas.key_secret not in text_of(pilot, "#problems")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActivateScreen")
    assert _wizard_tokens(canvas) == []


async def test_a_pasted_page_text_is_refused_with_what_to_copy_instead(
    store: ProfileStore, sandbox: Callable[..., RunningSandbox]
) -> None:
    canvas = sandbox(scenario="ready")
    save_profile(store, sandbox_profile(canvas))
    async with wizard_on(store, "AuthorizeScreen") as (app, pilot):
        await _start(app, pilot, canvas)
        await wait_for(pilot, lambda: bool(app.opened_urls))
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#pasted", Input))
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: "address" in text_of(pilot, "#paste-error"))
        assert text_of(pilot, "#paste-error").startswith("✗ ")
        assert "attempt 2 of 3" in text_of(pilot, "#paste-error")


async def test_cancelling_during_the_probes_still_revokes_the_token(
    store: ProfileStore, sandbox: Callable[..., RunningSandbox]
) -> None:
    canvas = sandbox(scenario="ready", latency_ms=250)
    save_profile(store, sandbox_profile(canvas))
    async with wizard_on(store, "AuthorizeScreen") as (app, pilot):
        await _authorize(pilot, app, canvas)
        table = app.screen.query_one("#checks", CheckTable)
        await wait_for(pilot, lambda: table.checks["key.secret"].status is CheckStatus.PASS)
        assert table.checks["token.revoked"].status is CheckStatus.PENDING
        await pilot.press("escape")
        await wait_for(pilot, lambda: text_of(pilot, "#phase").startswith("Cancelled"))
        await wait_for(pilot, lambda: not _wizard_tokens(canvas), timeout=10)
        assert table.checks["token.revoked"].status is CheckStatus.PASS


async def test_a_redirecting_address_is_checked_where_it_leads_and_kept_when_asked(
    store: ProfileStore, sandbox: Callable[..., RunningSandbox]
) -> None:
    from ally_wizard.tui.screens.dialogs import ConfirmScreen

    canvas = sandbox(scenario="vanity-redirect")
    save_profile(store, sandbox_profile(canvas))
    async with wizard_on(store, "AuthorizeScreen") as (app, pilot):
        await _start(app, pilot, canvas)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(".question").render())
        assert f"{canvas.canvas_url} redirects to {canvas.base_url}; checking there." in question
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(app.opened_urls))
        assert app.opened_urls[-1].startswith(f"{canvas.base_url}/login/oauth2/auth?")
        await pilot.press("escape")
        await wait_for(pilot, lambda: text_of(pilot, "#phase").startswith("Cancelled"))
    assert store.load("production").profile.canvas_url == canvas.base_url
