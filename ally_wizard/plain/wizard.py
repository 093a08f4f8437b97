"""The wizard's seven steps, line by line: the same profile, the same validators, the same check run.

`PlainWizard.run` walks the steps from the first unfinished one (as the Textual wizard opens a resumed
setup), saving the profile after every accepted answer through the wizard's own `WizardSession`, so a setup
started here resumes in the wizard at the same step and the other way round. Answers are checked by the
validators the wizard uses (`ally_wizard.inputs`, `check_profile_name`), whose messages are printed as they
are, and the question is asked again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from ally_wizard.canvas.report import CheckStatus
from ally_wizard.canvas.wording import verdict
from ally_wizard.errors import EXIT_INTERRUPTED
from ally_wizard.inputs import (
    InputError,
    normalize_canvas_url,
    parse_client_id,
    parse_key_id,
    redirect_uri,
    suggested_owner_email,
)
from ally_wizard.inputs import test_or_beta_warning as canvas_warning
from ally_wizard.plain.console import Console, GoBack, Quit
from ally_wizard.plain.words import (
    COMMANDS_LINE,
    SCOPE_WORDS,
    check_line,
    heading,
    help_lines,
    report_line,
    scope_counts,
    status_lines,
)
from ally_wizard.profile import STEPS_TOTAL, Profile, ScopeStatus, StepId, StepState, check_profile_name
from ally_wizard.recipe import Recipe, Section, default_recipe
from ally_wizard.store import ProfileError, ProfileNotFound, ProfileStore
from ally_wizard.tui.session import WizardSession
from ally_wizard.tui.steps import STEPS, StepInfo, number_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from ally_wizard.canvas.flow import CheckRun
    from ally_wizard.canvas.target import KeyTarget
    from ally_wizard.plain.check import PlainQuestions

SECRET_LENGTH = 64
FINISHED = 0
"""What a step returns when the setup is complete and plain mode should end."""
CHECK = -1
"""Step 6's choice that runs the check (every other choice is a step number)."""


