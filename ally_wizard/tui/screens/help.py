"""The `?` help for one step: why the step exists and what commonly goes wrong there."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ally_wizard.tui.help_text import HELP
from ally_wizard.tui.steps import STEPS

if TYPE_CHECKING:
    from textual.app import ComposeResult


class HelpScreen(ModalScreen[None]):
    """A dialog over the current step; Escape or Enter closes it."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "dismiss_help", "Close help"),
    ]

    def __init__(self, step_key: str) -> None:
        super().__init__()
        self.step_key = step_key if step_key in HELP else "start"

    def compose(self) -> ComposeResult:
        """The step's title, why it exists, and its common problems."""
        info = next(item for item in STEPS if item.key == self.step_key)
        help_ = HELP[self.step_key]
        body = Text()
        body.append(f"Step {info.number}: {info.title}\n\n", style="bold")
        body.append("Why this step\n", style="bold underline")
        body.append(help_.why + "\n\n")
        body.append("What commonly goes wrong\n", style="bold underline")
        for pitfall in help_.pitfalls:
            body.append("• ")
            body.append(pitfall + "\n")
        with VerticalScroll(id="help-dialog"):
            yield Static(body, id="help-text")
            yield Button("Close (Esc)", id="close-help", variant="primary", compact=True)

    def on_mount(self) -> None:
        """Focus the close button so Enter closes too."""
        self.query_one("#close-help", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Close."""
        event.stop()
        self.dismiss(None)

    def action_dismiss_help(self) -> None:
        """Close the help."""
        self.dismiss(None)
