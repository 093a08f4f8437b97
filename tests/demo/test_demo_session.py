"""The training session itself: its throwaway folder, the scenario picker's reset, attaching, clean-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ally_wizard.cli import main
from ally_wizard.demo import DEMO_PROFILE, DemoSession, scenario_choices
from ally_wizard.sandbox import ScenarioError, scenario_names
from ally_wizard.tui.demo_app import DemoWizardApp
from tools.demo_walk import screen_name, text_of, wait_for

from .conftest import DemoFactory


def test_profiles_live_in_a_fresh_folder_never_in_the_real_home(
    demo_session: DemoFactory, _private_home: Path, tmp_path: Path
) -> None:
    demo = demo_session("ready")
    assert demo.folder.parent == tmp_path and demo.folder.name.startswith("ally-wizard-demo-")
    assert demo.store.home == demo.folder
    assert list(_private_home.iterdir()) == []  # ALLY_WIZARD_HOME is left alone
    profile = demo.store.load(DEMO_PROFILE).profile
    assert profile.canvas_url == demo.canvas_url
    assert (profile.environment, profile.client_id, profile.key_id) == ("", "", "")


def test_the_vanity_lesson_starts_the_profile_at_the_redirecting_address(demo_session: DemoFactory) -> None:
    demo = demo_session("vanity-redirect")
    assert demo.canvas is not None and demo.typed_url == demo.canvas.vanity_url != demo.canvas_url
    assert demo.store.load(DEMO_PROFILE).profile.canvas_url == demo.typed_url
    answer = httpx.get(f"{demo.typed_url}/login", follow_redirects=False, timeout=5)
    assert answer.status_code == 301 and answer.headers["Location"] == f"{demo.canvas_url}/login"


@pytest.mark.parametrize("scenario", ["lti-key", "other-root-account"])
def test_lessons_about_the_wrong_key_hand_it_out(demo_session: DemoFactory, scenario: str) -> None:
    demo = demo_session(scenario)
    handout = demo.handout()
    assert demo.canvas is not None and handout is not None
    assert handout.key_id == demo.canvas.key_id


def test_a_right_key_is_found_on_the_practice_page_not_handed_out(demo_session: DemoFactory) -> None:
    assert demo_session("ready").handout() is None


def test_closing_stops_the_canvas_and_removes_the_folder(tmp_path: Path) -> None:
    demo = DemoSession.start("ready", temp_parent=tmp_path)
    url = demo.canvas_url
    assert httpx.get(url, timeout=5).status_code == 200
    demo.close()
    assert not demo.folder.exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=5)
    demo.close()  # twice is harmless


def test_the_session_starts_without_loading_the_server_and_answers_once_begun(tmp_path: Path) -> None:
    code = (
        "import sys, httpx\n"
        "from ally_wizard.demo import DemoSession\n"
        f"demo = DemoSession.start('ready', temp_parent={str(tmp_path)!r}, begin=False)\n"
        "assert 'aiohttp' not in sys.modules, 'the server was loaded before it was begun'\n"
        "demo.canvas.begin()\n"
        "print(httpx.get(demo.canvas_url, timeout=30).status_code)\n"
        "demo.close()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "200"


def test_closing_a_canvas_never_begun_is_clean(tmp_path: Path) -> None:
    demo = DemoSession.start("ready", temp_parent=tmp_path, begin=False)
    demo.close()
    assert not demo.folder.exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(demo.canvas_url, timeout=5)


def test_an_unknown_scenario_starts_nothing(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError):
        DemoSession.start("no-such-lesson", temp_parent=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_picker_lists_every_scenario_with_its_goal() -> None:
    choices = scenario_choices()
    assert choices[0].name == "ready"
    assert sorted(c.name for c in choices) == sorted(scenario_names())
    assert all(c.goal for c in choices)


async def test_switching_scenario_resets_canvas_and_starts_the_setup_over(demo_session: DemoFactory) -> None:
    demo = demo_session("ready")
    old_secret = demo.canvas.key_secret if demo.canvas is not None else ""
    app = DemoWizardApp(demo)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "PracticeScreen")
        await pilot.press("escape")
        demo.store.load(DEMO_PROFILE)  # the trainee's work so far is in the profile
        await pilot.press("f4")
        await wait_for(pilot, lambda: screen_name(pilot) == "ScenarioPickerScreen")
        names = [c.name for c in scenario_choices()]
        for _ in range(names.index("missing-scopes")):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "PracticeScreen")
        assert "reset to the scenario 'missing-scopes'" in text_of(pilot, "#practice-values")
        assert "DEMO · missing-scopes" in text_of(pilot, "#practice-title")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "CanvasScreen")
        assert "DEMO · missing-scopes" in str(app.screen.query_one("StepBar").render())
    assert demo.scenario.name == "missing-scopes"
    assert demo.canvas is not None and demo.canvas.key_secret != old_secret
    assert demo.store.load(DEMO_PROFILE).profile.canvas_url == demo.canvas_url


async def test_an_attached_demo_offers_no_scenario_switch_and_leaves_the_shared_canvas_alone(
    demo_session: DemoFactory,
) -> None:
    owner = demo_session("missing-scopes")
    tab = demo_session("missing-scopes", attach_url=owner.canvas_url)
    assert tab.canvas is None and not tab.can_switch and tab.admin_token is None
    app = DemoWizardApp(tab)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "PracticeScreen")
        assert not app.screen.query("#scenarios")  # no Scenario button that would only refuse
        await pilot.press("f4")
        await pilot.pause()
        assert screen_name(pilot) == "PracticeScreen"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        assert screen_name(pilot) != "ScenarioPickerScreen"
    assert owner.scenario.name == "missing-scopes"
    with pytest.raises(RuntimeError):
        tab.switch("ready")
    tab.close()
    assert httpx.get(owner.canvas_url, timeout=5).status_code == 200  # a tab never stops the shared Canvas


def test_demo_command_refuses_an_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--scenario", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown scenario 'nope'" in err and "missing-scopes" in err


def test_serve_off_loopback_needs_a_public_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "not a loopback address" in err and "--public-url" in err


def test_serve_refuses_a_public_url_that_is_not_http(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--public-url", "ftp://x"]) == 2
    assert "http:// or https://" in capsys.readouterr().err


def test_serve_tab_command_attaches_each_tab_to_the_one_canvas() -> None:
    import argparse

    from ally_wizard.commands.serve import tab_command

    args = argparse.Namespace(scenario="key-off", presenter=True)
    command = tab_command(args, "http://127.0.0.1:4567")
    assert command[1:] == [
        "-m",
        "ally_wizard",
        "demo",
        "--canvas",
        "http://127.0.0.1:4567",
        "--scenario",
        "key-off",
        "--presenter",
    ]
    assert tab_command(argparse.Namespace(scenario="ready", presenter=False), None)[-1] == "wizard"
    assert os.path.basename(command[0]).startswith("python")


async def test_the_wizard_begins_the_canvas_and_opens_the_demo_setup_without_writing_it_again(
    demo_session: DemoFactory,
) -> None:
    demo = demo_session("ready", begin=False)
    written = demo.store.path(DEMO_PROFILE).stat().st_ino
    app = DemoWizardApp(demo)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "PracticeScreen")
        token = demo.admin_token
        assert token is not None
        await wait_for(
            pilot, lambda: bool(app.screen.query("#practice-values")) and token in text_of(pilot, "#practice-values")
        )
        assert demo.store.path(DEMO_PROFILE).stat().st_ino == written
