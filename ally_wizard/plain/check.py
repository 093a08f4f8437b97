"""Plain mode's side of the one verification run (`ally_wizard.canvas.flow`), shared with the wizard and `check`.

The flow owns the sequence (resolve the address, preflight, secret, authorization, pasted address, live
checks, revoke, report); plain mode only answers its questions on the console (`PlainQuestions`) and says
its progress in occasional lines (`PlainProgress`: a phase's sentence, "12 of 31 scopes checked", the
authorize address alone on a line). `read_report` reads the outcome out: the problems with the step that
fixes each, and the missing scopes by section.

The admin's answers are read in a daemon thread, so Ctrl+C during a question reaches the flow at once
(stop, revoke, report) instead of waiting for a line that will never come.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ally_wizard.canvas import flow
from ally_wizard.canvas.report import CheckStatus, Report, scope_check_id
from ally_wizard.plain.console import Console, GoBack, Quit
from ally_wizard.plain.words import CHECK_WORDS, check_line
from ally_wizard.recipe import Recipe
from ally_wizard.tui.checks import fix_step
from ally_wizard.tui.steps import STEPS, number_of

if TYPE_CHECKING:
    from ally_wizard.canvas.target import KeyTarget
    from ally_wizard.tui.session import WizardSession

T = TypeVar("T")
PROGRESS_EVERY = 2.0
"""Seconds between two progress lines: often enough to know it moves, rarely enough to read."""


async def answer_in_thread(ask: Callable[[], T]) -> T:
    """Run a blocking question in a daemon thread; its answer, or what it raised (`GoBack`, `Quit`...).

    A daemon thread rather than `asyncio.to_thread`: when Ctrl+C stops the run, the loop must not wait at
    shutdown for a thread still blocked on a line that will never come.
    """
    loop = asyncio.get_running_loop()
    answered: asyncio.Future[T] = loop.create_future()

    def deliver(value: T | None, error: BaseException | None) -> None:
        if answered.done():
            return
        if error is not None:
            answered.set_exception(error)
        else:
            answered.set_result(value)  # type: ignore[arg-type]

    def work() -> None:
        value: T | None = None
        error: BaseException | None = None
        try:
            value = ask()
        except BaseException as exc:  # handed to the loop, which raises it where the answer was awaited
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop closed (the run was stopped) before the answer
            loop.call_soon_threadsafe(deliver, value, error)

    threading.Thread(target=work, name="plain-mode-question", daemon=True).start()
    return await answered


class PlainQuestions:
    """The flow's questions, asked on the console; `back` or `quit` ends the run (with its report)."""

    def __init__(self, console: Console, session: WizardSession, ask_secret: Callable[[], None]) -> None:
        self.console = console
        self.session = session
        self.ask_secret = ask_secret
        self.leave: GoBack | Quit | None = None
        """What the admin typed to leave step 6 during the run; raised once the report is saved."""

    async def _ask(self, ask: Callable[[], T]) -> T | None:
        if self.leave is not None:
            return None
        try:
            return await answer_in_thread(ask)
        except (GoBack, Quit) as leave:
            self.leave = leave
            return None

    async def secret(self) -> str | None:
        """The secret pasted on step 5 when there is one; otherwise asked at a masked prompt."""
        if self.session.secret:
            self.console.say("Using the secret given on step 5, held in memory only.")
            return self.session.secret
        await self._ask(self.ask_secret)
        return self.session.secret or None

    async def pasted_address(self, request: flow.PasteRequest) -> str | None:
        """The address the browser landed on; after a paste that cannot be read, why, and again."""
        if request.problem is not None:
            self.console.say(request.problem, f"Attempt {request.attempt} of {request.attempts}.")
        return await self._ask(
            lambda: self.console.ask_text(
                "What is the whole address the browser shows after you select Authorize (it contains code=)"
            )
        )

    async def keep_resolved_address(self, resolution: flow.Resolution) -> bool:
        """Whether the setup keeps the address Canvas really answers on (the flow said where it redirects)."""
        keep = await self._ask(
            lambda: self.console.yes_no(f"Keep {resolution.resolved} as the Canvas address of this setup", default=True)
        )
        return bool(keep)


