"""`ally-wizard profiles`: list saved setups with their progress; report corrupt files, never crash."""

from __future__ import annotations

import argparse
import sys

from ally_wizard.profile import STEPS_TOTAL, ProfileSummary
from ally_wizard.recipe import default_recipe
from ally_wizard.store import ProfileStore
from ally_wizard.terminal_text import json_for_terminal, printable


def progress_of(summary: ProfileSummary, scope_strings: tuple[str, ...]) -> dict[str, object]:
    """A profile's progress in the shape both outputs use."""
    return {
        "name": summary.name,
        "canvas_url": summary.canvas_url,
        "environment": summary.environment,
        "steps_done": summary.steps_done,
        "steps_total": STEPS_TOTAL,
        "next_step": summary.next_step.value,
        "scopes_verified": summary.scopes_verified(scope_strings),
        "scopes_total": len(scope_strings),
        "last_check": summary.last_check.isoformat(timespec="seconds") if summary.last_check else None,
        "last_result": summary.last_result.value if summary.last_result else None,
        "updated_at": summary.updated_at.isoformat(timespec="seconds"),
    }


def run(args: argparse.Namespace) -> int:
    """Print every profile; exit 1 when one could not be read."""
    store = ProfileStore()
    scope_strings = default_recipe().scope_strings
    listings = store.list()
    rows = [progress_of(item.summary, scope_strings) for item in listings if item.summary]
    problems = [item.problem for item in listings if item.problem]
    if args.json:
        document = {"folder": str(store.folder), "profiles": rows, "problems": [str(p) for p in problems]}
        print(json_for_terminal(document))
    elif not rows:
        print(f"No saved profiles in {store.folder}. Run 'ally-wizard' to start a setup.")
    else:
        for row in rows:
            last = f"last check {row['last_check']}: {row['last_result']}" if row["last_check"] else "never checked"
            print(
                printable(
                    f"{row['name']:<20} {row['canvas_url'] or '(no Canvas yet)':<36} "
                    f"steps {row['steps_done']}/{row['steps_total']}  "
                    f"scopes {row['scopes_verified']}/{row['scopes_total']} verified  {last}"
                )
            )
    for problem in problems:
        print(printable(f"ally-wizard profiles: {problem}"), file=sys.stderr)
    return 1 if problems else 0
