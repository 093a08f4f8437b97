"""The command palette's wizard entries: every step, and the main actions of the current screen."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from ally_wizard.tui.steps import STEPS

if TYPE_CHECKING:
    from ally_wizard.tui.app import WizardApp

# (name, help, action on the screen, only offered when the screen has that action)
_SCREEN_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Check now", "Run the checks that need no sign-in and update every row", "check_now"),
    ("Check again", "Run the live checks again", "check_now"),
    ("Cancel the running check", "Stop it; a token already obtained is still revoked", "cancel_check"),
    ("Copy the redirect URI", "Copy it to paste into the Redirect URIs field", "copy_redirect"),
    ("Copy the authorize URL", "Copy it to open in a browser where you are signed in to Canvas", "copy_authorize"),
    ("Open the authorize URL", "Open it in the browser", "open_authorize"),
    ("Copy the key ID", "Copy the developer key ID for Ally", "copy_key_id"),
    ("Copy the secret", "Copy the key secret (held in memory only)", "copy_secret"),
    ("Export the summary", "Write a Markdown summary without the secret", "export_summary"),
    ("Go to the fix", "Go to the step that fixes the first failed check", "go_fix"),
)


Command = tuple[str, str, Callable[[], object]]
"""(name, help, what it does)."""


class CommandListProvider(Provider):
    """A palette provider over a plain list of commands: all of them on discovery, fuzzy-matched on search."""

    @abstractmethod
    def _commands(self) -> Iterator[Command]:
        """The commands on offer now."""

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


class WizardCommands(CommandListProvider):
    """Steps ("Go to step 4: Scopes") and actions ("Check now") for Ctrl+P."""

    def _commands(self) -> Iterator[Command]:
        app: WizardApp = self.app  # type: ignore[assignment]
        screen = self.screen
        if app.session.profile is not None:
            for info in STEPS:
                yield (f"Go to step {info.number}: {info.title}", "Open this step", partial(app.go_to, info.number))
        else:
            yield ("Go to step 1: Start", "Choose or start a setup", partial(app.go_to, 1))
        for name, help_text, action in _SCREEN_ACTIONS:
            method = getattr(screen, f"action_{action}", None)
            if method is not None:
                yield (name, help_text, method)
        yield ("Help for this step", "Why this step exists and what commonly goes wrong", app.action_help)
        yield ("Toggle presenter mode", "Mask secrets, key IDs and home paths", app.action_toggle_presenter)
