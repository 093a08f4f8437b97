"""Values usable over SSH: printed as plain text outside the TUI, and copies that say whether they can work."""

from __future__ import annotations

import io

from textual.widgets import TextArea

from ally_wizard.profile import StepId
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.plain_text import ALT_OFF, ALT_ON, PlainTextScreen, copy_advice, print_and_wait

from .helpers import SECRET, sample_profile, sample_report, save_profile, wait_for

URL = "https://canvas.school.edu/login/oauth2/auth?" + "x" * 2300


def test_a_long_address_is_printed_whole_on_one_line_and_stays_in_the_scrollback() -> None:
    out = io.StringIO()
    print_and_wait("The authorize address", URL, secret=False, out=out, read=lambda: "")
    assert f"\n{URL}\n" in out.getvalue()
    assert ALT_ON not in out.getvalue()


def test_a_secret_is_printed_on_the_alternate_screen_and_leaves_it_after_enter() -> None:
    out = io.StringIO()
    print_and_wait("The key secret", SECRET, secret=True, out=out, read=lambda: "")
    text = out.getvalue()
    assert text.startswith(ALT_ON) and text.endswith(ALT_OFF)
    assert SECRET in text


def test_inside_tmux_with_the_default_setting_the_copy_says_how_to_enable_it() -> None:
    advice = copy_advice(web=False, env={"TMUX": "/tmp/tmux-0/default,1,0"}, tmux_setting="external")
    assert "tmux drops this copy" in advice
    assert "set -g set-clipboard on" in advice
    assert "Plain text" in advice


def test_inside_tmux_with_set_clipboard_on_the_copy_can_work() -> None:
    advice = copy_advice(web=False, env={"TMUX": "x"}, tmux_setting="on")
    assert "drops" not in advice


def test_over_ssh_the_copy_says_it_depends_on_the_terminal_and_offers_plain_text() -> None:
    advice = copy_advice(web=False, env={"SSH_CONNECTION": "1 2 3 4"})
    assert "SSH" in advice and "Plain text" in advice


def test_in_a_browser_tab_the_copy_is_the_browser_s() -> None:
    assert "browser" in copy_advice(web=True, env={})


async def test_step_7_shows_the_secret_as_plain_text_only_on_request(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.AUTHORIZE, report=sample_report()))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoffScreen")
        app.session.secret = SECRET
        assert SECRET not in app.export_screenshot()
        # A test terminal cannot be suspended: the value is shown in a selectable text area instead.
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, PlainTextScreen))
        assert app.screen.query_one(TextArea).text == SECRET
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoffScreen")


async def test_step_7_keeps_the_secret_hidden_in_presenter_mode(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.AUTHORIZE, report=sample_report()))
    app = WizardApp(store, "production", presenter=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoffScreen")
        app.session.secret = SECRET
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not isinstance(app.screen, PlainTextScreen)
