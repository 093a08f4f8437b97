"""`ally-wizard audit` against the simulated Canvas: exit codes, the JSON document, the key choice, no token shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ally_wizard.cli import main
from ally_wizard.profile import Profile, ScopeStatus
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.store import ProfileStore

SandboxFactory = Callable[..., RunningSandbox]


def flags(sb: RunningSandbox, *more: str) -> list[str]:
    return ["audit", "--canvas", sb.base_url, "--environment", "us", "--ally-client-id", "1234", *more]


def run(
    sb: RunningSandbox, args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    code = main(args)
    out, err = capsys.readouterr()
    assert sb.admin_token not in out + err
    return code, out, err


def test_ready_exits_0_with_the_json_document(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("ready")
    code, out, _ = run(sb, flags(sb, "--json"), capsys, monkeypatch)
    assert code == 0
    document = json.loads(out)
    assert set(document) >= {"canvas_url", "key_id", "keys", "checks"}
    assert document["key_id"] == sb.key_id
    assert [key["id"] for key in document["keys"]] == [sb.key_id]
    assert all({"id", "status", "title", "message"} <= set(check) for check in document["checks"])
    assert {r.method for r in sb.requests} == {"GET"}


def test_several_ally_keys_exit_2_naming_key_id(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("drifted")
    code, _, err = run(sb, flags(sb), capsys, monkeypatch)
    assert code == 2
    assert "--key-id" in err and "Ally (old)" in err and "Anthology Ally" in err


def test_drift_exits_1_and_names_the_fixes(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("drifted")
    code, out, _ = run(sb, flags(sb, "--key-id", sb.key_id), capsys, monkeypatch)
    assert code == 1
    assert "✗ fail" in out and "check Allow Include Parameters" in out and "! warn" in out


def test_a_refused_token_exits_2_with_its_sentence(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("ready")
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.non_admin_token)
    code = main(flags(sb))
    out, err = capsys.readouterr()
    assert code == 2 and "manage_developer_keys" in err
    assert sb.non_admin_token not in out + err


def test_the_profile_gains_verified_scopes_and_never_the_token(
    sandbox: SandboxFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    _private_home: Path,
) -> None:
    sb = sandbox("drifted")
    store = ProfileStore()
    store.create(Profile("prod", canvas_url=sb.base_url, environment="us", client_id="1234", key_id=sb.key_id))
    code, _, _ = run(sb, ["audit", "prod"], capsys, monkeypatch)
    assert code == 1
    profile = store.load("prod").profile
    assert profile.scope_status("url:GET|/api/v1/accounts") is ScopeStatus.VERIFIED
    assert profile.scope_status("url:GET|/api/v1/courses/:course_id/quizzes") is ScopeStatus.MISSING
    for path in _private_home.rglob("*"):
        if path.is_file():
            assert sb.admin_token not in path.read_text(errors="replace")


def test_check_warns_on_a_mismatching_theme_without_changing_its_exit_code(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    sb = sandbox("drifted")
    args = ["check", "--canvas", sb.base_url, "--key-id", sb.key_id, "--environment", "us", "--ally-client-id", "1234"]
    assert main([*args, "--no-login", "--json"]) == 1  # the key's own drift fails; the theme only warns
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)["checks"]}
    assert rows["ally.theme"]["status"] == "warn"
    assert "prod-eu-central-1.ally.ac" in rows["ally.theme"]["message"] and "1164" in rows["ally.theme"]["message"]
    ready = sandbox("ready")
    ready_args = ["check", "--canvas", ready.base_url, "--key-id", ready.key_id, "--environment", "us"]
    assert main([*ready_args, "--ally-client-id", "1234", "--no-login", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)["checks"]}
    assert rows["ally.theme"]["status"] == "pass"
