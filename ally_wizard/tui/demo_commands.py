"""The command palette's entries of a training session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

if TYPE_CHECKING:
    from ally_wizard.tui.demo_app import DemoWizardApp


class DemoCommands(Provider):
    """"Choose a practice scenario", "Show the practice values", "Open the practice Developer Keys page"."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        app: DemoWizardApp = self.app  # type: ignore[assignment]
        demo = app.demo_session
        yield ("Choose a practice scenario", "Reset the simulated Canvas to another lesson", app.action_scenarios)
        yield ("Show the practice values", "Canvas address, admin login, Ally environment and Client ID",
               app.action_practice)
        yield ("Open the practice Developer Keys page", demo.practice_page_url,
               lambda: app.open_url(demo.practice_page_url))

    async def discover(self) -> Hits:
        """Everything, when nothing is typed yet."""
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        """Fuzzy match on the command names."""
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=escape(help_text))
