"""Values the admin must carry out of the wizard: shown as plain terminal text, and copies that say if they can work.

The authorize address is about 2,350 characters: no box on screen can hold it whole, and a copy through
the terminal (OSC 52) is dropped silently by tmux's default settings and by many SSH set-ups. So the TUI can
step aside (`App.suspend()`): the value is printed as one plain line, which the terminal's own selection can
take whole (terminals join a wrapped line when copying), and Enter brings the wizard back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from textual import on
from textual.app import SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

if TYPE_CHECKING:
    from textual.app import App, ComposeResult

# Alternate screen on and off: a secret printed there leaves nothing in the terminal's scrollback.
ALT_ON = "\x1b[?1049h\x1b[H\x1b[2J"
ALT_OFF = "\x1b[?1049l"


def print_and_wait(
    title: str, text: str, *, secret: bool, out: TextIO | None = None, read: Callable[[], str] = input
) -> None:
    """Print `text` for the terminal's own selection and wait for Enter.

    A secret goes on the alternate screen (gone from the terminal once Enter is pressed); anything else on
    the normal screen, where a long value can be scrolled back to.
    """
    stream = out if out is not None else sys.stdout
    if secret:
        stream.write(ALT_ON)
    stream.write(f"\n{title}\n\n{text}\n\n")
    stream.write("Select it with the mouse (in tmux: hold Shift, or use copy mode), copy it, then press Enter ")
    stream.write("to go back to the wizard.\n")
    stream.flush()
    try:
        read()
    except EOFError:
        pass
    finally:
        if secret:
            stream.write(ALT_OFF)
            stream.flush()


def show_as_plain_text(app: App[Any], title: str, text: str, *, secret: bool = False) -> None:
    """Suspend the TUI and print `text`; where it cannot be suspended (a browser tab), show it selectable."""
    try:
        with app.suspend():
            print_and_wait(title, text, secret=secret)
    except SuspendNotSupported:
        app.push_screen(PlainTextScreen(title, text))


class PlainTextScreen(ModalScreen[None]):
    """The value in a read-only text area, to select and copy where the TUI cannot step aside."""

    DEFAULT_CSS = """
    PlainTextScreen { align: center middle; }
    PlainTextScreen > Vertical { width: 90%; height: auto; max-height: 90%; border: thick $accent;
        background: $surface; padding: 0 1; }
    PlainTextScreen TextArea { height: auto; max-height: 16; }
    PlainTextScreen Horizontal { height: 1; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        """Title, the text, Close."""
        with Vertical():
            yield Static(self.title_text, markup=False, classes="section-title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="plain-text")
            with Horizontal():
                yield Button("Close (Esc)", id="close", variant="primary", compact=True)

    def on_mount(self) -> None:
        """Select everything, so a copy takes the whole value."""
        area = self.query_one(TextArea)
        area.focus()
        area.select_all()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        """Back to the step."""
        self.dismiss(None)


def tmux_clipboard_setting(env: Mapping[str, str] | None = None) -> str | None:
    """tmux's `set-clipboard` option when running inside tmux ("on", "external", "off"), else None."""
    environ = os.environ if env is None else env
    if not environ.get("TMUX") or shutil.which("tmux") is None:
        return None
    try:
        done = subprocess.run(
            ["tmux", "show-options", "-sv", "set-clipboard"], capture_output=True, text=True, timeout=2, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def copy_advice(*, web: bool, env: Mapping[str, str] | None = None, tmux_setting: str | None = None) -> str:
    """What to tell the admin after a copy through the terminal (OSC 52): whether it can have worked."""
    environ = os.environ if env is None else env
    plain = "If it does not paste, use Plain text (it prints the value for your terminal's own selection)."
    if web:
        return "Copied to this browser's clipboard."
    if environ.get("TMUX"):
        setting = tmux_setting if tmux_setting is not None else tmux_clipboard_setting(environ)
        if setting != "on":
            return (
                f"tmux drops this copy (its set-clipboard is {setting or 'unknown'}): add "
                "'set -g set-clipboard on' to ~/.tmux.conf and reload it, or use Plain text, which prints "
                "the value for your terminal's own selection."
            )
        return "Sent through tmux (set-clipboard on) to your terminal's clipboard. " + plain
    if environ.get("STY"):
        return "GNU screen does not pass copies on to your terminal: use Plain text instead."
    if environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"):
        return "Sent over SSH to your terminal's clipboard (OSC 52), if your terminal accepts it. " + plain
    return "Sent to your terminal's clipboard (OSC 52), if your terminal accepts it. " + plain
