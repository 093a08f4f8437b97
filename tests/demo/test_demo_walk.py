"""Training walks: a trainee goes from the demo's first screen to "all checks passed", and fixes a key."""

from __future__ import annotations

from ally_wizard.canvas.report import CheckStatus
from ally_wizard.demo import DEMO_PROFILE
from ally_wizard.sandbox.browser import play_browser, tick_scopes_on_practice_page
from ally_wizard.tui.demo_app import DemoWizardApp
from ally_wizard.tui.widgets.check_table import CheckTable
from tools.demo_walk import paste_landing, text_of, wait_for, walk_to_authorization

from .conftest import DemoFactory

MISSING = (
    "url:GET|/api/v1/courses/:course_id/blueprint_subscriptions/:subscription_id/migrations",
    "url:GET|/api/v1/accounts/:account_id/terms",
    "url:PUT|/api/v1/media_objects/:media_object_id",
)


async def test_ready_scenario_from_the_first_screen_to_all_checks_passed(demo_session: DemoFactory) -> None:
    demo = demo_session("ready")
    app = DemoWizardApp(demo)
    async with app.run_test(size=(100, 32)) as pilot:
        await walk_to_authorization(pilot, demo)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: bool(app.opened_urls))
        authorize_url = app.opened_urls[-1]
        assert authorize_url.startswith(f"{demo.canvas_url}/login/oauth2/auth?")
        landing = await play_browser(authorize_url, demo.admin_username, demo.admin_password)
        await paste_landing(pilot, landing)
        await wait_for(pilot, lambda: "All checks passed" in text_of(pilot, "#phase"))
        rows = app.screen.query_one("#checks", CheckTable).checks
        assert len(rows) == 6 + 31 + 1 + 1  # ... token.revoked, ally.theme
        assert all(check.status is CheckStatus.PASS for check in rows.values())
        assert "DEMO · ready" in str(app.screen.query_one("StepBar").render())
    saved = demo.store.load(DEMO_PROFILE).profile
    assert saved.last_verification is not None and saved.last_verification.overall is CheckStatus.PASS
    assert demo.canvas is not None
    assert [t for t in demo.canvas.live_tokens() if t.developer_key_id is not None] == []  # type: ignore[attr-defined]


async def test_missing_scopes_are_found_fixed_on_the_practice_page_and_pass(demo_session: DemoFactory) -> None:
    demo = demo_session("missing-scopes")
    app = DemoWizardApp(demo)
    async with app.run_test(size=(100, 32)) as pilot:
        await walk_to_authorization(pilot, demo)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: text_of(pilot, "#phase").startswith("✗"))
        rows = app.screen.query_one("#checks", CheckTable).checks
        failed = {check.scope for check in rows.values() if check.status is CheckStatus.FAIL}
        assert failed == set(MISSING)
        assert app.opened_urls == []
        key_id = demo.store.load(DEMO_PROFILE).profile.key_id
        await tick_scopes_on_practice_page(demo.canvas_url, demo.admin_username, demo.admin_password, key_id, MISSING)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: bool(app.opened_urls))
        landing = await play_browser(app.opened_urls[-1], demo.admin_username, demo.admin_password)
        await paste_landing(pilot, landing)
        await wait_for(pilot, lambda: "All checks passed" in text_of(pilot, "#phase"))
        rows = app.screen.query_one("#checks", CheckTable).checks
        assert all(check.status is CheckStatus.PASS for check in rows.values())
