"""`ally-wizard serve --demo` in headless Chromium: keys typed into the page move the wizard on.

textual-serve draws the terminal on a canvas, so the wizard's words are not in the page's DOM. The test
proves the wizard runs by its effects: what the typed keys change is saved in the tab's throwaway profile
folder (found under the TMPDIR the serve process was given), and a screenshot shows a painted screen.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import free_port
from .png import grey_levels, spread

pytestmark = pytest.mark.browser


def wait_until(what: str, predicate: Callable[[], Any], timeout: float = 30.0, every: float = 0.1) -> Any:
    """Poll `predicate` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout}s waiting for {what}.")
        time.sleep(every)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    """`ally-wizard serve --demo` on a free port with its own TMPDIR; stopped at the end."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    env = {**os.environ, "TMPDIR": str(temp), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "ally_wizard", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def printed_address() -> str | None:
        """The address serve prints once it listens: the page with the session token (no token, no page)."""
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}: {(tmp_path / 'serve.log').read_text()}")
        found = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", (tmp_path / "serve.log").read_text())
        return found.group(1) if found else None

    try:
        url = wait_until("ally-wizard serve to print its address", printed_address, timeout=30)
        assert httpx.get(url, timeout=5, follow_redirects=True).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 403  # no token: no wizard
        yield url, temp, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def demo_profile(temp: Path) -> Path | None:
    """The tab's demo profile, once its throwaway folder exists."""
    found = sorted(temp.glob("ally-wizard-demo-*/profiles/practice.toml"))
    return found[0] if found else None


def saved(path: Path) -> dict[str, Any]:
    """The profile as it is on disk now (an empty dict while a write is in flight)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def settled(driver: Any, quiet: float = 0.6, timeout: float = 20.0) -> bytes:
    """Wait until the canvas stops changing (two screenshots `quiet` seconds apart are the same)."""
    deadline = time.monotonic() + timeout
    before = driver.get_screenshot_as_png()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        after = driver.get_screenshot_as_png()
        if after == before:
            return bytes(after)
        before = after
    raise AssertionError(f"The wizard's screen kept changing for {timeout}s.")


def changed_then_settled(driver: Any, before: bytes, timeout: float = 30.0) -> bytes:
    """Wait until the screen differs from `before` (the keys just sent have been drawn), then until it stops
    changing. Quiet alone is not enough: under load a key can take longer than the quiet time to arrive."""
    wait_until("the screen to change after the keys", lambda: driver.get_screenshot_as_png() != before, timeout)
    return settled(driver)


def painted_then_settled(driver: Any, timeout: float = 30.0) -> bytes:
    """Wait until the wizard has painted (a blank terminal is quiet too, while the app still starts), then
    until the screen stops changing (the practice values dialog comes right after the first frame)."""
    wait_until(
        "the wizard's first paint", lambda: spread(grey_levels(small_screenshot(driver))) > 10, timeout, every=0.3
    )
    return settled(driver)


def small_screenshot(driver: Any) -> bytes:
    """A quarter-scale screenshot through the DevTools protocol (quick to decode in plain Python)."""
    import base64

    size = driver.get_window_size()
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 0.25},
        },
    )
    return base64.b64decode(shot["data"])


def test_keys_typed_in_the_browser_move_the_wizard_on_and_are_saved(
    chrome: Any, served: tuple[str, Path, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    url, temp, _process = served
    chrome.get(url)
    WebDriverWait(chrome, 30).until(
        lambda d: "-first-byte" in (d.find_element(By.TAG_NAME, "body").get_attribute("class") or "")
    )
    profile = wait_until("the tab's throwaway profile folder", lambda: demo_profile(temp))
    assert saved(profile)["canvas"]["url"].startswith("http://127.0.0.1:")
    assert saved(profile)["vendor"]["client_id"] == ""

    def keys(*sequence: str) -> None:
        # Sent to the terminal's input element, which takes the focus back each time (Tab would move it).
        for key in sequence:
            terminal_input.send_keys(key)
            time.sleep(0.15)

    # Keys go to the terminal once its input element has the focus (as after a click on the page).
    terminal_input = chrome.find_element(By.CSS_SELECTOR, "textarea.xterm-helper-textarea")
    chrome.execute_script("arguments[0].focus();", terminal_input)
    dialog = painted_then_settled(chrome)  # the practice values are over step 2
    keys(Keys.ENTER)  # Close has the focus (a lone Esc waits in the terminal for the rest of a sequence)
    changed_then_settled(chrome, dialog)  # the dialog is gone: the keys now go to step 2
    # The focus is on the first empty field, the Client ID; Shift+Tab goes back to the environment (US first).
    keys(*"1234", Keys.SHIFT + Keys.TAB, Keys.ENTER)
    # Both are saved as they change (the Client ID first): wait for both, not for the first write.
    wait_until(
        "the environment and Client ID on disk",
        lambda: saved(profile).get("vendor", {}) == {"environment": "us", "client_id": "1234"},
    )
    keys(Keys.CONTROL + "n")  # Next
    wait_until(
        "step 2 marked done on disk", lambda: saved(profile).get("steps", {}).get("canvas", {}).get("state") == "done"
    )
    wait_until(
        "step 3 opened", lambda: saved(profile).get("steps", {}).get("create_key", {}).get("state") == "in_progress"
    )
    png = settled(chrome)
    (tmp_path / "serve-demo.png").write_bytes(png)  # kept with the test's files for a look after a failure
    variation = spread(grey_levels(small_screenshot(chrome)))
    assert variation > 10, f"the screenshot looks blank (grey-level spread {variation:.1f})"
