"""The one check flow (`ally_wizard.canvas.flow`) against the simulated Canvas: its questions and endings."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from ally_wizard.canvas.flow import (
    AuthorizationStarted,
    CheckFlow,
    CheckRun,
    FlowEvent,
    PasteRequest,
    Resolution,
    apply_run,
)
from ally_wizard.canvas.report import CheckStatus
from ally_wizard.canvas.target import KeyTarget
from ally_wizard.inputs import redirect_uri
from ally_wizard.profile import Profile, ScopeStatus, StepId, StepState
from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.sandbox.browser import play_browser

SandboxFactory = Callable[..., RunningSandbox]
SCOPES = default_recipe().scope_strings


def target_of(sb: RunningSandbox) -> KeyTarget:
    recipe = default_recipe()
    uri = redirect_uri(recipe, sb.ally_environment, sb.ally_client_id)
    return KeyTarget.from_recipe(sb.base_url, sb.key_id, uri, recipe)


class Admin:
    """Answers like an admin: the secret, then a list of pastes (a callable plays the browser)."""

    def __init__(self, sb: RunningSandbox, pastes: list[str | None] | None = None, secret: str | None = None) -> None:
        self.sb = sb
        self.pastes = pastes
        self.secret_value = sb.key_secret if secret is None else secret
        self.asked: list[PasteRequest] = []
        self.secret_asked = 0

    async def secret(self) -> str | None:
        self.secret_asked += 1
        return self.secret_value

    async def pasted_address(self, request: PasteRequest) -> str | None:
        self.asked.append(request)
        if self.pastes:
            return self.pastes.pop(0)
        return await play_browser(request.authorize_url, self.sb.admin_username, self.sb.admin_password)

    async def keep_resolved_address(self, resolution: Resolution) -> bool:
        return True


async def test_a_ready_key_passes_every_row_and_updates_the_profile(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready", latency_ms=2)
    events: list[FlowEvent] = []
    run = await CheckFlow(target_of(sb), Admin(sb), events.append).run()
    assert run.report.overall is CheckStatus.PASS and run.revoked is True
    assert any(isinstance(e, AuthorizationStarted) for e in events)
    profile = Profile(name="prod")
    apply_run(profile, run)
    assert profile.last_verification is run.report
    assert {profile.scope_status(s) for s in SCOPES} == {ScopeStatus.VERIFIED}
    assert profile.steps[StepId.AUTHORIZE].state is StepState.DONE


async def test_a_bad_paste_is_asked_again_with_the_reason(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready", latency_ms=2)
    admin = Admin(sb, pastes=["http://[canvas.school.edu/login/oauth2/auth?code=abc&state=x", "nothing useful"])
    run = await CheckFlow(target_of(sb), admin).run()
    assert [r.attempt for r in admin.asked] == [1, 2, 3]
    assert admin.asked[1].problem is not None and "malformed" in admin.asked[1].problem
    assert run.report.overall is CheckStatus.PASS


async def test_three_unreadable_pastes_end_with_the_preflight_kept(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready", latency_ms=2)
    run = await CheckFlow(target_of(sb), Admin(sb, pastes=["x", "y", "z"])).run()
    assert {c.status for c in run.preflight} == {CheckStatus.PASS}
    assert {c.status for c in run.live} == {CheckStatus.SKIPPED}
    assert run.revoked is None


async def test_input_ended_at_the_paste_gives_a_report(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready", latency_ms=2)
    run = await CheckFlow(target_of(sb), Admin(sb, pastes=[None])).run()
    secret_row = run.report.get("key.secret")
    assert secret_row is not None and secret_row.status is CheckStatus.SKIPPED
    assert "input ended" in secret_row.message


async def test_an_unreachable_canvas_stops_after_one_row_and_asks_nothing() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    recipe = default_recipe()
    target = KeyTarget.from_recipe(
        f"http://127.0.0.1:{port}", "170000000000123", redirect_uri(recipe, "us", "1234"), recipe
    )

    class Nobody:
        async def secret(self) -> str | None:
            raise AssertionError("no secret may be asked for")

        async def pasted_address(self, request: PasteRequest) -> str | None:
            raise AssertionError("no authorization may be asked for")

        async def keep_resolved_address(self, resolution: Resolution) -> bool:
            return False

    run = await CheckFlow(target, Nobody()).run()
    errors = [c for c in run.report.checks if c.status is CheckStatus.ERROR]
    assert [c.id for c in errors] == ["key.exists"] and "refused the connection" in errors[0].message
    skipped = [c for c in run.report.checks if c.status is CheckStatus.SKIPPED]
    assert len(skipped) == len(run.report.checks) - 1
    assert all(c.message == "Not checked: Canvas could not be reached." for c in skipped)


async def test_stop_while_waiting_for_the_paste_reports_at_once(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready", latency_ms=2)
    waiting = asyncio.Event()

    class Slow(Admin):
        async def pasted_address(self, request: PasteRequest) -> str | None:
            waiting.set()
            await asyncio.sleep(3600)
            return None

    flow = CheckFlow(target_of(sb), Slow(sb))
    running = asyncio.ensure_future(flow.run())
    await waiting.wait()
    flow.stop("the check was stopped (SIGTERM)")
    run: CheckRun = await asyncio.wait_for(running, 5)
    assert run.stopped == "the check was stopped (SIGTERM)"
    secret_row = run.report.get("key.secret")
    assert secret_row is not None and secret_row.status is CheckStatus.SKIPPED
    assert secret_row.message == "Not checked: The check was stopped (SIGTERM)."


async def test_a_run_stopped_during_the_live_checks_does_not_mark_step_6_done(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready", latency_ms=150)
    events: list[FlowEvent] = []

    def stop_after_the_exchange(event: FlowEvent) -> None:
        events.append(event)
        from ally_wizard.canvas.flow import CheckFinished

        if isinstance(event, CheckFinished) and event.check.id == "key.secret":
            flow.stop("the check was cancelled (Esc)")

    flow = CheckFlow(target_of(sb), Admin(sb), stop_after_the_exchange)
    run = await flow.run()
    assert run.stopped and run.revoked is True
    assert run.report.overall is CheckStatus.SKIPPED  # the judged rows passed; the rest were skipped
    profile = Profile(name="prod")
    apply_run(profile, run)
    assert profile.steps[StepId.AUTHORIZE].state is not StepState.DONE
