"""The practice Developer Keys page in headless Chromium: tick the missing scopes, Save, and the wizard's
check (`ally-wizard check --no-login`, a separate process) then finds them on the key."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from ally_wizard.sandbox import RunningSandbox
from ally_wizard.sandbox.practice import scope_field_id

pytestmark = pytest.mark.browser
MISSING = (
    "url:GET|/api/v1/courses/:course_id/blueprint_subscriptions/:subscription_id/migrations",
    "url:GET|/api/v1/accounts/:account_id/terms",
    "url:PUT|/api/v1/media_objects/:media_object_id",
)


@pytest.fixture
def canvas() -> Iterator[RunningSandbox]:
    """A simulated Canvas whose Ally key lacks three scopes."""
    with RunningSandbox("missing-scopes") as running:
        yield running


def check(canvas: RunningSandbox) -> tuple[int, dict[str, Any]]:
    """`ally-wizard check --no-login --json` against the simulated Canvas, as its own process."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ally_wizard",
            "check",
            "--no-login",
            "--json",
            "--canvas",
            canvas.base_url,
            "--key-id",
            canvas.key_id,
            "--environment",
            canvas.ally_environment,
            "--ally-client-id",
            canvas.ally_client_id,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def failed_scopes(report: dict[str, Any]) -> set[str]:
    """The scopes of the report's failed rows."""
    return {
        row["id"].removeprefix("scope:")
        for row in report["checks"]
        if row["id"].startswith("scope:") and row["status"] == "fail"
    }


def test_ticking_scopes_on_the_practice_page_is_seen_by_the_check(chrome: Any, canvas: RunningSandbox) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    code, before = check(canvas)
    assert code == 1
    assert failed_scopes(before) == set(MISSING)

    wait = WebDriverWait(chrome, 20)
    key_id = canvas.key_id
    chrome.get(f"{canvas.base_url}/accounts/1/developer_keys")
    wait.until(ec.presence_of_element_located((By.ID, "pseudonym_session_unique_id"))).send_keys(canvas.admin_username)
    chrome.find_element(By.ID, "pseudonym_session_password").send_keys(canvas.admin_password)
    chrome.find_element(By.ID, "login_button").click()
    wait.until(ec.element_to_be_clickable((By.ID, f"edit_key_{key_id}"))).click()
    wait.until(ec.presence_of_element_located((By.ID, "developer_key_form")))
    for scope in MISSING:
        box = chrome.find_element(By.ID, scope_field_id(scope))
        assert not box.is_selected()
        chrome.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
        box.click()
        assert box.is_selected()
    chrome.find_element(By.ID, "save_key").click()
    wait.until(ec.presence_of_element_located((By.ID, f"key_id_{key_id}")))
    assert "<h1>Developer Keys</h1>" in chrome.page_source

    code, after = check(canvas)
    assert failed_scopes(after) == set()
    assert code == 0, after
