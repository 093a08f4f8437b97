"""Step 4: the 31 scopes by section, ticked by keyboard, and "check now" asking Canvas what the key holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker

from ally_wizard.canvas.report import Check, CheckStatus
from ally_wizard.canvas.target import KeyTarget
from ally_wizard.profile import ScopeStatus, StepId, scope_status_after
from ally_wizard.tui.checks import NotReady, apply_scope_checks, key_target
from ally_wizard.tui.screens.base import WIDE_BREAKPOINTS, StepScreen
from ally_wizard.tui.widgets.check_table import CheckTable
from ally_wizard.tui.widgets.step_bar import GAP

if TYPE_CHECKING:
    from textual.app import ComposeResult

SECTION_PREFIX = "§"
_SCOPE_STYLES = {
    ScopeStatus.TODO: "dim",
    ScopeStatus.TICKED: "",
    ScopeStatus.ON_KEY: "green",
    ScopeStatus.MISSING: "bold red",
    ScopeStatus.VERIFIED: "bold green",
    ScopeStatus.UNKNOWN: "bold yellow",
}


# The table's words are short so the scope strings keep the room at 80 columns; the line under the table
# gives the highlighted row's status in full.
_SHORT_LABELS = {
    ScopeStatus.TODO: "○ to do",
    ScopeStatus.TICKED: "☑ ticked",
    ScopeStatus.ON_KEY: "✓ on key",
    ScopeStatus.MISSING: "✗ missing",
    ScopeStatus.VERIFIED: "✓ verified",
    ScopeStatus.UNKNOWN: "! unknown",
}
STATUS_WIDTH = max(len(label) for label in _SHORT_LABELS.values())


def scope_cell(status: ScopeStatus) -> Text:
    """A scope's status as symbol and short word (colour only helps)."""
    return Text(_SHORT_LABELS[status], style=_SCOPE_STYLES[status])


# The status filter (s): all rows, then each group in turn. "Verified" is whatever Canvas confirmed.
STATUS_FILTERS: tuple[tuple[str, frozenset[ScopeStatus]], ...] = (
    ("all", frozenset(ScopeStatus)),
    ("✗ missing", frozenset({ScopeStatus.MISSING})),
    ("○ not checked", frozenset({ScopeStatus.TODO, ScopeStatus.TICKED, ScopeStatus.UNKNOWN})),
    ("✓ verified", frozenset({ScopeStatus.ON_KEY, ScopeStatus.VERIFIED})),
)


class ScopesChecked(Message):
    """The check without sign-in finished: every row's verdict (posted by the worker)."""

    def __init__(self, checks: list[Check]) -> None:
        super().__init__()
        self.checks = checks


