"""Step 2: the Canvas address, the Ally environment and the Ally Client ID, checked as typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from ally_wizard.inputs import InputError, normalize_canvas_url, parse_client_id, redirect_uri, test_or_beta_warning
from ally_wizard.profile import StepId
from ally_wizard.tui.screens.base import StepScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult


class CanvasScreen(StepScreen):
    """Where the key will live and which Ally data centre it is for."""

    CSS_PATH = "canvas.tcss"
    # Back from a dialog with nothing focused (a browser tab that lost the focus meanwhile), the address
    # field takes it rather than the scrolling body. The demo opens its practice values over this step.
    AUTO_FOCUS = "#canvas-url"
    STEP_NUMBER = 2
    STEP_KEY = "canvas"
    STEP_ID = StepId.CANVAS

    def compose_body(self) -> ComposeResult:
        """Three fields, each with its inline message, and the redirect URI they make."""
        profile = self.profile
        recipe = self.wizard.recipe
        yield Label("Canvas address", classes="section-title", markup=False)
        yield Static(
            "Your institution's Canvas, such as canvas.school.edu (any Canvas page URL works).",
            classes="hint",
            markup=False,
        )
        yield Input(profile.canvas_url, placeholder="e.g. canvas.school.edu", id="canvas-url", compact=True)
        yield Static("", id="canvas-url-message", markup=False)
        yield Static("", id="canvas-warning", classes="inline-warning", markup=False)
        yield Label(recipe.environment_label, classes="section-title", markup=False)
        yield Static(
            "The data centre that hosts your institution's Ally (ask Ally support if unsure).",
            classes="hint",
            markup=False,
        )
        with RadioSet(id="environment"):
            for env in recipe.environments:
                yield RadioButton(Text(f"{env.label}  ({env.host})"), value=env.id == profile.environment, name=env.id)
        yield Label(recipe.client_id_label, classes="section-title", markup=False)
        yield Static(
            "The number Ally gave your institution; it goes into the redirect URI.", classes="hint", markup=False
        )
        with Horizontal(classes="row"):
            yield Input(profile.client_id, placeholder="e.g. 1234", id="client-id", compact=True)
        yield Static("", id="client-id-message", markup=False)
        yield Label("Redirect URI these make", classes="section-title", markup=False)
        yield Static("", id="redirect-preview", classes="value", markup=False)

    def on_mount(self) -> None:
        """Show the messages for what the profile already holds."""
        super().on_mount()
        self._check_url(show_empty=False)
        self._check_client_id(show_empty=False)
        self._update_redirect()
        self._mark_environment()
        self.query_one("#canvas-url", Input).focus()

    def _mark_environment(self) -> None:
        """The chosen environment gets a dot and the others none, so the choice does not rest on colour."""
        for button in self.query(RadioButton):
            button.BUTTON_INNER = "●" if button.value else " "
            button.refresh()

    def _check_url(self, show_empty: bool = True) -> str | None:
        text = self.query_one("#canvas-url", Input).value
        message = self.query_one("#canvas-url-message", Static)
        warning = self.query_one("#canvas-warning", Static)
        warning.update("")
        if not text.strip() and not show_empty:
            message.update("")
            message.set_classes("")
            return None
        try:
            url = normalize_canvas_url(text)
        except InputError as exc:
            message.update(f"✗ {exc}")
            message.set_classes("inline-error")
            return None
        message.update(f"✓ {url}")
        message.set_classes("inline-ok")
        note = test_or_beta_warning(url)
        if note:
            warning.update(f"! {note}")
        return url

    def _check_client_id(self, show_empty: bool = True) -> str | None:
        text = self.query_one("#client-id", Input).value
        message = self.query_one("#client-id-message", Static)
        if not text.strip() and not show_empty:
            message.update("")
            message.set_classes("")
            return None
        try:
            value = parse_client_id(text, self.wizard.recipe.client_id_label)
        except InputError as exc:
            message.update(f"✗ {exc}")
            message.set_classes("inline-error")
            return None
        message.update(f"✓ {value}")
        message.set_classes("inline-ok")
        return value

    def _update_redirect(self) -> None:
        profile = self.profile
        preview = self.query_one("#redirect-preview", Static)
        try:
            preview.update(redirect_uri(self.wizard.recipe, profile.environment, profile.client_id))
        except InputError:
            preview.update("(choose the environment and type the Client ID)")

    def on_input_changed(self, event: Input.Changed) -> None:
        """Check and save each field as it is typed (what was typed is kept even while invalid)."""
        profile = self.profile
        if event.input.id == "canvas-url":
            url = self._check_url(show_empty=False)
            profile.canvas_url = url or event.value.strip()
        elif event.input.id == "client-id":
            client_id = self._check_client_id(show_empty=False)
            profile.client_id = client_id or event.value.strip()
        else:
            return
        self._update_redirect()
        self.save()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        """Save the environment as soon as one is chosen."""
        self.profile.environment = event.pressed.name or ""
        self._mark_environment()
        self._update_redirect()
        self.save()

    def validate_step(self) -> bool:
        """All three must be usable; the first wrong one gets the focus."""
        url = self._check_url()
        client_id = self._check_client_id()
        environment_ok = bool(self.profile.environment)
        if not environment_ok:
            self.notify(f"Choose the {self.wizard.recipe.environment_label}.", severity="error")
        if url is None:
            self.query_one("#canvas-url", Input).focus()
        elif not environment_ok:
            self.query_one("#environment", RadioSet).focus()
        elif client_id is None:
            self.query_one("#client-id", Input).focus()
        return url is not None and client_id is not None and environment_ok
