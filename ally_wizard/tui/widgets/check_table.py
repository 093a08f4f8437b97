"""Rows of checks (status as symbol and word, what was checked, what to do), updated in place."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from ally_wizard.canvas.report import Check, CheckStatus


def status_cell(status: CheckStatus) -> Text:
    """The status as symbol and word, so colour is never the only signal."""
    return Text(status.label, style=_RICH_STYLES[status])


# Rich styles for cells (DataTable cells are Rich renderables): the words carry the meaning, colour helps.
_RICH_STYLES = {
    CheckStatus.PASS: "green",
    CheckStatus.FAIL: "bold red",
    CheckStatus.ERROR: "bold yellow",
    CheckStatus.WARN: "yellow",
    CheckStatus.PENDING: "dim",
    CheckStatus.SKIPPED: "dim",
}


def check_detail(check: Check, *, raw: bool = False) -> str:
    """A check in full, in plain words: its verdict, what it means or what to do, and Canvas's own answer.

    A passing row can rest on a refusal (the probe asks for a scope no key has, and Canvas's "invalid_scope"
    is the wanted answer), which reads like an error: so a pass shows Canvas's raw answer only on request.
    """
    text = f"{check.status.label}  {check.title}\n{check.message}"
    if not check.evidence.detail:
        return text
    code = f"HTTP {check.evidence.status}" if check.evidence.status is not None else "no HTTP status"
    if check.status is CheckStatus.PASS and not raw:
        return f"{text}\n(Canvas's raw answer: F5)"
    how = "Canvas answered as expected" if check.status is CheckStatus.PASS else "Canvas said"
    return f"{text}\n{how} ({code}): {check.evidence.detail}"


# The order of rows in a finished table: failures, then rows left without a verdict, then passes.
_ORDER = {
    CheckStatus.FAIL: 0,
    CheckStatus.ERROR: 1,
    CheckStatus.WARN: 2,
    CheckStatus.SKIPPED: 3,
    CheckStatus.PENDING: 4,
    CheckStatus.PASS: 5,
}


class CheckTable(DataTable[Text]):
    """One row per check id; `put` replaces a row's cells where it stands, so rows never jump."""

    DEFAULT_CSS = """
    CheckTable { height: auto; max-height: 24; }
    """

    class HighlightedCheckChanged(Message):
        """The check under the cursor got a new verdict (a pane that shows it in full should redraw)."""

        def __init__(self, check: Check) -> None:
            super().__init__()
            self.check = check

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.checks: dict[str, Check] = {}

    def on_mount(self) -> None:
        """The three columns."""
        self.add_column("Status", key="status", width=11)
        self.add_column("Check", key="title")
        self.add_column("What Canvas said / what to do", key="message")

    def put(self, check: Check) -> None:
        """Show this check's verdict, in its row if it has one already."""
        self.checks[check.id] = check
        message = check.message
        if check.evidence.status is not None and check.status in (CheckStatus.FAIL, CheckStatus.ERROR):
            message = f"{message} (HTTP {check.evidence.status})"
        if check.id in self.rows:
            self.update_cell(check.id, "status", status_cell(check.status))
            self.update_cell(check.id, "title", Text(check.title))
            self.update_cell(check.id, "message", Text(message), update_width=True)
            if self.row_count and self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value == check.id:
                self.post_message(self.HighlightedCheckChanged(check))
        else:
            # Text, not str: a DataTable parses str cells as markup, and these are Canvas's own words.
            self.add_row(status_cell(check.status), Text(check.title), Text(message), key=check.id)

    def show(self, checks: Iterable[Check]) -> None:
        """Replace every row: what failed first, then what could not be checked, then what passed.

        The rows of a finished check open on what needs doing, not on thirty passing scopes with the two
        failures below the fold. (While a check runs, `put` keeps each row where it stands.)
        """
        self.clear()
        self.checks = {}
        for check in sorted(checks, key=lambda check: _ORDER[check.status]):  # stable: Canvas's order within
            self.put(check)
        if self.row_count:
            self.move_cursor(row=0, scroll=True)
