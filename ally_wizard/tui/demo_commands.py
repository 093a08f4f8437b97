"""The command palette's entries of a training session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ally_wizard.tui.commands import Command, CommandListProvider

if TYPE_CHECKING:
    from ally_wizard.tui.demo_app import DemoWizardApp


class DemoCommands(CommandListProvider):
    """ "Choose a practice scenario", "Show the practice values", "Open the practice Developer Keys page"."""

    def _commands(self) -> Iterator[Command]:
        app: DemoWizardApp = self.app  # type: ignore[assignment]
        demo = app.demo_session
        yield ("Choose a practice scenario", "Reset the simulated Canvas to another lesson", app.action_scenarios)
        yield (
            "Show the practice values",
            "Canvas address, admin login, Ally environment and Client ID",
            app.action_practice,
        )
        yield (
            "Open the practice Developer Keys page",
            demo.practice_page_url,
            lambda: app.open_url(demo.practice_page_url),
        )
