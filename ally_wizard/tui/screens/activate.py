"""Step 5: save the key, turn it ON, and give the wizard its ID (saved) and secret (memory only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static

from ally_wizard.inputs import parse_key_id
from ally_wizard.profile import StepId
from ally_wizard.redact import mask_key_id, mask_secret
from ally_wizard.tui.screens.base import StepScreen
from ally_wizard.tui.widgets.field import CheckedField

if TYPE_CHECKING:
    from textual.app import ComposeResult

SECRET_LENGTH = 64


class ActivateScreen(StepScreen):
    """Save and turn ON in Canvas, then the key ID (checked as a Canvas global ID) and the secret."""

    CSS_PATH = "activate.tcss"
    STEP_NUMBER = 5
    STEP_KEY = "activate"
    STEP_ID = StepId.ACTIVATE
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "toggle_secret", "Show/hide"),
    ]

    def compose_body(self) -> ComposeResult:
        """The Canvas steps, then the two fields with their inline messages."""
        yield Label("In Canvas, on the Developer Keys page", classes="section-title", markup=False)
        for number, text in enumerate(self.wizard.recipe.steps.activate, start=1):
            yield Static(f"{number}. {text}", classes="step-text", markup=False)
        yield Label("Key ID (the number in the Details column)", classes="section-title", markup=False)
        yield CheckedField(
            self.profile.key_id,
            parse=parse_key_id,
            describe=self._describe_key_id,
            input_id="key-id",
            placeholder="e.g. 170000000000123",
            password=self.wizard.presenter,
        )
        yield Label("Secret (Show Key in the Details column)", classes="section-title", markup=False)
        with Horizontal(classes="row"):
            yield Input(
                self.wizard.session.secret,
                placeholder="paste the secret",
                id="secret",
                password=True,
                compact=True,
                select_on_focus=False,
            )
            yield Button("Show (ctrl+t)", id="toggle-secret", compact=True)
        yield Static("", id="secret-message", markup=False)
        yield Static(
            "The secret stays in this program's memory for this run only: it is never saved to the "
            "profile or any file. You need it again on steps 6 and 7, or after restarting the wizard.",
            classes="hint",
            markup=False,
        )

    def on_mount(self) -> None:
        """Show the messages for what is already there; focus the first empty field."""
        super().on_mount()
        self._check_secret()
        self.focus_first_empty(("#key-id", "#secret"))

    def _describe_key_id(self, key_id: int) -> str:
        shown = mask_key_id(str(key_id)) if self.wizard.presenter else str(key_id)
        return f"{shown}: a Canvas developer key ID"

    @property
    def _key_id_field(self) -> CheckedField[int]:
        return self.query_one("#key-id-field", CheckedField)

    def _check_secret(self) -> None:
        secret = self.wizard.session.secret
        message = self.query_one("#secret-message", Static)
        if not secret:
            message.update("")
            return
        shown = f" (ends {mask_secret(secret)[-4:]})" if len(secret) > 8 else ""
        if len(secret) != SECRET_LENGTH:
            message.update(
                f"! The secret has {len(secret)} characters; Canvas secrets are usually {SECRET_LENGTH}. "
                f"Check that all of it was copied{shown}."
            )
            message.set_classes("inline-warning")
        else:
            message.update(f"✓ {SECRET_LENGTH} characters, held in memory only{shown}")
            message.set_classes("inline-ok")

    @on(CheckedField.Accepted, "#key-id-field")
    def _save_key_id(self, event: CheckedField.Accepted) -> None:
        """A usable key ID is saved (an unusable one never replaces it)."""
        self.profile.key_id = event.value
        self.save()

    @on(Input.Changed, "#secret")
    def _keep_secret(self, event: Input.Changed) -> None:
        """The secret is kept in memory only."""
        self.wizard.session.secret = event.value.strip()
        self._check_secret()

    @on(Button.Pressed, "#toggle-secret")
    def _toggle_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_toggle_secret()

    def action_toggle_secret(self) -> None:
        """Show or hide the secret (never shown in presenter mode)."""
        field = self.query_one("#secret", Input)
        if self.wizard.presenter and field.password:
            self.notify("Presenter mode is on: the secret stays hidden.", severity="warning")
            return
        field.password = not field.password
        self.query_one("#toggle-secret", Button).label = "Show (ctrl+t)" if field.password else "Hide (ctrl+t)"

    def presenter_changed(self) -> None:
        """Mask the key ID field and hide the secret in presenter mode."""
        super().presenter_changed()
        presenter = self.wizard.presenter
        self.query_one("#key-id", Input).password = presenter
        if presenter:
            self.query_one("#secret", Input).password = True
            self.query_one("#toggle-secret", Button).label = "Show (ctrl+t)"
        self._key_id_field.check(show_empty=False)

    def validate_step(self) -> bool:
        """The key ID must be valid; a missing secret is allowed (step 6 asks for it), with a reminder."""
        if self._key_id_field.check() is None:
            self.query_one("#key-id", Input).focus()
            return False
        if not self.wizard.session.secret:
            self.notify("No secret yet: the live check on step 6 needs it. You can paste it later.", severity="warning")
        return True
