"""The footer of every screen: Textual's, with its keys in the first frame, recomposed only when they change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

Shown = tuple[tuple[str, str, bool], ...]


def shown_keys(screen: Screen[object]) -> Shown:
    """The keys a footer shows on `screen`, and whether each is enabled (a footer key presses its key,
    whatever the action); a focused widget's hidden keys (a table's arrows) change nothing on show."""
    return tuple(
        (key, binding.description, enabled)
        for key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items()
        if binding.show
    )


class KeysFooter(Footer):
    """Textual's `Footer` composes no key until the screen's bindings are first updated, then rebuilds every
    key a frame later, and again on each focus change (several times while a screen mounts). Here the keys
    are composed with the screen, so they are in its first frame, and rebuilt only when the keys on show
    (or whether each is enabled) change: the rebuilds cost about a fifth of the wizard's start-up.
    """

    def __init__(self) -> None:
        super().__init__(compact=True)
        self.shown: Shown | None = None

    def compose(self) -> ComposeResult:
        """The keys the screen has now (Textual's own `compose`, without waiting for a bindings update)."""
        if self.shown is None:
            self.shown = shown_keys(self.screen)
            self.set_reactive(Footer._bindings_ready, True)  # what Textual's first bindings update sets
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # The compact look as a class from the start: each key would add it once mounted, and
                # restyle itself then.
                widget.add_class("-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Recompose when the keys (or whether each is enabled) differ from those on show."""
        shown = shown_keys(screen)
        if shown == self.shown and screen is self.screen:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.shown = shown
        super().bindings_changed(screen)
