"""The wizard in a training session: the same App, plus the practice values and the scenario picker.

Everything the wizard does stays in `WizardApp`; this subclass only adds the demo's two keys (F3, F4),
their palette entries, and shows the practice values once the first step is on screen.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType

from ally_wizard.demo import DEMO_PROFILE, BackgroundCanvas, DemoSession, scenario_choices
from ally_wizard.sandbox.names import ScenarioError
from ally_wizard.tui.app import WizardApp

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.screen import Screen


class DemoWizardApp(WizardApp):
    """The wizard against a simulated Canvas, in a throwaway profile folder, marked DEMO on every screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f3", "practice", "Practice", tooltip="The practice Canvas, its login and the Ally values"),
        # Not in the footer (no room at 80 columns): F4 is on the practice values dialog and in the palette.
        Binding("f4", "scenarios", "Scenario", show=False),
    ]

    def __init__(self, demo: DemoSession, *, presenter: bool = False) -> None:
        super().__init__(demo.store, DEMO_PROFILE, presenter=presenter, demo=demo)
        self.demo_session = demo

    def on_mount(self) -> None:
        """After the first frame, start the simulated Canvas; show the practice values once it listens.

        (WizardApp's own on_mount opens the profile.) The practice values include the admin token, which
        only the running Canvas knows, and its server takes a quarter of a second to load: the first
        step is on screen meanwhile.
        """
        self.call_after_refresh(self._start_canvas)

    def _start_canvas(self) -> None:
        canvas = self.demo_session.canvas
        if not isinstance(canvas, BackgroundCanvas):  # attached to one another process runs, or already up
            self.action_practice()
            return
        canvas.begin()
        self._wait_for_canvas(canvas)

    @work(thread=True, exclusive=True, group="canvas-start", exit_on_error=False)
    def _wait_for_canvas(self, canvas: BackgroundCanvas) -> None:
        try:
            canvas.wait()
        except (OSError, RuntimeError) as exc:
            self.call_from_thread(
                self.notify, f"The simulated Canvas could not start: {exc}", severity="error", timeout=30
            )
            return
        self.call_from_thread(self.action_practice)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The wizard's palette, plus the training session's entries."""
        yield from super().get_system_commands(screen)
        demo = self.demo_session
        if demo.can_switch:  # `serve --demo` shares one simulated Canvas: its scenario is the trainer's
            yield SystemCommand(
                "Choose a practice scenario", "Reset the simulated Canvas to another lesson", self.action_scenarios
            )
        yield SystemCommand(
            "Show the practice values",
            "Canvas address, admin login, Ally environment and Client ID",
            self.action_practice,
        )
        yield SystemCommand(
            "Open the practice Developer Keys page",
            demo.practice_page_url,
            partial(self.open_url, demo.practice_page_url),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F4 is not offered where the scenario cannot be switched (`serve --demo`)."""
        if action == "scenarios" and not self.demo_session.can_switch:
            return False
        return super().check_action(action, parameters)

    def action_practice(self, note: str = "") -> None:
        """Show the practice values (again)."""
        from ally_wizard.tui.screens.practice import PracticeScreen

        if isinstance(self.screen, PracticeScreen):
            return
        demo = self.demo_session
        env = next((e for e in self.recipe.environments if e.id == demo.ally_environment), None)
        env_label = f"{env.id}: {env.label} ({env.host})" if env is not None else demo.ally_environment
        self.push_screen(PracticeScreen(demo, env_label, note))

    def action_scenarios(self) -> None:
        """Choose a scenario; switching resets the simulated Canvas and starts the demo setup over."""
        from ally_wizard.tui.screens.scenarios import ScenarioPickerScreen

        if isinstance(self.screen, ScenarioPickerScreen):
            return
        demo = self.demo_session
        why_not = (
            "This demo shares its simulated Canvas with every browser tab of `ally-wizard serve --demo`, "
            "so the trainer chooses the scenario when starting it (--scenario NAME)."
        )
        self.push_screen(
            ScenarioPickerScreen(scenario_choices(), demo.scenario.name, can_switch=demo.can_switch, why_not=why_not),
            self.switch_scenario,
        )

    def switch_scenario(self, name: str | None) -> None:
        """Reset the Canvas to `name`, reopen the fresh demo profile at step 2 and say what changed."""
        if not name:
            return
        try:
            note = self.demo_session.switch(name)
        except (ScenarioError, RuntimeError, OSError) as exc:
            self.notify(str(exc), title="Scenario not changed", severity="warning", timeout=15)
            return
        self.go_to(1)
        self.open_profile(DEMO_PROFILE)
        self.notify(f"Now playing {name!r}.", title="Scenario changed")
        self.call_after_refresh(self.action_practice, note)
