"""A value the admin must paste somewhere else: shown in full as selectable text, with a copy button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult


class CopyRow(Horizontal):
    """The value in full (mouse-selectable, since some terminals drop OSC 52 copies) and a Copy button.

    The button posts `Button.Pressed` with the id given; the screen decides what is copied, so a
    masked display never changes what lands on the clipboard.
    """

    DEFAULT_CSS = """
    CopyRow { height: auto; }
    CopyRow > VerticalScroll { width: 1fr; height: auto; max-height: 4; background: $boost; }
    CopyRow .copy-value { padding: 0 1; }
    CopyRow > Button { margin-left: 1; }
    """

    def __init__(self, value: str, button_label: str, button_id: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.value = value
        self.button_label = button_label
        self.button_id = button_id

    def compose(self) -> ComposeResult:
        """The value and its button."""
        with VerticalScroll(can_focus=False):  # a very long value (the authorize URL) scrolls, not the page
            yield Static(self.value, classes="copy-value", markup=False)
        yield Button(self.button_label, id=self.button_id, compact=True)

    def show(self, value: str) -> None:
        """Change what is displayed."""
        self.value = value
        self.query_one(".copy-value", Static).update(value)
