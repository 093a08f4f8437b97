"""The wizard's App: holds the session, moves between step screens, and owns app-wide keys.

Kept thin on purpose: each step's behaviour lives in its screen (`screens/`), the rules of saving in
`session.py`, and the step list in `steps.py`.
"""

from __future__ import annotations

import os
import sys
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive

from ally_wizard.store import ProfileError, ProfileNotFound, ProfileStore
from ally_wizard.tui.session import WizardSession
from ally_wizard.tui.steps import STEPS, TOTAL_STEPS, make_screen, number_of

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.dom import DOMNode
    from textual.notifications import SeverityLevel
    from textual.screen import Screen

    from ally_wizard.recipe import Recipe


# The palette's actions of the current screen: (name, help, action), offered when the screen has the action.
SCREEN_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Check now", "Run the checks that need no sign-in and update every row", "check_now"),
    ("Cancel the running check", "Stop it; a token already obtained is still revoked", "cancel_check"),
    ("Copy the redirect URI", "Copy it to paste into the Redirect URIs field", "copy_redirect"),
    ("Copy the authorize URL", "Copy it to open in a browser where you are signed in to Canvas", "copy_authorize"),
    ("Open the authorize URL", "Open it in the browser", "open_authorize"),
    ("Copy the key ID", "Copy the developer key ID for Ally", "copy_key_id"),
    ("Copy the secret", "Copy the key secret (held in memory only)", "copy_secret"),
    ("Export the summary", "Write a Markdown summary without the secret", "export_summary"),
    ("Go to the fix", "Go to the step that fixes the first failed check", "go_fix"),
    ("Undo the last field edit", "Put back the value a field held before it was changed", "undo"),
)


class DemoContext(Protocol):
    """What the wizard needs from a training session: the text of the marker shown on every screen."""

    @property
    def marker(self) -> str:
        """Such as "DEMO" or "DEMO · missing-scopes"."""
        ...


