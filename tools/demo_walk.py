"""Walking the wizard under Pilot, shared by the tests and `tools.demo_screenshots`: wait for the app, read
the key the way a trainee does (practice Developer Keys page), and walk the steps by keyboard."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from html import unescape

import httpx
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, RadioButton, Static

from ally_wizard.demo import DemoSession
from ally_wizard.sandbox.browser import ScriptedBrowser, parse_forms

KEY_NAME = "Anthology Ally"


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until `predicate()` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"Timed out after {timeout}s waiting for the app (on {pilot.app.screen!r}).")
        await pilot.pause(0.05)


def screen_name(pilot: Pilot[None]) -> str:
    """The class name of the screen on top."""
    return type(pilot.app.screen).__name__


def text_of(pilot: Pilot[None], selector: str) -> str:
    """The plain text a Static shows."""
    return str(pilot.app.screen.query_one(selector, Static).render())


async def read_key_on_practice_page(demo: DemoSession, name: str = KEY_NAME) -> tuple[str, str]:
    """Sign in to the practice Developer Keys page, find the key's ID in the Details column, press Show Key."""
    async with httpx.AsyncClient(timeout=30, follow_redirects=False) as client:
        browser = ScriptedBrowser(client, demo.canvas_url)
        await browser.go("GET", demo.practice_page_url)
        login = next(f for f in parse_forms(browser.page) if any(k == "password" for _, _, k in f.fields))
        user = next(n for n, _, k in login.fields if k in ("text", "email"))
        password = next(n for n, _, k in login.fields if k == "password")
        await browser.submit(login, {user: demo.admin_username, password: demo.admin_password})
        row = re.search(rf'<tr id="key_(\d+)"><td><strong>{re.escape(name)}</strong>.*?</tr>', browser.page, re.S)
        if row is None:
            raise AssertionError(f"The practice page shows no key named {name!r}.")
        key_id = row.group(1)
        await browser.go("GET", f"{demo.practice_page_url}?show_key={key_id}")
        secret = re.search(rf'<code class="secret" id="key_secret_{key_id}">([^<]+)</code>', browser.page)
        if secret is None:
            raise AssertionError("Show Key did not show the secret.")
        return key_id, unescape(secret.group(1))


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    """Focus a field and type into it key by key, as the trainee would."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    await pilot.pause()
    await pilot.press(*text)


async def walk_to_authorization(pilot: Pilot[None], demo: DemoSession) -> None:
    """From the practice values over step 2 to step 6: environment, Client ID, key ID and secret."""
    await wait_for(pilot, lambda: screen_name(pilot) == "PracticeScreen")
    await pilot.press("escape")
    await wait_for(pilot, lambda: screen_name(pilot) == "CanvasScreen")
    if pilot.app.screen.query_one("#canvas-url", Input).value != demo.canvas_url:
        raise AssertionError("Step 2 does not show the practice Canvas address.")
    button = next(b for b in pilot.app.screen.query(RadioButton) if b.name == demo.ally_environment)
    await pilot.click(button)
    await type_into(pilot, "#client-id", demo.ally_client_id)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: screen_name(pilot) == "CreateKeyScreen")
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: screen_name(pilot) == "ScopesScreen")
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: screen_name(pilot) == "ActivateScreen")
    key_id, secret = await read_key_on_practice_page(demo)
    await type_into(pilot, "#key-id", key_id)
    secret_field = pilot.app.screen.query_one("#secret", Input)
    secret_field.focus()
    secret_field.post_message(events.Paste(secret))  # what a terminal sends when the trainee pastes
    await pilot.pause()
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: screen_name(pilot) == "AuthorizeScreen")


async def paste_landing(pilot: Pilot[None], landing: str) -> None:
    """Paste the address the browser landed on into the paste field and press Enter."""
    pasted = pilot.app.screen.query_one("#pasted", Input)
    if pilot.app.focused is not pasted:
        raise AssertionError("The paste field does not have the focus.")
    pasted.post_message(events.Paste(landing))
    await pilot.pause()
    await pilot.press("enter")
