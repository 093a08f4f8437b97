"""A write that fails part-way (create, then repair) against the simulated Canvas: the output says what was and
was not applied, the new key's ID is kept so a retry makes no second key, and repair finishes what was left.

Canvas answers the one binding request with its 500 error form (the rest goes to the sandbox over sockets).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from ally_wizard.canvas.client import CanvasClient, Reply
from ally_wizard.cli import main
from ally_wizard.profile import Profile
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.store import ProfileStore

SandboxFactory = Callable[..., RunningSandbox]
BINDINGS = "/developer_key_account_bindings"
REDIRECT = "https://prod.ally.ac/api/v2/1234/auth/canvas/callback"


@pytest.fixture
def binding_fails(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Canvas answers the binding POST with a 500 while the list holds True; every other request is real."""
    failing = ["on"]
    real = CanvasClient.request

    async def request(self: CanvasClient, method: str, path: str, **kwargs: object) -> Reply:
        if failing and method == "POST" and path.endswith(BINDINGS):
            body = '{"errors":[{"message":"An error occurred."}],"error_report_id":4}'
            return Reply(method, path, 500, {"content-type": "application/json"}, body)
        return await real(self, method, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(CanvasClient, "request", request)
    yield failing


def ally_keys(sb: RunningSandbox) -> list[tuple[str, str]]:
    """(global ID, binding state) of every active key with Ally's redirect URI."""
    return sb.run(
        lambda s: [
            (str(k.global_id), s.state.bindings[k.id].workflow_state if k.id in s.state.bindings else "none")
            for k in s.state.keys.values()
            if k.workflow_state == "active" and REDIRECT in k.redirect_uris
        ]
    )


def test_a_refused_binding_after_create_keeps_the_key_id_and_repair_finishes_it(
    sandbox: SandboxFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    binding_fails: list[str],
) -> None:
    sb = sandbox("no-ally-key")
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    store = ProfileStore()
    store.create(Profile("prod", canvas_url=sb.base_url, environment="us", client_id="1234"))
    assert main(["create", "prod", "--yes"]) == 1
    out, err = capsys.readouterr()
    [(key_id, binding)] = ally_keys(sb)
    assert binding != "on"
    assert "POST /api/v1/accounts/self/developer_keys: created key" in err
    assert f"Key {key_id} was created, but Canvas refused to turn it ON (HTTP 500" in err
    assert "Left to do: set its State to ON" in err
    assert sb.admin_token not in out + err
    assert store.load("prod").profile.key_id == key_id
    # A retry makes no second key: it finds the one just made.
    binding_fails.clear()
    assert main(["create", "prod", "--yes"]) == 1
    assert f"key {key_id}" in capsys.readouterr().err
    assert len(ally_keys(sb)) == 1
    # Repair does what was left.
    assert main(["repair", "prod", "--yes"]) == 0
    out, err = capsys.readouterr()
    assert f"POST /api/v1/accounts/self/developer_keys/{key_id}{BINDINGS}: the key is ON" in err
    assert ally_keys(sb) == [(key_id, "on")]
    assert sb.admin_token not in out + err


def test_a_refused_write_stops_the_repair_saying_what_was_applied(
    sandbox: SandboxFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    binding_fails: list[str],
) -> None:
    sb = sandbox("drifted")  # includes off and the binding OFF, among others
    monkeypatch.setenv("ALLY_WIZARD_CANVAS_TOKEN", sb.admin_token)
    code = main(["repair", "--canvas", sb.base_url, "--environment", "us", "--ally-client-id", "1234"])
    assert code == 2 and "--key-id" in capsys.readouterr().err  # two Ally keys: it asks which
    flags = ["--canvas", sb.base_url, "--environment", "us", "--ally-client-id", "1234", "--key-id", sb.key_id]
    assert main(["repair", *flags, "--yes"]) != 0
    out, err = capsys.readouterr()
    assert f"PUT /api/v1/developer_keys/{sb.key_id}: updated" in err
    assert "Applied: the key's settings. Not applied: turning the key ON (HTTP 500" in err
    assert BINDINGS + ": the key is ON" not in err
    assert sb.admin_token not in out + err
    key_id = sb.key_id
    includes, binding = sb.run(
        lambda s: next(
            (k.allow_includes, s.state.bindings[k.id].workflow_state)
            for k in s.state.keys.values()
            if str(k.global_id) == key_id
        )
    )
    assert includes and binding == "off"
