"""Step 6: check the key the way Ally will use it, with one authorization in the browser.

The run is the core's `CheckFlow` (the same as `ally-wizard check`), in one worker. The screen only answers
its questions (the secret, the pasted address, whether to keep a resolved Canvas address) and shows its
progress: the worker turns each flow event into a typed message (`RowChecked`, `AuthorizationOpened`,
`PasteAsked`...) handled here with `@on`, and a question is a future the worker awaits until the admin
answers in the screen. Esc stops the run the core's way: a token already issued is revoked, the rest of
the rows say they were not checked, and the report is saved like any other.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker

from ally_wizard.canvas.audit import apply_audit
from ally_wizard.canvas.report import Check, CheckStatus, Report
from ally_wizard.canvas.target import KeyTarget
from ally_wizard.profile import StepId, StepState
from ally_wizard.redact import mask_key_id, mask_key_ids
from ally_wizard.tui.checks import NotReady, fix_step, key_target
from ally_wizard.tui.screens.admin_token import (
    REPAIR_PURPOSE,
    AdminTokenScreen,
    AuditEnded,
    audit_profile,
    profile_target,
)
from ally_wizard.tui.screens.base import WIDE_BREAKPOINTS, StepScreen
from ally_wizard.tui.screens.dialogs import ConfirmScreen
from ally_wizard.tui.steps import number_of, step
from ally_wizard.tui.widgets.check_table import CheckTable, check_detail
from ally_wizard.tui.widgets.copy_row import CopyRow

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ally_wizard.canvas.audit import AuditResult
    from ally_wizard.canvas.flow import CheckFlow, CheckRun, FlowEvent, PasteRequest, Resolution
    from ally_wizard.canvas.repair import RepairPlan

GROUP = "verify"
PROBLEMS_SHOWN = 8


class RowsPlanned(Message):
    """Rows about to be judged, shown as pending."""

    def __init__(self, checks: tuple[Check, ...]) -> None:
        super().__init__()
        self.checks = checks


class RowChecked(Message):
    """One row's verdict arrived."""

    def __init__(self, check: Check) -> None:
        super().__init__()
        self.check = check


class PhaseChanged(Message):
    """The run moved on; `sentence` is progress to show."""

    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.sentence = sentence


class AddressResolved(Message):
    """The Canvas address redirects to another host; the run checks there and asks whether to keep it."""

    def __init__(self, resolution: Resolution) -> None:
        super().__init__()
        self.resolution = resolution


class LiveChecksSkipped(Message):
    """The live checks will not run, for `reason`."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class AuthorizationOpened(Message):
    """The admin should authorize at this address (shown, copied, opened)."""

    def __init__(self, authorize_url: str) -> None:
        super().__init__()
        self.authorize_url = authorize_url


class SecretAsked(Message):
    """The run needs the key's secret (none was typed on step 5)."""


class PasteAsked(Message):
    """The run waits for the pasted address; `request.problem` says why the last one was refused."""

    def __init__(self, request: PasteRequest) -> None:
        super().__init__()
        self.request = request


class CheckCompleted(Message):
    """The run ended (passed, failed, refused, stopped): its report is in `run`."""

    def __init__(self, run: CheckRun) -> None:
        super().__init__()
        self.run = run


class ScreenAnswers:
    """The flow's questions, answered through the screen: each posts a message and awaits the answer."""

    def __init__(self, screen: AuthorizeScreen) -> None:
        self.screen = screen
        self.waiting: asyncio.Future[str | None] | None = None
        self.asking: type[Message] | None = None

    async def _ask(self, message: Message) -> str | None:
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self.waiting, self.asking = future, type(message)
        self.screen.post_message(message)
        try:
            return await future
        finally:
            self.waiting = self.asking = None

    def answer(self, asked: type[Message], value: str | None) -> bool:
        """Answer the question being asked, if it is `asked`; False when no such question waits."""
        if self.waiting is None or self.waiting.done() or self.asking is not asked:
            return False
        self.waiting.set_result(value)
        return True

    async def secret(self) -> str | None:
        """The secret typed on step 5 or here (memory only); asked on this screen when there is none."""
        if self.screen.wizard.session.secret:
            return self.screen.wizard.session.secret
        return await self._ask(SecretAsked())

    async def pasted_address(self, request: PasteRequest) -> str | None:
        """What the admin pastes in the address field (Enter)."""
        return await self._ask(PasteAsked(request))

    async def keep_resolved_address(self, resolution: Resolution) -> bool:
        """A yes/no dialog: keep the address Canvas is really served at in the profile."""
        self.screen.post_message(AddressResolved(resolution))
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def answered(keep: bool | None) -> None:
            if not future.done():
                future.set_result(bool(keep))

        from ally_wizard.tui.screens.dialogs import ConfirmScreen

        self.screen.app.push_screen(
            ConfirmScreen(
                f"{resolution.sentence}\nKeep {resolution.resolved} as this setup's Canvas address?",
                "Keep it",
            ),
            callback=answered,
        )
        return await future


