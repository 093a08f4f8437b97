"""A finished check table opens on what needs doing: failures first, then unchecked rows, then passes."""

from __future__ import annotations

from textual.app import App, ComposeResult

from ally_wizard.canvas.report import CheckStatus
from ally_wizard.tui.widgets.check_table import CheckTable

from .helpers import sample_report

MISSING = ("url:GET|/api/v1/courses/:course_id/quizzes", "url:GET|/api/v1/accounts")


class TableApp(App[None]):
    """Just the table."""

    def compose(self) -> ComposeResult:
        yield CheckTable(id="checks")


async def test_failures_come_first_in_the_order_canvas_gave_them_and_the_cursor_starts_on_them() -> None:
    report = sample_report(missing=MISSING)
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(CheckTable)
        table.show(report.checks)
        await pilot.pause()
        keys = [str(row.key.value) for row in table.ordered_rows]
        failed = [check.id for check in report.checks if check.status is CheckStatus.FAIL]
        assert keys[: len(failed)] == failed
        assert len(failed) == 2
        assert table.cursor_row == 0
        assert keys[len(failed) :] == [c.id for c in report.checks if c.status is not CheckStatus.FAIL]