class WizardApp(App[None]):
    """The Ally developer-key wizard: seven steps, one screen each, saved as it goes."""

    CSS_PATH = "app.tcss"
    TITLE = "Ally developer key wizard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        # Everything is saved as it is typed, so Ctrl+C can simply quit too.
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("f1", "help", "Help"),
        # `?` too, but only where no text field has the focus: a focused Input takes every printable key as text.
        Binding("question_mark", "help", "Help", show=False),
        Binding("f2", "toggle_presenter", "Presenter", tooltip="Mask secrets, key IDs and home paths"),
    ]

    presenter: reactive[bool] = reactive(False)
    """True while secrets, tokens, key IDs and home paths are masked (projectors, screen sharing)."""

    def __init__(
        self,
        store: ProfileStore,
        profile_name: str | None = None,
        *,
        presenter: bool = False,
        demo: DemoContext | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.session = WizardSession(store)
        self.initial_profile = profile_name
        self.demo = demo
        self.opened_urls: list[str] = []
        self.set_reactive(WizardApp.presenter, presenter)

    def _fatal_error(self) -> None:
        """Show an unexpected crash without the local variables Textual would print beside it.

        Textual's crash report lists every frame's locals, and those can hold the key secret the admin
        pasted, a token or a one-use code. The secret must never reach the screen or a log, so the
        traceback is shown with its frames and message only. (Overrides a private hook: Textual offers
        no public way to turn locals off.)
        """
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    @cached_property
    def recipe(self) -> Recipe:
        """The Ally recipe, read when a screen first needs it (the start screen's first frame does not)."""
        from ally_wizard.recipe import default_recipe

        return default_recipe()

    def update_styles(self, node: DOMNode, animate: bool = True) -> None:
        """Restyle a node whose classes changed, unless it is not mounted yet: it is styled when mounted.

        Textual restyles at once every widget that sets a class in its constructor (each `Button` three
        times), before it is part of any screen, and styles it again when mounted.
        """
        if node is self or node.is_attached:
            super().update_styles(node, animate)

    @property
    def demo_marker(self) -> str | None:
        """The marker every screen shows in a training session, or None outside one."""
        return None if self.demo is None else self.demo.marker

    def on_unmount(self) -> None:
        """Quitting closes the profile: nothing of it stays behind but the profile itself."""
        self.session.close()

    def get_default_screen(self) -> Screen[None]:
        """The start screen is the bottom of the stack; a step screen sits on it, replaced step by step."""
        return make_screen(1)

    def on_mount(self) -> None:
        """Open the named profile, if one was given, at its first unfinished step."""
        if self.initial_profile:
            self.open_profile(self.initial_profile, create_missing=True)

    def _load(self, name: str, *, create_missing: bool) -> bool:
        """Open or create a profile; a problem becomes a notice rather than an exception."""
        try:
            self.session.open(name)
        except ProfileNotFound:
            if not create_missing:
                self._notice(f"There is no profile named {name!r}.", "error")
                return False
            try:
                self.session.create(name, self.recipe.version)
            except (ProfileError, ValueError, OSError) as exc:
                self._notice(f"Cannot create the profile: {exc}", "error")
                return False
            self._notice(f"Started a new setup named {name!r}.", "information")
        except (ProfileError, ValueError) as exc:
            self._notice(f"Cannot open the profile: {exc}", "error")
            return False
        return True

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is literal text: messages carry profile names, paths and Canvas's words.

        Textual reads a notification as markup by default, so "[ClientId]" in a message would vanish;
        `markup` is accepted for Textual's callers (`Widget.notify` passes it) and ignored.
        """
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _notice(self, message: str, severity: SeverityLevel) -> None:
        self.notify(message, severity=severity, timeout=15)

    def open_profile(self, name: str, *, create_missing: bool = False) -> bool:
        """Open a profile at its first unfinished step; report (not raise) a profile that cannot be used."""
        if not self._load(name, create_missing=create_missing):
            return False
        self.go_to(number_of(self.session.require().first_unfinished))
        return True

    def go_to(self, number: int) -> None:
        """Show step `number` (1 to 7): the start screen, or a step screen in place of the current one."""
        number = max(1, min(TOTAL_STEPS, number))
        if number > 1 and self.session.profile is None:
            self.notify("Open or start a setup first.", severity="warning")
            number = 1
        if number == 1:
            self.session.close()
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        screen = make_screen(number)
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def save_profile(self) -> bool:
        """Save the open profile now; a conflict or write error becomes a readable notification."""
        problem = self.session.save()
        if problem:
            self.notify(problem, title="Not saved", severity="error", timeout=20)
            return False
        return True

    def copy_text(self, text: str, what: str) -> None:
        """Copy through the terminal (OSC 52) and say whether that can have worked here (tmux, SSH...)."""
        from ally_wizard.tui.plain_text import copy_advice

        self.copy_to_clipboard(text)
        self.notify(f"Copied the {what}. {copy_advice(web=self.is_web)}", title="Copied", timeout=12)

    def show_plain_text(self, title: str, text: str, *, secret: bool = False) -> None:
        """Step the TUI aside and print `text` for the terminal's own selection (Enter comes back)."""
        from ally_wizard.tui.plain_text import show_as_plain_text

        show_as_plain_text(self, title, text, secret=secret)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """The one way the wizard opens a browser; the URL is always shown on screen as well.

        Over SSH there is no browser to open, and a text-mode browser would take over this terminal,
        so on Linux without a display nothing is launched.
        """
        self.opened_urls.append(url)
        if self.is_headless:
            return
        if self.is_web:  # textual-serve: the browser tab the wizard runs in opens it.
            super().open_url(url, new_tab=new_tab)
            return
        has_display = sys.platform in ("darwin", "win32") or bool(
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        )
        if not has_display:
            self.notify("No browser can be opened from here: copy the address shown into a browser.")
            return
        import webbrowser

        self.run_worker(lambda: webbrowser.open(url, new=2 if new_tab else 0), thread=True, group="browser")

    def action_help(self) -> None:
        """Help for the current step: why it exists and what commonly goes wrong."""
        from ally_wizard.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        key = getattr(self.screen, "STEP_KEY", "start")
        self.push_screen(HelpScreen(str(key)))

    def action_toggle_presenter(self) -> None:
        """Mask or unmask secrets, key IDs and home paths on every screen."""
        self.presenter = not self.presenter
        self.notify(
            "Presenter mode on: secrets, key IDs and home paths are masked."
            if self.presenter
            else "Presenter mode off."
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette (Ctrl+P): Textual's own commands, every step, and what the current screen can do."""
        yield from super().get_system_commands(screen)
        if self.session.profile is not None:
            for info in STEPS:
                yield SystemCommand(
                    f"Go to step {info.number}: {info.title}", "Open this step", partial(self.go_to, info.number)
                )
        else:
            yield SystemCommand("Go to step 1: Start", "Choose or start a setup", partial(self.go_to, 1))
        for name, help_text, action in SCREEN_ACTIONS:
            method = getattr(screen, f"action_{action}", None)
            if method is None or (action == "cancel_check" and not self._check_running(screen)):
                continue
            yield SystemCommand(name, help_text, method)
        yield SystemCommand("Help for this step", "Why this step exists and what commonly goes wrong", self.action_help)
        yield SystemCommand(
            "Toggle presenter mode", "Mask secrets, key IDs and home paths", self.action_toggle_presenter
        )

    def _check_running(self, screen: Screen[Any]) -> bool:
        """Whether the screen has a check under way (the palette offers Cancel only then)."""
        return any(worker.node is screen and worker.is_running and worker.group != "browser" for worker in self.workers)
