"""Plain mode and `ally-wizard check` run the same flow: every scenario leaves the same rows saved.

Plain mode runs in a pseudo-terminal from step 6 of a setup made through step 5; `check` runs in its own
process on a copy of the same setup; the test plays the admin's browser for both.
"""

from __future__ import annotations

import asyncio

import pexpect
import pytest
from check_process import authorize_when_asked, start_check

from ally_wizard.canvas.report import CheckStatus, Report
from ally_wizard.profile import StepId, StepState
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.sandbox.browser import play_browser
from ally_wizard.sandbox.scenario import scenario_names
from ally_wizard.store import ProfileStore
from tests.conftest import SandboxFactory
from tests.plain.test_plain_pty import ESCAPE, PlainSession
from tools.samples import sandbox_profile

PROMPT_END = r"[^\r\n]*\? \Z"


def setup_through_step_5(store: ProfileStore, name: str, sb: RunningSandbox) -> None:
    store.create(sandbox_profile(sb, name))


async def check_in_the_cli(sb: RunningSandbox, name: str) -> None:
    process = start_check(sb, name)
    await authorize_when_asked(process, sb)
    process.communicate(timeout=120)


def check_in_plain_mode(plain: PlainSession, sb: RunningSandbox) -> None:
    """Step 6: start the check, answer what the flow asks, then quit at the next question."""
    child = plain.child
    plain.answer("What now, 1 to 2", "1")
    patterns = [
        "Keep " + PROMPT_END,
        "Paste the secret" + PROMPT_END,
        r"The address, alone on the next line:\r\n([^\r\n]+)\r\n",
        "What is the whole address" + PROMPT_END,
        "(What now|Write a summary)" + PROMPT_END,
        pexpect.EOF,
    ]
    landing = ""
    while True:
        seen = child.expect(patterns, timeout=120)
        if seen == 0:
            child.sendline("no")  # keep the typed address, as `check` does
        elif seen == 1:
            child.sendline(sb.key_secret)
        elif seen == 2:
            landing = asyncio.run(play_browser(child.match.group(1), sb.admin_username, sb.admin_password))
        elif seen == 3:
            child.sendline(landing)
        elif seen == 4:
            child.sendline("quit")
        else:
            return


def rows(report: Report | None) -> list[tuple[object, ...]]:
    assert report is not None
    return [(c.id, c.status, c.message, c.evidence) for c in report.checks]


@pytest.mark.parametrize("scenario", scenario_names())
def test_check_and_plain_mode_save_the_same_rows(
    scenario: str, sandbox: SandboxFactory, store: ProfileStore, _private_home: object
) -> None:
    latency = 100 if scenario == "slow" else 2
    cli_sb = sandbox(scenario, latency_ms=latency)
    setup_through_step_5(store, "by-cli", cli_sb)
    asyncio.run(check_in_the_cli(cli_sb, "by-cli"))
    plain_sb = sandbox(scenario, latency_ms=latency)
    setup_through_step_5(store, "by-plain", plain_sb)
    plain = PlainSession(store.home, "by-plain")
    try:
        check_in_plain_mode(plain, plain_sb)
    finally:
        plain.close()

    assert not ESCAPE.search(plain.output)
    assert plain_sb.key_secret not in plain.output
    by_cli = store.load("by-cli").profile
    by_plain = store.load("by-plain").profile
    assert rows(by_cli.last_verification) == rows(by_plain.last_verification)
    if scenario == "ready":  # both really ran the live half
        assert by_plain.last_verification is not None
        assert by_plain.last_verification.overall is CheckStatus.PASS
    assert by_cli.scopes == by_plain.scopes
    done = [p.steps[StepId.AUTHORIZE].state is StepState.DONE for p in (by_cli, by_plain)]
    assert done[0] == done[1]
    assert (by_cli.canvas_url, by_plain.canvas_url) == (cli_sb.canvas_url, plain_sb.canvas_url)
