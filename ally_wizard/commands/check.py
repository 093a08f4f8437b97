"""`ally-wizard check`: verify a developer key against Canvas, row by row, without changing Canvas.

The preflight always runs. Unless `--no-login`, the admin then authorizes once in a browser (the URL is
printed, and opened unless `--no-browser`), pastes the address Canvas lands on (standard input, also a
pipe), and the live checks run with the secret from `ALLY_WIZARD_SECRET` or a masked prompt (never an
argument, which other users of the machine could read in the process list).

The sequence itself is `ally_wizard.canvas.flow.CheckFlow`, shared with the wizard: this module only
answers its questions (the secret, the pasted address, asked again after a paste it cannot read) and
prints its progress. Whatever happens once the arguments are understood (a refused authorization, input
ended, Canvas unreachable, SIGINT, SIGTERM or SIGHUP), the report is printed and saved; a signal first
lets the run revoke its test token.

Results go to standard output (one line per check, or `--json`); prompts and progress go to standard
error, so `--json` output stays parseable. Exit codes: 0 every check passed, 1 a check failed, 2 bad
usage or input (before anything was checked), 3 Canvas could not be reached or a check was left without
a verdict.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ally_wizard.terminal_text import json_for_terminal, printable

if TYPE_CHECKING:
    from ally_wizard.canvas.flow import CheckRun, FlowEvent, PasteRequest, Resolution
    from ally_wizard.canvas.report import Report
    from ally_wizard.canvas.target import KeyTarget
    from ally_wizard.store import Loaded

SECRET_ENV = "ALLY_WIZARD_SECRET"


def _say(text: str) -> None:
    """Progress and prompts: standard error, so standard output holds only the report.

    A terminal closed under the run (SIGHUP) fails the write: the run goes on to revoke and save.
    """
    with contextlib.suppress(OSError):
        print(text, file=sys.stderr, flush=True)


def _resolve(args: argparse.Namespace) -> tuple[KeyTarget, Loaded | None]:
    """The key to check, from the profile with the flags on top; `UsageError` names what is missing."""
    from ally_wizard.canvas.target import KeyTarget
    from ally_wizard.commands.setup_values import setup_values
    from ally_wizard.errors import UsageError
    from ally_wizard.inputs import InputError, normalize_canvas_url, parse_key_id, redirect_uri
    from ally_wizard.recipe import default_recipe

    values = setup_values(args)
    canvas, key_id, environment, client_id = values.canvas, values.key_id, values.environment, values.client_id
    loaded = values.loaded
    recipe = default_recipe()
    try:
        url = normalize_canvas_url(canvas)
        key = str(parse_key_id(key_id))
        redirect = redirect_uri(recipe, environment, client_id)
    except InputError as exc:
        raise UsageError(str(exc)) from None
    return KeyTarget.from_recipe(url, key, redirect, recipe), loaded


def _line(status_label: str, title: str, message: str) -> str:
    """One row of human output: symbol and word first, so the status never depends on colour."""
    return f"{status_label:<9} {title} — {message}"


def exit_code(report: Report) -> int:
    """0 all passed, 1 something failed, 3 something was left without a verdict."""
    from ally_wizard.canvas.report import CheckStatus
    from ally_wizard.canvas.theme import ALLY_THEME
    from ally_wizard.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREACHABLE

    # ally.theme is advice about the theme, not about the key: a warn or a missing ALLY_CFG changes no exit code.
    statuses = {check.status for check in report.checks if check.id != ALLY_THEME}
    if CheckStatus.FAIL in statuses:
        return EXIT_PROBLEMS
    if statuses - {CheckStatus.PASS} or not statuses:
        return EXIT_UNREACHABLE
    return EXIT_OK


def _print_report(run: CheckRun, as_json: bool) -> None:
    from ally_wizard.canvas.flow import revoke_sentence
    from ally_wizard.canvas.report import CheckStatus
    from ally_wizard.canvas.wording import verdict

    report = run.report
    if as_json:
        document = {"canvas_url": run.target.canvas_url, "key_id": run.target.key_id, **report.as_dict()}
        if run.resolution is not None:
            document["canvas_url_typed"] = run.resolution.original
        print(json_for_terminal(document), flush=True)
        return
    for check in report.checks:
        print(printable(_line(check.status.label, check.title, check.message)))
    summary = f"{report.count(CheckStatus.PASS)} of {len(report.checks)} checks passed."
    revoked = revoke_sentence(run)
    if report.authorized_by:
        summary += f" Authorized by {report.authorized_by}" + (f"; {revoked}" if revoked else ".")
    elif revoked:
        summary += f" {revoked[0].upper()}{revoked[1:]}"
    if run.stopped:
        summary += f" Stopped: {run.stopped}."
    sentence = verdict(report, rows="above", again="run ally-wizard check again")
    print(printable(f"{report.overall.symbol} {sentence}"))
    print(printable(summary), flush=True)


def _read_in_thread(read: Callable[[], str]) -> Awaitable[str]:
    """Run a blocking read of the terminal or a pipe without blocking the event loop.

    A daemon thread rather than `asyncio.to_thread`: when a signal stops the run, the loop must not wait,
    at shutdown, for a thread still blocked on a line that will never come.
    """
    import asyncio
    import contextlib
    import threading

    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[str] = loop.create_future()

    def deliver(value: str) -> None:
        if not arrived.done():
            arrived.set_result(value)

    def work() -> None:
        try:
            value = read()
        except (EOFError, OSError):
            value = ""
        with contextlib.suppress(RuntimeError):  # the run ended (a signal) before the answer came
            loop.call_soon_threadsafe(deliver, value)

    threading.Thread(target=work, name="read-admin-input", daemon=True).start()
    return arrived


class _Prompts:
    """The command line's answers to the flow's questions: the environment, a masked prompt, stdin."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    async def secret(self) -> str | None:
        import getpass
        import os

        secret = os.environ.get(SECRET_ENV)
        if secret is None:
            secret = await _read_in_thread(
                lambda: getpass.getpass("Key secret (Show Key in the Details column; not shown as you type): ")
            )
        return secret.strip() or None

    async def pasted_address(self, request: PasteRequest) -> str | None:
        if request.problem is not None:
            _say(f"✗ {request.problem}")
            _say(f"Paste it again (attempt {request.attempt} of {request.attempts}) and press Enter:")
        else:
            _say("Paste the address here and press Enter:")
        line = await _read_in_thread(sys.stdin.readline)
        return line if line else None  # "" is end of input; an empty line is "\n"

    async def keep_resolved_address(self, resolution: Resolution) -> bool:
        if self.args.profile:
            _say(
                f"The profile keeps {resolution.original}; to check {resolution.resolved} directly, use "
                "--canvas or change the address in the wizard."
            )
        return False


