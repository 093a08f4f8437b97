"""`ally-wizard create` against the simulated Canvas: the plan first, one key made exactly as the recipe says,
its secret captured from the create answer, no second key, and the refusals of an older catalogue."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest
from check_process import authorize_when_asked, start_check

from ally_wizard.cli import main
from ally_wizard.profile import Profile, StepId, StepState
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.store import ProfileStore

SandboxFactory = Callable[..., RunningSandbox]


def flags(sb: RunningSandbox, *more: str) -> list[str]:
    return ["create", "--canvas", sb.base_url, "--environment", "us", "--ally-client-id", "1234", *more]


def ally_keys(sb: RunningSandbox) -> list[object]:
    return sb.run(
        lambda s: [
            k
            for k in s.state.keys.values()
            if k.workflow_state == "active" and "/api/v2/1234/" in " ".join(k.redirect_uris)
        ]
    )


def test_create_makes_the_recipes_key_once_and_captures_its_secret(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("no-ally-key")
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    store = ProfileStore()
    store.create(Profile("prod", canvas_url=sb.base_url, environment="us", client_id="1234"))
    assert main([*flags(sb, "--yes", "--json", "--show-secret"), "--canvas", sb.base_url]) == 0
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert "Redirect URI:    https://prod.ally.ac/api/v2/1234/auth/canvas/callback" in err
    assert "POST /api/v1/accounts/self/developer_keys: created key" in err
    assert sb.admin_token not in out + err
    made = ally_keys(sb)
    assert len(made) == 1
    key = made[0]
    assert document["secret"] == key.api_key  # type: ignore[attr-defined]
    assert document["key_id"] == str(key.global_id)  # type: ignore[attr-defined]
    assert all(c["status"] != "fail" for c in document["audit"]["checks"])
    assert sb.run(lambda s: s.state.bindings[key.id].workflow_state) == "on"  # type: ignore[attr-defined]
    # The secret is shown whole only in the create answer: the list shows a hint on this Canvas.
    assert main(["audit", "--canvas", sb.base_url, "--environment", "us", "--ally-client-id", "1234", "--json"]) == 0
    assert key.api_key not in capsys.readouterr().out  # type: ignore[attr-defined]
    # A second run makes no second key.
    assert main(flags(sb, "--yes")) == 1
    assert "already has this redirect URI" in capsys.readouterr().err
    assert len(ally_keys(sb)) == 1


def test_create_saves_the_key_id_and_marks_the_steps_it_did(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("no-ally-key")
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    store = ProfileStore()
    store.create(Profile("prod", canvas_url=sb.base_url, environment="us", client_id="1234"))
    assert main(["create", "prod", "--yes"]) == 0
    out, _ = capsys.readouterr()
    profile = store.load("prod").profile
    assert profile.key_id and f"Created key {profile.key_id}" in out
    assert all(profile.steps[s].state is StepState.DONE for s in (StepId.CREATE_KEY, StepId.SCOPES, StepId.ACTIVATE))
    on_disk = "".join(p.read_text() for p in store.folder.iterdir() if p.is_file())
    assert ally_keys(sb)[0].api_key not in on_disk + out  # type: ignore[attr-defined]
    assert sb.admin_token not in on_disk
    assert main(["check", "prod", "--no-login"]) == 0


def test_without_yes_and_no_terminal_nothing_is_created(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("no-ally-key")
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    assert main(flags(sb)) == 2
    assert "--yes" in capsys.readouterr().err
    assert ally_keys(sb) == [] and {r.method for r in sb.requests} <= {"GET"}


def test_an_older_catalogue_stops_before_any_write_and_names_the_old_scope(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("old-canvas")
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    assert main(flags(sb, "--yes", "--new")) == 1
    err = capsys.readouterr().err
    assert "Nothing was created" in err and "this Canvas names it url:GET|/api/v1/courses/:course_id/pages/:url" in err
    assert {r.method for r in sb.requests} == {"GET"}


async def test_the_created_key_passes_a_full_check_with_the_captured_secret(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("no-ally-key", latency_ms=2)
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    assert await asyncio.to_thread(main, flags(sb, "--yes", "--json", "--show-secret")) == 0
    created = json.loads(capsys.readouterr().out)
    process = start_check(
        sb,
        *("--canvas", sb.base_url, "--key-id", created["key_id"], "--environment", "us", "--ally-client-id", "1234"),
        "--json",
        secret=created["secret"],
    )
    await authorize_when_asked(process, sb)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    rows = json.loads(out)["checks"]
    assert {row["status"] for row in rows} == {"pass"}
    assert {"key.secret", "key.allow_includes", "token.revoked", "ally.theme"} <= {row["id"] for row in rows}


def test_an_ally_key_already_there_is_named_but_not_saved_over_the_profiles_key_id(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Nothing was created: key N already has this redirect URI" names a key this run did not make: the
    profile keeps its own key ID (the admin decides which key is Ally's, by audit or repair)."""
    sb = sandbox("no-ally-key")
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    assert main(flags(sb, "--yes")) == 0
    [existing] = ally_keys(sb)
    capsys.readouterr()
    store = ProfileStore()
    store.create(Profile("prod", canvas_url=sb.base_url, environment="us", client_id="1234", key_id="170000000000077"))
    assert main(["create", "prod", "--yes"]) == 1
    assert f"key {existing.global_id} " in capsys.readouterr().err  # type: ignore[attr-defined]
    assert store.load("prod").profile.key_id == "170000000000077"


def test_create_json_carries_the_plan_what_was_applied_and_the_audit(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("no-ally-key")
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    assert main(flags(sb, "--yes", "--json", "--name", "Ally (prod)")) == 0
    document = json.loads(capsys.readouterr().out)
    plan = document["plan"]
    assert plan["name"] == "Ally (prod)" and plan["redirect_uri"].endswith("/api/v2/1234/auth/canvas/callback")
    assert len(plan["scopes"]) == 31 and plan["enforce_scopes"] and plan["allow_includes"]
    assert document["applied"] == ["create_key", "binding_on"]
    assert document["audit"]["key_id"] == document["key_id"] == str(ally_keys(sb)[0].global_id)  # type: ignore[attr-defined]
    assert {row["status"] for row in document["audit"]["checks"]} <= {"pass", "warn"}
    assert "secret" not in document


def test_a_create_that_stopped_says_in_json_what_was_applied(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("no-ally-key")
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    assert main(flags(sb, "--yes")) == 0
    capsys.readouterr()
    assert main(flags(sb, "--yes", "--json")) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["applied"] == [] and "already has this redirect URI" in document["stopped"]
    assert document["key_id"] == str(ally_keys(sb)[0].global_id)  # type: ignore[attr-defined]
    assert "audit" not in document and document["plan"]["scopes"]