class PlainWizard:
    """The setup, one question per line, on a `Console`; `run` returns the exit code."""

    def __init__(
        self,
        store: ProfileStore,
        console: Console,
        profile_name: str | None = None,
        *,
        recipe: Recipe | None = None,
        resume_command: str | None = "ally-wizard wizard --plain",
        open_browser: bool = True,
    ) -> None:
        self.store = store
        self.console = console
        self.recipe = recipe if recipe is not None else default_recipe()
        self.session = WizardSession(store)
        self.initial_profile = profile_name
        self.resume_command = resume_command
        self.open_browser = open_browser
        self.questions: PlainQuestions | None = None
        self.current = 1
        self.console.on_status = self.show_status
        self.console.on_help = self.show_help
        self._steps: dict[int, Callable[[], int]] = {
            1: self.step_start,
            2: self.step_canvas,
            3: self.step_create_key,
            4: self.step_scopes,
            5: self.step_activate,
            6: self.step_authorize,
            7: self.step_handoff,
        }

    # -- the loop -----------------------------------------------------------------------------------

    @property
    def profile(self) -> Profile:
        """The open profile (every step after the first has one)."""
        return self.session.require()

    @property
    def info(self) -> StepInfo:
        """The step being shown."""
        return STEPS[self.current - 1]

    def run(self) -> int:
        """Walk the steps until the hand-off is finished or the admin quits; everything is saved as it goes."""
        say = self.console.say
        say(f"{self.recipe.name} developer key setup, plain mode: one question per line.")
        say(COMMANDS_LINE)
        if self.initial_profile is not None and not self._open_named(self.initial_profile):
            return 2
        while True:
            try:
                following = self._steps[self.current]()
            except GoBack:
                if self.current == 1:
                    say("This is the first step; there is nothing before it.")
                    continue
                following = self.current - 1
            except Quit as stop:
                code = self._quit(stop)
                return EXIT_INTERRUPTED if stop.signal is not None and code == 0 else code
            except KeyboardInterrupt:  # Ctrl+C at a question: everything answered is already saved
                self._quit(Quit(signal="Ctrl+C"))
                return EXIT_INTERRUPTED
            if following == FINISHED:
                return 0
            if following == 1:
                self.session.close()
            self.current = following

    def _open_named(self, name: str) -> bool:
        """Open (or start) the named setup at its first unfinished step, as `ally-wizard wizard NAME` does."""
        try:
            check_profile_name(name)
            self.session.open(name)
        except ProfileNotFound:
            try:
                self.session.create(name, self.recipe.version)
            except (ProfileError, ValueError, OSError) as exc:
                self.console.say(f"Cannot create the profile: {exc}")
                return False
            self.console.say(f"Started a new setup named {name}.")
        except (ProfileError, ValueError) as exc:
            self.console.say(f"Cannot open the profile: {exc}")
            return False
        else:
            self._say_resumed()
        self.current = number_of(self.profile.first_unfinished)
        return True

    def _say_resumed(self) -> None:
        profile = self.profile
        info = STEPS[number_of(profile.first_unfinished) - 1]
        self.console.say(
            f"Resuming the setup {profile.name}: {profile.steps_done} of {STEPS_TOTAL} steps done; "
            f"next is step {info.number}, {info.title}."
        )

    def _quit(self, stop: Quit) -> int:
        problem = self.session.save() if self.session.profile is not None else None
        self.console.blank()
        if problem:
            self.console.say(f"Not saved: {problem}")
            return 1
        name = self.session.profile.name if self.session.profile is not None else None
        ended = "The input ended. " if stop.input_ended else ""
        if name is None:
            self.console.say(f"{ended}Stopped; nothing was started.")
        else:
            self.console.say(f"{ended}Stopped at step {self.current} of {STEPS_TOTAL}; everything entered is saved.")
            if self.resume_command is not None:
                self.console.say(f"To go on: {self.resume_command} {name}")
        return 0

    def show_help(self) -> None:
        """`help` at any prompt."""
        self.console.say(*help_lines(self.info))

    def show_status(self) -> None:
        """`status` at any prompt."""
        self.console.say(*status_lines(self.session.profile, self.recipe, self.current))

    def begin(self) -> None:
        """The heading of the step; a step after the first is marked started (a done step stays done)."""
        self.console.blank()
        self.console.say(heading(self.info))
        step_id = self.info.step_id
        if step_id is not None:
            self.note_saved(self.session.mark(step_id, StepState.IN_PROGRESS))

    def finish(self) -> int:
        """Mark the step done and go on to the next one."""
        step_id = self.info.step_id
        assert step_id is not None
        self.note_saved(self.session.mark(step_id, StepState.DONE))
        return self.current + 1

    def save(self) -> None:
        """Save the profile now (after every accepted answer)."""
        self.note_saved(self.session.save())

    def note_saved(self, problem: str | None) -> None:
        """Say so when the profile could not be saved."""
        if problem:
            self.console.say(f"Not saved: {problem}")

    # -- step 1 -------------------------------------------------------------------------------------

    def step_start(self) -> int:
        """Choose a saved setup (it resumes at its first unfinished step) or start a new one."""
        self.begin()
        say = self.console.say
        try:
            listings = self.store.list()
        except OSError as exc:
            say(f"The profiles folder cannot be read: {exc.strerror}")
            listings = []
        usable = [listing.summary for listing in listings if listing.summary is not None]
        for listing in listings:
            if listing.problem is not None:
                say(str(listing.problem))
        if not usable:
            say("No saved setups yet. A setup is one Canvas instance and its Ally developer key.")
            return self._new_setup(set())
        say(f"Saved setups, {len(usable)}:")
        options = []
        for summary in usable:
            host = summary.canvas_url.removeprefix("https://") or "Canvas not set"
            nxt = STEPS[number_of(summary.next_step) - 1]
            done = summary.steps_done
            where = "all done" if done == STEPS_TOTAL else f"next step {nxt.number}, {nxt.title}"
            options.append(f"{summary.name}, {host}, {done} of {STEPS_TOTAL} steps done, {where}")
        options.append("Start a new setup")
        index = self.console.choose("Which setup", options, default=0)
        if index == len(usable):
            return self._new_setup({listing.name for listing in listings})
        name = usable[index].name
        try:
            self.session.open(name)
        except (ProfileError, ValueError) as exc:
            say(f"Cannot open the profile: {exc}")
            return 1
        self._say_resumed()
        return number_of(self.profile.first_unfinished)

    def _new_setup(self, existing: set[str]) -> int:
        suggestion = next(
            name for name in ("production", *(f"production-{n}" for n in range(2, 100))) if name not in existing
        )

        def parse(text: str) -> str:
            name = check_profile_name(text)
            if self.store.exists(name):
                raise InputError(f"A profile named {name!r} already exists. Choose another name, or resume it instead.")
            return name

        name = self.console.ask("Name this setup, one per Canvas instance", parse, default=suggestion)
        try:
            self.session.create(name, self.recipe.version)
        except (ProfileError, ValueError, OSError) as exc:
            self.console.say(f"Cannot start the setup: {exc}")
            return 1
        self.console.say(f"Started the setup {name}.")
        return 2

    # -- step 2 -------------------------------------------------------------------------------------

    def step_canvas(self) -> int:
        """The Canvas address, the Ally environment and the Client ID; then the redirect URI they make."""
        self.begin()
        profile, recipe, ask, say = self.profile, self.recipe, self.console.ask, self.console.say
        say("Your institution's Canvas, such as canvas.school.edu (any Canvas page URL works).")
        profile.canvas_url = ask(
            "What is the Canvas address", normalize_canvas_url, default=self._valid_default(profile.canvas_url)
        )
        self.save()
        say(f"Canvas address: {profile.canvas_url}")
        warning = canvas_warning(profile.canvas_url)
        if warning:
            say(f"Warning: {warning}")
        say(f"The {recipe.environment_label}: the data centre that hosts your institution's Ally.")
        current = next((i for i, env in enumerate(recipe.environments) if env.id == profile.environment), None)
        index = self.console.choose(
            f"Which {recipe.environment_label}",
            [f"{env.label}, {env.host}" for env in recipe.environments],
            default=current,
        )
        profile.environment = recipe.environments[index].id
        self.save()
        say(f"The {recipe.client_id_label}: the number Ally gave your institution; it goes into the redirect URI.")
        profile.client_id = ask(
            f"What is the {recipe.client_id_label}",
            lambda text: parse_client_id(text, recipe.client_id_label),
            default=self._valid_default(profile.client_id),
        )
        self.save()
        say("The redirect URI these make, alone on the next line:")
        say(redirect_uri(recipe, profile.environment, profile.client_id))
        return self.finish()

    @staticmethod
    def _valid_default(value: str) -> str | None:
        return value or None

    # -- step 3 -------------------------------------------------------------------------------------

    def _redirect(self) -> str | None:
        try:
            return redirect_uri(self.recipe, self.profile.environment, self.profile.client_id)
        except InputError:
            return None

    def step_create_key(self) -> int:
        """What to do in Canvas's Developer Keys, the two names, the redirect URI and the settings."""
        self.begin()
        profile, recipe, say = self.profile, self.recipe, self.console.say
        uri = self._redirect()
        if uri is None:
            say("The redirect URI needs the Ally environment and Client ID from step 2. Going back to step 2.")
            return 2
        steps = recipe.steps.create
        say(f"In Canvas, as an admin, {len(steps)} things to do:")
        self.console.numbered(steps)
        say(f"Key Name: any name; Ally does not check it. Suggested: {recipe.suggested_key_name}.")
        profile.key_name = self.console.ask_text(
            "What Key Name will you type", default=profile.key_name or recipe.suggested_key_name
        )
        self.save()
        suggestion = suggested_owner_email(profile.canvas_url)
        say(f"Owner Email: a shared mailbox such as {suggestion}, so the key does not depend on one person.")
        profile.owner_email = self.console.ask_text(
            "What Owner Email will you type", default=profile.owner_email or suggestion
        )
        value = profile.owner_email
        if "@" not in value or "." not in value.rpartition("@")[2]:
            say(f"Warning: {value!r} does not look like an email address (name@school.edu).")
        self.save()
        say("The redirect URI, to paste into the Redirect URIs field exactly, alone on the next line:")
        say(uri)
        settings = recipe.settings
        say(f"Enforce Scopes: {'on' if settings.enforce_scopes else 'off'}.")
        say(f"Allow Include Parameters: {'checked' if settings.allow_includes else 'unchecked'}.")
        say("The scopes come on the next step.")
        all_done = len(profile.create_checklist) == len(steps)
        answer = self.console.word(
            f"Done all {len(steps)} in Canvas", ("yes", "no", "list"), default="yes" if all_done else None
        )
        if answer == "yes":
            profile.create_checklist = list(range(len(steps)))
        elif answer == "list":
            ticked = []
            for number, text in enumerate(steps):
                done = self.console.yes_no(
                    f"{number + 1}. {text}: done", default=True if number in profile.create_checklist else None
                )
                if done:
                    ticked.append(number)
            profile.create_checklist = ticked
        missing = len(steps) - len(profile.create_checklist)
        if missing:
            say(
                f"{missing} step(s) of the checklist are not ticked; the checks on step 6 will tell "
                "whether they were done."
            )
        self.save()
        return self.finish()

    # -- step 4 -------------------------------------------------------------------------------------

    def step_scopes(self) -> int:
        """The 31 scopes by section: confirmed section by section, or left for the check to find out."""
        self.begin()
        say, recipe = self.console.say, self.recipe
        say(
            f"With Enforce Scopes on, the key may call only the scopes ticked in Canvas's key editor. "
            f"{recipe.name} needs {len(recipe.scope_strings)}, in {len(recipe.sections)} sections."
        )
        say(scope_counts(self.profile, recipe))
        how = self.console.choose(
            "How will you confirm them",
            ["Section by section, here", "Let the check find out (it asks Canvas, without signing in)"],
            default=0,
        )
        if how == 1:
            self.check_scopes_now()
        for section in recipe.sections:
            self._confirm_section(section)
        say(scope_counts(self.profile, recipe))
        todo = sum(
            1 for s in recipe.scope_strings if self.profile.scope_status(s) in (ScopeStatus.TODO, ScopeStatus.MISSING)
        )
        if todo:
            say(f"{todo} scope(s) are not ticked yet; step 6 will show any that are missing.")
        return self.finish()

    def check_scopes_now(self) -> None:
        """Ask Canvas which scopes are on the key (no sign-in); the sections then read out only what is missing."""
        from ally_wizard.tui.checks import NotReady, apply_scope_checks, key_target

        try:
            target = key_target(self.profile, self.recipe)
        except NotReady as exc:
            self.console.say(str(exc), "Until then, confirm the scopes section by section; step 6 checks them.")
            return
        run = self.run_check(target, login=False)
        apply_scope_checks(self.profile, run.preflight, live=False)
        self.save()
        on_key = sum(1 for c in run.preflight if c.scope and c.status is CheckStatus.PASS)
        missing = sum(1 for c in run.preflight if c.scope and c.status is CheckStatus.FAIL)
        self.console.say(f"Checked: {on_key} on the key, {missing} missing.")
        for check in run.preflight:
            if check.scope is None and check.status is not CheckStatus.PASS:
                self.console.say(check_line(check))
        self.raise_left(run)

    def _confirm_section(self, section: Section) -> None:
        """One section: skipped when Canvas confirmed it all; otherwise yes, no or list."""
        profile, say = self.profile, self.console.say
        scopes = [scope.string for scope in section.scopes]
        statuses = {scope: profile.scope_status(scope) for scope in scopes}
        open_scopes = [scope for scope in scopes if not statuses[scope].confirmed]
        count = len(scopes)
        noun = "scope" if count == 1 else "scopes"
        if not open_scopes:
            say(f"{section.name}: all {count} {noun} confirmed by Canvas.")
            return
        missing = [scope for scope in open_scopes if statuses[scope] is ScopeStatus.MISSING]
        if missing:
            say(f"{section.name}: {len(missing)} of {count} {noun} missing on the key:")
            say(*missing)
            question = f"{section.name}: ticked the {len(missing)} missing"
            targets = missing
        elif len(open_scopes) < count:
            question = f"{section.name}: {len(open_scopes)} of {count} {noun} not confirmed, ticked them all"
            targets = open_scopes
        else:
            question = f"{section.name}: {count} {noun}, ticked all"
            targets = open_scopes
        already = all(statuses[scope] is ScopeStatus.TICKED for scope in targets)
        answer = self.console.word(question, ("yes", "no", "list"), default="yes" if already else None)
        if answer == "yes":
            for scope in targets:
                profile.scopes[scope] = ScopeStatus.TICKED
        elif answer == "no":
            for scope in targets:
                if statuses[scope] is not ScopeStatus.MISSING:
                    profile.scopes[scope] = ScopeStatus.TODO
            say(f"Tick them in Canvas's key editor, in the {section.name} section; step 6 will confirm.")
        else:
            self._list_section(section, targets)
        self.save()

    def _list_section(self, section: Section, targets: list[str]) -> None:
        """Read out a section's scopes with their statuses, then ask which were ticked."""
        profile = self.profile
        self.console.say(f"{section.name}, {len(targets)} to confirm:")
        self.console.numbered([f"{scope}, {SCOPE_WORDS[profile.scope_status(scope)]}" for scope in targets])

        def parse(text: str) -> set[int]:
            word = text.strip().lower()
            if word == "all":
                return set(range(len(targets)))
            if word == "none":
                return set()
            parts = text.replace(",", " ").split()
            if parts and all(part.isdigit() and 1 <= int(part) <= len(targets) for part in parts):
                return {int(part) - 1 for part in parts}
            raise InputError(f"Type all, none, or numbers from 1 to {len(targets)} such as 1 3.")

        chosen = self.console.ask(f"{section.name}: which did you tick, all, none, or their numbers", parse)
        for index, scope in enumerate(targets):
            if index in chosen:
                profile.scopes[scope] = ScopeStatus.TICKED
            elif profile.scope_status(scope) is not ScopeStatus.MISSING:
                profile.scopes[scope] = ScopeStatus.TODO

    # -- step 5 -------------------------------------------------------------------------------------

    def step_activate(self) -> int:
        """Save and turn the key ON in Canvas; the key ID (saved) and the secret (memory only, masked)."""
        self.begin()
        profile, say = self.profile, self.console.say
        say("In Canvas, on the Developer Keys page:")
        self.console.numbered(self.recipe.steps.activate)
        say("The key ID is the number in the Details column.")
        key_id = self.console.ask(
            "What is the developer key ID", parse_key_id, default=self._valid_default(profile.key_id)
        )
        profile.key_id = str(key_id)
        self.save()
        say(f"{key_id}: a Canvas developer key ID.")
        say(
            "The secret stays in this program's memory for this run only: it is never saved to the "
            "profile or any file, and it is not shown as you type or paste it."
        )
        self.ask_secret()
        return self.finish()

    def ask_secret(self) -> None:
        """The secret at a masked prompt; Enter keeps the one already given, or leaves it for later."""
        session, say = self.session, self.console.say
        keep = "keep the secret already given" if session.secret else "give it later"
        secret = self.console.ask(
            f"Paste the secret from Show Key in Canvas, or press Enter to {keep}", str, default="", secret=True
        )
        if secret:
            session.secret = secret
        if not session.secret:
            say("No secret yet: the live check on step 6 needs it. You can paste it later.")
            return
        length = len(session.secret)
        if length != SECRET_LENGTH:
            say(
                f"Warning: the secret has {length} characters; Canvas secrets are usually {SECRET_LENGTH}. "
                "Check that all of it was copied."
            )
        else:
            say(f"The secret has {SECRET_LENGTH} characters and is held in memory only.")

    # -- step 6 -------------------------------------------------------------------------------------

    def step_authorize(self) -> int:
        """The live check: the same verification run as the wizard and `ally-wizard check`."""
        from ally_wizard.canvas.flow import apply_run
        from ally_wizard.plain.check import read_report
        from ally_wizard.tui.checks import NotReady, key_target

        self.begin()
        profile, say = self.profile, self.console.say
        try:
            target = key_target(profile, self.recipe)
        except NotReady as exc:
            say(str(exc), f"Going to step {number_of(exc.step)}.")
            return number_of(exc.step)
        say(
            "The check asks Canvas about the key without signing in, then needs one authorization in your "
            "browser. Nothing in Canvas is changed; the test token is revoked at the end."
        )
        if profile.last_verification is not None:
            say(report_line(profile.last_verification))
        passed = profile.steps[StepId.AUTHORIZE].state is StepState.DONE
        # (label, where it leads): a step number to go to, or CHECK to run the check.
        options: list[tuple[str, int]] = [("Start the check", CHECK), ("Go on to the hand-off", self.current + 1)]
        default = 1 if passed else 0
        while True:
            chosen = options[self.console.choose("What now", [label for label, _ in options], default=default)][1]
            if chosen != CHECK:
                if chosen == self.current + 1 and not passed:
                    say("The live check has not passed yet; Ally's own check may fail.")
                return chosen
            run = self.run_check(target, login=True)
            apply_run(profile, run)
            self.save()
            fixes = read_report(self.console, self.recipe, run)
            self.raise_left(run)
            if profile.steps[StepId.AUTHORIZE].state is StepState.DONE:
                say(f"Step 6 of {STEPS_TOTAL} is done.")
                return self.current + 1
            options = [(f"Go to step {n}, {STEPS[n - 1].title}, to fix it", n) for n in fixes]
            options += [("Check again", CHECK), ("Go on to the hand-off", self.current + 1)]
            default = 0

    def run_check(self, target: KeyTarget, *, login: bool) -> CheckRun:
        """One run of the shared verification flow, with its questions asked here."""
        from ally_wizard.plain.check import PlainProgress, PlainQuestions, run_flow

        self.questions = PlainQuestions(self.console, self.session, self.ask_secret)
        progress = PlainProgress(self.console, open_browser=self.open_browser)
        return asyncio.run(run_flow(target, self.questions, progress, login=login))

    def raise_left(self, run: CheckRun) -> None:
        """After a run's report is saved: leave as the admin asked during it (back, quit, Ctrl+C)."""
        leave = self.questions.leave if self.questions is not None else None
        self.questions = None
        if leave is not None:
            raise leave

    # -- step 7 -------------------------------------------------------------------------------------

    def step_handoff(self) -> int:
        """What to do on Ally's configuration page, the key ID alone on a line, and the summary."""
        from ally_wizard.tui.summary import export_summary, summary_markdown

        self.begin()
        profile, recipe, say = self.profile, self.recipe, self.console.say
        report = profile.last_verification
        if report is None:
            say("Warning: the key has not been checked live yet (step 6). Ally's own check may fail.")
        else:
            say(verdict(report, rows="on step 6", again="check again on step 6"))
        say("On Ally's configuration page:")
        self.console.numbered(recipe.steps.handoff)
        say("The key ID, alone on the next line:")
        say(profile.key_id or "not set: step 5")
        if self.session.secret:
            say("The secret: the one you pasted on step 5. It is not printed here; Show Key in Canvas shows it.")
        else:
            say("The secret is not in memory: copy it from Show Key in Canvas.")
        default_path = self.store.folder / f"{profile.name}-summary.md"
        if self.console.yes_no("Write a summary for your records, in Markdown and without the secret", default=True):
            raw = self.console.ask_text("Where should the summary go", default=str(default_path))
            text = summary_markdown(profile, recipe)
            try:
                written = export_summary(Path(raw).expanduser(), text)
            except OSError as exc:
                say(f"Not written: {exc.strerror or exc}. Choose another path next time.")
            else:
                say("Summary written to:")
                say(str(written))
        if not self.console.yes_no("Finish the setup", default=True):
            return self.current
        self.note_saved(self.session.mark(StepId.HANDOFF, StepState.DONE))
        say("Setup complete. The profile keeps this record.")
        return FINISHED