class _CollectorPaused:
    """The cyclic garbage collector, paused from the start of a check until Canvas first answers.

    Start-up allocates tens of thousands of long-lived objects (modules, classes, functions) and next to no
    garbage, yet the collector ran some 60 times before the first request: about 20 ms of a check's start.
    On `resume` (Canvas answered, or the run ended) it runs as usual. (Nothing is frozen: tests run checks
    in-process, and frozen objects would hide from `gc.get_referrers` for the rest of the session.)
    """

    def __init__(self) -> None:
        self.paused = gc.isenabled()
        if self.paused:
            gc.disable()

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            gc.enable()


class _Progress:
    """Progress lines on standard error, and the browser opened when the authorize address is known."""

    def __init__(self, args: argparse.Namespace, collector: _CollectorPaused) -> None:
        self.args = args
        self.collector = collector
        self.preflight: dict[str, bool] = {}
        self.in_preflight = False

    def __call__(self, event: FlowEvent) -> None:
        from ally_wizard.canvas import flow
        from ally_wizard.canvas.report import CheckStatus

        if isinstance(event, (flow.CheckFinished, flow.AddressResolved, flow.LiveSkipped)):
            self.collector.resume()  # Canvas answered (or never will): start-up is over
        if isinstance(event, flow.CheckFinished) and self.in_preflight:
            self.preflight[event.check.id] = event.check.status is CheckStatus.PASS
        elif isinstance(event, flow.PhaseStarted):
            if self.in_preflight and event.phase is not flow.Phase.PREFLIGHT and self.preflight:
                _say(f"Preflight: {sum(self.preflight.values())} of {len(self.preflight)} checks passed.")
            self.in_preflight = event.phase is flow.Phase.PREFLIGHT
            if event.phase not in (flow.Phase.DONE, flow.Phase.AUTHORIZE, flow.Phase.SECRET):
                _say(event.sentence)
        elif isinstance(event, flow.AddressResolved):
            _say(event.sentence)
        elif isinstance(event, flow.LiveSkipped):
            _say(f"Live checks skipped: {event.reason}")
        elif isinstance(event, flow.AuthorizationStarted):
            _say(
                "\nAuthorize the key in a browser where you are logged in to Canvas as an admin:\n\n"
                f"  {event.authorize_url}\n\n"
                "Select Authorize, then copy the whole address from the browser's address bar "
                "(Canvas's page shows no code) and paste it here."
            )
            if not self.args.no_browser:
                import webbrowser

                webbrowser.open(event.authorize_url)


