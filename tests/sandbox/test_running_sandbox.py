"""`RunningSandbox` (background thread) through the `sandbox` fixture: what sync tests rely on."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import httpx

from ally_wizard.sandbox import RunningSandbox


def test_every_test_gets_a_private_ally_wizard_home() -> None:
    home = Path(os.environ["ALLY_WIZARD_HOME"])
    assert home.is_dir() and not any(home.iterdir())


def test_running_sandbox_serves_and_reports(sandbox: Callable[..., RunningSandbox]) -> None:
    sb = sandbox("ready")
    assert sb.base_url.startswith("http://127.0.0.1:")
    assert (sb.ally_environment, sb.ally_client_id) == ("us", "1234")
    before = sb.snapshot()
    response = httpx.get(f"{sb.base_url}/api/v1/accounts/self", headers={"Authorization": f"Bearer {sb.admin_token}"})
    assert response.status_code == 200
    assert sb.snapshot() == before
    assert [r.path for r in sb.requests] == ["/api/v1/accounts/self"]
    assert len(sb.live_tokens()) == 2  # the admin's own token and the teacher's


def test_reset_reseeds_with_another_scenario(sandbox: Callable[..., RunningSandbox]) -> None:
    sb = sandbox("ready")
    url, old_secret = sb.base_url, sb.key_secret
    httpx.get(f"{sb.base_url}/login/canvas")
    sb.reset("key-off")
    assert sb.base_url == url
    assert sb.scenario.name == "key-off"
    assert sb.key_secret != old_secret
    assert sb.requests == []
    keys = sb.snapshot()["bindings"]
    assert "off" in {b["workflow_state"] for b in keys.values()}


def test_latency_override(sandbox: Callable[..., RunningSandbox]) -> None:
    sb = sandbox("ready", latency_ms=50)
    assert sb.scenario.latency_ms == 50


def test_snapshot_sees_changes(sandbox: Callable[..., RunningSandbox]) -> None:
    sb = sandbox("ready")
    before = sb.snapshot()
    httpx.put(
        f"{sb.base_url}/api/v1/courses/101",
        data={"course[name]": "Changed"},
        headers={"Authorization": f"Bearer {sb.admin_token}"},
    )
    assert sb.snapshot() != before
