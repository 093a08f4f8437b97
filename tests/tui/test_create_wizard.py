"""Step 3's "Create it for me" (Pilot, against the simulated Canvas): the plan shown with the masked token
field, one key made as the recipe says, its secret kept in memory for steps 5 and 7, no second key."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input, Static

from ally_wizard.profile import ScopeStatus, StepId, StepState
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.screens.admin_token import AdminTokenScreen

from .helpers import sample_profile, save_profile, text_of, wait_for

SandboxFactory = Callable[..., RunningSandbox]
REDIRECT = "https://prod.ally.ac/api/v2/1234/auth/canvas/callback"


def ally_keys(sb: RunningSandbox) -> list[object]:
    return sb.run(
        lambda s: [k for k in s.state.keys.values() if k.workflow_state == "active" and REDIRECT in k.redirect_uris]
    )


def on_disk(store: ProfileStore) -> str:
    return "".join(p.read_text() for p in store.folder.rglob("*") if p.is_file())


def _wizard_before_step_3(canvas: RunningSandbox, store: ProfileStore) -> WizardApp:
    """The wizard on a setup done through step 2 for this Canvas, with no key yet."""
    save_profile(store, sample_profile("production", done_through=StepId.CANVAS, canvas_url=canvas.base_url, key_id=""))
    return WizardApp(store, "production")


async def _create_on_step_3(pilot: Pilot[None], app: WizardApp, token: str) -> str:
    """F8, the plan and the token, Create; the run's lines once it ended."""
    await wait_for(pilot, lambda: type(app.screen).__name__ == "CreateKeyScreen")
    await pilot.press("f8")
    await wait_for(pilot, lambda: isinstance(app.screen, AdminTokenScreen))
    plan = str(app.screen.query_one("#plan Static", Static).render())
    assert f"Redirect URI:    {REDIRECT}" in plan
    assert "Enforce Scopes:  on" in plan and "the 31 Ally scopes" in plan and "turn the key ON" in plan
    app.screen.query_one("#admin-token", Input).value = token
    await pilot.press("enter")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "CreateKeyScreen")
    await wait_for(pilot, lambda: "✓" in text_of(pilot, "#create-log") or "✗" in text_of(pilot, "#create-log"))
    return text_of(pilot, "#create-log")


async def test_create_it_for_me_makes_the_key_and_keeps_its_secret_in_memory(
    sandbox: SandboxFactory, store: ProfileStore
) -> None:
    canvas = sandbox("no-ally-key")
    app = _wizard_before_step_3(canvas, store)
    async with app.run_test(size=(100, 40)) as pilot:
        log = await _create_on_step_3(pilot, app, canvas.admin_token)
        made = ally_keys(canvas)
        assert len(made) == 1
        key = made[0]
        key_id = str(key.global_id)  # type: ignore[attr-defined]
        secret = key.api_key  # type: ignore[attr-defined]
        assert "POST /api/v1/accounts/self/developer_keys: created key" in log
        assert f"✓ Created key {key_id}, ON for the root account; the audit of the new key is clean" in log
        assert secret not in log and canvas.admin_token not in log
        assert app.session.secret == secret
        profile = app.session.require()
        assert profile.key_id == key_id
        assert all(
            profile.steps[s].state is StepState.DONE for s in (StepId.CREATE_KEY, StepId.SCOPES, StepId.ACTIVATE)
        )
        assert profile.scope_status("url:GET|/api/v1/accounts") is ScopeStatus.VERIFIED
        assert canvas.run(lambda s: s.state.bindings[key.id].workflow_state) == "on"  # type: ignore[attr-defined]
        await pilot.press("f2")  # presenter mode masks the key ID in the run's lines
        await pilot.pause()
        assert key_id not in text_of(pilot, "#create-log")
        await pilot.press("f2")
        await pilot.click("#go-activate")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActivateScreen")
        field = app.screen.query_one("#secret", Input)
        assert field.value == secret and field.password
        assert app.screen.query_one("#key-id", Input).value == key_id
    saved = on_disk(store)
    assert key_id in saved and secret not in saved and canvas.admin_token not in saved
    assert store.load("production").profile.key_id == key_id


async def test_an_ally_key_already_there_is_offered_for_audit_not_made_again(
    sandbox: SandboxFactory, store: ProfileStore
) -> None:
    canvas = sandbox("ready")
    app = _wizard_before_step_3(canvas, store)
    async with app.run_test(size=(100, 40)) as pilot:
        log = await _create_on_step_3(pilot, app, canvas.admin_token)
        assert (
            f"✗ Nothing was created: Canvas already has an active Ally key with this redirect URI (key {canvas.key_id})"
            in log
        )
        assert {r.method for r in canvas.requests} <= {"GET", "HEAD"}
        assert len(ally_keys(canvas)) == 1
        await pilot.click("#go-audit")
        await wait_for(pilot, lambda: isinstance(app.screen, AdminTokenScreen))
        assert app.session.require().key_id == canvas.key_id


async def test_cancelling_or_a_refused_token_writes_nothing(sandbox: SandboxFactory, store: ProfileStore) -> None:
    canvas = sandbox("no-ally-key")
    app = _wizard_before_step_3(canvas, store)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CreateKeyScreen")
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, AdminTokenScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CreateKeyScreen")
        assert canvas.requests == [] or {r.method for r in canvas.requests} <= {"GET", "HEAD"}
        log = await _create_on_step_3(pilot, app, canvas.non_admin_token)
        assert "manage_developer_keys" in log and canvas.non_admin_token not in log
        assert {r.method for r in canvas.requests} <= {"GET", "HEAD"}
        assert ally_keys(canvas) == [] and app.session.secret == ""
        assert app.session.require().key_id == ""
