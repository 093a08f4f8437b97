"""Step 3: the help page's key-creation steps as a checklist, the suggested names, and the redirect URI."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Static

from ally_wizard.inputs import InputError, redirect_uri, suggested_owner_email
from ally_wizard.profile import StepId
from ally_wizard.redact import mask_key_ids
from ally_wizard.tui.create_run import CREATE_PURPOSE, CreateOutcome, create_for_profile, plan_for, record
from ally_wizard.tui.screens.base import StepScreen
from ally_wizard.tui.widgets.copy_row import CopyRow

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from ally_wizard.canvas.create import KeyPlan

OSC52_NOTE = (
    "Copy goes through your terminal (OSC 52). Some terminals, and tmux or screen without "
    "set-clipboard, do not pass it on: then select the address with the mouse."
)


CHECK_WIDTH = 9


class CreateSaid(Message):
    """One line of the create run (a write as it happens); never the token or the secret."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class CreateEnded(Message):
    """The create run ended."""

    def __init__(self, outcome: CreateOutcome) -> None:
        super().__init__()
        self.outcome = outcome


def _tick_cell(done: bool) -> Text:
    """A checklist step's state as symbol and word."""
    return Text("☑ done", style="green") if done else Text("○ to do", style="dim")


class CreateKeyScreen(StepScreen):
    """What to do in Canvas's Developer Keys to create the API key."""

    CSS_PATH = "create_key.tcss"
    STEP_NUMBER = 3
    STEP_KEY = "create_key"
    STEP_ID = StepId.CREATE_KEY
    wrapped_width = 0
    """The terminal width the checklist was last wrapped for."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+y", "copy_redirect", "Copy URI"),
        Binding("space", "tick", "Tick", show=False),
        Binding("ctrl+t", "tick_next", "Tick next"),
        Binding("f8", "create_for_me", "Create it for me", show=False),  # the button names the key
    ]

    def __init__(self) -> None:
        super().__init__()
        self.create_lines: list[str] = []
        """What the create run said (writes as they happened, then its end), shown under its button."""
        self.creating = False
        self.existing_key: str | None = None

    def _redirect(self) -> str | None:
        profile = self.profile
        try:
            return redirect_uri(self.wizard.recipe, profile.environment, profile.client_id)
        except InputError:
            return None

    def compose_body(self) -> ComposeResult:
        """Checklist, the two suggested values, the redirect URI and the OSC 52 note."""
        profile = self.profile
        recipe = self.wizard.recipe
        with Horizontal(id="create-row"):
            yield Button("Create it for me, with an admin token (F8)", id="create-for-me", compact=True)
            yield Static("The plan first; or by hand, below.", classes="hint", markup=False)
        yield Static("", id="create-log", markup=False)
        with Horizontal(id="create-next"):
            yield Button("Go to step 5: key ID and secret", id="go-activate", variant="primary", compact=True)
            yield Button("Audit it on step 6", id="go-audit", compact=True)
        yield Label("In Canvas, as an admin (tick each as you do it: Space)", classes="section-title", markup=False)
        checklist: DataTable[Text | str] = DataTable(id="checklist", cursor_type="row", show_header=False)
        yield checklist
        yield Label("Key Name", classes="section-title", markup=False)
        yield Input(profile.key_name or recipe.suggested_key_name, id="key-name", compact=True)
        yield Static(
            f"Suggested: {recipe.suggested_key_name} (type it as you like; Ally does not check it).",
            classes="hint",
            markup=False,
        )
        yield Label("Owner Email", classes="section-title", markup=False)
        suggestion = suggested_owner_email(profile.canvas_url)
        yield Input(profile.owner_email, placeholder=f"e.g. {suggestion}", id="owner-email", compact=True)
        yield Static(
            f"Suggested: a shared mailbox such as {suggestion}, so the key does not depend on one person.",
            classes="hint",
            id="email-hint",
            markup=False,
        )
        yield Label("Redirect URI (paste into the Redirect URIs field, exactly)", classes="section-title", markup=False)
        uri = self._redirect()
        if uri is None:
            yield Static(
                "✗ The redirect URI needs the Ally environment and Client ID from step 2.",
                classes="inline-error",
                markup=False,
            )
            yield Button("Go to step 2", id="go-canvas", compact=True)
        else:
            yield CopyRow(uri, "Copy (ctrl+y)", "copy-redirect", id="redirect-row")
            yield Static(OSC52_NOTE, classes="hint", markup=False)
        settings = recipe.settings
        yield Label("Settings on the same form", classes="section-title", markup=False)
        yield Static(
            f"Enforce Scopes: {'ON' if settings.enforce_scopes else 'off'}    "
            f"Allow Include Parameters: {'checked' if settings.allow_includes else 'unchecked'}    "
            "Then tick the 31 scopes (next step).",
            markup=False,
        )

    def on_mount(self) -> None:
        """Save the suggested key name if none was saved yet; focus the checklist."""
        super().on_mount()
        if not self.profile.key_name:
            self.profile.key_name = self.wizard.recipe.suggested_key_name
            self.save()
        self._fill_checklist()
        self._show_create()
        self.query_one("#checklist", DataTable).focus()

    def _fill_checklist(self) -> None:
        """The steps, wrapped to the terminal's width (a row may take two lines rather than be cut)."""
        checklist = self.query_one("#checklist", DataTable)
        row = checklist.cursor_row if checklist.row_count else 0
        checklist.clear(columns=True)
        # The body's padding and scroll bar, the Done column and the cells' padding take 17 columns.
        step_width = max(30, self.app.size.width - 17)
        checklist.add_column("Done", key="done", width=CHECK_WIDTH)
        checklist.add_column("Step", key="step", width=step_width)
        ticked = set(self.profile.create_checklist)
        for number, text in enumerate(self.wizard.recipe.steps.create):
            checklist.add_row(_tick_cell(number in ticked), Text(f"{number + 1}. {text}"), key=str(number), height=None)
        checklist.move_cursor(row=row)
        self.wrapped_width = self.app.size.width

    def on_resize(self) -> None:
        """Wrap the checklist again for the new width."""
        if self.app.size.width != self.wrapped_width:
            self._fill_checklist()

    def _toggle(self, number: int, done: bool | None = None) -> None:
        ticked = set(self.profile.create_checklist)
        now = (number not in ticked) if done is None else done
        ticked.discard(number)
        if now:
            ticked.add(number)
        self.profile.create_checklist = sorted(ticked)
        self.query_one("#checklist", DataTable).update_cell(str(number), "done", _tick_cell(now))
        self.save()

    def action_tick(self) -> None:
        """Tick or untick the highlighted step (Space, or Enter on the list)."""
        checklist = self.query_one("#checklist", DataTable)
        if checklist.has_focus and checklist.row_count:
            self._toggle(checklist.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a step ticks it too."""
        event.stop()
        self._toggle(event.cursor_row)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Save the key name and owner email as typed; say when the email does not look like one."""
        if event.input.id == "key-name":
            self.profile.key_name = event.value.strip()
        elif event.input.id == "owner-email":
            value = event.value.strip()
            self.profile.owner_email = value
            hint = self.query_one("#email-hint", Static)
            if value and ("@" not in value or "." not in value.rpartition("@")[2]):
                hint.update(f"! {value!r} does not look like an email address (name@school.edu).")
                hint.set_classes("inline-warning")
            else:
                hint.update(
                    f"Suggested: a shared mailbox such as {suggested_owner_email(self.profile.canvas_url)}, "
                    "so the key does not depend on one person."
                )
                hint.set_classes("hint")
        else:
            return
        self.save()

    @on(Button.Pressed, "#copy-redirect")
    def _copy_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy_redirect()

    @on(Button.Pressed, "#go-canvas")
    def _go_canvas_pressed(self, event: Button.Pressed) -> None:
        """Go to step 2 when the URI cannot be made yet."""
        event.stop()
        self.action_go_step(2)

    def action_copy_redirect(self) -> None:
        """Copy the redirect URI."""
        uri = self._redirect()
        if uri is None:
            self.notify("Choose the Ally environment and type the Client ID on step 2 first.", severity="warning")
            return
        self.wizard.copy_text(uri, "redirect URI")

    def action_tick_next(self) -> None:
        """Tick the first step not yet ticked (for those who prefer not to move the cursor)."""
        checklist = self.query_one("#checklist", DataTable)
        for number in range(checklist.row_count):
            if number not in self.profile.create_checklist:
                self._toggle(number, True)
                checklist.move_cursor(row=number)
                return

    def validate_step(self) -> bool:
        """The redirect URI must be known; unticked steps only earn a reminder."""
        if self._redirect() is None:
            self.notify("The redirect URI needs the Ally environment and Client ID from step 2.", severity="error")
            return False
        missing = len(self.wizard.recipe.steps.create) - len(self.profile.create_checklist)
        if missing:
            self.notify(
                f"{missing} step(s) of the checklist are not ticked; the checks on step 6 will tell "
                "whether they were done.",
                severity="warning",
            )
        return True

    # -- Create it for me (admin token) ----------------------------------------------------------------

    def action_create_for_me(self) -> None:
        """Show the plan with a masked field for the admin token; pressing Create is the confirmation."""
        from ally_wizard.tui.screens.admin_token import AdminTokenScreen

        if self.creating:
            self.notify("The key is being created; wait for the run to end.", severity="warning")
            return
        plan = plan_for(self.profile, self.wizard.recipe)
        if isinstance(plan, str):
            self.notify(plan, severity="error", timeout=15)
            return
        self.app.push_screen(AdminTokenScreen(CREATE_PURPOSE, plan.lines(), "Create"), self._create_with)

    def _create_with(self, token: str | None) -> None:
        if not token:
            return
        plan = plan_for(self.profile, self.wizard.recipe)
        if isinstance(plan, str):
            self.notify(plan, severity="error", timeout=15)
            return
        self.creating = True
        self.existing_key = None
        self.create_lines = ["… Checking the token and this Canvas's scope catalogue (nothing written yet)."]
        self._show_create()
        self.run_create(plan, token)

    @work(exclusive=True, group="create", exit_on_error=False)
    async def run_create(self, plan: KeyPlan, token: str) -> None:
        """The run; each write arrives as `CreateSaid`, the end as `CreateEnded` (the token goes no further)."""

        def say(line: str) -> None:
            self.post_message(CreateSaid(line))

        outcome = await create_for_profile(plan, token, say)
        self.post_message(CreateEnded(outcome))

    @on(CreateSaid)
    def _create_said(self, message: CreateSaid) -> None:
        self.create_lines.append(message.line)
        self._show_create()

    @on(CreateEnded)
    def _create_ended(self, message: CreateEnded) -> None:
        self.creating = False
        outcome = message.outcome
        record(self.profile, outcome)
        created = outcome.created
        if created is not None:
            self.wizard.session.secret = created.secret  # memory only: steps 5 and 7 offer it
        self.save()
        self.create_lines.append(self._ending(outcome))
        self.existing_key = outcome.key_id if outcome.existing else None
        self._show_create(done=outcome.created is not None)
        if created is not None:
            self.query_one("#go-activate", Button).focus()
        elif self.existing_key:
            self.query_one("#go-audit", Button).focus()

    def _ending(self, outcome: CreateOutcome) -> str:
        created = outcome.created
        if created is None:
            if outcome.existing:
                return (
                    f"✗ Nothing was created: Canvas already has an active Ally key with this redirect URI (key "
                    f"{outcome.key_id}). Audit it on step 6, and repair what the audit finds, rather than "
                    "making a second key."
                )
            return f"✗ {outcome.problem}"
        failing = []
        if created.audit is not None:
            failing = [c.title for c in created.audit.report.checks if c.status.value in ("fail", "error")]
        audit = (
            "the audit of the new key is clean"
            if created.audit is not None and not failing
            else f"the audit found {len(failing)} problem(s): {'; '.join(failing)} (see step 6)"
        )
        secret = (
            "Its key ID and secret are on step 5 (the secret is held in memory for this run only; copy it on "
            "step 7 before quitting)."
            if created.secret
            else "Canvas did not return the secret: copy it from Admin > Developer Keys on step 5."
        )
        return f"✓ Created key {created.key_id}, ON for the root account; {audit}. {secret}"

    def _show_create(self, *, done: bool = False) -> None:
        """The run's lines (key IDs masked in presenter mode) and the ways on once it ended."""
        log = self.query_one("#create-log", Static)
        text = "\n".join(self.create_lines)
        if self.wizard.presenter:
            text = mask_key_ids(text)
        log.update(text)
        log.display = bool(self.create_lines)
        log.set_classes("inline-error" if text.startswith("✗") or "\n✗" in text else "hint")
        self.query_one("#go-activate", Button).display = done
        self.query_one("#go-audit", Button).display = bool(self.existing_key)
        self.query_one("#create-next", Horizontal).display = done or bool(self.existing_key)

    def presenter_changed(self) -> None:
        """Mask the key IDs in the run's lines."""
        super().presenter_changed()
        self._show_create(done=self.query_one("#go-activate", Button).display)

    @on(Button.Pressed, "#create-for-me")
    def _create_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_create_for_me()

    @on(Button.Pressed, "#go-activate")
    def _go_activate_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.wizard.go_to(5)

    @on(Button.Pressed, "#go-audit")
    def _go_audit_pressed(self, event: Button.Pressed) -> None:
        """Use the Ally key already there: its ID into the profile, then its audit on step 6."""
        event.stop()
        if self.existing_key is None:
            return
        self.profile.key_id = self.existing_key
        self.save()
        self.wizard.go_to(6)
        audit = getattr(self.app.screen, "action_audit", None)
        if audit is not None:
            self.app.call_after_refresh(audit)
