"""Text typed by the admin or said by Canvas appears on screen as it is, never read as Textual markup.

Square brackets are everyday text here: "[ClientId]" is the help page's placeholder, and Canvas's own
words or a pasted address may hold them. Each test reads the screen as exported (what the admin sees).
"""

from __future__ import annotations

import html
import re

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from ally_wizard.canvas.report import Check, CheckStatus, Evidence, Report, scope_check_id
from ally_wizard.profile import StepId
from ally_wizard.recipe import default_recipe
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp

from .helpers import FIXED, sample_profile, save_profile, wait_for

CELL_WIDTH = 12.2
TRICKY = ["[ClientId]", "[bold]x[/]", "[red]"]


def screen_text(app: WizardApp) -> str:
    """Every character on the screen (toasts included), one line per terminal row, from the SVG export.

    Each text run is put at its column (Textual's SVG cells are 12.2 wide), so gaps stay spaces.
    """
    svg = app.export_screenshot()
    rows: dict[float, dict[int, str]] = {}
    for x, y, text in re.findall(r'<text [^>]*?x="([\d.]+)" y="([\d.]+)" textLength[^>]*>(.*?)</text>', svg):
        row = rows.setdefault(float(y), {})
        for offset, char in enumerate(html.unescape(text).replace("\xa0", " ")):
            row[round(float(x) / CELL_WIDTH) + offset] = char
    lines = []
    for _, row in sorted(rows.items()):
        lines.append("".join(row.get(col, " ") for col in range(max(row) + 1)).rstrip())
    return "\n".join(lines)


async def _on(pilot: Pilot[None], screen: str) -> None:
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == screen)


async def _type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.value = ""
    field.focus()
    await pilot.press(*text)
    await pilot.pause()


@pytest.mark.parametrize("typed", TRICKY)
async def test_client_id_message_shows_the_brackets_typed(store: ProfileStore, typed: str) -> None:
    save_profile(store, sample_profile(client_id=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _on(pilot, "CanvasScreen")
        await _type_into(pilot, "#client-id", typed)
        assert f"placeholder '{typed}'. Type the number" in screen_text(app)


@pytest.mark.parametrize("typed", TRICKY)
async def test_canvas_address_message_keeps_its_brackets(store: ProfileStore, typed: str) -> None:
    save_profile(store, sample_profile(canvas_url=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _on(pilot, "CanvasScreen")
        await _type_into(pilot, "#canvas-url", typed)
        assert "still holds a [placeholder]." in screen_text(app)


@pytest.mark.parametrize("typed", TRICKY)
async def test_owner_email_warning_quotes_what_was_typed(store: ProfileStore, typed: str) -> None:
    save_profile(store, sample_profile(done_through=StepId.CANVAS))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _on(pilot, "CreateKeyScreen")
        await _type_into(pilot, "#owner-email", typed)
        assert f"{typed!r} does not look like an email address" in screen_text(app)


@pytest.mark.parametrize("typed", TRICKY)
async def test_key_id_message_keeps_brackets(store: ProfileStore, typed: str) -> None:
    save_profile(store, sample_profile(done_through=StepId.SCOPES, key_id=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _on(pilot, "ActivateScreen")
        await _type_into(pilot, "#key-id", typed)
        assert f"a number such as 170000000000123; {typed!r} is not." in screen_text(app)


@pytest.mark.parametrize("typed", TRICKY)
async def test_new_setup_name_error_quotes_the_name(store: ProfileStore, typed: str) -> None:
    app = WizardApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await _on(pilot, "NewProfileScreen")
        await _type_into(pilot, "#profile-name", typed)
        assert f"{typed!r} cannot be a profile name" in screen_text(app)


async def test_notification_shows_brackets(store: ProfileStore) -> None:
    """A check that cannot start names the Canvas address problem in a notification, brackets and all."""
    save_profile(store, sample_profile(done_through=StepId.CREATE_KEY, canvas_url="[bold]x[/]"))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await _on(pilot, "ScopesScreen")
        await pilot.press("ctrl+r")
        await pilot.pause()
        await wait_for(pilot, lambda: "Cannot check yet" in screen_text(app))  # the toast's title
        toast = " ".join(line.rpartition("▌")[2].strip() for line in screen_text(app).splitlines() if "▌" in line)
        assert "still holds a [placeholder]. Type your" in toast


def _report_with_bracketed_evidence() -> Report:
    scope = default_recipe().scope_strings[0]
    checks = [
        Check(
            "key.exists",
            "The key ID exists in Canvas (not deleted)",
            CheckStatus.FAIL,
            "Canvas says [bold]no[/] such key: type [ClientId] again.",
            Evidence(400, "[error] invalid_client [red]"),
            FIXED,
        ),
        Check(
            scope_check_id(scope),
            scope,
            CheckStatus.FAIL,
            "Tick it in [Developer Keys].",
            Evidence(401, "[insufficient_scope]"),
            FIXED,
        ),
    ]
    return Report(started_at=FIXED, checks=checks, finished_at=FIXED)


async def test_canvas_words_and_evidence_appear_verbatim(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.ACTIVATE, report=_report_with_bracketed_evidence()))
    app = WizardApp(store, "production")
    async with app.run_test(size=(160, 45)) as pilot:
        await _on(pilot, "AuthorizeScreen")
        app.screen.query_one("#checks").focus()
        await pilot.pause()
        shown = screen_text(app)
        assert "Canvas says [bold]no[/] such key: type [ClientId] again." in shown  # problems and detail
        assert "[error] invalid_client [red]" in shown  # Canvas's own words, in the detail pane
        assert "Tick it in [Developer Keys]." in shown
        assert "[step 4]" in shown  # where the fix lives, as the problems list writes it
