"""`ally-wizard repair` on keys drifted through the Developer Keys API: the dry run changes nothing, the repair
leaves the audit clean with the extra scope and the key's tokens kept, `--remove-extra-scopes` warns first."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from ally_wizard.canvas.client import CanvasClient, Reply
from ally_wizard.cli import main
from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import RunningSandbox

SandboxFactory = Callable[..., RunningSandbox]
SCOPES = default_recipe().scope_strings
EXTRA = "url:GET|/api/v1/accounts/:account_id/users"
REMOVED = ("url:GET|/api/v1/courses/:course_id/quizzes", "url:GET|/api/v1/accounts/:account_id/terms")


def flags(sb: RunningSandbox, *more: str) -> list[str]:
    return ["repair", "--canvas", sb.base_url, "--environment", "us", "--ally-client-id", "1234", *more]


def drift(sb: RunningSandbox) -> None:
    """Two scopes removed, includes off, binding OFF, one extra scope: through the API, as an admin would."""
    admin = {"Authorization": f"Bearer {sb.admin_token}"}
    scopes = [s for s in SCOPES if s not in REMOVED] + [EXTRA]
    url = f"{sb.base_url}/api/v1/developer_keys/{sb.key_id}"
    assert httpx.put(url, data={"developer_key[scopes][]": scopes}, headers=admin).status_code == 200
    assert httpx.put(url, data={"developer_key[allow_includes]": "false"}, headers=admin).status_code == 200
    binding = f"{sb.base_url}/api/v1/accounts/self/developer_keys/{sb.key_id}/developer_key_account_bindings"
    state = {"developer_key_account_binding[workflow_state]": "off"}
    assert httpx.post(binding, data=state, headers=admin).status_code in (200, 201)


def key_state(sb: RunningSandbox) -> tuple[list[str], bool, str, int]:
    key_id = sb.key_id  # read here: inside `run`, the sandbox's own loop would wait on itself

    def read(s: object) -> tuple[list[str], bool, str, int]:
        state = s.state  # type: ignore[attr-defined]
        key = next(k for k in state.keys.values() if str(k.global_id) == key_id)
        tokens = key.outside_tokens + sum(1 for t in state.tokens.values() if t.developer_key_id == key.id)
        return list(key.scopes), key.allow_includes, state.bindings[key.id].workflow_state, tokens

    return sb.run(read)


@pytest.fixture
def drifted(sandbox: SandboxFactory, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    sb = sandbox("ready")
    drift(sb)
    key_id = sb.key_id

    def authorized_by_ally(s: object) -> None:  # the token Ally holds, which the repair must keep
        key = next(k for k in s.state.keys.values() if str(k.global_id) == key_id)  # type: ignore[attr-defined]
        key.outside_tokens = 1

    sb.run(authorized_by_ally)
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    return sb


def test_dry_run_shows_the_plan_and_changes_nothing(
    drifted: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    before = drifted.snapshot()
    assert main(flags(drifted, "--dry-run")) == 1
    err = capsys.readouterr().err
    assert "Add 2 missing scope(s)" in err and "Check Allow Include Parameters" in err and "Turn the key ON" in err
    assert "Keep 1 extra scope(s)" in err and "Dry run: nothing was changed." in err
    assert drifted.snapshot() == before


def test_repair_leaves_the_audit_clean_keeping_the_extra_scope_and_the_tokens(
    drifted: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(flags(drifted, "--yes")) == 0
    out, err = capsys.readouterr()
    assert f"PUT /api/v1/developer_keys/{drifted.key_id}: updated scopes, allow_includes." in err
    assert "the key is ON for the root account" in err
    assert drifted.admin_token not in out + err
    scopes, includes, binding, tokens = key_state(drifted)
    assert set(SCOPES) <= set(scopes) and EXTRA in scopes
    assert includes and binding == "on" and tokens == 1
    assert "✗ fail" not in out
    assert out.rstrip().endswith("checks passed after the repair.") and "Nothing was changed" not in out


def test_remove_extra_scopes_warns_first_and_removes_it(
    drifted: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(flags(drifted, "--yes", "--remove-extra-scopes")) == 0
    err = capsys.readouterr().err
    warning = err.index("Removing a scope makes Canvas delete every token of the key")
    assert warning < err.index("PUT /api/v1/developer_keys/")
    scopes, _, _, tokens = key_state(drifted)
    assert sorted(scopes) == sorted(SCOPES) and tokens == 0


def test_without_yes_and_no_terminal_nothing_changes(
    drifted: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    before = drifted.snapshot()
    assert main(flags(drifted)) == 2
    assert "--yes" in capsys.readouterr().err
    assert drifted.snapshot() == before


def test_dry_run_json_is_the_plan_with_each_change_named(
    drifted: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    before = drifted.snapshot()
    assert main(flags(drifted, "--dry-run", "--json")) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["dry_run"] is True and document["key_id"] == drifted.key_id
    changes = {change["name"]: change for change in document["plan"]["changes"]}
    assert list(changes) == ["add_scopes", "allow_includes", "binding_on"]
    assert sorted(changes["add_scopes"]["scopes"]) == sorted(REMOVED)
    assert any("Keep 1 extra scope(s)" in note for note in document["plan"]["notes"])
    assert "applied" not in document and "audit" not in document
    assert drifted.snapshot() == before


def test_repair_json_carries_the_plan_what_was_applied_and_the_audit_after(
    drifted: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(flags(drifted, "--yes", "--json")) == 0
    out, _ = capsys.readouterr()
    document = json.loads(out)
    assert [change["name"] for change in document["plan"]["changes"]] == ["add_scopes", "allow_includes", "binding_on"]
    assert document["applied"] == ["add_scopes", "allow_includes", "binding_on"]
    assert {row["status"] for row in document["audit"]["checks"]} <= {"pass", "warn"}
    assert {"key.allow_includes", "key.on"} <= {row["id"] for row in document["audit"]["checks"]}
    assert drifted.admin_token not in out


def test_a_stopped_repair_json_says_what_was_applied_and_why_it_stopped(
    drifted: RunningSandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = CanvasClient.request

    async def request(self: CanvasClient, method: str, path: str, **kwargs: object) -> Reply:
        if method == "POST" and path.endswith("/developer_key_account_bindings"):
            return Reply(method, path, 500, {"content-type": "application/json"}, '{"errors":[{"message":"Boom."}]}')
        return await real(self, method, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(CanvasClient, "request", request)
    assert main(flags(drifted, "--yes", "--json")) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["applied"] == ["add_scopes", "allow_includes"]
    assert "Not applied: turning the key ON (HTTP 500: Boom.)" in document["stopped"]
    assert "audit" not in document
