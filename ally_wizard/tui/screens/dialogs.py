"""Small dialogs: a yes/no confirmation and the name of a new setup."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ally_wizard.profile import check_profile_name
from ally_wizard.store import ProfileStore

if TYPE_CHECKING:
    from textual.app import ComposeResult


class ConfirmScreen(ModalScreen[bool]):
    """Ask before something that cannot be undone; True means go ahead."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, question: str, yes_label: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes_label

    def compose(self) -> ComposeResult:
        """The question and two buttons (No has the focus, so Enter is the safe answer)."""
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes_label} (y)", id="yes", variant="error", compact=True)
                yield Button("No (n)", id="no", variant="primary", compact=True)

    def on_mount(self) -> None:
        """Focus the safe answer."""
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Answer with the button pressed."""
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Answer by key."""
        self.dismiss(answer)


class NewProfileScreen(ModalScreen[str | None]):
    """Name a new setup; the name becomes a file name, so it is checked as typed."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, store: ProfileStore, suggestion: str, *, first_run: bool = False) -> None:
        super().__init__()
        self.store = store
        self.suggestion = suggestion
        self.first_run = first_run

    def compose(self) -> ComposeResult:
        """A welcome on first run, the name field, its inline error, and Start."""
        with Vertical(classes="dialog"):
            if self.first_run:
                yield Static(
                    "Welcome. This wizard walks you through creating the Canvas developer key that "
                    "Anthology Ally needs, and checks it against your Canvas before you hand it to Ally.",
                    classes="question",
                    markup=False,
                )
            yield Label("Name this setup (one per Canvas instance):", markup=False)
            yield Input(self.suggestion, placeholder="production", id="profile-name", max_length=64)
            yield Static("", id="name-error", classes="inline-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Start setup (Enter)", id="create", variant="primary", compact=True)
                yield Button("Cancel (Esc)", id="cancel", compact=True)

    def _problem(self, name: str) -> str | None:
        try:
            check_profile_name(name)
        except ValueError as exc:
            return str(exc)
        if self.store.exists(name):
            return f"A profile named {name!r} already exists. Choose another name, or resume it instead."
        return None

    def on_input_changed(self, event: Input.Changed) -> None:
        """Say at once what is wrong with the name."""
        problem = self._problem(event.value.strip()) if event.value.strip() else None
        self.query_one("#name-error", Static).update(f"✗ {problem}" if problem else "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter starts the setup."""
        event.stop()
        self._finish()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Start or cancel."""
        event.stop()
        if event.button.id == "create":
            self._finish()
        else:
            self.dismiss(None)

    def _finish(self) -> None:
        name = self.query_one("#profile-name", Input).value.strip()
        problem = self._problem(name)
        if problem:
            self.query_one("#name-error", Static).update(f"✗ {problem}")
            self.query_one("#profile-name", Input).focus()
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        """Close without creating anything."""
        self.dismiss(None)
