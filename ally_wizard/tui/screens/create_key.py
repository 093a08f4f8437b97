"""Step 3: the help page's key-creation steps as a checklist, the suggested names, and the redirect URI."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.widgets import Button, DataTable, Input, Label, Static

from ally_wizard.inputs import InputError, redirect_uri, suggested_owner_email
from ally_wizard.profile import StepId
from ally_wizard.tui.screens.admin_token import KeyCreated
from ally_wizard.tui.screens.base import StepScreen
from ally_wizard.tui.widgets.copy_row import CopyRow

if TYPE_CHECKING:
    from textual.app import ComposeResult

OSC52_NOTE = (
    "Copy goes through your terminal (OSC 52). Some terminals, and tmux or screen without "
    "set-clipboard, do not pass it on: then select the address with the mouse."
)


CHECK_WIDTH = 9


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
        yield Button("Create it for me, with an admin token (F8)", id="create-for-me", compact=True)
        yield Static(
            "Shows the plan before any change; needs a root admin's personal access token. Or by hand:",
            id="create-message",
            classes="hint",
            markup=False,
        )
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

    @on(Button.Pressed, "#create-for-me")
    def _create_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_create_for_me()

    def action_create_for_me(self) -> None:
        """Show the plan; after yes and the admin token, create the key, turn it ON and audit it."""
        from ally_wizard.tui.screens.admin_token import AdminTokenScreen, profile_target
        from ally_wizard.tui.screens.dialogs import ConfirmScreen

        target = profile_target(self.profile, self.wizard.recipe)
        if isinstance(target, str):
            self.query_one("#create-message", Static).update(f"✗ {target}")
            return
        profile = self.profile
        question = "\n".join(
            [
                f"Create the API key on {target.canvas_url}:",
                f"  Key Name: {profile.key_name or self.wizard.recipe.suggested_key_name}",
                f"  Owner Email: {profile.owner_email or '(none)'}",
                f"  Redirect URI: {target.redirect_uri}",
                f"  Enforce Scopes on, Allow Include Parameters on, the {len(target.scopes)} Ally scopes",
                "Then turn it ON for the root account and audit it. Create it?",
            ]
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(AdminTokenScreen(), self._create_with)

        self.app.push_screen(ConfirmScreen(question, "Create"), confirmed)

    def _create_with(self, token: str | None) -> None:
        if not token:
            return
        self.query_one("#create-message", Static).update("… Creating the key in Canvas, then auditing it.")
        self.create_key_worker(token)

    @work(exclusive=True, group="create", exit_on_error=False)
    async def create_key_worker(self, token: str) -> None:
        """The writes (create, binding ON) and the audit; the outcome arrives as `KeyCreated`."""
        from ally_wizard.tui.screens.admin_token import create_for_profile

        self.post_message(await create_for_profile(self.profile, self.wizard.recipe, token))

    @on(KeyCreated)
    def _key_created(self, message: KeyCreated) -> None:
        """The key ID into the profile, steps 3-5 done, the secret in memory for step 5 and the hand-off."""
        from ally_wizard.canvas.audit import apply_audit
        from ally_wizard.profile import StepState

        shown = self.query_one("#create-message", Static)
        created = message.created
        if created is None:
            if message.key_id:
                self.profile.key_id = message.key_id
                self.save()
            shown.update(f"✗ {message.problem}")
            return
        profile = self.profile
        profile.key_id = created.key_id
        self.wizard.session.secret = created.secret
        if created.audit is not None:
            apply_audit(profile, created.audit)
        for step_id in (StepId.CREATE_KEY, StepId.SCOPES, StepId.ACTIVATE):
            profile.mark(step_id, StepState.DONE)
        self.save()
        self.notify(f"Key {created.key_id} was created and turned ON; its secret is held in memory only.")
        self.wizard.go_to(5)

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
