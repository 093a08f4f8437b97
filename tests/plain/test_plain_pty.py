"""Plain mode end to end, through a pseudo-terminal, against the simulated Canvas.

The admin's part is played line by line: every step of `ally-wizard wizard --plain`, a failing check in
`missing-scopes`, the fix on the practice Developer Keys page, a passing check with the authorization
played in the scripted browser, and the hand-off; then the same profile opens in the Textual wizard (Pilot)
at the step plain mode stopped on. Every wait is for a prompt line that ends with its question: a prompt
ending any other way times the test out.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.sandbox.browser import play_browser, tick_scopes_on_practice_page
from ally_wizard.sandbox.state import ADMIN_LOGIN, PRACTICE_PASSWORD
from ally_wizard.store import ProfileStore
from tests.conftest import SandboxFactory

TIMEOUT = 60
# Anything that starts an escape sequence: ESC (CSI, OSC...), the one-byte CSI and OSC, and BEL.
ESCAPE = re.compile(r"[\x1b\x9b\x9d\x07]")
MISSING = (
    "url:GET|/api/v1/courses/:course_id/blueprint_subscriptions/:subscription_id/migrations",
    "url:GET|/api/v1/accounts/:account_id/terms",
    "url:PUT|/api/v1/media_objects/:media_object_id",
)


class PlainSession:
    """`ally-wizard wizard --plain NAME` in a pseudo-terminal, with the whole transcript kept."""

    def __init__(self, home: Path, name: str = "campus", *, argv: tuple[str, ...] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "ALLY_WIZARD_PLAIN")}
        # A terminal that could draw colour and boxes: plain mode must still print none.
        env.update({"ALLY_WIZARD_HOME": str(home), "TERM": "xterm-256color", "PYTHONUNBUFFERED": "1"})
        self.transcript = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "ally_wizard", *(argv or ("wizard", "--plain", name))],
            env=env,
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(40, 200),
        )
        self.child.logfile_read = self.transcript

    def answer(self, question: str, reply: str) -> None:
        """Wait until the program waits on a prompt line holding `question` and ending with '? '; reply."""
        self.child.expect(re.escape(question) + r"[^\r\n]*\? \Z")
        self.child.sendline(reply)

    def line_after(self, announcement: str) -> str:
        """The line printed right after `announcement` (an address alone on its line)."""
        self.child.expect(re.escape(announcement) + r"\r\n([^\r\n]+)\r\n")
        return str(self.child.match.group(1))

    def expect(self, text: str) -> None:
        """Wait for some text."""
        self.child.expect_exact(text)

    @property
    def output(self) -> str:
        return self.transcript.getvalue()

    def close(self) -> None:
        self.child.close(force=True)


@pytest.fixture
def plain(_private_home: Path) -> PlainSession:
    session = PlainSession(_private_home, "campus")
    yield session
    session.close()


def walk_to_the_check(plain: PlainSession, canvas: RunningSandbox, address: str | None = None) -> None:
    """Steps 2 to 5 as an admin answers them, ticking every section (in `missing-scopes`, three are not)."""
    recipe = default_recipe()
    plain.expect("Step 2 of 7: Canvas and Ally environment")
    plain.answer("What is the Canvas address", address or canvas.base_url)
    plain.answer("Which Ally environment, 1 to 5", "1")
    plain.answer("What is the Ally Client ID", canvas.scenario.ally_client_id)
    plain.expect("The redirect URI these make, alone on the next line:")
    plain.expect("Step 3 of 7: Create the key")
    plain.answer("What Key Name will you type", "")
    plain.answer("What Owner Email will you type", "")
    plain.answer("Done all 7 in Canvas", "yes")
    plain.expect("Step 4 of 7: Scopes")
    plain.answer("How will you confirm them", "1")
    for section in recipe.sections:
        plain.answer(f"{section.name}: {len(section.scopes)} scope", "yes")
    plain.expect("Step 5 of 7: Save, turn ON, key ID and secret")
    plain.answer("What is the developer key ID", canvas.key_id)
    plain.answer("Paste the secret from Show Key in Canvas", canvas.key_secret)


def authorize_in_the_browser(plain: PlainSession) -> None:
    """Read the authorize address off its line, play the browser there, paste where it landed."""
    url = plain.line_after("The address, alone on the next line:")
    landing = asyncio.run(play_browser(url, ADMIN_LOGIN, PRACTICE_PASSWORD))
    plain.answer("What is the whole address the browser shows after you select Authorize", landing)


def test_missing_scopes_fail_are_fixed_on_the_practice_page_and_pass(
    plain: PlainSession, sandbox: SandboxFactory
) -> None:
    canvas = sandbox("missing-scopes")
    walk_to_the_check(plain, canvas)
    plain.expect("Step 6 of 7: Live authorization")
    plain.answer("What now, 1 to 2", "")  # Start the check
    plain.expect("3 problems found.")
    plain.expect("Scopes missing, 3, by section; fix them on step 4, Scopes:")
    for scope in MISSING:
        plain.expect(f"\r\n{scope}\r\n")
    plain.expect("1. Go to step 4, Scopes, to fix it")
    asyncio.run(tick_scopes_on_practice_page(canvas.base_url, ADMIN_LOGIN, PRACTICE_PASSWORD, canvas.key_id, MISSING))
    plain.answer("What now, 1 to 3", "2")  # Check again
    plain.expect("Using the secret given on step 5")
    authorize_in_the_browser(plain)
    plain.expect("31 of 31 scopes checked.")
    plain.expect("All checks passed.")
    plain.expect("the test token was revoked.")
    plain.expect("Step 7 of 7: Hand-off to Ally")
    plain.expect("The live check passed: Ally will find what it needs.")
    key_line = plain.line_after("The key ID, alone on the next line:")
    assert key_line == canvas.key_id
    plain.answer("Write a summary for your records", "")
    plain.answer("Where should the summary go", "")
    plain.answer("Finish the setup", "quit")
    plain.child.expect(pexpect.EOF)
    plain.child.wait()
    assert plain.child.exitstatus == 0

    output = plain.output
    assert not ESCAPE.search(output), repr(ESCAPE.search(output))
    assert canvas.key_secret not in output
    assert "Step 1 of 7" not in output  # a named setup opens at its first unfinished step
    store = ProfileStore()
    profile = store.load("campus").profile
    assert profile.last_verification is not None
    assert profile.last_verification.overall.value == "pass"
    assert profile.scopes_verified(default_recipe().scope_strings) == 31
    assert (store.folder / "campus-summary.md").is_file()


async def opened_in_the_wizard(name: str) -> str:
    """The screen the Textual wizard shows when it opens this setup (`ally-wizard wizard NAME`)."""
    from ally_wizard.tui.app import WizardApp

    app = WizardApp(ProfileStore(), name)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        return type(app.screen).__name__


def test_the_wizard_resumes_at_the_hand_off_after_plain_mode(plain: PlainSession, sandbox: SandboxFactory) -> None:
    canvas = sandbox("ready")
    walk_to_the_check(plain, canvas)
    plain.answer("What now, 1 to 2", "1")
    authorize_in_the_browser(plain)
    plain.expect("All checks passed.")
    plain.answer("Write a summary for your records", "no")
    plain.answer("Finish the setup", "quit")
    plain.child.expect(pexpect.EOF)
    assert "To go on: ally-wizard wizard --plain campus" in plain.output
    assert asyncio.run(opened_in_the_wizard("campus")) == "HandoffScreen"


def test_a_setup_left_on_step_4_in_plain_mode_opens_there_in_the_wizard(plain: PlainSession) -> None:
    plain.answer("What is the Canvas address", "canvas.school.edu")
    plain.answer("Which Ally environment, 1 to 5", "3")
    plain.answer("What is the Ally Client ID", "1234")
    plain.answer("What Key Name will you type", "")
    plain.answer("What Owner Email will you type", "")
    plain.answer("Done all 7 in Canvas", "no")
    plain.answer("How will you confirm them", "1")
    plain.answer("Accounts: 4 scopes, ticked all", "yes")
    plain.answer("Assignments: 3 scopes, ticked all", "quit")
    plain.child.expect(pexpect.EOF)
    assert not ESCAPE.search(plain.output)
    assert asyncio.run(opened_in_the_wizard("campus")) == "ScopesScreen"
    profile = ProfileStore().load("campus").profile
    assert profile.canvas_url == "https://canvas.school.edu" and profile.environment == "eu"
    assert sum(1 for status in profile.scopes.values() if status.value == "ticked") == 4


def test_a_paste_that_cannot_be_read_is_asked_again(plain: PlainSession, sandbox: SandboxFactory) -> None:
    canvas = sandbox("ready")
    walk_to_the_check(plain, canvas)
    plain.answer("What now, 1 to 2", "1")
    url = plain.line_after("The address, alone on the next line:")
    plain.answer("What is the whole address the browser shows", "not an address")
    plain.expect("Attempt 2 of 3.")
    landing = asyncio.run(play_browser(url, ADMIN_LOGIN, PRACTICE_PASSWORD))
    plain.answer("What is the whole address the browser shows", landing)
    plain.expect("All checks passed.")
    plain.answer("Write a summary for your records", "quit")
    plain.child.expect(pexpect.EOF)


def test_ctrl_c_at_the_paste_stops_the_check_with_its_report_saved(
    plain: PlainSession, sandbox: SandboxFactory
) -> None:
    canvas = sandbox("ready")
    walk_to_the_check(plain, canvas)
    plain.answer("What now, 1 to 2", "1")
    plain.line_after("The address, alone on the next line:")
    plain.child.expect(r"it contains code=\)\? \Z")
    plain.child.sendintr()
    plain.expect("Stopped: the check was stopped (Ctrl+C).")
    plain.expect("everything entered is saved.")
    plain.child.expect(pexpect.EOF)
    plain.child.wait()
    assert plain.child.exitstatus == 130
    assert not ESCAPE.search(plain.output)
    report = ProfileStore().load("campus").profile.last_verification
    assert report is not None
    assert report.get("key.exists") is not None and report.get("key.exists").status.value == "pass"
    assert report.get("key.secret") is not None and report.get("key.secret").status.value == "skipped"


def test_ctrl_c_at_any_other_question_stops_with_everything_saved(plain: PlainSession) -> None:
    plain.answer("What is the Canvas address", "canvas.school.edu")
    plain.child.expect(r"Which Ally environment, 1 to 5\? \Z")
    plain.child.sendintr()
    plain.expect("everything entered is saved.")
    plain.child.expect(pexpect.EOF)
    plain.child.wait()
    assert plain.child.exitstatus == 130
    assert "Traceback" not in plain.output
    assert ProfileStore().load("campus").profile.canvas_url == "https://canvas.school.edu"


def test_step_4_lets_the_check_find_out_and_reads_out_only_the_missing_scopes(
    plain: PlainSession, sandbox: SandboxFactory
) -> None:
    canvas = sandbox("missing-scopes")
    walk_to_the_check(plain, canvas)
    plain.answer("What now, 1 to 2", "back")  # from step 6 to step 5
    plain.answer("What is the developer key ID", "back")  # and on to step 4, with the key ID known
    plain.answer("How will you confirm them", "2")
    plain.expect("31 of 31 scopes checked.")
    plain.expect("Checked: 28 on the key, 3 missing.")
    for section, scope in zip(("Blueprint Courses", "Enrollment Terms", "Media Objects"), MISSING, strict=True):
        plain.expect(f"{section}: 1 of ")
        plain.expect(f"missing on the key:\r\n{scope}\r\n")
        plain.answer(f"{section}: ticked the 1 missing", "no")
    plain.expect("Step 5 of 7")
    plain.answer("What is the developer key ID", "quit")
    plain.child.expect(pexpect.EOF)
    assert "Accounts: all 4 scopes confirmed by Canvas." in plain.output
    assert "Accounts: 4 scopes, ticked all" not in plain.output.split("Checked: 28")[1]
    profile = ProfileStore().load("campus").profile
    assert [profile.scope_status(scope).value for scope in MISSING] == ["missing"] * 3


def test_a_redirecting_address_is_said_and_the_resolved_one_kept(plain: PlainSession, sandbox: SandboxFactory) -> None:
    canvas = sandbox("vanity-redirect", vanity=True)
    assert canvas.canvas_url != canvas.base_url
    walk_to_the_check(plain, canvas, address=canvas.canvas_url)
    plain.answer("What now, 1 to 2", "1")
    plain.expect("redirects to")
    plain.answer(f"Keep {canvas.base_url} as the Canvas address of this setup", "yes")
    authorize_in_the_browser(plain)
    plain.expect("All checks passed.")
    plain.answer("Write a summary for your records", "quit")
    plain.child.expect(pexpect.EOF)
    assert ProfileStore().load("campus").profile.canvas_url == canvas.base_url
    assert not canvas.vanity_received(canvas.key_secret)


def test_a_user_canvas_refuses_ends_the_check_with_the_preflight_kept(
    plain: PlainSession, sandbox: SandboxFactory
) -> None:
    canvas = sandbox("user-not-allowed")
    walk_to_the_check(plain, canvas)
    plain.answer("What now, 1 to 2", "1")
    authorize_in_the_browser(plain)
    plain.expect("The live checks will not run:")
    plain.expect("The check is not complete: 36 checks passed and 3 were not checked.")  # ally.theme included
    plain.answer("What now, 1 to", "quit")
    plain.child.expect(pexpect.EOF)
    report = ProfileStore().load("campus").profile.last_verification
    assert report is not None
    assert report.get("key.exists") is not None and report.get("key.exists").status.value == "pass"
    assert report.get("key.secret") is not None and report.get("key.secret").status.value == "skipped"


def test_the_demo_lesson_in_plain_mode(_private_home: Path) -> None:
    """`demo --plain --scenario missing-scopes`: practice values as lines, the key read on the practice page,
    the failing check, the fix on the practice page, a passing check."""
    from types import SimpleNamespace

    from tools.demo_walk import read_key_on_practice_page

    demo = PlainSession(_private_home, argv=("demo", "--plain", "--scenario", "missing-scopes"))
    try:
        canvas_url = demo.line_after("The simulated Canvas, on the next line:")
        practice_page = demo.line_after("Its Developer Keys page, on the next line:")
        assert practice_page == f"{canvas_url}/accounts/1/developer_keys"
        practice = SimpleNamespace(
            canvas_url=canvas_url,
            practice_page_url=practice_page,
            admin_username=ADMIN_LOGIN,
            admin_password=PRACTICE_PASSWORD,
        )
        key_id, secret = asyncio.run(read_key_on_practice_page(practice))  # type: ignore[arg-type]
        demo.answer(f"What is the Canvas address (Enter for {canvas_url})", "")
        demo.answer("Which Ally environment, 1 to 5", "1")
        demo.answer("What is the Ally Client ID", "1234")
        demo.answer("What Key Name will you type", "")
        demo.answer("What Owner Email will you type", "")
        demo.answer("Done all 7 in Canvas", "yes")
        demo.answer("How will you confirm them", "2")  # no key ID yet: the check cannot run
        demo.expect("Checking needs the developer key ID")
        for section in default_recipe().sections:
            demo.answer(f"{section.name}: ", "yes")
        demo.answer("What is the developer key ID", key_id)
        demo.answer("Paste the secret from Show Key in Canvas", secret)
        demo.answer("What now, 1 to 2", "")
        demo.expect("Scopes missing, 3, by section; fix them on step 4, Scopes:")
        asyncio.run(tick_scopes_on_practice_page(canvas_url, ADMIN_LOGIN, PRACTICE_PASSWORD, key_id, MISSING))
        demo.answer("What now, 1 to 3", "2")
        authorize_in_the_browser(demo)
        demo.expect("All checks passed.")
        demo.answer("Write a summary for your records", "quit")
        demo.child.expect(pexpect.EOF)
        assert "To go on:" not in demo.output  # the demo's setup goes with the demo
        assert not ESCAPE.search(demo.output)
        assert secret not in demo.output
    finally:
        demo.close()
