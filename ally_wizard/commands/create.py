"""`ally-wizard create`: make the Ally key exactly as the recipe says, in one confirmed step, with an admin token.

The plan is printed first (standard error) and nothing is written until the admin answers yes (`--yes` for
scripts; without a terminal to ask on, `--yes` is required). Then the key is created, turned ON and audited;
each write is reported as it happens. The admin token comes from `ALLY_WIZARD_CANVAS_TOKEN` or a masked
prompt and is never saved or printed. The secret from the create answer (newer Canvas never shows it whole
again) is printed once when standard output is a terminal, and in `--json` only with `--show-secret`; it
never goes into a file or the profile. With a profile, the key ID is saved and the steps the API did
(create, scopes, save and ON) are marked done. `--json` prints the plan, the writes `applied`
(`create_key`, `binding_on`) and the `audit` of the new key, or why the run `stopped`.

Exit codes: 0 created and the audit is clean, 1 created but the audit found a problem, or nothing was
created because of the Canvas (an Ally key with this redirect URI already, scopes this Canvas lacks, a
refusal), 2 bad usage or a token Canvas refuses, 3 Canvas could not be reached.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ally_wizard.canvas.create import Created, KeyPlan
    from ally_wizard.store import Loaded


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _confirm(plan: KeyPlan, yes: bool) -> bool:
    from ally_wizard.commands.audit import confirm_write

    for line in plan.lines():
        _say(line)
    if yes:
        return True
    return confirm_write("Create this key?", "Nothing was created. Add --yes to create the key without being asked.")


def _save(loaded: Loaded, created: Created) -> None:
    """The key ID into the profile, the steps the API did marked done (never the secret)."""
    from ally_wizard.profile import StepId, StepState
    from ally_wizard.store import ProfileError, ProfileStore

    profile = loaded.profile
    profile.key_id = created.key_id
    for step in (StepId.CREATE_KEY, StepId.SCOPES, StepId.ACTIVATE):
        profile.mark(step, StepState.DONE)
    if created.audit is not None:
        from ally_wizard.canvas.audit import apply_audit

        apply_audit(profile, created.audit)
    try:
        ProfileStore().save(loaded)
    except ProfileError as exc:
        _say(f"The new key's ID could not be saved in the profile: {exc}")


def _print_json(plan: KeyPlan, **more: object) -> None:
    """The plan, and what became of it: `applied` with the `audit` of the new key, or why it `stopped`."""
    from ally_wizard.terminal_text import json_for_terminal

    document = {"canvas_url": plan.target.canvas_url, "plan": plan.as_dict(), **more}
    print(json_for_terminal(document))


def run(args: argparse.Namespace) -> int:
    """Plan, confirm, create, turn ON, audit; print what was done."""
    import asyncio

    from ally_wizard.canvas.admin import AdminTokenRefused
    from ally_wizard.canvas.client import CanvasClient, CanvasError
    from ally_wizard.canvas.create import CreateStopped, KeyPlan, create_key
    from ally_wizard.commands.audit import audit_document, exit_code, read_admin_token, resolve
    from ally_wizard.errors import EXIT_PROBLEMS, EXIT_UNREACHABLE, UsageError

    args.key_id = None
    target, loaded = resolve(args)
    profile = loaded.profile if loaded else None
    name = args.name or (profile.key_name if profile and profile.key_name else target.recipe.suggested_key_name)
    email = args.email or (profile.owner_email if profile else "")
    plan = KeyPlan(target, name, email)
    if not _confirm(plan, args.yes):
        _say("Nothing was created.")
        return EXIT_PROBLEMS
    token = read_admin_token()

    async def go() -> Created:
        async with CanvasClient(target.canvas_url) as client:
            return await create_key(client, token, plan, new=args.new, say=_say)

    try:
        created = asyncio.run(go())
    except AdminTokenRefused as exc:
        raise UsageError(exc.message) from None
    except CreateStopped as exc:
        _say(f"ally-wizard create: {exc.message}")
        if args.json:
            _print_json(plan, key_id=exc.key_id, applied=list(exc.applied), stopped=exc.message)
        if exc.made and exc.key_id and loaded is not None:
            import contextlib

            from ally_wizard.store import ProfileError, ProfileStore

            loaded.profile.key_id = exc.key_id  # a retry then audits or repairs it instead of making another
            with contextlib.suppress(ProfileError):
                ProfileStore().save(loaded)
        return EXIT_PROBLEMS
    except CanvasError as exc:
        _say(f"ally-wizard create: {exc.message} Nothing was created.")
        return EXIT_UNREACHABLE
    if loaded is not None:
        _save(loaded, created)
    code = exit_code(created.audit) if created.audit else EXIT_PROBLEMS
    if args.json:
        more: dict[str, object] = {"applied": created.applied}
        if args.show_secret:
            more["secret"] = created.secret
        if created.audit is not None:
            more["audit"] = audit_document(created.audit, target)
        _print_json(plan, key_id=created.key_id, **more)
        return code
    print(f"Created key {created.key_id}; it is ON for the root account.")
    if created.audit is not None:
        failing = [c for c in created.audit.report.checks if c.status.value in ("fail", "error")]
        print("The audit of the new key is clean." if not failing else f"The audit found {len(failing)} problem(s).")
        for check in failing:
            print(f"{check.status.label:<9} {check.title} — {check.message}")
    if sys.stdout.isatty() and created.secret:
        print(f"Secret (shown once; Canvas may only show a hint of it later): {created.secret}")
    else:
        print("The secret is not printed here (standard output is not a terminal); use --json --show-secret.")
    return code