class PlainProgress:
    """The flow's progress as occasional lines; the authorize address alone on its line."""

    def __init__(self, console: Console, *, open_browser: bool = True) -> None:
        self.console = console
        self.open_browser = open_browser
        self.scopes_planned = 0
        self.scopes_done = 0
        self.last_line = 0.0

    def __call__(self, event: flow.FlowEvent) -> None:
        say = self.console.say
        if isinstance(event, flow.PhaseStarted):
            if event.phase not in (flow.Phase.DONE, flow.Phase.SECRET, flow.Phase.AUTHORIZE):
                say(event.sentence)
        elif isinstance(event, flow.AddressResolved):
            say(event.sentence)
        elif isinstance(event, flow.RowsPlanned):
            self.scopes_planned = sum(1 for check in event.checks if check.scope is not None)
            self.scopes_done = 0
            self.last_line = time.monotonic()
        elif isinstance(event, flow.CheckFinished):
            self._count(event)
        elif isinstance(event, flow.LiveSkipped):
            say(f"The live checks will not run: {event.reason}")
        elif isinstance(event, flow.AuthorizationStarted):
            say(
                "Open this address in a browser where you are signed in to Canvas as an admin, "
                "and select Authorize. The address, alone on the next line:",
                event.authorize_url,
            )
            if self.open_browser and _open_in_browser(event.authorize_url):
                say("It was opened in your browser as well.")

    def _count(self, event: flow.CheckFinished) -> None:
        if event.check.scope is None or not self.scopes_planned:
            return
        self.scopes_done += 1
        finished = self.scopes_done == self.scopes_planned
        if finished or time.monotonic() - self.last_line >= PROGRESS_EVERY:
            self.last_line = time.monotonic()
            self.console.say(f"{self.scopes_done} of {self.scopes_planned} scopes checked.")


def _open_in_browser(url: str) -> bool:
    """Open a browser only where there is a display: over SSH a text browser would take over this terminal."""
    has_display = sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if not has_display:
        return False
    import webbrowser

    try:
        return webbrowser.open(url, new=2)
    except webbrowser.Error:
        return False


async def run_flow(
    target: KeyTarget, questions: PlainQuestions, progress: PlainProgress, *, login: bool
) -> flow.CheckRun:
    """One run of the shared flow; Ctrl+C (and SIGTERM, SIGHUP) stop it the flow's way: revoke, report."""
    run = flow.CheckFlow(target, questions, progress, login=login)

    def leave(why: str) -> None:
        questions.leave = Quit(signal=why)  # the flow revokes and reports, then plain mode stops (all saved)

    with flow.stop_on_signals(run, leave):
        return await run.run()


def read_report(console: Console, recipe: Recipe, run: flow.CheckRun) -> list[int]:
    """Say the outcome: passed, or each problem with its fix and the missing scopes by section.

    Returns the numbers of the steps that fix the problems, in step order.
    """
    say = console.say
    report = run.report
    problems = [c for c in report.checks if c.status in (CheckStatus.FAIL, CheckStatus.ERROR)]
    if run.stopped:
        say(f"Stopped: {run.stopped}.")
    if not problems:
        if run.full:
            who = f" Authorized by {report.authorized_by};" if report.authorized_by else ""
            say(f"All checks passed.{who} {flow.revoke_sentence(run)}".rstrip())
        else:
            passed = sum(1 for c in report.checks if c.status is CheckStatus.PASS)
            unchecked = sum(1 for c in report.checks if c.status is not CheckStatus.PASS)
            say(f"The check is not complete: {passed} checks passed and {unchecked} were not checked.")
        return []
    noun = "problem" if len(problems) == 1 else "problems"
    say(f"{len(problems)} {noun} found.")
    fixes: list[int] = []
    for check in problems:
        step = fix_step(check)
        if step is not None and number_of(step) not in fixes:
            fixes.append(number_of(step))
        if check.scope is None:
            where = "" if step is None else f" Fix it on step {number_of(step)}, {STEPS[number_of(step) - 1].title}."
            say(check_line(check) + where)
    _scopes_by_section(console, recipe, report)
    if run.revoked is False:
        say(flow.revoke_sentence(run))
    return sorted(fixes)


def _scopes_by_section(console: Console, recipe: Recipe, report: Report) -> None:
    """The scopes that failed, by section, each scope alone on its line (missing first, then unchecked)."""
    for status, what in ((CheckStatus.FAIL, "missing"), (CheckStatus.ERROR, CHECK_WORDS[CheckStatus.ERROR])):
        by_section = []
        for section in recipe.sections:
            scopes = [
                s.string
                for s in section.scopes
                if (row := report.get(scope_check_id(s.string))) and row.status is status
            ]
            if scopes:
                by_section.append((section.name, scopes))
        if not by_section:
            continue
        total = sum(len(scopes) for _, scopes in by_section)
        console.say(f"Scopes {what}, {total}, by section; fix them on step 4, Scopes:")
        for name, scopes in by_section:
            console.say(f"{name}, {len(scopes)} {what}:", *scopes)
