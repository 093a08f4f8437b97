"""The step indicator at the top of every screen: "Step n of 7", done steps marked, DEMO marker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ally_wizard.tui.steps import STEPS, TOTAL_STEPS, is_done, step

if TYPE_CHECKING:
    from ally_wizard.tui.app import WizardApp


# Gaps are unstyled runs of their own, and every styled run starts with a glyph: an SVG export writes each
# styled run as one <text> at its own column, and some renderers (rsvg) drop a run's leading spaces, which
# ran "·7" and "6/7 done" together. An unstyled gap is only background, so nothing can drop it.
GAP = "   "


class StepBar(Widget):
    """Where the admin is, which steps are done (✓), and whether this is a demo or presenter mode.

    Wide terminals get every step's short name; at 80 columns the other steps shrink to their number.
    """

    DEFAULT_CSS = """
    StepBar { height: 2; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    presenter: reactive[bool] = reactive(False)
    """Mirrors the app's presenter mode (watched, so the bar redraws itself when it changes)."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number

    def on_mount(self) -> None:
        """Follow the app's presenter mode."""
        self.watch(self.app, "presenter", self._presenter_changed)

    def _presenter_changed(self, presenter: bool) -> None:
        self.presenter = presenter

    def render(self) -> Text:
        """Two lines: the current step in words, then every step with its mark."""
        app: WizardApp = self.app  # type: ignore[assignment]
        profile = app.session.profile
        info = step(self.number)
        first = Text()
        marker = app.demo_marker
        if marker:
            first.append(" ", style="reverse")
            first.append(marker, style="bold reverse")
            first.append(" ", style="reverse")
            first.append(" ")
        if self.presenter:
            # Before the title, so an 80-column terminal still shows it (the end of the line is cut there).
            first.append("◐ presenter", style="bold italic")
            first.append(" ")
        first.append(f"Step {self.number} of {TOTAL_STEPS}: ", style="bold")
        first.append(info.title, style="bold")
        if profile is not None:
            first.append(GAP)
            first.append(f"profile {profile.name}", style="dim")
        wide = self.size.width >= 110
        second = Text()
        for item in STEPS:
            done = is_done(item, profile)
            current = item.number == self.number
            mark = "▶" if current else ("✓" if done else "·")
            label = f"{mark}{item.number} {item.short}" if (wide or current) else f"{mark}{item.number}"
            style = "bold reverse" if current else ("not dim" if done else "dim")  # never the gaps' (empty) style
            second.append(label, style=style)
            if item.number < TOTAL_STEPS:
                second.append("  ")
        done_count = sum(1 for item in STEPS if is_done(item, profile))
        second.append(GAP)
        second.append(f"{done_count}/{TOTAL_STEPS} done", style="dim")
        return first + Text("\n") + second
