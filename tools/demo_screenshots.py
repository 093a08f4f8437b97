"""Regenerate the training screenshots: the demo's SVGs (exported by the app) and the practice page (PNG).

Run `python tools/demo_screenshots.py` (optionally `--out DIR`, `--no-browser`). Unlike the
step screenshots this plays a real demo against the simulated Canvas, in presenter mode, the way a
trainer would show it: the practice values, the `missing-scopes` failure, and every check passed. The
practice Developer Keys page is taken by headless Chromium (/usr/bin/chromium), when it is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from collections.abc import Callable
from html import unescape
from pathlib import Path

import httpx
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, RadioButton, Static

from ally_wizard.demo import DemoSession
from ally_wizard.sandbox.browser import ScriptedBrowser, parse_forms, play_browser, tick_scopes_on_practice_page
from ally_wizard.tui.demo_app import DemoWizardApp

SIZE = (100, 32)
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


async def _until(pilot: Pilot[None], predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise RuntimeError(f"The demo did not get there in {timeout}s (on {pilot.app.screen!r}).")
        await pilot.pause(0.05)


async def _key_on_practice_page(demo: DemoSession) -> tuple[str, str]:
    """The key's ID and secret as a trainee reads them: sign in, Details column, Show Key."""
    async with httpx.AsyncClient(timeout=30) as client:
        browser = ScriptedBrowser(client, demo.canvas_url)
        await browser.go("GET", demo.practice_page_url)
        login = next(f for f in parse_forms(browser.page) if any(k == "password" for _, _, k in f.fields))
        user = next(n for n, _, k in login.fields if k in ("text", "email"))
        password = next(n for n, _, k in login.fields if k == "password")
        await browser.submit(login, {user: demo.admin_username, password: demo.admin_password})
        found = re.search(r'<tr id="key_(\d+)"><td><strong>Anthology Ally</strong>', browser.page)
        if found is None:
            raise RuntimeError("The practice page shows no Anthology Ally key.")
        key_id = found.group(1)
        await browser.go("GET", f"{demo.practice_page_url}?show_key={key_id}")
        secret = re.search(rf'id="key_secret_{key_id}">([^<]+)<', browser.page)
        if secret is None:
            raise RuntimeError("Show Key did not show the secret.")
        return key_id, unescape(secret.group(1))


async def _to_step_6(pilot: Pilot[None], demo: DemoSession) -> None:
    app = pilot.app
    await pilot.press("escape")
    await _until(pilot, lambda: type(app.screen).__name__ == "CanvasScreen")
    await pilot.pause()
    button = next(b for b in app.screen.query(RadioButton) if b.name == demo.ally_environment)
    await pilot.click(button)
    app.screen.query_one("#client-id", Input).value = demo.ally_client_id
    for wanted in ("CreateKeyScreen", "ScopesScreen", "ActivateScreen"):
        await pilot.press("ctrl+n")

        def arrived(name: str = wanted) -> bool:
            return type(app.screen).__name__ == name

        await _until(pilot, arrived)
        await pilot.pause()
    key_id, secret = await _key_on_practice_page(demo)
    app.screen.query_one("#key-id", Input).value = key_id
    app.screen.query_one("#secret", Input).post_message(events.Paste(secret))
    await pilot.pause()
    await pilot.press("ctrl+n")
    await _until(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
    await pilot.pause()


def _phase(app: DemoWizardApp) -> str:
    return str(app.screen.query_one("#phase", Static).render())


async def _quiet(pilot: Pilot[None]) -> None:
    pilot.app.clear_notifications()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause(0.3)


async def demo_svgs(out: Path) -> list[Path]:
    """Play `missing-scopes` in presenter mode: practice values, the failure, the fix, all checks passed."""
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as parent:
        demo = DemoSession.start("missing-scopes", temp_parent=Path(parent))
        try:
            app = DemoWizardApp(demo, presenter=True)
            async with app.run_test(size=SIZE) as pilot:
                await _until(pilot, lambda: type(app.screen).__name__ == "PracticeScreen")
                await _quiet(pilot)
                written.append(out / "demo-practice-values.svg")
                app.save_screenshot(str(written[-1].name), str(out))
                await _to_step_6(pilot, demo)
                await pilot.press("ctrl+r")
                await _until(pilot, lambda: _phase(app).startswith("✗"))
                await _quiet(pilot)
                written.append(out / "demo-missing-scopes.svg")
                app.save_screenshot(written[-1].name, str(out))
                key_id = demo.store.load("practice").profile.key_id
                missing = list(demo.scenario.key.missing_scopes)
                await tick_scopes_on_practice_page(
                    demo.canvas_url, demo.admin_username, demo.admin_password, key_id, missing
                )
                await pilot.press("ctrl+r")
                await _until(pilot, lambda: bool(app.opened_urls))
                landing = await play_browser(app.opened_urls[-1], demo.admin_username, demo.admin_password)
                pasted = app.screen.query_one("#pasted", Input)
                pasted.post_message(events.Paste(landing))
                await pilot.pause()
                await pilot.press("enter")
                await _until(pilot, lambda: "All checks passed" in _phase(app), timeout=30)
                await _quiet(pilot)
                written.append(out / "demo-all-passed.svg")
                app.save_screenshot(written[-1].name, str(out))
        finally:
            demo.close()
    return written


def practice_page_png(out: Path) -> Path:
    """The practice Developer Keys page with the key's editor open, taken by headless Chromium."""
    from selenium import webdriver  # the test extra; only this picture needs it
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from ally_wizard.sandbox import RunningSandbox

    target = out / "practice-page.png"
    with tempfile.TemporaryDirectory() as profile_dir, RunningSandbox("missing-scopes") as canvas:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1200,900",
            f"--user-data-dir={profile_dir}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        try:
            wait = WebDriverWait(driver, 20)
            driver.get(f"{canvas.base_url}/accounts/1/developer_keys")
            wait.until(ec.presence_of_element_located((By.ID, "pseudonym_session_unique_id"))).send_keys(
                canvas.admin_username
            )
            driver.find_element(By.ID, "pseudonym_session_password").send_keys(canvas.admin_password)
            driver.find_element(By.ID, "login_button").click()
            wait.until(ec.presence_of_element_located((By.ID, f"key_id_{canvas.key_id}")))
            driver.save_screenshot(str(target))
        finally:
            driver.quit()
    return target


def main() -> None:
    """Write the pictures and list them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--no-browser", action="store_true", help="skip the practice page (needs Chromium)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    written = asyncio.run(demo_svgs(args.out))
    if not args.no_browser and CHROMIUM.exists() and CHROMEDRIVER.exists():
        written.append(practice_page_png(args.out))
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
