"""The scope checklist: ticking by keyboard, filtering, copying, and "check now" against the sandbox."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import DataTable

from ally_wizard.profile import ScopeStatus, StepId
from ally_wizard.sandbox import RunningSandbox
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp

from .helpers import sample_profile, sandbox_profile, save_profile, text_of, wait_for, wizard_on

MISSING = (
    "url:GET|/api/v1/courses/:course_id/blueprint_subscriptions/:subscription_id/migrations",
    "url:GET|/api/v1/accounts/:account_id/terms",
    "url:PUT|/api/v1/media_objects/:media_object_id",
)


def _status_cell(app: WizardApp, scope: str) -> str:
    table = app.screen.query_one("#scopes", DataTable)
    cell = table.get_cell(scope, "status")
    return cell.plain if isinstance(cell, Text) else str(cell)


async def test_space_on_a_section_title_ticks_the_whole_section(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.CREATE_KEY))
    async with wizard_on(store, "ScopesScreen") as (app, pilot):
        await pilot.press("space")  # the cursor starts on "Accounts (4)"
        await pilot.pause()
        assert _status_cell(app, "url:GET|/api/v1/accounts/:id") == "☑ ticked"
        assert text_of(pilot, "#progress").startswith("Progress 4/31")
    profile = store.load("production").profile
    assert sum(1 for s in profile.scopes.values() if s is ScopeStatus.TICKED) == 4


async def test_filter_by_section_shows_only_that_section(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.CREATE_KEY))
    async with wizard_on(store, "ScopesScreen") as (app, pilot):
        await pilot.press("slash", *"media")
        await pilot.pause()
        table = app.screen.query_one("#scopes", DataTable)
        assert table.row_count == 5  # the "Media Objects" title and its four scopes
        await pilot.press("enter", "down", "space")
        await pilot.pause()
        assert _status_cell(app, "url:GET|/api/v1/courses/:course_id/media_objects") == "☑ ticked"


async def test_c_copies_the_scope_string_under_the_cursor(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.CREATE_KEY))
    async with wizard_on(store, "ScopesScreen") as (app, pilot):
        await pilot.press("down", "down", "c")
        await pilot.pause()
        assert app.clipboard == "url:GET|/api/v1/accounts/:id"


async def test_check_now_without_a_key_id_names_the_step_that_supplies_it(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.CREATE_KEY, key_id=""))
    async with wizard_on(store, "ScopesScreen") as (_app, pilot):
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Type it on step 5" in text_of(pilot, "#check-status")


async def test_check_now_marks_each_row_on_the_key_or_missing(
    store: ProfileStore, sandbox: Callable[..., RunningSandbox]
) -> None:
    canvas = sandbox(scenario="missing-scopes")
    save_profile(store, sandbox_profile(canvas, done_through=StepId.CREATE_KEY))
    async with wizard_on(store, "ScopesScreen") as (app, pilot):
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: text_of(pilot, "#check-status").startswith("Checked"))
        assert text_of(pilot, "#check-status").startswith("Checked: 28 on the key, 3 missing.")
        for scope in MISSING:
            assert _status_cell(app, scope) == "✗ missing"
        assert _status_cell(app, "url:GET|/api/v1/accounts") == "✓ on key"
        assert "✗ missing 3" in text_of(pilot, "#progress")
    profile = store.load("production").profile
    assert {s for s, status in profile.scopes.items() if status is ScopeStatus.MISSING} == set(MISSING)


async def test_a_running_check_can_be_cancelled(store: ProfileStore, sandbox: Callable[..., RunningSandbox]) -> None:
    canvas = sandbox(scenario="ready", latency_ms=3000)
    save_profile(store, sandbox_profile(canvas, done_through=StepId.CREATE_KEY))
    async with wizard_on(store, "ScopesScreen") as (app, pilot):
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        assert "Checking" in text_of(pilot, "#check-status")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "cancelled" in text_of(pilot, "#check-status"))
        assert not any(w.is_running for w in app.workers)


async def test_the_highlighted_scope_is_shown_in_full_under_the_table_at_80_columns(store: ProfileStore) -> None:
    """The longest scope strings are cut in the table at 80 columns; the line under it holds all of it."""
    save_profile(store, sample_profile(done_through=StepId.CREATE_KEY))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ScopesScreen")
        table = app.screen.query_one("#scopes", DataTable)
        table.move_cursor(row=table.get_row_index(MISSING[0]))
        await pilot.pause()
        assert text_of(pilot, "#scope-full") == f"{MISSING[0]}   ○ to do"
        await pilot.press("space")
        await pilot.press("up")
        await pilot.pause()
        assert text_of(pilot, "#scope-full") == f"{MISSING[0]}   ☑ ticked"


def _scope_rows(app: WizardApp) -> list[str]:
    table = app.screen.query_one("#scopes", DataTable)
    return [str(row.key.value) for row in table.ordered_rows if not str(row.key.value).startswith("§")]


def _checked_profile_with_missing() -> dict[str, ScopeStatus]:
    from .helpers import all_scopes

    scopes = all_scopes(ScopeStatus.VERIFIED)
    scopes.update(dict.fromkeys(MISSING, ScopeStatus.MISSING))
    return scopes


async def test_s_shows_only_the_missing_scopes_then_not_checked_then_verified(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.CREATE_KEY, scopes=_checked_profile_with_missing()))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ScopesScreen")
        assert len(_scope_rows(app)) == 31
        await pilot.press("s")
        await pilot.pause()
        assert sorted(_scope_rows(app)) == sorted(MISSING)
        assert "showing ✗ missing" in text_of(pilot, "#progress")
        await pilot.press("s")
        await pilot.pause()
        assert _scope_rows(app) == []
        await pilot.press("s")
        await pilot.pause()
        assert len(_scope_rows(app)) == 28
        await pilot.press("s")
        await pilot.pause()
        assert len(_scope_rows(app)) == 31


async def test_typing_missing_in_the_filter_finds_the_missing_scopes(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.CREATE_KEY, scopes=_checked_profile_with_missing()))
    app = WizardApp(store, "production")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ScopesScreen")
        await pilot.press("slash", *"missing")
        await pilot.pause()
        assert sorted(_scope_rows(app)) == sorted(MISSING)
