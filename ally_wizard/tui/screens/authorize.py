"""Step 6: check the key the way Ally will use it, with one authorization in the browser.

First the preflight (no sign-in) fills the rows; if nothing blocks an authorization, the authorize URL is
shown and opened; the admin pastes the address the browser lands on; then the exchange, the include check,
the scope probes and the revoke update their rows as each answer comes. The token is always revoked,
also when the admin cancels (the engine shields the revoke from the cancellation).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from ally_wizard.canvas.report import Check, CheckStatus, Report
from ally_wizard.canvas.target import KeyTarget
from ally_wizard.profile import StepId, StepState
from ally_wizard.redact import mask_key_id
from ally_wizard.tui.checks import NotReady, apply_scope_checks, fix_step, key_target
from ally_wizard.tui.screens.base import WIDE_BREAKPOINTS, StepScreen
from ally_wizard.tui.steps import number_of, step
from ally_wizard.tui.widgets.check_table import CheckTable
from ally_wizard.tui.widgets.copy_row import CopyRow

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ally_wizard.canvas.verify import LiveResult, PendingAuthorization

GROUP = "verify"
PROBLEMS_SHOWN = 8


class AuthorizeScreen(StepScreen):
    """The live authorization and every check, row by row, with the fix for each failure."""

    HORIZONTAL_BREAKPOINTS = WIDE_BREAKPOINTS
    CSS_PATH = "authorize.tcss"
    STEP_NUMBER = 6
    STEP_KEY = "authorize"
    STEP_ID = StepId.AUTHORIZE
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "check_now", "Check"),
        Binding("escape", "cancel_check", "Cancel"),
        Binding("ctrl+y", "copy_authorize", "Copy URL"),
        Binding("ctrl+o", "open_authorize", "Open URL"),
        Binding("ctrl+g", "go_fix", "Fix"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.target: KeyTarget | None = None
        self.preflight: list[Check] = []
        self.pending: PendingAuthorization | None = None
        self.started_at: dt.datetime | None = None
        self.failed: list[Check] = []

    def compose_body(self) -> ComposeResult:
        """What is checked, where the run stands, the authorize box, the rows and the fixes."""
        yield Static("", id="target", markup=False)
        yield Static("", id="phase", markup=False)
        with Horizontal(id="actions"):
            yield Button("Start the check (ctrl+r)", id="start", variant="primary", compact=True)
            yield Horizontal(id="fixes")
        with Vertical(id="secret-box"):
            yield Label("The secret (held in memory only; from Show Key in Canvas)", markup=False)
            yield Input(password=True, id="secret", placeholder="paste the secret", compact=True)
        with Vertical(id="authorize-box"):
            yield Static(
                "1. Open this address in a browser where you are signed in to Canvas as an admin, "
                "and select Authorize:",
                classes="section-title",
                markup=False,
            )
            yield CopyRow("", "Copy (ctrl+y)", "copy-authorize", id="authorize-row")
            yield Button("Open in browser (ctrl+o)", id="open-authorize", compact=True)
            yield Static(
                "2. Paste the whole address the browser shows afterwards (it contains code=), then Enter:",
                classes="section-title",
                markup=False,
            )
            # It carries the one-use code: masked like the secret while presenting.
            yield Input(
                placeholder="https://canvas.school.edu/login/oauth2/auth?code=…",
                id="pasted",
                compact=True,
                password=self.wizard.presenter,
            )
            yield Static("", id="paste-error", classes="inline-error", markup=False)
        with Container(id="results"):
            with Vertical(id="results-side"):
                yield Static("", id="problems", markup=False)
                yield Static("", id="detail", classes="hint", markup=False)
            yield CheckTable(id="checks")

    def on_mount(self) -> None:
        """Show the target and the last report, if there is one."""
        super().on_mount()
        self.query_one("#authorize-box").display = False
        self.query_one("#secret-box").display = not self.wizard.session.secret
        self._show_target()
        report = self.profile.last_verification
        table = self.query_one("#checks", CheckTable)
        if report is not None:
            table.show(report.checks)
            self._show_result(report, saved=True)
        else:
            table.display = False
            self._phase(
                "Start the check: first what Canvas shows without signing in, then one authorization in "
                "your browser. Nothing in Canvas is changed; the test token is revoked at the end.",
                "hint",
            )
        self.query_one("#start", Button).focus()

    # -- display -----------------------------------------------------------------------------------------

    def _key_id_shown(self, key_id: str) -> str:
        return mask_key_id(key_id) if self.wizard.presenter and key_id else key_id

    def _show_target(self) -> None:
        profile = self.profile
        try:
            target = key_target(profile, self.wizard.recipe)
        except NotReady as exc:
            self.query_one("#target", Static).update(f"✗ {exc}")
            self.query_one("#target", Static).set_classes("inline-error")
            return
        host = target.canvas_url.removeprefix("https://")
        self.query_one("#target", Static).update(
            f"Canvas {host}   key ID {self._key_id_shown(target.key_id)}\nRedirect URI {target.redirect_uri}"
        )
        self.query_one("#target", Static).set_classes("")

    def _authorize_shown(self) -> str:
        if self.pending is None:
            return ""
        url = self.pending.authorize_url
        if self.wizard.presenter and self.target is not None:
            url = url.replace(self.target.key_id, mask_key_id(self.target.key_id))
        return url

    def presenter_changed(self) -> None:
        """Mask the key ID in the target line and in the authorize URL, and the pasted address."""
        super().presenter_changed()
        self.query_one("#pasted", Input).password = self.wizard.presenter
        self._show_target()
        self.query_one("#authorize-row", CopyRow).show(self._authorize_shown())

    def _phase(self, text: str, css_class: str) -> None:
        phase = self.query_one("#phase", Static)
        phase.update(text)
        phase.set_classes(css_class)
        self.refresh_bindings()

    @property
    def running(self) -> bool:
        """True while a check of this screen is under way."""
        return any(w.node is self and w.group == GROUP and not w.is_finished for w in self.workers)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer in the footer only the keys that do something now."""
        if action in ("copy_authorize", "open_authorize"):
            return self.pending is not None
        if action == "go_fix":
            return bool(self.failed)
        if action == "cancel_check":
            return self.running
        return True

    def _show_fixes(self, checks: list[Check]) -> None:
        """One button per step that fixes a failed row (in step order), or Check again."""
        self.failed = [c for c in checks if c.status in (CheckStatus.FAIL, CheckStatus.ERROR)]
        self.refresh_bindings()
        self._show_problems()
        steps: list[StepId] = []
        for check in self.failed:
            fix = fix_step(check)
            if fix is not None and fix not in steps:
                steps.append(fix)
        steps.sort(key=number_of)
        self._fix_buttons([number_of(fix) for fix in steps])

    def _show_problems(self) -> None:
        """Each failed row with the fix Canvas's answer calls for (the table is too narrow for it)."""
        lines = []
        for check in self.failed[:PROBLEMS_SHOWN]:
            fix = fix_step(check)
            where = f" [step {number_of(fix)}]" if fix is not None else ""
            what = "" if check.scope is not None else f"{check.title}: "
            lines.append(f"{check.status.label}  {what}{check.message}{where}")
        if len(self.failed) > PROBLEMS_SHOWN:
            lines.append(f"… and {len(self.failed) - PROBLEMS_SHOWN} more: see the rows below.")
        problems = self.query_one("#problems", Static)
        problems.update("\n".join(lines))
        problems.display = bool(lines)

    def on_data_table_row_highlighted(self, event: CheckTable.RowHighlighted) -> None:
        """The highlighted row's full message and Canvas's own words, under the table."""
        table = self.query_one("#checks", CheckTable)
        key = event.row_key.value if event.row_key is not None else None
        self._show_detail(table.checks.get(str(key)) if key is not None else None)

    def on_check_table_highlighted_check_changed(self, event: CheckTable.HighlightedCheckChanged) -> None:
        """The highlighted row's answer arrived: the pane must not keep saying "Waiting for Canvas"."""
        self._show_detail(event.check)

    def _show_detail(self, check: Check | None) -> None:
        """A check in full under the table: its verdict, what to do, and Canvas's own words."""
        detail = self.query_one("#detail", Static)
        if check is None:
            detail.update("")
            return
        said = ""
        if check.evidence.detail:
            code = f"HTTP {check.evidence.status}: " if check.evidence.status is not None else ""
            # A pass can rest on a refusal (the probe asks for a scope no key has): say the answer was wanted.
            how = "Canvas answered as expected" if check.status is CheckStatus.PASS else "Canvas said"
            said = f"\n{how} ({code.rstrip(': ') or 'no HTTP status'}): {check.evidence.detail}"
        detail.update(f"{check.status.label}  {check.title}\n{check.message}{said}")

    def _fix_buttons(self, numbers: list[int]) -> None:
        self.query_one("#start", Button).label = "Check again (ctrl+r)"
        box = self.query_one("#fixes", Horizontal)
        box.remove_children()
        buttons = []
        for index, number in enumerate(numbers):
            info = step(number)
            key = " (ctrl+g)" if index == 0 else ""
            buttons.append(
                Button(
                    f"Fix on step {info.number}: {info.short}{key}",
                    name=f"fix-{info.number}",
                    classes="fix",
                    variant="warning",
                    compact=True,
                )
            )
        box.mount_all(buttons)

    def _show_result(self, report: Report, *, saved: bool = False) -> None:
        checks = report.checks
        when = report.started_at.strftime("%Y-%m-%d %H:%M UTC")
        failed = [c for c in checks if c.status in (CheckStatus.FAIL, CheckStatus.ERROR)]
        live = any(c.id == "token.revoked" for c in checks)
        prefix = f"Last check {when}: " if saved else ""
        if not failed and live:
            who = f" Authorized by {report.authorized_by};" if report.authorized_by else ""
            self._phase(f"{prefix}✓ All checks passed.{who} the test token was revoked.", "inline-ok")
        elif not failed:
            self._phase(
                f"{prefix}✓ Nothing blocks the authorization. Press ctrl+r to run the whole check.", "inline-ok"
            )
        else:
            self._phase(f"{prefix}✗ {len(failed)} problem(s), each listed below with its fix.", "inline-error")
        self._show_fixes(checks)

    # -- running -----------------------------------------------------------------------------------------

    def action_check_now(self) -> None:
        """Run (or run again) the preflight; the authorization follows if nothing blocks it."""
        try:
            self.target = key_target(self.profile, self.wizard.recipe)
        except NotReady as exc:
            self._phase(f"✗ {exc}", "inline-error")
            self._show_fixes([])
            self._fix_buttons([number_of(exc.step)])
            return
        self.pending = None
        self.query_one("#authorize-box").display = False
        self.started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        table = self.query_one("#checks", CheckTable)
        table.display = True
        self._phase("… Asking Canvas about the key (no sign-in needed). Esc cancels.", "hint")
        self.preflight_worker(self.target)

    @work(exclusive=True, group=GROUP, exit_on_error=False)
    async def preflight_worker(self, target: KeyTarget) -> list[Check]:
        """The checks that need no login; rows update as each verdict arrives."""
        from ally_wizard.canvas.client import CanvasClient
        from ally_wizard.canvas.verify import planned_preflight, run_preflight

        table = self.query_one("#checks", CheckTable)
        table.show(planned_preflight(target))
        async with CanvasClient(target.canvas_url, concurrency=8) as client:
            return await run_preflight(client, target, on_check=table.put)

    @work(exclusive=True, group=GROUP, exit_on_error=False)
    async def live_worker(self, target: KeyTarget, pending: PendingAuthorization, code: str) -> LiveResult:
        """Exchange, include check, scope probes and revoke; the engine revokes even when cancelled."""
        from ally_wizard.canvas.client import CanvasClient
        from ally_wizard.canvas.verify import enforce_scopes_found, planned_live, run_live_checks

        table = self.query_one("#checks", CheckTable)
        for check in planned_live(target):
            table.put(check)
        secret = self.wizard.session.secret
        async with CanvasClient(target.canvas_url, concurrency=8) as client:
            return await run_live_checks(
                client,
                target,
                pending,
                code,
                secret,
                on_check=table.put,
                enforce_scopes=enforce_scopes_found(self.preflight),
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Move on after the preflight; save the report after the live run."""
        super().on_worker_state_changed(event)
        if event.worker.group != GROUP or self.target is None:
            return
        name = event.worker.name
        if event.state is WorkerState.SUCCESS and name == "preflight_worker":
            self.preflight = list(event.worker.result or [])
            self._preflight_done(self.target)
        elif event.state is WorkerState.SUCCESS and name == "live_worker":
            self._live_done(self.target, event.worker.result)
        elif event.state is WorkerState.CANCELLED:
            self._phase(
                "Cancelled. Rows keep the answers that had arrived; a token already issued is "
                "revoked. Press ctrl+r to check again.",
                "inline-warning",
            )
            self._show_fixes([])

    def _preflight_done(self, target: KeyTarget) -> None:
        from ally_wizard.canvas.verify import begin_authorization, live_blocker, report_of

        assert self.started_at is not None
        report = report_of(target, self.started_at, self.preflight)
        self._save_report(report)
        blocker = live_blocker(self.preflight)
        if blocker:
            self._show_result(report)
            self._phase(f"✗ {blocker}", "inline-error")
            self.query_one("#body").scroll_home(animate=False)
            return
        self.pending = begin_authorization(target)
        self.query_one("#authorize-row", CopyRow).show(self._authorize_shown())
        self.query_one("#authorize-box").display = True
        self.query_one("#paste-error", Static).update("")
        self._show_fixes([c for c in self.preflight if c.status in (CheckStatus.FAIL, CheckStatus.ERROR)])
        self._phase(
            "✓ Nothing blocks the authorization. Authorize in the browser, then paste the address.", "inline-ok"
        )
        self.wizard.open_url(self.pending.authorize_url)
        pasted = self.query_one("#pasted", Input)
        pasted.value = ""
        pasted.focus()
        self.query_one("#authorize-box").scroll_visible()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the paste field starts the live checks."""
        if event.input.id == "pasted":
            event.stop()
            self.start_live(event.value)
        elif event.input.id == "secret":
            event.stop()
            self.query_one("#start", Button).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """The secret typed here lives in memory only, as on step 5."""
        if event.input.id == "secret":
            self.wizard.session.secret = event.value.strip()

    def start_live(self, pasted: str) -> None:
        """Read the code from the pasted address and run the live checks."""
        from ally_wizard.canvas.verify import AuthorizationInputError, read_pasted_code

        error = self.query_one("#paste-error", Static)
        if self.pending is None or self.target is None:
            error.update("✗ Start the check first (ctrl+r): the address must come from this run's authorization.")
            return
        try:
            code = read_pasted_code(self.pending, pasted)
        except AuthorizationInputError as exc:
            error.update(f"✗ {exc}")
            return
        if not self.wizard.session.secret:
            self.query_one("#secret-box").display = True
            error.update(
                "✗ The secret is needed for the exchange: paste it in the secret field above, then "
                "press Enter here again."
            )
            self.query_one("#secret", Input).focus()
            return
        error.update("")
        pending, self.pending = self.pending, None  # a code works once
        self.query_one("#authorize-box").display = False
        self._phase(
            "… Exchanging the code and probing every scope with the token. Esc cancels (the token is still revoked).",
            "hint",
        )
        self.live_worker(self.target, pending, code)

    def _live_done(self, target: KeyTarget, live: LiveResult | None) -> None:
        from ally_wizard.canvas.verify import report_of

        assert self.started_at is not None
        report = report_of(target, self.started_at, self.preflight, live)
        if live is not None:
            apply_scope_checks(self.profile, live.checks, live=True)
        self._save_report(report)
        if report.overall in (CheckStatus.PASS, CheckStatus.WARN):
            self.wizard.session.mark(StepId.AUTHORIZE, StepState.DONE)
            self.presenter_changed()  # redraws the step bar
        self.query_one("#checks", CheckTable).show(report.checks)
        self._show_result(report)
        self.query_one("#body").scroll_home(animate=False)

    def _save_report(self, report: Report) -> None:
        profile = self.profile
        profile.last_verification = report
        apply_scope_checks(
            profile,
            [c for c in report.checks if c.id != "token.revoked"],
            live=any(c.id == "token.revoked" for c in report.checks),
        )
        self.save()

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        """A failed run is shown on the screen too, with Check again."""
        super().worker_failed(worker, message)
        self._phase(f"! {message}", "inline-warning")
        self._show_fixes([])

    def action_cancel_check(self) -> None:
        """Stop the running check; the engine still revokes a token it already holds."""
        if not self.workers.cancel_group(self, GROUP):
            self.notify("No check is running.")

    # -- actions -----------------------------------------------------------------------------------------

    def action_copy_authorize(self) -> None:
        """Copy the authorize URL (for a browser on another computer)."""
        if self.pending is None:
            self.notify("There is no authorize address yet: start the check (ctrl+r).", severity="warning")
            return
        self.wizard.copy_text(self.pending.authorize_url, "authorize address")

    def action_open_authorize(self) -> None:
        """Open the authorize URL in the browser (when this computer has one)."""
        if self.pending is None:
            self.notify("There is no authorize address yet: start the check (ctrl+r).", severity="warning")
            return
        self.wizard.open_url(self.pending.authorize_url)

    def action_go_fix(self) -> None:
        """Go to the step that fixes the first failed row."""
        for check in self.failed:
            fix = fix_step(check)
            if fix is not None:
                self.wizard.go_to(number_of(fix))
                return
        self.notify("Nothing to fix here.")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Start, copy, open, fix buttons; Back/Next otherwise."""
        button_id = event.button.id or ""
        if event.button.has_class("fix") and event.button.name:
            event.stop()
            self.wizard.go_to(int(event.button.name.removeprefix("fix-")))
        elif button_id == "start":
            event.stop()
            self.action_check_now()
        elif button_id == "copy-authorize":
            event.stop()
            self.action_copy_authorize()
        elif button_id == "open-authorize":
            event.stop()
            self.action_open_authorize()
        else:
            super().on_button_pressed(event)

    def action_next(self) -> None:
        """Going on without a passing check is allowed, with a warning; only a pass marks the step done."""
        if self.profile.steps[StepId.AUTHORIZE].state is not StepState.DONE:
            self.notify("The live check has not passed yet; Ally's own check may fail.", severity="warning")
            self.wizard.go_to(self.STEP_NUMBER + 1)
            return
        super().action_next()
