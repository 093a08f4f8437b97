"""The wizard's audit pieces (Pilot, against the simulated Canvas): Detect on step 2, Audit on steps 1 and 6."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from ally_wizard.canvas.report import CheckStatus
from ally_wizard.profile import ScopeStatus, StepId
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.screens.admin_token import AdminTokenScreen
from ally_wizard.tui.screens.dialogs import ConfirmScreen
from ally_wizard.tui.widgets.check_table import CheckTable

from .helpers import sample_profile, save_profile, text_of, wait_for

SandboxFactory = Callable[..., RunningSandbox]
KeyReader = Callable[[], tuple[list[str], int]]
EXTRA = "url:GET|/api/v1/accounts/:account_id/users"  # the drifted scenario's extra scope


async def test_detect_from_canvas_fills_step_2_from_the_theme(sandbox: SandboxFactory, store: ProfileStore) -> None:
    canvas = sandbox("ready")
    save_profile(store, sample_profile("production", canvas_url=canvas.base_url, environment="", client_id=""))
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
    save_profile(store, sample_profile("production", canvas_url=canvas.base_url, environment="us", client_id="1234"))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
        await pilot.click("#detect")
        await wait_for(pilot, lambda: app.session.require().client_id == "1164")
        assert app.session.require().environment == "eu"
        assert "prod-eu-central-1.ally.ac (eu), Client ID 1164" in text_of(pilot, "#detect-message")


def _save_through_step_5(canvas: RunningSandbox, store: ProfileStore) -> None:
    """A setup done through step 5 with the scenario's Ally key."""
    profile = sample_profile(
        "production", done_through=StepId.ACTIVATE, canvas_url=canvas.base_url, key_id=canvas.key_id
    )
    save_profile(store, profile)


async def _audit_on_step_6(pilot: Pilot[None], app: WizardApp, token: str) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, AdminTokenScreen))
    field = app.screen.query_one("#admin-token", Input)
    field.value = token
    await pilot.press("enter")
    await wait_for(pilot, lambda: "Audit" in text_of(pilot, "#phase") or "could not" in text_of(pilot, "#phase"))


async def test_audit_on_step_6_fills_the_table_and_the_scope_checklist(
    sandbox: SandboxFactory, store: ProfileStore
) -> None:
    canvas = sandbox("drifted")
    _save_through_step_5(canvas, store)
    before = canvas.snapshot()
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
        await pilot.press("f6")
        await _audit_on_step_6(pilot, app, canvas.admin_token)
        rows = app.screen.query_one("#checks", CheckTable).checks
        assert rows["key.on"].status is CheckStatus.FAIL
        assert rows["key.allow_includes"].status is CheckStatus.FAIL
        assert rows["key.extra_scopes"].status is CheckStatus.WARN
        assert rows["ally.theme"].status is CheckStatus.WARN
        assert "Nothing was changed" in text_of(pilot, "#phase")
    assert canvas.snapshot() == before
    assert {r.method for r in canvas.requests} <= {"GET", "HEAD"}
    saved = store.load("production").profile
    assert saved.scope_status("url:GET|/api/v1/accounts") is ScopeStatus.VERIFIED
    assert saved.scope_status("url:GET|/api/v1/courses/:course_id/quizzes") is ScopeStatus.MISSING
    on_disk = "".join(p.read_text() for p in store.folder.iterdir() if p.is_file())
    assert canvas.admin_token not in on_disk


