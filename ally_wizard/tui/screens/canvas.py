"""Step 2: the Canvas address, the Ally environment and the Ally Client ID, checked as typed."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from ally_wizard.inputs import InputError, normalize_canvas_url, parse_client_id, redirect_uri, test_or_beta_warning
from ally_wizard.profile import StepId
from ally_wizard.tui.screens.base import StepScreen
from ally_wizard.tui.widgets.field import CheckedField

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ally_wizard.canvas.theme import ThemeSearch


class ThemeDetected(Message):
    """The theme of the Canvas was read: `search` holds the ALLY_CFG found, or why there is none."""

    def __init__(self, search: ThemeSearch) -> None:
        super().__init__()
        self.search = search


class CanvasScreen(StepScreen):
    """Where the key will live and which Ally data centre it is for."""

    CSS_PATH = "canvas.tcss"
    # The focus goes to the first empty field, or to Next when all are filled (see on_mount); never to a filled
    # field first, where the first key a newcomer tries ("?") would land in the address.
    AUTO_FOCUS = "#next"
    STEP_NUMBER = 2
    STEP_KEY = "canvas"
    STEP_ID = StepId.CANVAS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+t", "detect", "Detect")]

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
        yield CheckedField(
            profile.canvas_url,
            parse=normalize_canvas_url,
            describe=str,
            input_id="canvas-url",
            placeholder="e.g. canvas.school.edu",
        )
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
        yield CheckedField(
            profile.client_id,
            parse=partial(parse_client_id, label=recipe.client_id_label),
            describe=str,
            input_id="client-id",
            placeholder="e.g. 1234",
        )
        yield Button("Detect from Canvas (ctrl+t)", id="detect", compact=True)
        yield Static(
            "Reads the Ally environment and Client ID from your Canvas theme (ALLY_CFG); no login needed.",
            id="detect-message",
            classes="hint",
            markup=False,
        )
        yield Label("Redirect URI these make", classes="section-title", markup=False)
        yield Static("", id="redirect-preview", classes="value", markup=False)

    def on_mount(self) -> None:
        """Show what the profile already holds, with the step's first label and hint on screen at 80x24."""
        super().on_mount()
        self._warn_test_instance(self.profile.canvas_url)
        self._update_redirect()
        self._mark_environment()
        self.focus_first_empty(("#canvas-url", "#client-id"))
        # Focusing before the first layout scrolled too far down.
        # AUTO_FOCUS focused the field before the first layout, and scrolling it into view then went too far.
        self.call_after_refresh(self.query_one("#body").scroll_home, animate=False)

    def on_screen_resume(self) -> None:
        """Back from a dialog (the demo's practice values may open before this step has placed its focus):
        the focus goes to the first empty field again rather than staying nowhere or on Next."""
        focused = self.focused
        if focused is None or focused.id == "next":
            self.focus_first_empty(("#canvas-url", "#client-id"))

    def _mark_environment(self) -> None:
        """The chosen environment gets a dot and the others none, so the choice does not rest on colour."""
        for button in self.query(RadioButton):
            button.BUTTON_INNER = "●" if button.value else " "
            button.refresh()

    def _warn_test_instance(self, url: str) -> None:
        note = test_or_beta_warning(url) if url else None
        self.query_one("#canvas-warning", Static).update(f"! {note}" if note else "")

    def _update_redirect(self) -> None:
        profile = self.profile
        preview = self.query_one("#redirect-preview", Static)
        try:
            preview.update(redirect_uri(self.wizard.recipe, profile.environment, profile.client_id))
        except InputError:
            preview.update("(choose the environment and type the Client ID)")

    @on(CheckedField.Accepted, "#canvas-url-field")
    def _save_url(self, event: CheckedField.Accepted) -> None:
        """A usable address is saved (an unusable one never replaces it); the address the profile already
        has, accepted as the screen opens, is not written again (unless the last write failed)."""
        self._warn_test_instance(event.value)
        if event.value == self.profile.canvas_url and self.wizard.session.last_save_error is None:
            return
        self.profile.canvas_url = event.value
        self.save()

    @on(CheckedField.Accepted, "#client-id-field")
    def _save_client_id(self, event: CheckedField.Accepted) -> None:
        """A usable Client ID is saved, and the redirect URI follows it."""
        self.profile.client_id = event.value
        self._update_redirect()
        self.save()

    @on(RadioSet.Changed, "#environment")
    def _save_environment(self, event: RadioSet.Changed) -> None:
        """Save the environment as soon as one is chosen."""
        self.profile.environment = event.pressed.name or ""
        self._mark_environment()
        self._update_redirect()
        self.save()

    @on(Button.Pressed, "#detect")
    def _detect_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_detect()

    def action_detect(self) -> None:
        """Read ALLY_CFG from the Canvas theme (public login page and its scripts) and fill the two fields."""
        url = self.query_one("#canvas-url-field", CheckedField).check()
        message = self.query_one("#detect-message", Static)
        if url is None:
            message.update("✗ Type the Canvas address first.")
            self.query_one("#canvas-url", Input).focus()
            return
        message.update(f"… Reading the theme of {url}…")
        self.detect_theme(url)

    @work(exclusive=True, group="theme", exit_on_error=False)
    async def detect_theme(self, url: str) -> None:
        """The network part of Detect (bounded in size and time; never runs the theme's JavaScript)."""
        from ally_wizard.canvas.theme import find_theme_ally_config

        self.post_message(ThemeDetected(await find_theme_ally_config(url, recipe=self.wizard.recipe)))

    @on(ThemeDetected)
    def _theme_detected(self, event: ThemeDetected) -> None:
        """Fill what the theme names; say what was found, or why nothing was."""
        message = self.query_one("#detect-message", Static)
        found = event.search.found
        if found is None:
            message.update(f"! {event.search.note} Type the two values below from Ally's configuration page.")
            return
        filled = []
        if found.environment:
            for button in self.query(RadioButton):
                if button.name == found.environment:
                    button.value = True
            filled.append(self.wizard.recipe.environment(found.environment).label)
        if found.client_id:
            self.query_one("#client-id", Input).value = found.client_id
            filled.append(f"Client ID {found.client_id}")
        unknown = "" if found.environment else f" {found.host} is not one of Ally's environments: choose it below."
        message.update(
            f"✓ Found in the theme: {found.describe()}. Filled in: {', '.join(filled) or 'nothing'}.{unknown}"
        )

    def validate_step(self) -> bool:
        """All three must be usable; the first wrong one gets the focus."""
        url = self.query_one("#canvas-url-field", CheckedField).check()
        client_id = self.query_one("#client-id-field", CheckedField).check()
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
