"""`ally-wizard check --json` at the edges of issue 9, against the simulated Canvas: the right rows and exit code."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from check_process import check_with_no_input
from test_check_command import flags, run_check, secrets_of

from ally_wizard.canvas import wording
from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import RunningSandbox

SandboxFactory = Callable[..., RunningSandbox]
SCOPES = default_recipe().scope_strings


def rows_of(out: str) -> dict[str, dict[str, object]]:
    return {row["id"]: row for row in json.loads(out)["checks"]}


async def test_a_vanity_address_is_resolved_and_nothing_secret_goes_to_it(sandbox: SandboxFactory) -> None:
    sb = sandbox("vanity-redirect", latency_ms=2)
    typed = ["--canvas", sb.canvas_url, *flags(sb)[2:]]
    ran = await run_check(sb, *typed, "--json")
    assert ran.code == 0, ran.err
    document = json.loads(ran.out)
    assert document["canvas_url"] == sb.base_url and document["canvas_url_typed"] == sb.canvas_url
    assert f"{sb.canvas_url} redirects to {sb.base_url}; checking there." in ran.err
    assert {row["status"] for row in document["checks"]} == {"pass"}
    # The preflight's first two probes (nothing secret in them), which found where Canvas is.
    assert [r.path for r in sb.vanity_requests] == ["/login/oauth2/auth"] * 2
    for value in secrets_of(sb):
        assert not sb.vanity_received(value)


async def test_a_user_canvas_refuses_keeps_the_preflight_and_exits_3(sandbox: SandboxFactory) -> None:
    sb = sandbox("user-not-allowed", latency_ms=2)
    ran = await run_check(sb, *flags(sb), "--json")
    assert ran.code == 3, ran.err
    rows = rows_of(ran.out)
    assert {rows[f"scope:{s}"]["status"] for s in SCOPES} == {"pass"}
    assert rows["key.on"]["status"] == "pass"
    assert rows["key.secret"]["status"] == "skipped"
    assert "may not authorize the key" in str(rows["key.secret"]["message"])
    assert rows["token.revoked"]["status"] == "skipped"


async def test_input_ended_before_the_paste_still_prints_the_json_report(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready", latency_ms=2)
    done = check_with_no_input(*flags(sb), "--no-browser", "--json", secret=sb.key_secret)
    assert done.returncode == 3, done.stderr
    rows = rows_of(done.stdout)
    assert rows["key.exists"]["status"] == "pass"
    assert "input ended" in str(rows["key.secret"]["message"])


async def test_input_ended_says_the_check_stopped_before_judging_and_to_run_it_again(
    sandbox: SandboxFactory,
) -> None:
    sb = sandbox("ready", latency_ms=2)
    done = check_with_no_input(*flags(sb), "--no-browser", secret=sb.key_secret)
    assert done.returncode == 3, done.stderr
    last = done.stdout.strip().splitlines()[-2]  # above the count of checks passed
    assert last.startswith("- The last live check stopped before it could judge the key: No address was pasted")
    assert last.endswith("Nothing was found wrong so far; run ally-wizard check again.")


def test_an_unreachable_canvas_gives_one_error_row_and_asks_for_nothing(sandbox: SandboxFactory) -> None:
    import socket

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    argv = ["--canvas", f"http://127.0.0.1:{port}", "--key-id", "170000000000123", "--environment", "us"]
    done = check_with_no_input(*argv, "--ally-client-id", "1234", "--json")
    assert done.returncode == 3, done.stderr
    rows = rows_of(done.stdout)
    assert [key for key, row in rows.items() if row["status"] == "error"] == ["key.exists"]
    assert {row["message"] for key, row in rows.items() if key != "key.exists"} == {
        "Not checked: Canvas could not be reached."
    }
    assert "secret" not in done.stderr.lower() and "/login/oauth2/auth?" not in done.stderr


async def test_each_cause_of_a_refused_binding_names_every_fix(sandbox: SandboxFactory) -> None:
    for scenario in ("site-admin-off", "other-root-account", "test-cluster-only"):
        sb = sandbox(scenario, latency_ms=2)
        ran = await run_check(sb, *flags(sb), "--json")
        assert ran.code == 1, (scenario, ran.err)
        rows = rows_of(ran.out)
        failed = {key for key, row in rows.items() if row["status"] == "fail"}
        assert failed == {"key.on"}, (scenario, failed)
        message = str(rows["key.on"]["message"])
        assert message == wording.key_not_on()
        assert message.index("State to ON") < message.index("Site Admin") < message.index("another root account")
        assert "Test Cluster Only" in message
        assert {rows[k]["status"] for k in rows if k not in failed and k.startswith(("key.secret", "token"))} == {
            "skipped"
        }


async def test_an_lti_key_is_named_as_the_likely_cause_not_31_boxes(sandbox: SandboxFactory) -> None:
    sb = sandbox("lti-key", latency_ms=2)
    ran = await run_check(sb, *flags(sb), "--json")
    assert ran.code == 1, ran.err
    rows = rows_of(ran.out)
    assert rows["key.redirect_uri"]["status"] == "fail"
    scope_rows = [rows[f"scope:{s}"] for s in SCOPES]
    assert {row["status"] for row in scope_rows} == {"fail"}
    assert {row["message"] for row in scope_rows} == {wording.lti_or_wrong_key(sb.key_id)}


async def test_a_gate_to_another_hosts_login_passes_nothing_and_gets_no_secret(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready", gate=True)
    gated = ["--canvas", sb.gate_url, *flags(sb)[2:]]
    ran = await run_check(sb, *gated, "--json")
    assert ran.code == 3, ran.err
    rows = rows_of(ran.out)
    assert "pass" not in {row["status"] for row in rows.values()}
    assert "another host" in str(rows["key.exists"]["evidence"])
    assert rows["key.secret"]["status"] == "skipped"
    # One row carries the cause; the others say they were not checked because of it (not 35 copies of it).
    assert [key for key, row in rows.items() if row["status"] == "error"] == ["key.exists"]
    assert "another host" in str(rows["key.exists"]["message"])
    others = {
        str(row["message"]) for key, row in rows.items() if key.startswith(("scope:", "key.")) and key != "key.exists"
    }
    assert all(message.startswith("Not checked:") for message in others)
    assert f"Not checked: {wording.not_canvas_first()}" in others
    assert "/login/oauth2/auth?" not in ran.err
    for value in secrets_of(sb):
        assert not sb.gate_received(value)


async def test_an_old_canvas_without_prompt_is_judged_by_its_own_login_redirect(sandbox: SandboxFactory) -> None:
    from dataclasses import replace

    from ally_wizard.sandbox.scenario import load_scenario

    base = load_scenario("ready")
    sb = sandbox(replace(base, canvas=replace(base.canvas, prompt_support=False)))
    ran = await run_check(sb, *flags(sb), "--json")
    assert ran.code == 0, ran.err
    assert {row["status"] for row in rows_of(ran.out).values()} == {"pass"}


def test_no_login_on_a_vanity_address_judges_the_real_host(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    from ally_wizard.cli import main

    sb = sandbox("missing-scopes", vanity=True)
    assert main(["check", "--canvas", sb.canvas_url, *flags(sb)[2:], "--no-login", "--json"]) == 1
    rows = rows_of(capsys.readouterr().out)
    assert [key for key, row in rows.items() if row["status"] == "fail"] == [
        key for key in rows if key.startswith("scope:") and rows[key]["status"] == "fail"
    ]
    assert sum(1 for row in rows.values() if row["status"] == "fail") == 3
    assert rows["key.on"]["status"] == "pass"