async def test_audit_from_the_start_screen_and_a_refused_token(sandbox: SandboxFactory, store: ProfileStore) -> None:
    canvas = sandbox("ready")
    save_profile(
        store,
        sample_profile("production", done_through=StepId.ACTIVATE, canvas_url=canvas.base_url, key_id=canvas.key_id),
    )
    app = WizardApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartScreen")
        table = app.screen.query_one("#profiles", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        await pilot.press("f6")
        await _audit_on_step_6(pilot, app, canvas.non_admin_token)
        assert "manage_developer_keys" in text_of(pilot, "#phase")
        await pilot.press("f6")
        await _audit_on_step_6(pilot, app, canvas.admin_token)
        assert "✓ Audit as Avery Admin: the key is as the recipe says" in text_of(pilot, "#phase")
        assert canvas.non_admin_token not in text_of(pilot, "#phase")


async def _extra_scopes_question(pilot: Pilot[None], app: WizardApp) -> str:
    """The second question of a repair: remove the scopes Ally does not need (its warning in it)."""

    def asked() -> bool:
        return isinstance(app.screen, ConfirmScreen) and "does not need" in _question(app)

    await wait_for(pilot, asked)
    question = _question(app)
    assert "Canvas delete every token of the key" in question and EXTRA in question
    return question


def _question(app: WizardApp) -> str:
    return str(app.screen.query_one(".question", Static).render())


def _drifted_key_ally_uses(sandbox: SandboxFactory, store: ProfileStore) -> tuple[RunningSandbox, KeyReader]:
    """The drifted scenario with one token Ally holds on its key (which removing a scope would delete),
    saved through step 5; and a reader of the key's (scopes, tokens) in the sandbox."""
    canvas = sandbox("drifted")
    key_id = canvas.key_id

    def the_key(s: object) -> Any:
        return next(k for k in s.state.keys.values() if str(k.global_id) == key_id)  # type: ignore[attr-defined]

    def authorized_by_ally(s: object) -> None:
        the_key(s).outside_tokens = 1

    canvas.run(authorized_by_ally)
    _save_through_step_5(canvas, store)
    return canvas, lambda: canvas.run(lambda s: (list(the_key(s).scopes), the_key(s).outside_tokens))


async def _repair_on_step_6(pilot: Pilot[None], app: WizardApp, token: str, *, remove_extra: bool) -> str:
    """Audit (F6), Repair (F7), yes to the plan, the answer to the extra scopes, the token; the phase after."""
    await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
    await pilot.press("f6")
    await _audit_on_step_6(pilot, app, token)
    assert app.screen.query_one("#checks", CheckTable).checks["key.on"].status is CheckStatus.FAIL
    await pilot.press("f7")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    question = _question(app)
    assert "Turn the key ON" in question and "Add 2 missing scope(s)" in question
    await pilot.press("y")
    await _extra_scopes_question(pilot, app)
    await pilot.press("y" if remove_extra else "n")
    await _audit_on_step_6(pilot, app, token)
    await wait_for(pilot, lambda: "✓ Audit after the repair" in text_of(pilot, "#phase"))
    return text_of(pilot, "#phase")


async def test_repair_after_an_audit_mends_the_key_and_audits_again(
    sandbox: SandboxFactory, store: ProfileStore
) -> None:
    canvas, key_now = _drifted_key_ally_uses(sandbox, store)
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        phase = await _repair_on_step_6(pilot, app, canvas.admin_token, remove_extra=False)
        assert f"PUT /api/v1/developer_keys/{canvas.key_id}: updated" in phase and "the key is ON" in phase
        assert "Nothing was changed" not in phase and canvas.admin_token not in phase
        rows = app.screen.query_one("#checks", CheckTable).checks
        assert rows["key.on"].status is CheckStatus.PASS and rows["key.allow_includes"].status is CheckStatus.PASS
        assert rows["key.extra_scopes"].status is CheckStatus.WARN  # kept: removing it would end the tokens
    assert all(s.status is not CheckStatus.FAIL for s in rows.values())
    scopes, tokens = key_now()
    assert EXTRA in scopes and tokens == 1


async def test_repair_removes_the_extra_scope_only_when_chosen_after_the_warning(
    sandbox: SandboxFactory, store: ProfileStore
) -> None:
    canvas, key_now = _drifted_key_ally_uses(sandbox, store)
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _repair_on_step_6(pilot, app, canvas.admin_token, remove_extra=True)
        assert app.screen.query_one("#checks", CheckTable).checks["key.extra_scopes"].status is CheckStatus.PASS
    scopes, tokens = key_now()
    assert EXTRA not in scopes and tokens == 0
