"""The footer of every screen: Textual's, recomposed only when the keys it shows have changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen

Shown = tuple[tuple[str, str, bool], ...]


class KeysFooter(Footer):
    """Textual's `Footer` rebuilds every key whenever the screen's bindings are updated, which happens on
    each focus change, several times while the first screen mounts. The keys it shows rarely change, and
    the rebuilds cost about a fifth of the wizard's start-up, so it recomposes only when they do.
    """

    def __init__(self) -> None:
        super().__init__(compact=True)
        self.shown: Shown | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Recompose when the keys (or whether each is enabled) differ from those on show."""
        shown: Shown = tuple(
            (key, binding.description, enabled)  # a footer key presses its key, whatever the action
            for key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items()
            if binding.show  # a focused widget's hidden keys (a table's arrows) change nothing on show
        )
        if shown == self.shown and screen is self.screen:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.shown = shown
        super().bindings_changed(screen)
