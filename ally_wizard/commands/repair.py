"""`ally-wizard repair`: mend a drifted Ally key from the audit's failing rows, with an admin token.

It audits first, shows the plan (standard error), and writes only after the admin confirms (`--yes` for
scripts; `--dry-run` only shows the plan). Scopes are added, never removed, unless `--remove-extra-scopes`,
and the plan then warns first that Canvas deletes every token of the key. Each write is reported as it
happens; the key is audited again at the end. The admin token comes from `ALLY_WIZARD_CANVAS_TOKEN` or a
masked prompt and is never saved or printed. `--json` prints the plan (each change named: `add_scopes`,
`allow_includes`, `binding_on`, ...), the changes `applied` and the `audit` after, or why the repair
`stopped`; with `--dry-run`, the plan only.

Exit codes as `audit`: 0 the key is clean afterwards (or nothing needed repair), 1 a problem remains or the
repair stopped, 2 bad usage or a refused token, 3 Canvas could not be reached.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ally_wizard.canvas.audit import AuditTarget
    from ally_wizard.canvas.repair import RepairPlan


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _print_json(target: AuditTarget, plan: RepairPlan, **more: object) -> None:
    """The plan, and what became of it: `dry_run`, or `applied` with the `audit` after or why it `stopped`."""
    from ally_wizard.terminal_text import json_for_terminal

    document = {"canvas_url": target.canvas_url, "key_id": plan.key.id, "plan": plan.as_dict(), **more}
    print(json_for_terminal(document))


def run(args: argparse.Namespace) -> int:
    """Audit, plan, confirm, apply, audit again."""
    import asyncio

    from ally_wizard.canvas.admin import AdminTokenRefused
    from ally_wizard.canvas.audit import AuditResult, KeyChoiceNeeded, run_audit
    from ally_wizard.canvas.client import CanvasClient, CanvasError
    from ally_wizard.canvas.repair import Repaired, RepairStopped, apply_repair, plan_repair
    from ally_wizard.commands.audit import (
        audit_document,
        confirm_write,
        exit_code,
        print_audit,
        read_admin_token,
        resolve,
    )
    from ally_wizard.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREACHABLE, UsageError

    target, _loaded = resolve(args)
    token = read_admin_token()

    async def audit() -> AuditResult:
        async with CanvasClient(target.canvas_url) as client:
            return await run_audit(client, token, target)

    async def apply(plan: RepairPlan) -> Repaired:
        async with CanvasClient(target.canvas_url) as client:
            return await apply_repair(client, token, plan, target, say=_say)

    plan: RepairPlan | None = None
    try:
        before = asyncio.run(audit())
        plan = plan_repair(before, target, remove_extra_scopes=args.remove_extra_scopes)
        if plan.empty:
            _say(f"Nothing to repair on key {plan.key.id}: no failing row a write can fix.")
            if args.json:
                _print_json(target, plan, dry_run=args.dry_run, applied=[], audit=audit_document(before, target))
            else:
                print_audit(before, target, False)
            return exit_code(before)
        _say(f"Repair plan for key {plan.key.id} ({plan.key.name or 'no name'}):")
        for line in plan.lines:
            _say(f"  - {line}")
        for warning in plan.warnings:
            _say(f"  ! {warning}")
        if args.dry_run:
            _say("Dry run: nothing was changed.")
            if args.json:
                _print_json(target, plan, dry_run=True)
            return EXIT_PROBLEMS
        refusal = "Nothing was changed. Add --yes to apply the plan without being asked."
        if not args.yes and not confirm_write("Apply this plan?", refusal):
            _say("Nothing was changed.")
            return EXIT_PROBLEMS
        repaired = asyncio.run(apply(plan))
    except AdminTokenRefused as exc:
        raise UsageError(exc.message) from None
    except KeyChoiceNeeded as exc:
        listed = "\n".join(f"  {key.summary()}" for key in exc.keys)
        raise UsageError(f"{len(exc.keys)} Ally keys were found:\n{listed}\nChoose one with --key-id ID.") from None
    except RepairStopped as exc:
        _say(f"ally-wizard repair: {exc.message}")
        if args.json and plan is not None:
            _print_json(target, plan, dry_run=False, applied=list(exc.applied), stopped=exc.message)
        return EXIT_PROBLEMS
    except CanvasError as exc:
        _say(f"ally-wizard repair: {exc.message}")
        return EXIT_UNREACHABLE
    if args.json:
        _print_json(
            target, plan, dry_run=False, applied=list(repaired.applied), audit=audit_document(repaired.audit, target)
        )
    else:
        print_audit(repaired.audit, target, False, repaired=True)
    code = exit_code(repaired.audit)
    return EXIT_OK if code == EXIT_OK else code
