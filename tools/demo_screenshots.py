"""Regenerate the training screenshots: the demo's SVGs (exported by the app) and the practice page (PNG).

Run `python -m tools.demo_screenshots` (optionally `--out DIR`, `--no-browser`). Unlike the
step screenshots this plays a real demo against the simulated Canvas, in presenter mode, the way a
trainer would show it: the practice values, the `missing-scopes` failure, and every check passed. The
practice Developer Keys page is taken by headless Chromium (/usr/bin/chromium), when it is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from ally_wizard.demo import DemoSession
from ally_wizard.sandbox.browser import play_browser, tick_scopes_on_practice_page
from ally_wizard.tui.demo_app import DemoWizardApp
from tools.demo_walk import paste_landing, wait_for, walk_to_authorization

SIZE = (100, 32)
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


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
                await wait_for(pilot, lambda: type(app.screen).__name__ == "PracticeScreen")
                await _quiet(pilot)
                written.append(out / "demo-practice-values.svg")
                app.save_screenshot(str(written[-1].name), str(out))
                await walk_to_authorization(pilot, demo)
                await pilot.press("ctrl+r")
                await wait_for(pilot, lambda: _phase(app).startswith("✗"))
                await _quiet(pilot)
                written.append(out / "demo-missing-scopes.svg")
                app.save_screenshot(written[-1].name, str(out))
                key_id = demo.store.load("practice").profile.key_id
                missing = list(demo.scenario.key.missing_scopes)
                await tick_scopes_on_practice_page(
                    demo.canvas_url, demo.admin_username, demo.admin_password, key_id, missing
                )
                await pilot.press("ctrl+r")
                await wait_for(pilot, lambda: bool(app.opened_urls))
                landing = await play_browser(app.opened_urls[-1], demo.admin_username, demo.admin_password)
                await paste_landing(pilot, landing)
                await wait_for(pilot, lambda: "All checks passed" in _phase(app), timeout=30)
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
