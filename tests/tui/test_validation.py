"""What the admin sees when a value is wrong: inline messages that name the fix, and Next held back."""

from __future__ import annotations

from textual.widgets import Input

from ally_wizard.profile import StepId
from ally_wizard.store import ProfileStore
from ally_wizard.tui.app import WizardApp
from ally_wizard.tui.screens.dialogs import NewProfileScreen

from .helpers import sample_profile, save_profile, text_of, wait_for


async def _open(store: ProfileStore, app: WizardApp, screen: str, pilot: object) -> None:
    await wait_for(pilot, lambda: type(app.screen).__name__ == screen)  # type: ignore[arg-type]


async def test_canvas_url_is_normalized_as_typed(store: ProfileStore) -> None:
    save_profile(store, sample_profile(canvas_url=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _open(store, app, "CanvasScreen", pilot)
        await pilot.press(*"Canvas.School.edu/courses/12")
        await pilot.pause()
        assert text_of(pilot, "#canvas-url-message") == "✓ https://canvas.school.edu"
    assert store.load("production").profile.canvas_url == "https://canvas.school.edu"


async def test_plain_http_is_refused_inline_with_the_reason(store: ProfileStore) -> None:
    save_profile(store, sample_profile(canvas_url=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _open(store, app, "CanvasScreen", pilot)
        await pilot.press(*"http://canvas.school.edu")
        await pilot.pause()
        message = text_of(pilot, "#canvas-url-message")
        assert message.startswith("✗ ")
        assert "https://" in message


async def test_test_instance_gets_a_warning_that_says_why(store: ProfileStore) -> None:
    save_profile(store, sample_profile(canvas_url=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _open(store, app, "CanvasScreen", pilot)
        await pilot.press(*"school.test.instructure.com")
        await pilot.pause()
        warning = text_of(pilot, "#canvas-warning")
        assert "test instance" in warning
        assert "production" in warning


async def test_a_whole_uri_in_the_client_id_field_is_explained(store: ProfileStore) -> None:
    save_profile(store, sample_profile(client_id=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _open(store, app, "CanvasScreen", pilot)
        app.screen.query_one("#client-id", Input).focus()
        await pilot.press(*"https://prod.ally.ac/api/v2/5678/auth/canvas/callback")
        await pilot.pause()
        assert "here it is 5678" in text_of(pilot, "#client-id-message")


async def test_next_is_held_back_while_a_field_is_wrong(store: ProfileStore) -> None:
    save_profile(store, sample_profile(canvas_url="", environment=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _open(store, app, "CanvasScreen", pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert type(app.screen).__name__ == "CanvasScreen"
        assert text_of(pilot, "#canvas-url-message").startswith("✗ The Canvas address is empty")
        assert app.focused is app.screen.query_one("#canvas-url")


async def test_choosing_the_environment_shows_the_redirect_uri(store: ProfileStore) -> None:
    save_profile(store, sample_profile(environment=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _open(store, app, "CanvasScreen", pilot)
        app.screen.query_one("#environment").focus()
        await pilot.press("down", "down", "enter")  # the third environment: EU
        await pilot.pause()
        assert text_of(pilot, "#redirect-preview") == (
            "https://prod-eu-central-1.ally.ac/api/v2/1234/auth/canvas/callback"
        )
    assert store.load("production").profile.environment == "eu"


async def test_key_id_that_is_not_a_global_id_is_refused(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.SCOPES, key_id=""))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _open(store, app, "ActivateScreen", pilot)
        await pilot.press(*"12")
        await pilot.pause()
        assert "12 looks like a local key ID" in text_of(pilot, "#key-id-message")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert type(app.screen).__name__ == "ActivateScreen"


async def test_a_short_secret_warns_but_does_not_block(store: ProfileStore) -> None:
    save_profile(store, sample_profile(done_through=StepId.SCOPES))
    app = WizardApp(store, "production")
    async with app.run_test(size=(100, 32)) as pilot:
        await _open(store, app, "ActivateScreen", pilot)
        app.screen.query_one("#secret", Input).focus()
        await pilot.press(*"abc123")
        await pilot.pause()
        assert "has 6 characters" in text_of(pilot, "#secret-message")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthorizeScreen")
        assert app.session.secret == "abc123"


async def test_new_setup_name_is_checked_as_typed(store: ProfileStore) -> None:
    save_profile(store, sample_profile())
    app = WizardApp(store)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartScreen")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewProfileScreen))
        field = app.screen.query_one("#profile-name", Input)
        field.value = ""
        await pilot.press(*"my setup")
        await pilot.pause()
        assert "cannot be a profile name" in text_of(pilot, "#name-error")
        field.value = ""
        await pilot.press(*"production")
        await pilot.pause()
        assert "already exists" in text_of(pilot, "#name-error")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NewProfileScreen)
