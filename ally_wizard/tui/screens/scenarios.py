"""The scenario picker of a training session: every practice situation with its one-line lesson."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ally_wizard.demo import ScenarioChoice

if TYPE_CHECKING:
    from textual.app import ComposeResult


class ScenarioPickerScreen(ModalScreen[str | None]):
    """Choose the scenario to play; the result is its name (None when closed without choosing)."""

    CSS_PATH = "scenarios.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f4", "close", "Close"),
        Binding("f2", "app.toggle_presenter", "Presenter"),  # a modal screen hides the app's keys
    ]

    def __init__(self, choices: list[ScenarioChoice], current: str, *, can_switch: bool, why_not: str = "") -> None:
        super().__init__()
        self.choices = choices
        self.current = current
        self.can_switch = can_switch
        self.why_not = why_not

    def compose(self) -> ComposeResult:
        """A sentence on what switching does, then the list (the current one marked ▶)."""
        if self.can_switch:
            intro = (
                "Enter switches: the simulated Canvas is reset to the scenario and the demo setup starts "
                "over. Esc keeps the current one."
            )
        else:
            intro = self.why_not
        options = []
        for choice in self.choices:
            label = Text()
            mark = "▶ " if choice.name == self.current else "  "
            label.append(f"{mark}{choice.name}", style="bold")
            label.append(f"\n    {choice.goal}")
            options.append(Option(label, id=choice.name))
        with Vertical(id="scenario-dialog"):
            yield Static("Practice scenarios", classes="section-title", markup=False)
            yield Static(intro, id="scenario-intro", classes="hint", markup=False)
            yield OptionList(*options, id="scenario-list")

    def on_mount(self) -> None:
        """Highlight the scenario being played."""
        listing = self.query_one("#scenario-list", OptionList)
        names = [choice.name for choice in self.choices]
        if self.current in names:
            listing.highlighted = names.index(self.current)
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a scenario chooses it."""
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        """Keep the current scenario."""
        self.dismiss(None)
