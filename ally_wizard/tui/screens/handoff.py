"""Step 7: what to do on Ally's configuration page, with the key ID and secret to copy, and the summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static

from ally_wizard.canvas.report import CheckStatus
from ally_wizard.canvas.wording import verdict
from ally_wizard.profile import StepId, StepState
from ally_wizard.redact import hide_home, mask_key_id, mask_secret
from ally_wizard.tui.screens.base import StepScreen
from ally_wizard.tui.summary import export_summary, summary_markdown
from ally_wizard.tui.widgets.copy_row import CopyRow

if TYPE_CHECKING:
    from textual.app import ComposeResult


# Only a failed or unjudged check is an error; a run that stopped before judging found nothing wrong.
VERDICT_CLASSES = {
    CheckStatus.PASS: "inline-ok",
    CheckStatus.WARN: "inline-warning",
    CheckStatus.FAIL: "inline-error",
    CheckStatus.ERROR: "inline-error",
    CheckStatus.PENDING: "inline-warning",
    CheckStatus.SKIPPED: "inline-warning",
}


class HandoffScreen(StepScreen):
    """Give Ally the key: copy the ID and secret, follow Ally's steps, and keep a summary."""

    CSS_PATH = "handoff.tcss"
    STEP_NUMBER = 7
    STEP_KEY = "handoff"
    STEP_ID = StepId.HANDOFF
    NEXT_LABEL = "Finish ✓ (ctrl+n)"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+k", "copy_key_id", "Copy ID"),
        Binding("ctrl+s", "copy_secret", "Copy secret"),
        Binding("ctrl+e", "export_summary", "Export"),
        Binding("ctrl+l", "plain_secret", "Plain text", show=False),
    ]

    def _default_path(self) -> Path:
        """Beside the profile; in a demo the current folder, since the demo's folder goes when it stops."""
        folder = Path.cwd() if self.wizard.demo is not None else self.wizard.store.folder
        return folder / f"{self.profile.name}-summary.md"

    def _shown_path(self, path: str) -> str:
        return hide_home(path) if self.wizard.presenter else path

    def compose_body(self) -> ComposeResult:
        """The verdict so far, Ally's steps, the two values, and the export."""
        report = self.profile.last_verification
        if report is None:
            yield Static(
                "! The key has not been checked live yet (step 6). Ally's own check may fail.",
                classes="inline-warning",
                id="verdict",
                markup=False,
            )
        else:
            overall = report.overall
            sentence = verdict(report, rows="on step 6", again="check again on step 6")
            yield Static(
                f"{overall.symbol} {sentence}",
                classes=VERDICT_CLASSES[overall],
                id="verdict",
                markup=False,
            )
        yield Label("On Ally's configuration page", classes="section-title", markup=False)
        for number, text in enumerate(self.wizard.recipe.steps.handoff, start=1):
            yield Static(f"{number}. {text}", classes="step-text", markup=False)
        yield Label("Key ID", classes="section-title", markup=False)
        yield CopyRow(self._key_id_text(), "Copy (ctrl+k)", "copy-key-id", id="key-id-row")
        yield Label("Secret", classes="section-title", markup=False)
        yield CopyRow(self._secret_text(), "Copy (ctrl+s)", "copy-secret", id="secret-row")
        # Masked above; shown whole only on request, printed outside the TUI and gone when Enter is pressed.
        yield Button("Show the secret as plain text (ctrl+l)", id="plain-secret", compact=True)
        yield Label("Summary for your records (Markdown, without the secret)", classes="section-title", markup=False)
        with Horizontal(classes="row"):
            yield Input(self._shown_path(str(self._default_path())), id="export-path", compact=True)
            yield Button("Export (ctrl+e)", id="export", compact=True)
        yield Static("", id="export-message", markup=False)

    def _key_id_text(self) -> str:
        key_id = self.profile.key_id or "(not set: step 5)"
        return mask_key_id(key_id) if self.wizard.presenter and self.profile.key_id else key_id

    def _secret_text(self) -> str:
        secret = self.wizard.session.secret
        if not secret:
            return "(not in memory: paste it on step 5, or use Show Key in Canvas)"
        return mask_secret(secret)

    def presenter_changed(self) -> None:
        """Re-mask the key ID and the path."""
        super().presenter_changed()
        self.query_one("#key-id-row", CopyRow).show(self._key_id_text())
        field = self.query_one("#export-path", Input)
        field.value = self._shown_path(str(Path(field.value).expanduser()))

    @on(Button.Pressed, "#copy-key-id")
    def _copy_key_id_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy_key_id()

    @on(Button.Pressed, "#copy-secret")
    def _copy_secret_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy_secret()

    @on(Button.Pressed, "#export")
    def _export_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export_summary()

    def action_copy_key_id(self) -> None:
        """Copy the key ID for Ally."""
        if not self.profile.key_id:
            self.notify("There is no key ID yet: type it on step 5.", severity="warning")
            return
        self.wizard.copy_text(self.profile.key_id, "key ID")

    def action_copy_secret(self) -> None:
        """Copy the secret while it is in memory (the notification never shows it)."""
        if not self.wizard.session.secret:
            self.notify(
                "The secret is not in memory. Paste it on step 5, or copy it from Show Key in Canvas.",
                severity="warning",
            )
            return
        self.wizard.copy_text(self.wizard.session.secret, "secret")

    @on(Button.Pressed, "#plain-secret")
    def action_plain_secret(self) -> None:
        """Print the key ID and secret outside the TUI, for the terminal's own selection (never in presenter mode)."""
        secret = self.wizard.session.secret
        if not secret:
            self.notify(
                "The secret is not in memory. Paste it on step 5, or copy it from Show Key in Canvas.",
                severity="warning",
            )
            return
        if self.wizard.presenter:
            self.notify("Presenter mode is on: the secret stays hidden.", severity="warning")
            return
        self.wizard.show_plain_text(
            f"The key secret for Ally (key ID {self.profile.key_id}). It is cleared from the terminal when you "
            "press Enter.",
            secret,
            secret=True,
        )

    def action_export_summary(self) -> None:
        """Write the Markdown summary where the admin chose (the profile folder by default)."""
        raw = self.query_one("#export-path", Input).value.strip()
        path = Path(raw).expanduser() if raw else self._default_path()
        text = summary_markdown(self.profile, self.wizard.recipe, mask=self.wizard.presenter)
        message = self.query_one("#export-message", Static)
        try:
            written = export_summary(path, text)
        except OSError as exc:
            message.update(f"✗ Not written: {exc.strerror or exc}. Choose another path.")
            message.set_classes("inline-error")
            return
        shown = self._shown_path(str(written))
        if self.wizard.demo is not None and written.parent.resolve() == Path.cwd().resolve():
            shown += " (the current folder: it stays after the demo)"
        message.update(f"✓ Summary written to {shown}")
        message.set_classes("inline-ok")
        self.notify(f"Summary written to {shown}")

    def action_next(self) -> None:
        """Finish: mark the hand-off done."""
        problem = self.wizard.session.mark(StepId.HANDOFF, StepState.DONE)
        if problem:
            self.notify(problem, title="Not saved", severity="error", timeout=20)
            return
        for bar in self.query("StepBar"):
            bar.refresh()
        self.notify("Setup complete. The wizard can be closed (ctrl+q); the profile keeps this record.", title="Done")
