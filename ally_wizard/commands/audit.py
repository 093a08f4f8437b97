"""`ally-wizard audit`: read the Ally key's real settings with an admin token and name every drift.

The admin token (a personal access token of a root account admin) comes from `ALLY_WIZARD_CANVAS_TOKEN`
or a masked prompt, never from the command line; it is held in memory for this run only, never saved,
printed or revoked. Only GET requests are sent: nothing in Canvas changes.

Results go to standard output (one line per check, or `--json`); prompts and progress go to standard
error. Exit codes as `check`: 0 nothing failed, 1 a check failed, 2 bad usage or input (also a token
Canvas refuses, and several Ally keys with no `--key-id`), 3 Canvas could not be reached or a check was
left without a verdict.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ally_wizard.canvas.audit import AuditResult, AuditTarget
    from ally_wizard.store import Loaded


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def resolve(args: argparse.Namespace) -> tuple[AuditTarget, Loaded | None]:
    """What to audit, from the profile with the flags on top; `UsageError` names what is missing."""
    from ally_wizard.canvas.audit import AuditTarget
    from ally_wizard.commands.setup_values import setup_values
    from ally_wizard.errors import UsageError
    from ally_wizard.inputs import InputError, normalize_canvas_url, parse_key_id, redirect_uri
    from ally_wizard.recipe import default_recipe

    values = setup_values(args, key_id_needed=False)
    canvas, environment, client_id, key_id = values.canvas, values.environment, values.client_id, values.key_id
    loaded = values.loaded
    recipe = default_recipe()
    try:
        url = normalize_canvas_url(canvas)
        redirect = redirect_uri(recipe, environment, client_id)
        key = str(parse_key_id(key_id)) if key_id else None
    except InputError as exc:
        raise UsageError(str(exc)) from None
    return AuditTarget(url, environment, str(client_id).strip(), redirect, key, recipe), loaded


def confirm_write(question: str, refusal: str) -> bool:
    """The admin's yes before `create` or `repair` writes: asked on the terminal (`[y/N]`, end of input is
    no); without a terminal to ask on, `refusal` (which names --yes) as a usage error."""
    from ally_wizard.errors import UsageError

    if not sys.stdin.isatty():
        raise UsageError(refusal)
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def read_admin_token() -> str:
    """The admin token from `ALLY_WIZARD_CANVAS_TOKEN` or a masked prompt; `UsageError` when none is given."""
    import getpass
    import os

    from ally_wizard.canvas.admin import TOKEN_ENV
    from ally_wizard.errors import UsageError

    token = os.environ.get(TOKEN_ENV)
    if token is None:
        try:
            token = getpass.getpass(
                "Canvas admin token (Account > Settings > + New Access Token; not shown as you type): "
            )
        except EOFError:
            token = ""
    token = token.strip()
    if not token:
        raise UsageError(
            f"No admin token was given. Set {TOKEN_ENV}, or type it at the prompt. It is a personal access "
            "token of a root account admin (Account > Settings > + New Access Token); it is never saved."
        )
    return token


def exit_code(result: AuditResult) -> int:
    """0 nothing failed (warnings and skipped rows allowed), 1 a check failed, 3 a check without a verdict."""
    from ally_wizard.canvas.report import CheckStatus
    from ally_wizard.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREACHABLE

    statuses = {check.status for check in result.report.checks}
    if CheckStatus.FAIL in statuses:
        return EXIT_PROBLEMS
    if statuses & {CheckStatus.ERROR, CheckStatus.PENDING} or not statuses:
        return EXIT_UNREACHABLE
    return EXIT_OK


def audit_document(result: AuditResult, target: AuditTarget) -> dict[str, object]:
    """The audit as `audit --json` prints it (and `create --json` and `repair --json` carry it)."""
    return {
        "canvas_url": target.canvas_url,
        "key_id": result.key.id if result.key else target.key_id,
        "keys": [key.as_dict() for key in result.keys],
        **result.report.as_dict(),
    }


def print_audit(result: AuditResult, target: AuditTarget, as_json: bool, *, repaired: bool = False) -> None:
    """The audit's rows and the count passed; `repaired`: the audit that follows a repair's writes."""
    from ally_wizard.canvas.report import CheckStatus
    from ally_wizard.terminal_text import json_for_terminal, printable

    if as_json:
        print(json_for_terminal(audit_document(result, target)))
        return
    if result.keys:
        print(printable(f"Ally keys on {target.canvas_url}:"))
        for key in result.keys:
            marker = "*" if result.key is not None and key.id == result.key.id else " "
            print(printable(f" {marker} {key.summary()}"))
    for check in result.report.checks:
        print(printable(f"{check.status.label:<9} {check.title} — {check.message}"))
    passed = result.report.count(CheckStatus.PASS)
    after = " after the repair." if repaired else ". Nothing was changed in Canvas."
    print(f"{passed} of {len(result.report.checks)} checks passed{after}")


async def _audit(target: AuditTarget, token: str) -> AuditResult:
    from ally_wizard.canvas.audit import run_audit
    from ally_wizard.canvas.client import CanvasClient

    async with CanvasClient(target.canvas_url) as client:
        _say(f"Reading the developer keys of {target.canvas_url} with the admin token (nothing is changed)…")
        return await run_audit(client, token, target)


def run(args: argparse.Namespace) -> int:
    """Run the audit; print its rows; keep its scope verdicts in the profile when one was named."""
    import asyncio

    from ally_wizard.canvas.admin import AdminTokenRefused
    from ally_wizard.canvas.audit import KeyChoiceNeeded
    from ally_wizard.canvas.client import CanvasError
    from ally_wizard.errors import EXIT_UNREACHABLE, UsageError

    target, loaded = resolve(args)
    token = read_admin_token()
    try:
        result = asyncio.run(_audit(target, token))
    except AdminTokenRefused as exc:
        raise UsageError(exc.message) from None
    except KeyChoiceNeeded as exc:
        listed = "\n".join(f"  {key.summary()}" for key in exc.keys)
        raise UsageError(
            f"{len(exc.keys)} Ally keys were found on {target.canvas_url}:\n{listed}\n"
            "Choose the one to audit with --key-id ID."
        ) from None
    except CanvasError as exc:
        _say(f"ally-wizard audit: {exc.message}")
        return EXIT_UNREACHABLE
    print_audit(result, target, args.json)
    if loaded is not None:
        _save(loaded, result)
    return exit_code(result)


def _save(loaded: Loaded, result: AuditResult) -> None:
    """Keep the scope verdicts read from the key in the profile (a scope read from the key is verified)."""
    from ally_wizard.canvas.audit import apply_audit
    from ally_wizard.store import ProfileError, ProfileStore

    if result.key is None:
        return
    apply_audit(loaded.profile, result)
    try:
        ProfileStore().save(loaded)
    except ProfileError as exc:
        _say(f"The audit's scope verdicts could not be saved in the profile: {exc}")