def _relay(screen: AuthorizeScreen, event: FlowEvent) -> None:
    """A flow event as the screen's typed message."""
    from ally_wizard.canvas import flow

    if isinstance(event, flow.CheckFinished):
        screen.post_message(RowChecked(event.check))
    elif isinstance(event, flow.RowsPlanned):
        screen.post_message(RowsPlanned(event.checks))
    elif isinstance(event, flow.PhaseStarted) and event.phase is not flow.Phase.DONE:
        screen.post_message(PhaseChanged(event.sentence))
    elif isinstance(event, flow.LiveSkipped):
        screen.post_message(LiveChecksSkipped(event.reason))
    elif isinstance(event, flow.AuthorizationStarted):
        screen.post_message(AuthorizationOpened(event.authorize_url))


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
        Binding("ctrl+l", "plain_authorize", "Plain text", show=False),
        Binding("f5", "toggle_raw", "Raw answer", show=False),
        Binding("ctrl+g", "go_fix", "Fix"),
        Binding("f6", "audit", "Audit"),
        Binding("f7", "repair", "Repair"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.target: KeyTarget | None = None
        self.authorize_url: str | None = None
        self.answers = ScreenAnswers(self)
        self.flow: CheckFlow | None = None
        self.skipped_reason: str | None = None
        self.raw_answers = False
        """Whether a passing row's detail shows Canvas's raw answer (F5)."""
        self._detail_check: Check | None = None
        self.failed: list[Check] = []
        self.last_audit: AuditResult | None = None  # what Repair plans from (no token is kept)

    def compose_body(self) -> ComposeResult:
        """What is checked, where the run stands, the authorize box, the rows and the fixes."""
        yield Static("", id="target", markup=False)
        yield Static("", id="phase", markup=False)
        with Horizontal(id="actions"):
            yield Button("Start the check (ctrl+r)", id="start", variant="primary", compact=True)
            yield Button("Audit with an admin token (F6)", id="audit", compact=True)
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
            with Horizontal(classes="row"):
                yield Button("Open in browser (ctrl+o)", id="open-authorize", compact=True)
                # Over SSH no browser opens here and the address is too long for any box: print it plain.
                yield Button("Plain text (ctrl+l)", id="plain-authorize", compact=True)
            yield Static(
                "2. Paste the whole address the browser shows afterwards (it contains code=), then Enter:",
                classes="section-title",
                markup=False,
            )
            # It carries the one-use code: masked like the secret while presenting.
            yield Input(
                # The admin's own Canvas (the simulated one in a demo), not an example host.
                placeholder=f"{self.profile.canvas_url or 'https://canvas.school.edu'}/login/oauth2/auth?code=…",
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
        if self.authorize_url is None:
            return ""
        url = self.authorize_url
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
            return self.authorize_url is not None
        if action == "go_fix":
            return bool(self.failed)
        if action == "repair":
            return self._repair_plan() is not None
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
        """A check in full under the table (a pass shows Canvas's raw answer on request: F5)."""
        self._detail_check = check
        self.query_one("#detail", Static).update("" if check is None else check_detail(check, raw=self.raw_answers))

    def action_toggle_raw(self) -> None:
        """Show or hide Canvas's raw answer under a passing row."""
        self.raw_answers = not self.raw_answers
        self._show_detail(self._detail_check)

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
        revoked = report.get("token.revoked")
        secret = report.get("key.secret")
        prefix = f"Last check {when}: " if saved else ""
        if failed:
            self._phase(f"{prefix}✗ {len(failed)} problem(s), each listed below with its fix.", "inline-error")
        elif revoked is not None and revoked.status is CheckStatus.PASS:
            who = f" Authorized by {report.authorized_by};" if report.authorized_by else ""
            self._phase(f"{prefix}✓ All checks passed.{who} the test token was revoked.", "inline-ok")
        elif secret is not None and secret.status is CheckStatus.SKIPPED:
            self._phase(
                f"{prefix}! The live checks did not run: {secret.message.removeprefix('Not checked: ')} "
                "Press ctrl+r to check again.",
                "inline-warning",
            )
        else:
            self._phase(
                f"{prefix}✓ Nothing blocks the authorization. Press ctrl+r to run the whole check.", "inline-ok"
            )
        self._show_fixes(checks)

    # -- running -----------------------------------------------------------------------------------------

    def action_check_now(self) -> None:
        """Run (or run again) the whole check: preflight, then the authorization if nothing blocks it."""
        try:
            self.target = key_target(self.profile, self.wizard.recipe)
        except NotReady as exc:
            self._phase(f"✗ {exc}", "inline-error")
            self._show_fixes([])
            self._fix_buttons([number_of(exc.step)])
            return
        self.authorize_url = None
        self.skipped_reason = None
        self.query_one("#authorize-box").display = False
        self.query_one("#paste-error", Static).update("")
        self.query_one("#checks", CheckTable).display = True
        self._phase("… Asking Canvas about the key (no sign-in needed). Esc cancels.", "hint")
        self.run_check(self.target)

    @work(exclusive=True, group=GROUP, exit_on_error=False)
    async def run_check(self, target: KeyTarget) -> None:
        """The core's check flow; its events and questions reach the screen as messages."""
        from ally_wizard.canvas.flow import CheckFlow

        self.answers = ScreenAnswers(self)
        self.flow = CheckFlow(target, self.answers, lambda event: _relay(self, event))
        try:
            run = await self.flow.run()
        finally:
            self.flow = None
        self.post_message(CheckCompleted(run))

    @on(RowsPlanned)
    def _rows_planned(self, message: RowsPlanned) -> None:
        table = self.query_one("#checks", CheckTable)
        if any(check.id == "key.exists" for check in message.checks):
            table.show(list(message.checks))
        else:
            for check in message.checks:
                table.put(check)

    @on(RowChecked)
    def _row_checked(self, message: RowChecked) -> None:
        self.query_one("#checks", CheckTable).put(message.check)

    @on(PhaseChanged)
    def _phase_changed(self, message: PhaseChanged) -> None:
        self._phase(f"… {message.sentence} Esc cancels.", "hint")

    @on(AddressResolved)
    def _address_resolved(self, message: AddressResolved) -> None:
        self.notify(message.resolution.sentence, title="Canvas address")

    @on(LiveChecksSkipped)
    def _live_skipped(self, message: LiveChecksSkipped) -> None:
        self.skipped_reason = message.reason
        self.query_one("#authorize-box").display = False

    @on(SecretAsked)
    def _secret_asked(self, message: SecretAsked) -> None:
        self.query_one("#secret-box").display = True
        self._phase(
            "✓ Nothing blocks the authorization. Paste the key's secret above (Show Key in Canvas) and press Enter.",
            "inline-ok",
        )
        self.query_one("#secret", Input).focus()

    @on(AuthorizationOpened)
    def _authorization_opened(self, message: AuthorizationOpened) -> None:
        self.authorize_url = message.authorize_url
        self.query_one("#authorize-row", CopyRow).show(self._authorize_shown())
        self.query_one("#authorize-box").display = True
        self.query_one("#paste-error", Static).update("")
        self.refresh_bindings()
        self.wizard.open_url(message.authorize_url)

    @on(PasteAsked)
    def _paste_asked(self, message: PasteAsked) -> None:
        request = message.request
        error = self.query_one("#paste-error", Static)
        if request.problem is None:
            error.update("")
            self._phase(
                "✓ Nothing blocks the authorization. Authorize in the browser, then paste the address.", "inline-ok"
            )
        else:
            error.update(f"✗ {request.problem} (attempt {request.attempt} of {request.attempts})")
        pasted = self.query_one("#pasted", Input)
        pasted.value = ""
        pasted.focus()
        self.query_one("#authorize-box").scroll_visible()

    @on(Input.Submitted, "#pasted")
    def _pasted(self, event: Input.Submitted) -> None:
        """Enter in the paste field answers the run's question."""
        event.stop()
        if not self.answers.answer(PasteAsked, event.value):
            self.query_one("#paste-error", Static).update(
                "✗ Start the check first (ctrl+r): the address must come from this run's authorization."
            )
            return
        self.query_one("#paste-error", Static).update("")
        self._phase(
            "… Reading the pasted address, then checking with a test token. Esc cancels (the token is still revoked).",
            "hint",
        )

    @on(Input.Submitted, "#secret")
    def _secret_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        secret = event.value.strip()
        if secret and self.answers.answer(SecretAsked, secret):
            return
        self.query_one("#start", Button).focus()

    @on(Input.Changed, "#secret")
    def _secret_changed(self, event: Input.Changed) -> None:
        """The secret typed here lives in memory only, as on step 5."""
        self.wizard.session.secret = event.value.strip()

    @on(CheckCompleted)
    def _check_completed(self, message: CheckCompleted) -> None:
        """Save the run the way `ally-wizard check` does, and show it."""
        from ally_wizard.canvas.flow import apply_run

        run = message.run
        self.authorize_url = None
        self.query_one("#authorize-box").display = False
        apply_run(self.profile, run)
        self.save()
        if self.profile.steps[StepId.AUTHORIZE].state is StepState.DONE:
            self.presenter_changed()  # redraws the step bar
        self.query_one("#checks", CheckTable).show(run.report.checks)
        self._show_result(run.report)
        if run.stopped:
            self._phase(
                "Cancelled. Rows keep the answers that had arrived; a token already issued is "
                "revoked. Press ctrl+r to check again.",
                "inline-warning",
            )
        elif self.skipped_reason and not run.full and self.failed:
            self._phase(f"✗ {self.skipped_reason}", "inline-error")
        self.query_one("#body").scroll_home(animate=False)

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        """A failed run is shown on the screen too, with Check again."""
        super().worker_failed(worker, message)
        self._phase(f"! {message}", "inline-warning")
        self._show_fixes([])

    def action_cancel_check(self) -> None:
        """Stop the running check; the run still revokes a token it already holds and saves its report."""
        if self.flow is None:
            self.notify("No check is running.")
            return
        self.flow.stop("the check was cancelled (Esc)")

    # -- actions -----------------------------------------------------------------------------------------

    def action_copy_authorize(self) -> None:
        """Copy the authorize URL (for a browser on another computer)."""
        if self.authorize_url is None:
            self.notify("There is no authorize address yet: start the check (ctrl+r).", severity="warning")
            return
        self.wizard.copy_text(self.authorize_url, "authorize address")

    @on(Button.Pressed, "#plain-authorize")
    def action_plain_authorize(self) -> None:
        """Print the authorize URL as plain text for the terminal's own selection (SSH, tmux)."""
        if self.authorize_url is None:
            self.notify("There is no authorize address yet: start the check (ctrl+r).", severity="warning")
            return
        self.wizard.show_plain_text(
            "The authorize address: open it in a browser where you are signed in to Canvas as an admin.",
            self.authorize_url,
        )

    def action_open_authorize(self) -> None:
        """Open the authorize URL in the browser (when this computer has one)."""
        if self.authorize_url is None:
            self.notify("There is no authorize address yet: start the check (ctrl+r).", severity="warning")
            return
        self.wizard.open_url(self.authorize_url)

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
        elif button_id == "audit":
            event.stop()
            self.action_audit()
        elif button_id == "copy-authorize":
            event.stop()
            self.action_copy_authorize()
        elif button_id == "open-authorize":
            event.stop()
            self.action_open_authorize()
        else:
            super().on_button_pressed(event)

    # -- the audit (admin token) ---------------------------------------------------------------------------

    def action_audit(self) -> None:
        """Ask for an admin token, then read the key's real settings through the Developer Keys API."""
        if self.running:
            self.notify("A check is running; wait for it or cancel it (Esc) first.", severity="warning")
            return
        self.app.push_screen(AdminTokenScreen(), self._audit_with)

    def _audit_with(self, token: str | None) -> None:
        if not token:
            return
        self.query_one("#checks", CheckTable).display = True
        self.query_one("#checks", CheckTable).show([])
        self._phase("… Reading the key through the Developer Keys API (GET requests only).", "hint")
        self.run_audit(token)

    @work(exclusive=True, group=GROUP, exit_on_error=False)
    async def run_audit(self, token: str, plan: RepairPlan | None = None) -> None:
        """The audit (after the repair `plan`, if any); rows arrive as `RowChecked`, the end as `AuditEnded`."""

        def row(check: Check) -> None:
            self.post_message(RowChecked(check))

        outcome = await audit_profile(self.profile, self.wizard.recipe, token, row, plan)
        self.post_message(AuditEnded(outcome.result, outcome.problem, outcome.writes, repaired=plan is not None))

    def _repair_plan(self, *, remove_extra_scopes: bool = False) -> RepairPlan | None:
        """The fixes the last audit calls for, or None when there is none (or no audit)."""
        from ally_wizard.canvas.repair import RepairStopped, plan_repair

        target = profile_target(self.profile, self.wizard.recipe)
        if self.last_audit is None or isinstance(target, str):
            return None
        try:
            plan = plan_repair(self.last_audit, target, remove_extra_scopes=remove_extra_scopes)
        except RepairStopped:
            return None
        return None if plan.empty else plan

    def _extra_scopes(self) -> list[str]:
        """The scopes on the audited key that Ally does not need (a repair keeps them unless asked)."""
        key = self.last_audit.key if self.last_audit is not None else None
        wanted = set(self.wizard.recipe.scope_strings)
        return [] if key is None else [scope for scope in key.scopes if scope not in wanted]

    def action_repair(self) -> None:
        """Show the repair plan of the last audit; after yes (and, for extra scopes, a second explicit
        choice with its warning) and the admin token, apply it and audit again."""
        plan = self._repair_plan()
        extra = self._extra_scopes()
        if plan is None and not extra:
            self.notify("Nothing to repair: audit first (F6); only failing rows a write can fix are repaired.")
            return
        if plan is None:
            self._ask_remove_extra(extra, None)
            return
        question = "\n".join(
            [
                f"Repair key {plan.key.id} ({plan.key.name or 'no name'}) in Canvas:",
                *(f"  - {line}" for line in plan.lines),
                *(f"  ! {warning}" for warning in plan.warnings),
                "No scope is removed. Apply these changes?",
            ]
        )

        def confirmed(yes: bool | None) -> None:
            if yes and extra:
                self._ask_remove_extra(extra, plan)
            elif yes:
                self._ask_token(plan)

        self.app.push_screen(ConfirmScreen(question, "Repair"), confirmed)

    def _ask_remove_extra(self, extra: list[str], kept: RepairPlan | None) -> None:
        """The explicit choice to remove the extra scopes, the token warning first; No keeps them."""
        question = "\n".join(
            [
                f"The key also has {len(extra)} scope(s) Ally does not need:",
                *(f"  {scope}" for scope in extra),
                "Remove them too? Removing a scope makes Canvas delete every token of the key: Ally must be "
                "authorized again afterwards (Ally's configuration page: Configure Ally with Canvas Developer "
                "Key, then Authorize). No keeps them: least privilege warns, nothing fails.",
            ]
        )

        def answered(yes: bool | None) -> None:
            plan = self._repair_plan(remove_extra_scopes=True) if yes else kept
            if plan is not None:
                self._ask_token(plan)

        self.app.push_screen(ConfirmScreen(question, "Remove them"), answered)

    def _ask_token(self, plan: RepairPlan) -> None:
        self.app.push_screen(
            AdminTokenScreen(REPAIR_PURPOSE, action="Repair"), lambda token: self._repair_with(plan, token)
        )

    def _repair_with(self, plan: RepairPlan, token: str | None) -> None:
        if not token:
            return
        self._phase("… Repairing the key, then auditing it again.", "hint")
        self.run_audit(token, plan)

    @on(AuditEnded)
    def _audit_ended(self, message: AuditEnded) -> None:
        result = message.result
        # After a repair, what was written comes first: "Nothing was changed" would be untrue.
        wrote = "".join(f"{line}\n" for line in message.writes)
        if self.wizard.presenter:
            wrote = mask_key_ids(wrote)
        if result is None:
            what = "The repair stopped" if message.repaired else "The audit could not read the key"
            self._phase(f"{wrote}✗ {what}: {message.problem}", "inline-error")
            return
        self.last_audit = result
        self.refresh_bindings()
        apply_audit(self.profile, result)
        self.save()
        checks = result.report.checks
        self.query_one("#checks", CheckTable).show(checks)
        self._show_fixes(checks)
        failed = [c for c in checks if c.status in (CheckStatus.FAIL, CheckStatus.ERROR)]
        warned = [c for c in checks if c.status is CheckStatus.WARN]
        who = f" as {result.user.name}" if result.user and result.user.name else ""
        audit = f"Audit after the repair{who}" if message.repaired else f"Audit{who}"
        unchanged = "" if message.repaired else " Nothing was changed."
        if failed:
            self._phase(
                f"{wrote}✗ {audit}: {len(failed)} problem(s), each listed with its fix.{unchanged}",
                "inline-error",
            )
        else:
            extra = f" ({len(warned)} warning(s))" if warned else ""
            self._phase(f"{wrote}✓ {audit}: the key is as the recipe says{extra}.{unchanged}", "inline-ok")

    def action_next(self) -> None:
        """Going on without a passing check is allowed, with a warning; only a pass marks the step done."""
        if self.profile.steps[StepId.AUTHORIZE].state is not StepState.DONE:
            self.notify("The live check has not passed yet; Ally's own check may fail.", severity="warning")
            self.wizard.go_to(self.STEP_NUMBER + 1)
            return
        super().action_next()
