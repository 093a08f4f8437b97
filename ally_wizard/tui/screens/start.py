"""Step 1: the saved setups with their progress; resume, start a new one, or delete one."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Static

from ally_wizard.profile import ProfileSummary, StepId
from ally_wizard.store import Listing, ProfileError
from ally_wizard.tui.screens.base import WizardScreen
from ally_wizard.tui.steps import TOTAL_STEPS, number_of, step
from ally_wizard.tui.widgets.footer import KeysFooter
from ally_wizard.tui.widgets.step_bar import StepBar

if TYPE_CHECKING:
    from textual.app import ComposeResult


class SetupsTable(DataTable[Text]):
    """The saved setups; Enter resumes the highlighted one, and the footer says so while the table has focus
    (a plain DataTable's hidden Enter would take the screen's "Resume" off the footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Resume", key_display="⏎")]


class SetupsListed(Message):
    """The profiles folder was read (in a worker thread): its listing, or why it could not be read."""

    def __init__(self, generation: int, listings: list[Listing], error: str | None) -> None:
        super().__init__()
        self.generation = generation
        self.listings = listings
        self.error = error


# Rows added per frame: a screenful at once, the rest over the next frames, so a thousand setups
# neither delay the first paint nor stop the keys from answering while the table fills.
ROWS_PER_FRAME = 60


class StartScreen(WizardScreen):
    """Choose a setup. With no saved setups at all, the new-setup dialog opens at once."""

    CSS_PATH = "start.tcss"
    # The table from the start: Textual's default focuses the first focusable widget (the scrolling body),
    # and moving the focus on restyles the body, the table and its many parts once more before the first frame.
    AUTO_FOCUS = "#profiles"
    STEP_NUMBER = 1
    STEP_KEY = "start"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "resume", "Resume", show=True),
        Binding("n", "new", "New setup"),
        Binding("d,delete", "delete", "Delete"),
        Binding("f6", "audit", "Audit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.listings: list[Listing] = []
        self.problems: dict[str, str] = {}
        self._built = False  # False while the app shows a step on top and this screen has not been shown
        self._listing_due = True  # until the first frame: the mount lists the setups then, if shown
        self._generation = 0  # which reading of the folder the table shows; older ones are dropped

    def compose(self) -> ComposeResult:
        """Step bar, the table of setups, problems with unreadable ones, and the actions.

        When the wizard opens a setup at once (`ally-wizard NAME`, the demo), its step is already on top
        when this screen composes: then nothing is built until the admin comes back here, so the first
        frame pays for the step's screen alone.
        """
        if self.app.screen is not self:
            return
        self._built = True
        yield StepBar(1)
        with VerticalScroll(id="body"):
            yield Static(
                "Each setup is one Canvas instance and its Ally developer key. Resume one where you "
                "left off, or start a new one.",
                classes="hint",
                markup=False,
            )
            table = SetupsTable(id="profiles", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("", id="problems", classes="inline-warning", markup=False)
            yield Static("", id="folder", classes="hint", markup=False)
        with Horizontal(id="nav"):
            yield Button("Delete (d)", id="delete", variant="error", compact=True)
            yield Button("New setup (n)", id="new", compact=True)
            yield Button("Resume ▶ (Enter)", id="resume", variant="primary", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        """List the setups; a first run goes straight to naming a new one."""
        if self._built:
            self._prepare()

    def _prepare(self) -> None:
        """The table's columns and the focus; the rows come after the next frame."""
        table = self.query_one("#profiles", DataTable)
        # Text labels: a str label goes through Rich markup, whose emoji table alone costs start-up 2.5 ms.
        for label, key in (
            ("Setup", "name"),
            ("Canvas", "canvas"),
            ("Steps", "steps"),
            ("Scopes ✓", "scopes"),
            ("Last check (UTC)", "last"),
            ("Next", "next"),
        ):
            table.add_column(Text(label), key=key)
        # The rows are filled after the first paint: the screen appears at once however many setups
        # there are. Whether there are any at all is one look at the folder. When the wizard opens a
        # setup at once (`ally-wizard --profile`, the demo), they are listed when this screen is shown.
        self.call_after_refresh(self._reload_if_shown)
        try:
            first_run = not self.wizard.initial_profile and not self.wizard.store.names()
        except OSError:
            first_run = False  # reload says why the folder cannot be read
        if first_run:
            self.action_new(first_run=True)
        else:
            table.focus()

    def _reload_if_shown(self) -> None:
        self._listing_due = False
        if self.is_current:
            self.reload()

    async def on_screen_resume(self) -> None:
        """Back from a step: list the setups again (progress has changed)."""
        if not self._built:
            if self.app.screen is self:  # shown for the first time, after a step the wizard opened at once
                await self.recompose()
                self._prepare()
            return
        if self._listing_due:
            return  # the first frame has not been painted: `_reload_if_shown` lists them after it
        self.reload()
        self.query_one("#profiles", DataTable).focus()

    def reload(self) -> None:
        """Read the profiles folder again, in a thread, and refill the table once it has been read.

        A listing reads one summaries file, but the first one after an upgrade (or after many changes)
        reads every profile in full: off the event loop, the screen answers keys meanwhile.
        """
        self._generation += 1
        self._read_setups(self._generation)

    @work(thread=True, group="setups", exit_on_error=False)
    def _read_setups(self, generation: int) -> None:
        try:
            self.post_message(SetupsListed(generation, self.wizard.store.list(), None))
        except OSError as exc:
            self.post_message(SetupsListed(generation, [], exc.strerror or str(exc)))

    @on(SetupsListed)
    def _show_setups(self, event: SetupsListed) -> None:
        """Refill the table from a listing: the first screenful now, the rest frame by frame."""
        if event.generation != self._generation:
            return
        if event.error is not None:
            self.notify(f"The profiles folder cannot be read: {event.error}", severity="error")
        self.listings = event.listings
        table = self.query_one("#profiles", DataTable)
        table.clear()
        for listing in self.listings:
            if listing.summary is None and listing.problem is not None:
                # Reported once by the store (the file is moved aside), so remembered for this run.
                self.problems[listing.name] = f"! {listing.problem}"
        self.query_one("#problems", Static).update("\n".join(self.problems.values()))
        self._show_folder()
        self._add_rows(event.generation, [listing.summary for listing in self.listings if listing.summary], 0)

    def _add_rows(self, generation: int, summaries: list[ProfileSummary], start: int) -> None:
        if generation != self._generation:
            return  # a newer listing has refilled the table
        table = self.query_one("#profiles", DataTable)
        scopes = self.wizard.recipe.scope_strings
        for summary in summaries[start : start + ROWS_PER_FRAME]:
            if summary.last_check is None or summary.last_result is None:
                last = Text("never checked", style="dim")
            else:
                # The date only: with the time the table passed 80 columns and cut off "Next".
                last = Text(f"{summary.last_check:%Y-%m-%d} {summary.last_result.label}")
            done = summary.steps_done
            next_info = step(number_of(summary.next_step))
            next_label = "all done" if done == TOTAL_STEPS else f"{next_info.number} {next_info.short}"
            host = summary.canvas_url.removeprefix("https://") or "(not set)"
            table.add_row(  # Text cells: a DataTable would read str cells as markup
                Text(summary.name),
                Text(host),
                Text(f"{done}/{TOTAL_STEPS}"),
                Text(f"{summary.scopes_verified(scopes)}/{len(scopes)}"),
                last,
                Text(next_label),
                key=summary.name,
            )
        if start + ROWS_PER_FRAME < len(summaries):
            self.call_after_refresh(self._add_rows, generation, summaries, start + ROWS_PER_FRAME)
        self.query_one("#resume", Button).disabled = table.row_count == 0
        self.query_one("#delete", Button).disabled = table.row_count == 0

    def _show_folder(self) -> None:
        folder = str(self.wizard.store.folder)
        if self.wizard.presenter:
            from ally_wizard.redact import hide_home  # after the first frame: the folder is shown with the rows

            folder = hide_home(folder)
        self.query_one("#folder", Static).update(f"Setups are saved in {folder}")

    def presenter_changed(self) -> None:
        """The folder path hides the home folder in presenter mode."""
        super().presenter_changed()
        if self._built:
            self._show_folder()

    def _selected_name(self) -> str | None:
        table = self.query_one("#profiles", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value) if row_key.value is not None else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row resumes it."""
        event.stop()
        self.action_resume()

    @on(Button.Pressed, "#resume")
    def _resume_pressed(self) -> None:
        self.action_resume()

    @on(Button.Pressed, "#new")
    def _new_pressed(self) -> None:
        self.action_new()

    @on(Button.Pressed, "#delete")
    def _delete_pressed(self) -> None:
        self.action_delete()

    def action_resume(self) -> None:
        """Open the highlighted setup at its first unfinished step."""
        name = self._selected_name()
        if name is None:
            self.action_new()
            return
        self.wizard.open_profile(name)

    def action_audit(self) -> None:
        """Audit the highlighted setup's key with an admin token: on step 6, whose table shows the rows."""
        name = self._selected_name()
        if name is None:
            self.notify("Choose a saved setup to audit.", severity="warning")
            return
        if not self.wizard.open_profile(name):
            return
        self.wizard.go_to(6)
        screen = self.app.screen
        audit = getattr(screen, "action_audit", None)
        if audit is not None:
            self.app.call_after_refresh(audit)

    def action_new(self, first_run: bool = False) -> None:
        """Ask for a name, create the setup, and go to step 2."""
        from ally_wizard.tui.screens.dialogs import NewProfileScreen

        existing = {listing.name for listing in self.listings}
        suggestion = next(
            name for name in ("production", *(f"production-{n}" for n in range(2, 100))) if name not in existing
        )

        def created(name: str | None) -> None:
            if not name:
                return
            try:
                self.wizard.session.create(name, self.wizard.recipe.version)
            except (ProfileError, ValueError, OSError) as exc:
                self.notify(str(exc), title="Cannot start the setup", severity="error")
                self.reload()
                return
            self.wizard.go_to(number_of(StepId.CANVAS))

        self.app.push_screen(NewProfileScreen(self.wizard.store, suggestion, first_run=first_run), created)

    def action_delete(self) -> None:
        """Delete the highlighted setup after a confirmation."""
        from ally_wizard.tui.screens.dialogs import ConfirmScreen

        name = self._selected_name()
        if name is None:
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.wizard.store.delete(name)
            except (ProfileError, OSError) as exc:
                self.notify(str(exc), title="Not deleted", severity="error")
            else:
                self.notify(f"Deleted the setup {name!r}.")
            self.reload()

        self.app.push_screen(
            ConfirmScreen(
                f"Delete the setup {name!r}? Its saved values and last check are removed from this "
                "computer. The developer key in Canvas is not touched.",
                yes_label="Delete",
            ),
            confirmed,
        )
