"""The practice values of a training session: where the simulated Canvas is and how to sign in to it.

A trainee needs the admin login, the Ally environment and Client ID the key was made for, and the
practice Developer Keys page; the key ID and secret are found there (Details column, Show Key), as in a
real Canvas. In presenter mode the token, key ID, secret and home folder are masked here too; the practice
password is not, since trainees must read it to sign in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ally_wizard.redact import hide_home, mask_key_id, mask_secret

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ally_wizard.demo import DemoSession
    from ally_wizard.tui.app import WizardApp


def practice_text(demo: DemoSession, *, presenter: bool, env_label: str, note: str = "") -> Text:
    """The practice values as text; `presenter` masks every credential and the home folder."""

    def secret(value: str) -> str:
        return mask_secret(value) if presenter else value

    scenario = demo.scenario
    text = Text()
    if note:
        text.append("What changed\n", style="bold underline")
        text.append(note + "\n\n")
    text.append(f"\nScenario {scenario.name}: ", style="bold")
    text.append(scenario.goal + "\n\n")
    rows: list[tuple[str, str]] = [
        ("Simulated Canvas", demo.canvas_url),
        ("Developer Keys page", demo.practice_page_url),
        ("Admin login", demo.admin_username),
        # Never masked: trainees read it to sign in, and it only opens this throwaway Canvas.
        ("Admin password", demo.admin_password),
        ("Ally environment", env_label),
        ("Ally Client ID", demo.ally_client_id),
    ]
    token = demo.admin_token
    if token is not None:
        rows.append(("Admin API token", secret(token)))
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        text.append(label.ljust(width), style="bold")
        text.append(value + "\n")
    text.append("\nKey ID and secret: ", style="bold")
    text.append(
        "on the Developer Keys page, as in a real Canvas: the Details column shows the ID, Show Key the secret.\n"
    )
    handout = demo.handout()
    if handout is not None:
        key_id = mask_key_id(handout.key_id) if presenter else handout.key_id
        text.append("\nA colleague handed you these instead: ", style="bold")
        text.append(f"key ID {key_id}, secret {secret(handout.secret)}. Try them, and see what the wizard says.\n")
    folder = str(demo.folder)
    text.append("\nProfiles of this demo: ", style="bold")
    text.append(f"{hide_home(folder) if presenter else folder} (removed when the demo stops)", style="dim")
    return text


class PracticeScreen(ModalScreen[None]):
    """The practice values over the current step (F3 opens it, Esc closes it)."""

    CSS_PATH = "practice.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f3,q", "close", "Close"),
        Binding("o", "open_page", "Open Developer Keys page"),
        # A modal screen hides the app's keys, so the two a presenter needs here are repeated.
        Binding("f2", "app.toggle_presenter", "Presenter"),
        Binding("f4", "scenarios", "Scenario"),
    ]

    def __init__(self, demo: DemoSession, env_label: str, note: str = "") -> None:
        super().__init__()
        self.demo = demo
        self.env_label = env_label
        self.note = note

    @property
    def wizard(self) -> WizardApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No Scenario key where the scenario cannot be switched (`serve --demo`)."""
        return action != "scenarios" or self.demo.can_switch

    def compose(self) -> ComposeResult:
        """The marker, the values, and what can be done from here."""
        # The values scroll; the buttons stay below them, whole, however short the terminal.
        with Vertical(id="practice-dialog"):
            with VerticalScroll(id="practice-body", can_focus=False):
                yield Static("", id="practice-title")
                yield Static("", id="practice-values")
            with Horizontal(id="practice-buttons"):
                yield Button("Keys page (o)", id="open-page", compact=True)
                if self.demo.can_switch:
                    yield Button("Scenario (F4)", id="scenarios", compact=True)
                yield Button("Close (Esc)", id="close", variant="primary", compact=True)

    def on_mount(self) -> None:
        """Fill in, follow presenter mode, and focus Close so Enter closes."""
        self.watch(self.app, "presenter", self._refill)
        self._fit_body()
        self.query_one("#close", Button).focus(scroll_visible=False)
        self.call_after_refresh(self.query_one("#practice-body").scroll_home, animate=False)

    def on_resize(self) -> None:
        """Keep the buttons on screen: the values get what the dialog's border and buttons leave."""
        self._fit_body()

    def _fit_body(self) -> None:
        # 94% of the screen (the dialog's max-height), minus its border (2) and the buttons with their gap (2).
        self.query_one("#practice-body").styles.max_height = max(3, self.size.height * 94 // 100 - 4)

    def _refill(self, _presenter: bool | None = None) -> None:
        app = self.wizard
        demo = self.demo
        env_label = self.env_label
        title = Text()
        # Spaces sit in runs of their own (see StepBar): SVG renderers drop a styled run's leading spaces.
        title.append(" ", style="reverse")
        title.append(demo.marker, style="bold reverse")
        title.append(" ", style="reverse")
        title.append("  ")
        title.append("Practice values of a throwaway simulated Canvas", style="bold")
        if app.presenter:
            title.append("   ")
            title.append("◐ presenter mode", style="italic")
        self.query_one("#practice-title", Static).update(title)
        self.query_one("#practice-values", Static).update(
            practice_text(demo, presenter=app.presenter, env_label=env_label, note=self.note)
        )

    @on(Button.Pressed, "#open-page")
    def _open_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_open_page()

    @on(Button.Pressed, "#scenarios")
    async def _scenarios_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.action_scenarios()

    @on(Button.Pressed, "#close")
    def _close_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_open_page(self) -> None:
        """Open the practice Developer Keys page in the browser (the address is shown above as well)."""
        self.wizard.open_url(self.demo.practice_page_url)

    async def action_scenarios(self) -> None:
        """Close this and open the scenario picker."""
        self.dismiss(None)
        await self.app.run_action("app.scenarios")

    def action_close(self) -> None:
        """Back to the step."""
        self.dismiss(None)
