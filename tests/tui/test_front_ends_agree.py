"""`ally-wizard check` and the wizard's step 6 run the same flow: every scenario leaves the same rows saved."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from check_process import authorize_when_asked, start_check
from textual import events
from textual.widgets import Input

from ally_wizard.canvas.report import CheckStatus, Report
from ally_wizard.profile import StepId, StepState
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.sandbox.browser import play_browser
from ally_wizard.sandbox.scenario import scenario_names
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.screens.dialogs import ConfirmScreen

from .helpers import sandbox_profile, save_profile, wait_for

SandboxFactory = Callable[..., RunningSandbox]


async def check_in_the_cli(sb: RunningSandbox, name: str) -> int:
    process = start_check(sb, name)
    await authorize_when_asked(process, sb)
    process.communicate(timeout=120)
    return process.returncode


async def check_in_the_wizard(sb: RunningSandbox, store: ProfileStore, name: str) -> None:
    app = WizardApp(store, name)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
        screen = app.screen
        screen.query_one("#secret", Input).post_message(events.Paste(sb.key_secret))
        await pilot.press("ctrl+r")
        pasted = False
        for _ in range(2400):
            if app.session.require().last_verification is not None and getattr(screen, "flow", None) is None:
                break
            if isinstance(app.screen, ConfirmScreen):
                await pilot.press("n")  # keep the typed address, as `check` does
            elif app.opened_urls and not pasted:
                landing = await play_browser(app.opened_urls[-1], sb.admin_username, sb.admin_password)
                field = screen.query_one("#pasted", Input)
                await wait_for(pilot, lambda field=field: app.focused is field)
                field.post_message(events.Paste(landing))
                await pilot.pause()
                await pilot.press("enter")
                pasted = True
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the wizard's check did not end")


def rows(report: Report | None) -> list[tuple[object, ...]]:
    assert report is not None
    return [(c.id, c.status, c.message, c.evidence) for c in report.checks]


@pytest.mark.parametrize("scenario", scenario_names())
async def test_check_and_the_wizard_save_the_same_rows(
    scenario: str, sandbox: SandboxFactory, store: ProfileStore
) -> None:
    latency = 100 if scenario == "slow" else 2
    cli_sb = sandbox(scenario, latency_ms=latency)
    save_profile(store, sandbox_profile(cli_sb, "by-cli"))
    await check_in_the_cli(cli_sb, "by-cli")
    wizard_sb = sandbox(scenario, latency_ms=latency)
    save_profile(store, sandbox_profile(wizard_sb, "by-wizard"))
    await check_in_the_wizard(wizard_sb, store, "by-wizard")

    by_cli = store.load("by-cli").profile
    by_wizard = store.load("by-wizard").profile
    assert rows(by_cli.last_verification) == rows(by_wizard.last_verification)
    if scenario == "ready":  # both really ran the live half
        assert by_wizard.last_verification is not None
        assert by_wizard.last_verification.overall is CheckStatus.PASS
        assert by_wizard.last_verification.authorized_by == "Avery Admin"
    assert by_cli.scopes == by_wizard.scopes
    done = [p.steps[StepId.AUTHORIZE].state is StepState.DONE for p in (by_cli, by_wizard)]
    assert done[0] == done[1]
    assert (by_cli.canvas_url, by_wizard.canvas_url) == (cli_sb.canvas_url, wizard_sb.canvas_url)
