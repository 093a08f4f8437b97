"""What every step screen shares: the step bar, Back and Next, the footer, saving, and worker errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input
from textual.worker import Worker, WorkerState

from ally_wizard.profile import Profile, StepId, StepState
from ally_wizard.tui.errors import describe_error
from ally_wizard.tui.widgets.footer import KeysFooter
from ally_wizard.tui.widgets.step_bar import StepBar

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ally_wizard.tui.app import WizardApp
    from ally_wizard.tui.widgets.field import CheckedField


class WizardScreen(Screen[None]):
    """A screen of the wizard: numbered, with help, and redrawn when presenter mode changes."""

    STEP_NUMBER: ClassVar[int] = 1
    STEP_KEY: ClassVar[str] = "start"

    @property
    def wizard(self) -> WizardApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    @on(events.Mount)
    def _follow_presenter(self) -> None:
        """State down: the screen watches the app's presenter mode rather than being told by the app."""
        self.watch(self.app, "presenter", self._presenter_watched, init=False)

    def _presenter_watched(self, _presenter: bool) -> None:
        self.presenter_changed()

    def presenter_changed(self) -> None:
        """Redraw whatever this screen masks in presenter mode (the step bar watches it on its own)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed network task becomes a readable message."""
        if event.state is WorkerState.ERROR:
            message = describe_error(event.worker.error)
            self.worker_failed(event.worker, message)

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        """Show a worker's failure; screens that run checks also put it on the screen."""
        self.notify(message, title="Check stopped", severity="error", timeout=15)


# Wide terminals (140 columns and more) put results beside each other instead of one under the other.
# Only the screens with results to place declare it: a breakpoint class restyles the whole screen on its
# first resize, which the start screen (the first paint) need not pay for.
WIDE_BREAKPOINTS: list[tuple[int, str]] = [(0, "-narrow"), (140, "-wide")]


class StepScreen(WizardScreen):
    """A step after the start screen: it edits the open profile and has Back and Next."""

    STEP_ID: ClassVar[StepId]
    NEXT_LABEL: ClassVar[str] = "Next ▶ (ctrl+n)"

    # Not in the footer: the Back and Next buttons name their keys, and an 80-column footer has no room.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+b", "back", "Back", show=False),
        Binding("ctrl+n", "next", "Next", show=False),
        Binding("ctrl+z", "undo", "Undo", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.undo_stack: list[tuple[CheckedField[Any], str]] = []
        """(field, the value it held before an edit), newest last: Ctrl+Z puts them back one edit at a time."""

    @property
    def profile(self) -> Profile:
        """The open profile."""
        return self.wizard.session.require()

    def compose(self) -> ComposeResult:
        """Step bar, the step's own body (scrolls when the terminal is short), Back/Next, footer."""
        yield StepBar(self.STEP_NUMBER)
        with VerticalScroll(id="body"):
            yield from self.compose_body()
        with Horizontal(id="nav"):
            yield Button("◀ Back (ctrl+b)", id="back", compact=True)
            yield Button(self.NEXT_LABEL, id="next", variant="primary", compact=True)
        yield KeysFooter()

    def compose_body(self) -> ComposeResult:
        """The step's widgets."""
        yield from ()

    def on_mount(self) -> None:
        """Opening a step marks it started (a done step stays done)."""
        self.wizard.session.mark(self.STEP_ID, StepState.IN_PROGRESS)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Back and Next buttons do what their keys do."""
        if event.button.id == "back":
            event.stop()
            self.action_back()
        elif event.button.id == "next":
            event.stop()
            self.action_next()

    def focus_first_empty(self, selectors: tuple[str, ...]) -> None:
        """Focus the first empty field, or Next when every one is filled: a filled field is never where the
        focus lands on its own, so a key pressed to look around ("?", "q") cannot change a saved value."""
        for selector in selectors:
            field = self.query_one(selector, Input)
            if not field.value.strip():
                field.focus(scroll_visible=False)
                return
        self.query_one("#next", Button).focus(scroll_visible=False)

    # By name, not `@on(CheckedField.EditStarted)`: the start screen imports this module, and the fields
    # (with the parsers they check with) are for the steps after it.
    def on_checked_field_edit_started(self, event: CheckedField.EditStarted) -> None:
        """Remember the value a field held before an edit began, for Ctrl+Z."""
        self.undo_stack.append((event.field, event.saved))

    def action_undo(self) -> None:
        """Put back the value a field held before its last edit (and save it again)."""
        if not self.undo_stack:
            self.notify("Nothing to undo on this step.")
            return
        field, value = self.undo_stack.pop()
        field.restore(value)
        field.input.focus(scroll_visible=False)
        field.scroll_visible(animate=False)

    def save(self) -> bool:
        """Save the profile as it stands (called after every change)."""
        return self.wizard.save_profile()

    def validate_step(self) -> bool:
        """Whether the step may be left forward; screens show their own inline errors."""
        return True

    def action_back(self) -> None:
        """Go to the previous step; nothing is lost, everything was saved as typed."""
        self.wizard.go_to(self.STEP_NUMBER - 1)

    def action_next(self) -> None:
        """Mark this step done and go on, if what was entered is usable."""
        if not self.validate_step():
            return
        problem = self.wizard.session.mark(self.STEP_ID, StepState.DONE)
        if problem:
            self.notify(problem, title="Not saved", severity="error", timeout=20)
            return
        self.wizard.go_to(self.STEP_NUMBER + 1)

    def action_go_step(self, number: int) -> None:
        """Jump to another step (the fix for a failed check lives there)."""
        self.wizard.go_to(number)
