"""The command line as an admin meets it: help, versions, exit codes, plain messages, no heavy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ally_wizard import __version__
from ally_wizard.profile import Profile, ScopeStatus, StepId, StepState
from ally_wizard.store import ProfileStore


def run_cli(*args: str, home: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ALLY_WIZARD_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "ally_wizard", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=60,
    )


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run_cli("--help", home=tmp_path)
    assert result.returncode == 0
    for command in ("wizard", "check", "profiles", "recipe", "sandbox", "demo", "serve"):
        assert f"    {command}" in result.stdout


def test_version(tmp_path: Path) -> None:
    result = run_cli("--version", home=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, f"ally-wizard {__version__}")


def test_recipe_json_lists_the_31_scopes_and_5_environments(tmp_path: Path) -> None:
    result = run_cli("recipe", "--json", home=tmp_path)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert len(data["scopes"]) == 31
    assert len({s["scope"] for s in data["scopes"]}) == 31
    assert sum(len(section["scopes"]) for section in data["sections"]) == 31
    assert data["scopes"][20] == {"scope": "url:DELETE|/api/v1/files/:id", "section": "Files"}
    assert [e["host"] for e in data["environments"]] == [
        "prod.ally.ac",
        "prod-ca-central-1.ally.ac",
        "prod-eu-central-1.ally.ac",
        "prod-ap-southeast-1.ally.ac",
        "prod-ap-southeast-2.ally.ac",
    ]
    assert data["settings"] == {"enforce_scopes": True, "allow_includes": True, "key_on": True}


def test_recipe_text_groups_scopes_by_section(tmp_path: Path) -> None:
    result = run_cli("recipe", home=tmp_path)
    assert result.returncode == 0
    assert "  Media Objects\n    url:GET|/api/v1/courses/:course_id/media_objects" in result.stdout
    assert "Allow Include Parameters: on" in result.stdout


def test_profiles_when_there_are_none(tmp_path: Path) -> None:
    result = run_cli("profiles", home=tmp_path)
    assert result.returncode == 0
    assert "No saved profiles" in result.stdout


def test_profiles_show_progress(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    profile = Profile("production", canvas_url="https://canvas.school.edu", environment="us")
    profile.mark(StepId.CANVAS, StepState.DONE)
    profile.mark(StepId.CREATE_KEY, StepState.DONE)
    profile.scopes["url:GET|/api/v1/accounts"] = ScopeStatus.VERIFIED
    profile.scopes["url:GET|/api/v1/accounts/:id"] = ScopeStatus.ON_KEY
    profile.scopes["url:PUT|/api/v1/files/:id"] = ScopeStatus.TICKED
    store.create(profile)
    text = run_cli("profiles", home=tmp_path)
    assert text.returncode == 0
    assert "production" in text.stdout and "steps 3/7" in text.stdout and "scopes 2/31 verified" in text.stdout
    result = run_cli("profiles", "--json", home=tmp_path)
    row = json.loads(result.stdout)["profiles"][0]
    assert (row["steps_done"], row["scopes_verified"], row["next_step"], row["last_check"]) == (3, 2, "scopes", None)


def test_a_corrupt_profile_is_reported_in_plain_words_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir(parents=True)
    (tmp_path / "profiles" / "broken.toml").write_text("[canvas\n")
    result = run_cli("profiles", home=tmp_path)
    assert result.returncode == 1
    assert "Profile 'broken' could not be read" in result.stderr and "line 1" in result.stderr
    assert "Traceback" not in result.stderr
    assert any(p.name.startswith("broken.toml.corrupt-") for p in (tmp_path / "profiles").iterdir())


@pytest.mark.parametrize(
    "args",
    [("nonsense",), ("recipe", "--bogus"), ("check", "--environment", "mars"), ("sandbox", "--port", "x")],
)
def test_bad_usage_exits_2_without_a_traceback(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run_cli(*args, home=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr


@pytest.mark.parametrize("args", [["--version"], ["recipe", "--json"], ["profiles", "--json"], ["--help"]])
def test_commands_other_than_the_wizard_do_not_import_textual(tmp_path: Path, args: list[str]) -> None:
    code = (
        "import sys\nfrom ally_wizard.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('textual', 'httpx', 'aiohttp', 'rich') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    env = {**os.environ, "ALLY_WIZARD_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60)
    assert "HEAVY []" in result.stderr


def test_the_environment_choices_come_from_the_recipe() -> None:
    from ally_wizard.cli import build_parser
    from ally_wizard.recipe import default_recipe

    parser = build_parser()
    ids = [environment.id for environment in default_recipe().environments]
    for env_id in ids:
        assert parser.parse_args(["check", "--environment", env_id]).environment == env_id
    with pytest.raises(SystemExit):
        parser.parse_args(["check", "--environment", "mars"])
