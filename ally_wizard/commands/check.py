"""`ally-wizard check`: verify a developer key against Canvas, row by row, without changing Canvas.

The preflight always runs. Unless `--no-login`, the admin then authorizes once in a browser (the URL is
printed, and opened unless `--no-browser`), pastes the address Canvas lands on (standard input, also a
pipe), and the live checks run with the secret from `ALLY_WIZARD_SECRET` or a masked prompt (never an
argument, which other users of the machine could read in the process list).

Results go to standard output (one line per check, or `--json`); prompts and progress go to standard
error, so `--json` output stays parseable. Exit codes: 0 every check passed, 1 a check failed, 2 bad
usage or input, 3 Canvas could not be reached or a check was left without a verdict.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ally_wizard.canvas.report import Check, Report
    from ally_wizard.canvas.verify import KeyTarget, LiveResult
    from ally_wizard.store import Loaded

SECRET_ENV = "ALLY_WIZARD_SECRET"


@dataclass(slots=True)
class _Run:
    """What a run has found so far, kept outside the event loop so it can be saved even if input fails."""

    target: KeyTarget
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))
    preflight: list[Check] = field(default_factory=list)
    live: LiveResult | None = None

    def report(self) -> Report:
        from ally_wizard.canvas.verify import report_of

        return report_of(self.target, self.started, self.preflight, self.live)


def _say(text: str) -> None:
    """Progress and prompts: standard error, so standard output holds only the report."""
    print(text, file=sys.stderr, flush=True)


def _resolve(args: argparse.Namespace) -> tuple[KeyTarget, Loaded | None]:
    """The key to check, from the profile with the flags on top; `UsageError` names what is missing."""
    from ally_wizard.canvas.verify import KeyTarget
    from ally_wizard.errors import UsageError
    from ally_wizard.inputs import InputError, normalize_canvas_url, parse_key_id, redirect_uri
    from ally_wizard.recipe import default_recipe
    from ally_wizard.store import ProfileError, ProfileStore

    loaded = None
    if args.profile:
        try:
            loaded = ProfileStore().load(args.profile)
        except (ProfileError, ValueError) as exc:
            raise UsageError(f"{exc} Run 'ally-wizard profiles' to see the saved ones.") from None
    profile = loaded.profile if loaded else None
    canvas = args.canvas or (profile.canvas_url if profile else "")
    key_id = args.key_id or (profile.key_id if profile else "")
    environment = args.environment or (profile.environment if profile else "")
    client_id = args.ally_client_id or (profile.client_id if profile else "")
    needed = [
        (canvas, "--canvas URL"),
        (key_id, "--key-id ID"),
        (environment, "--environment"),
        (client_id, "--ally-client-id N"),
    ]
    missing = [flag for value, flag in needed if not value]
    if missing:
        source = f"Profile {args.profile!r} does not say" if args.profile else "Without a profile, give"
        raise UsageError(f"{source} {', '.join(missing)}. Add {'it' if len(missing) == 1 else 'them'} as flags.")
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
    from ally_wizard.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREACHABLE

    statuses = {check.status for check in report.checks}
    if CheckStatus.FAIL in statuses:
        return EXIT_PROBLEMS
    if statuses - {CheckStatus.PASS} or not statuses:
        return EXIT_UNREACHABLE
    return EXIT_OK


def _print_report(report: Report, target: KeyTarget, as_json: bool) -> None:
    import json

    from ally_wizard.canvas.report import CheckStatus

    if as_json:
        document = {"canvas_url": target.canvas_url, "key_id": target.key_id, **report.as_dict()}
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return
    for check in report.checks:
        print(_line(check.status.label, check.title, check.message))
    passed = report.count(CheckStatus.PASS)
    print(f"{passed} of {len(report.checks)} checks passed.", end="")
    if report.authorized_by:
        print(f" Authorized by {report.authorized_by}; the test token was revoked.", end="")
    print()


def _read_secret() -> str:
    import getpass
    import os

    from ally_wizard.errors import UsageError

    secret = os.environ.get(SECRET_ENV)
    if secret is None:
        try:
            secret = getpass.getpass("Key secret (Show Key in the Details column; not shown as you type): ")
        except EOFError:
            secret = ""
    secret = secret.strip()
    if not secret:
        raise UsageError(
            f"No key secret was given. Set {SECRET_ENV}, or type it at the prompt "
            "(Developer Keys, Show Key in the Details column)."
        )
    return secret


async def _read_line() -> str:
    """One line of standard input (a terminal or a pipe) without blocking the event loop.

    A daemon thread rather than `asyncio.to_thread`: at Ctrl+C the loop must not wait, at shutdown, for a
    thread still blocked on a line that will never come.
    """
    import asyncio
    import contextlib
    import threading

    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[str] = loop.create_future()

    def deliver(line: str) -> None:
        if not arrived.done():
            arrived.set_result(line)

    def read() -> None:
        line = sys.stdin.readline()
        with contextlib.suppress(RuntimeError):  # the run ended (Ctrl+C) before the line came
            loop.call_soon_threadsafe(deliver, line)

    threading.Thread(target=read, name="read-pasted-address", daemon=True).start()
    return await arrived


async def _check(args: argparse.Namespace, found: _Run) -> None:
    """The run itself: preflight, then (unless --no-login) the authorization and live checks."""
    import asyncio
    import webbrowser

    from ally_wizard.canvas.client import CanvasClient
    from ally_wizard.canvas.report import Check, CheckStatus, Evidence
    from ally_wizard.canvas.verify import (
        LiveResult,
        begin_authorization,
        enforce_scopes_found,
        live_blocker,
        live_ids,
        read_pasted_code,
        run_live_checks,
        run_preflight,
    )
    from ally_wizard.canvas.wording import title
    from ally_wizard.errors import UsageError
    from ally_wizard.inputs import InputError

    target = found.target
    async with CanvasClient(target.canvas_url) as client:
        _say(f"Checking key {target.key_id} on {target.canvas_url} (no login needed for this part)…")
        found.preflight = await run_preflight(client, target)
        passed = sum(1 for check in found.preflight if check.status is CheckStatus.PASS)
        _say(f"Preflight: {passed} of {len(found.preflight)} checks passed.")
        if args.no_login:
            return
        blocker = live_blocker(found.preflight)
        if blocker is not None:
            _say(f"Live checks skipped: {blocker}")
            found.live = LiveResult(
                [
                    Check(check_id, title(check_id), CheckStatus.SKIPPED, f"Not checked: {blocker}", Evidence())
                    for check_id in live_ids(target)
                ]
            )
            return
        secret = _read_secret()
        pending = begin_authorization(target)
        _say(
            "\nAuthorize the key in a browser where you are logged in to Canvas as an admin:\n\n"
            f"  {pending.authorize_url}\n\n"
            "Select Authorize, then copy the whole address from the browser's address bar "
            "(Canvas's page shows no code) and paste it here."
        )
        if not args.no_browser:
            await asyncio.to_thread(webbrowser.open, pending.authorize_url)
        _say("Paste the address here and press Enter:")
        pasted = await _read_line()
        if not pasted:
            raise UsageError("No address was pasted (standard input ended). Run the check again and paste it.")
        try:
            code = read_pasted_code(pending, pasted)
        except InputError as exc:
            raise UsageError(str(exc)) from None
        _say("Checking the secret and every scope with a test token (it is revoked at the end)…")
        found.live = await run_live_checks(
            client, target, pending, code, secret, enforce_scopes=enforce_scopes_found(found.preflight)
        )


def _save(loaded: Loaded, found: _Run) -> None:
    """Keep the report and the scope statuses in the profile (never a secret or token: none is in them)."""
    from ally_wizard.canvas.verify import scope_statuses
    from ally_wizard.store import ProfileError, ProfileStore

    loaded.profile.last_verification = found.report()
    live = found.live.checks if found.live else ()
    loaded.profile.scopes.update(scope_statuses(found.preflight, live, loaded.profile.scopes))
    try:
        ProfileStore().save(loaded)
    except ProfileError as exc:
        _say(f"The report could not be saved in the profile: {exc}")


def run(args: argparse.Namespace) -> int:
    """Run the check; print the report; save it in the profile when one was named."""
    import asyncio

    from ally_wizard.errors import UsageError

    target, loaded = _resolve(args)
    found = _Run(target)
    try:
        asyncio.run(_check(args, found))
    except UsageError:
        if loaded is not None and found.preflight:
            _save(loaded, found)  # what the preflight found is worth keeping
        raise
    report = found.report()
    _print_report(report, target, args.json)
    if loaded is not None:
        _save(loaded, found)
    return exit_code(report)
