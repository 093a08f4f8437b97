"""The footer of every screen: the keys the screen offers, drawn as Textual's compact `Footer` draws them.

One widget draws every key. Textual's `Footer` is a container with a widget per key, each styled, laid out
and painted on its own (and rebuilt whenever the keys change): on the first screen those eight widgets
cost about a fifth of the wizard's start-up, more than the rest of the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen


class FooterKey(NamedTuple):
    """One key on show: what pressing it does, how it is labelled, and whether it is enabled now."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str


class KeysFooter(Widget, can_focus=False):
    """The screen's keys, left to right, and the command palette's key at the right end.

    Looks and behaves as Textual's `Footer(compact=True)`: a key shows its key in the accent colour and
    its description after it, a disabled one dimmed; clicking a key presses it, hovering shows its
    tooltip. Redrawn when the keys on show, or whether each is enabled, change.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "keys-footer--key",
        "keys-footer--description",
        "keys-footer--separator",
        "keys-footer--hover",
    }
    # The colours of Textual's Footer and FooterKey, so a theme styles this footer as it styles that one.
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        & > .keys-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .keys-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .keys-footer--separator {
            color: $foreground 20%;
        }
        & > .keys-footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.keys: tuple[FooterKey, ...] = ()
        self.palette: FooterKey | None = None
        self._hovered: FooterKey | None = None
        self._places: list[tuple[int, int, FooterKey]] = []  # (first cell, end cell, key) as last drawn

    def on_mount(self) -> None:
        """Show the screen's keys now, and follow them as the focus moves."""
        self._read_keys(self.screen)
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        """Stop following the screen's keys."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Redraw when the keys on show (or whether each is enabled) differ from those drawn."""
        if screen is self.screen and self._read_keys(screen):
            self.refresh()

    def _read_keys(self, screen: Screen[object]) -> bool:
        """Take the keys Textual's footer would show; True when they differ from those held."""
        app = self.app
        bindings = screen.active_bindings
        by_action: dict[str, FooterKey] = {}
        for key, (_node, binding, enabled, tooltip) in bindings.items():
            if binding.show and binding.action not in by_action:  # one key per action, as Textual's footer
                by_action[binding.action] = FooterKey(
                    key, app.get_key_display(binding), binding.description, enabled, tooltip
                )
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in bindings:
            _node, binding, enabled, _tooltip = bindings[app.COMMAND_PALETTE_BINDING]
            palette = FooterKey(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                enabled,
                binding.tooltip or binding.description,
            )
        keys = tuple(by_action.values())
        if keys == self.keys and palette == self.palette:
            return False
        self.keys, self.palette = keys, palette
        return True

    @property
    def needed_width(self) -> int:
        """Cells every key needs, with the palette's key and the gaps: more than the width cuts keys off."""
        width = sum(self._key_width(key) + 1 for key in self.keys)
        if self.palette is not None:
            width += 1 + self._key_width(self.palette) + 1
        return width

    @staticmethod
    def _key_width(key: FooterKey) -> int:
        return cell_len(key.display) + (1 + cell_len(key.description) if key.description else 0)

    def _key_text(self, key: FooterKey) -> Text:
        """One key as Textual's compact FooterKey renders it: the key, a space, the description."""
        text = Text.assemble((key.display, self.get_component_rich_style("keys-footer--key")))
        if key.description:
            text.append(f" {key.description}", self.get_component_rich_style("keys-footer--description"))
        under = self.rich_style
        if key is self._hovered:
            under += self.get_component_rich_style("keys-footer--hover")
        if not key.enabled:
            under += Style(dim=True)
        text.stylize_before(under)
        return text

    def render(self) -> Text:
        """The keys from the left, each followed by a gap; the palette's key, after its bar, at the right."""
        line = Text(no_wrap=True, overflow="crop", end="")
        places: list[tuple[int, int, FooterKey]] = []
        for key in self.keys:
            start = line.cell_len
            line.append_text(self._key_text(key))
            places.append((start, line.cell_len, key))
            line.append(" ")
        if self.palette is not None:
            palette = self._key_text(self.palette)
            filler = self.size.width - line.cell_len - (1 + palette.cell_len + 1)
            if filler > 0:
                line.append(" " * filler)
            line.append("▏", self.rich_style + self.get_component_rich_style("keys-footer--separator"))
            start = line.cell_len
            line.append_text(palette)
            places.append((start, line.cell_len, self.palette))
            line.append(" ")
        self._places = places
        return line

    def _key_at(self, x: int) -> FooterKey | None:
        return next((key for start, end, key in self._places if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Highlight the key under the pointer and show its tooltip."""
        key = self._key_at(event.x)
        if key is not self._hovered:
            self._hovered = key
            self.tooltip = (key.tooltip or None) if key is not None else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        """No key is highlighted once the pointer leaves."""
        if self._hovered is not None:
            self._hovered = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Clicking a key presses it (a disabled one rings the bell)."""
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