class ScopesScreen(StepScreen):
    """Tick the scopes in Canvas's key editor and here; "check now" confirms them with Canvas."""

    HORIZONTAL_BREAKPOINTS = WIDE_BREAKPOINTS
    CSS_PATH = "scopes.tcss"
    STEP_NUMBER = 4
    STEP_KEY = "scopes"
    STEP_ID = StepId.SCOPES
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", "Tick"),
        # Not in the footer (no room at 80 columns): the help and the line under the table name it.
        Binding("c", "copy_scope", "Copy", show=False),
        Binding("a", "tick_shown", "Tick shown", show=False),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("s", "cycle_status", "Status"),
        Binding("ctrl+r", "check_now", "Check"),
        Binding("escape", "cancel_check", "Cancel check", show=False),
    ]

    status_filter: reactive[int] = reactive(0)
    """Index into STATUS_FILTERS: which statuses the table shows (s cycles)."""

    def compose_body(self) -> ComposeResult:
        """Progress, filter, the scope table, and the key-level rows of the last check."""
        yield Static("", id="progress", markup=False)
        yield Input(
            placeholder="Filter by section or text (/ to focus, Esc to go back to the list)", id="filter", compact=True
        )
        with Container(id="scope-area"):
            with Vertical(id="scope-list"):
                table: DataTable[Text | str] = DataTable(id="scopes", cursor_type="row")
                yield table
                # The highlighted scope in full (long strings are cut in the table), selectable with the mouse.
                yield Static("", id="scope-full", markup=False)
            with Vertical(id="check-side"):
                yield Static("", id="check-status", markup=False)
                yield CheckTable(id="key-checks")

    def on_mount(self) -> None:
        """Fill the table from the profile."""
        super().on_mount()
        table = self.query_one("#scopes", DataTable)
        table.add_column(Text("Status"), key="status", width=STATUS_WIDTH)
        table.add_column(Text("Scope (as in Canvas's key editor)"), key="scope")
        self.query_one("#key-checks", CheckTable).display = False
        self.query_one("#check-side").display = False  # shown once a check has something to say
        self.fill()
        table.focus()

    def fill(self) -> None:
        """Rebuild the rows that match the filter, grouped by section."""
        table = self.query_one("#scopes", DataTable)
        needle = self.query_one("#filter", Input).value.strip().lower()
        profile = self.profile
        keep = None
        if table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        _, shown_statuses = STATUS_FILTERS[self.status_filter]
        for section in self.wizard.recipe.sections:
            scopes = [
                scope
                for scope in section.scopes
                if profile.scope_status(scope.string) in shown_statuses
                and (not needle or needle in self._searchable(section.name, scope.string))
            ]
            if not scopes:
                continue
            table.add_row(
                Text(""),
                Text(f"{section.name} ({len(section.scopes)})", style="bold underline"),
                key=f"{SECTION_PREFIX}{section.name}",
            )
            for scope in scopes:
                table.add_row(scope_cell(profile.scope_status(scope.string)), Text(scope.string), key=scope.string)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        self.update_progress()

    def _searchable(self, section: str, scope: str) -> str:
        """What the text filter matches: the section, the scope string and its status in words ("missing")."""
        status = self.profile.scope_status(scope)
        return f"{section}\n{scope}\n{status.label}\n{_SHORT_LABELS[status]}".lower()

    def action_cycle_status(self) -> None:
        """Show only missing scopes, then only those not checked, then only verified ones, then all again."""
        self.status_filter = (self.status_filter + 1) % len(STATUS_FILTERS)

    def watch_status_filter(self) -> None:
        """Refill the table for the new status filter."""
        if self.is_mounted:
            self.fill()

    def update_progress(self) -> None:
        """n/31 ticked or confirmed, and how many Canvas confirmed or reported missing."""
        profile = self.profile
        scopes = self.wizard.recipe.scope_strings
        statuses = [profile.scope_status(s) for s in scopes]
        done = sum(1 for s in statuses if s is not ScopeStatus.TODO and s is not ScopeStatus.MISSING)
        confirmed = sum(1 for s in statuses if s.confirmed)
        missing = sum(1 for s in statuses if s is ScopeStatus.MISSING)
        unknown = sum(1 for s in statuses if s is ScopeStatus.UNKNOWN)
        text = Text()
        text.append(f"Progress {done}/{len(scopes)}", style="bold")
        # Gaps unstyled and apart (see StepBar): SVG renderers drop a styled run's leading spaces.
        text.append(GAP)
        text.append(f"✓ confirmed by Canvas {confirmed}/{len(scopes)}", style="not dim")
        if missing:
            text.append(GAP)
            text.append(f"✗ missing {missing}", style="bold red")
        if unknown:
            text.append(GAP)
            text.append(f"! could not check {unknown}", style="yellow")
        if self.status_filter:
            text.append(GAP)
            text.append(f"showing {STATUS_FILTERS[self.status_filter][0]} (s: next)", style="bold reverse")
        self.query_one("#progress", Static).update(text)

    def _set_row(self, scope: str, status: ScopeStatus) -> None:
        table = self.query_one("#scopes", DataTable)
        if scope in table.rows:
            table.update_cell(scope, "status", scope_cell(status))
        if scope == self._current_key():
            self._show_full(scope)

    def _show_full(self, key: str | None) -> None:
        """The highlighted row's scope string and status in full, under the table."""
        full = self.query_one("#scope-full", Static)
        if key is None or key.startswith(SECTION_PREFIX):
            full.update("Space on a section title ticks the whole section." if key else "")
            return
        full.update(f"{key}   {self.profile.scope_status(key).label}")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Follow the cursor with the full scope string."""
        if event.data_table.id == "scopes":
            self._show_full(None if event.row_key.value is None else str(event.row_key.value))

    def _current_key(self) -> str | None:
        table = self.query_one("#scopes", DataTable)
        if table.row_count == 0:
            return None
        value = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if value is None else str(value)

    def _section_scopes(self, key: str) -> list[str]:
        name = key[len(SECTION_PREFIX) :]
        for section in self.wizard.recipe.sections:
            if section.name == name:
                return [scope.string for scope in section.scopes]
        return []

    def action_tick(self) -> None:
        """Tick or untick the scope under the cursor (on a section title: the whole section)."""
        key = self._current_key()
        if key is None:
            return
        profile = self.profile
        if key.startswith(SECTION_PREFIX):
            scopes = self._section_scopes(key)
            untick = all(profile.scope_status(s) is not ScopeStatus.TODO for s in scopes)
            for scope in scopes:
                status = (
                    ScopeStatus.TODO
                    if untick
                    else (profile.scope_status(scope) if profile.scope_status(scope).confirmed else ScopeStatus.TICKED)
                )
                profile.scopes[scope] = status
                self._set_row(scope, status)
        else:
            current = profile.scope_status(key)
            status = (
                ScopeStatus.TICKED
                if current in (ScopeStatus.TODO, ScopeStatus.MISSING, ScopeStatus.UNKNOWN)
                else ScopeStatus.TODO
            )
            profile.scopes[key] = status
            self._set_row(key, status)
            table = self.query_one("#scopes", DataTable)
            table.action_cursor_down()
        self.update_progress()
        self.save()

    def action_tick_shown(self) -> None:
        """Tick every scope the filter shows."""
        table = self.query_one("#scopes", DataTable)
        profile = self.profile
        for row_key in list(table.rows):
            key = str(row_key.value)
            if key.startswith(SECTION_PREFIX) or profile.scope_status(key).confirmed:
                continue
            profile.scopes[key] = ScopeStatus.TICKED
            self._set_row(key, ScopeStatus.TICKED)
        self.update_progress()
        self.save()

    def action_copy_scope(self) -> None:
        """Copy the scope string under the cursor, to search for it in Canvas's key editor."""
        key = self._current_key()
        if key is None or key.startswith(SECTION_PREFIX):
            self.notify("Move to a scope row to copy its string.", severity="warning")
            return
        self.wizard.copy_text(key, "scope string")

    def action_filter(self) -> None:
        """Focus the filter field."""
        self.query_one("#filter", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as typed."""
        if event.input.id == "filter":
            self.fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter goes back to the list."""
        if event.input.id == "filter":
            self.query_one("#scopes", DataTable).focus()

    # -- check now --------------------------------------------------------------------------------------

    def action_check_now(self) -> None:
        """Ask Canvas, with no sign-in, which scopes are on the key; rows update as answers come."""
        try:
            target = key_target(self.profile, self.wizard.recipe)
        except NotReady as exc:
            self._status(f"✗ {exc}", "inline-error")
            self.notify(str(exc), title="Cannot check yet", severity="warning")
            return
        table = self.query_one("#key-checks", CheckTable)
        table.display = True
        self._status("… Checking with Canvas (Esc cancels)", "hint")
        self.check_worker(target)

    @work(exclusive=True, group="preflight", exit_on_error=False)
    async def check_worker(self, target: KeyTarget) -> None:
        """The core check flow without login (address resolved first); each verdict goes to `_on_check`,
        the whole result to `ScopesChecked`. Cancelled or failed, the rows that arrived are saved."""
        from ally_wizard.canvas.flow import CheckFinished, CheckFlow, FlowEvent, NoQuestions
        from ally_wizard.canvas.preflight import planned_preflight

        key_rows = self.query_one("#key-checks", CheckTable)
        key_rows.show(check for check in planned_preflight(target) if check.scope is None)

        def on_event(event: FlowEvent) -> None:
            if isinstance(event, CheckFinished):
                self._on_check(event.check)

        try:
            run = await CheckFlow(target, NoQuestions(), on_event, login=False).run()
        finally:
            self.save()
        self.post_message(ScopesChecked(run.preflight))

    def _on_check(self, check: Check) -> None:
        if check.scope is None:
            self.query_one("#key-checks", CheckTable).put(check)
            return
        status = scope_status_after(check, live=False, previous=self.profile.scope_status(check.scope))
        if status is not None:
            self.profile.scopes[check.scope] = status
            self._set_row(check.scope, status)
            self.update_progress()

    def action_cancel_check(self) -> None:
        """Stop a running check (the preflight holds no token, so nothing needs revoking)."""
        if self.query_one("#filter", Input).has_focus:
            self.query_one("#scopes", DataTable).focus()
            return
        cancelled = self.workers.cancel_group(self, "preflight")
        if cancelled:
            self._status("Check cancelled; rows keep the answers that had arrived.", "inline-warning")

    @on(ScopesChecked)
    def _checked(self, event: ScopesChecked) -> None:
        """Save what the check found, and say how it went."""
        checks = event.checks
        apply_scope_checks(self.profile, checks, live=False)
        self.fill()
        self.save()
        on_key = sum(1 for c in checks if c.scope and c.status is CheckStatus.PASS)
        missing = sum(1 for c in checks if c.scope and c.status is CheckStatus.FAIL)
        failed = [c for c in checks if c.scope is None and c.status is not CheckStatus.PASS]
        summary = f"Checked: {on_key} on the key, {missing} missing."
        if failed:
            summary += f" Key: {failed[0].status.label} {failed[0].title}: {failed[0].message}"
        if missing:
            summary += " (s shows only the missing ones)"
        self._status(summary, "inline-error" if missing or failed else "inline-ok")

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        """Put the failure under the table as well as in a notification."""
        super().worker_failed(worker, message)
        self._status(f"! {message}", "inline-warning")

    def _status(self, text: str, css_class: str) -> None:
        self.query_one("#check-side").display = True
        status = self.query_one("#check-status", Static)
        status.update(text)
        status.set_classes(css_class)

    def validate_step(self) -> bool:
        """Unticked scopes only earn a reminder; the live check on step 6 is the real test."""
        todo = sum(
            1
            for s in self.wizard.recipe.scope_strings
            if self.profile.scope_status(s) in (ScopeStatus.TODO, ScopeStatus.MISSING)
        )
        if todo:
            self.notify(
                f"{todo} scope(s) are not ticked yet; step 6 will show any that are missing.", severity="warning"
            )
        return True