async def _check(args: argparse.Namespace, target: KeyTarget, collector: _CollectorPaused) -> CheckRun:
    """The run itself, with SIGINT, SIGTERM and SIGHUP stopping it the way the flow stops: revoke, report."""
    from ally_wizard.canvas.flow import CheckFlow, Deadlines, stop_on_signals

    deadlines = Deadlines() if args.deadline is None else Deadlines(total=max(1.0, args.deadline))
    flow = CheckFlow(target, _Prompts(args), _Progress(args, collector), login=not args.no_login, deadlines=deadlines)
    with stop_on_signals(flow, ignore_after=True):
        return await flow.run()


def _save(loaded: Loaded, run: CheckRun) -> None:
    """Keep the report and the scope statuses in the profile (never a secret or token: none is in them)."""
    from ally_wizard.canvas.flow import apply_run
    from ally_wizard.store import ProfileError, ProfileStore

    apply_run(loaded.profile, run)
    try:
        ProfileStore().save(loaded)
    except ProfileError as exc:
        _say(printable(f"The report could not be saved in the profile: {exc}"))


def _import_httpcore_without_trio() -> None:
    """Import httpcore, the first request's, without trio.

    httpcore imports trio, when it is installed, only to find out whether it runs under trio
    (`httpcore._synchronization`); `check` runs under asyncio only, and importing trio costs more than all of
    httpx. A plain install has no trio, but an environment with selenium (as the tests') or any trio user
    has. The block lasts only for httpcore's own import: a later `import trio` anywhere in the process works
    as usual, and if trio or httpcore is imported already nothing is changed.
    """
    if "httpcore" in sys.modules or "trio" in sys.modules:
        return
    sys.modules["trio"] = None  # type: ignore[assignment]  # `import trio` raises ImportError meanwhile
    try:
        import httpcore  # noqa: F401
    finally:
        left: object = sys.modules.get("trio")
        if left is None and "trio" in sys.modules:
            del sys.modules["trio"]


def run(args: argparse.Namespace) -> int:
    """Run the check; save the report in the profile when one was named; print it."""
    import asyncio
    import contextlib

    from ally_wizard.canvas import tls

    tls.start_loading()  # while the rest imports
    collector = _CollectorPaused()
    try:
        _import_httpcore_without_trio()
        target, loaded = _resolve(args)
        before = _dispositions()
        try:
            found = asyncio.run(_check(args, target, collector))
            if loaded is not None:
                _save(loaded, found)  # first: after a SIGHUP the terminal may be gone
            with contextlib.suppress(OSError):  # the terminal closed (SIGHUP): the report is in the profile
                _print_report(found, args.json)
        finally:
            _restore(before)
    finally:
        collector.resume()
    return exit_code(found.report)


def _dispositions() -> dict[int, object]:
    """The handlers of the signals a check catches, to put back when it is over (tests run it in-process)."""
    import signal

    from ally_wizard.canvas.flow import STOP_SIGNALS

    numbers = [getattr(signal, name) for name, _ in STOP_SIGNALS if hasattr(signal, name)]
    return {number: signal.getsignal(number) for number in numbers}


def _restore(before: dict[int, object]) -> None:
    import contextlib
    import signal

    for number, handler in before.items():
        with contextlib.suppress(TypeError, ValueError, OSError):
            signal.signal(number, handler)  # type: ignore[arg-type]
