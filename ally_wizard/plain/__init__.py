"""Plain mode: the setup line by line, for screen-reader users and terminals that cannot draw the wizard.

`ally-wizard wizard --plain [PROFILE]`, `ally-wizard --plain`, `ALLY_WIZARD_PLAIN=1`, or automatically with
a one-line note when `TERM=dumb`; `ally-wizard demo --plain` for training. The same seven steps, the same
profile and the same verification run as the Textual wizard, with no Textual import anywhere in this
package: `console` reads and prints lines, `words` says statuses and help in words, `wizard` walks the steps.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from ally_wizard.errors import UsageError

DUMB_TERMINAL_NOTE = (
    "This terminal (TERM=dumb) cannot draw the wizard, so it runs in plain mode, one question per line."
)


def plain_requested(flag: bool, environ: Mapping[str, str] | None = None) -> tuple[bool, str | None]:
    """Whether to run in plain mode, and the one-line note to print first when it was chosen for the admin.

    `--plain` or `ALLY_WIZARD_PLAIN=1` ask for it; `TERM=dumb` (a terminal that cannot draw) brings it with
    a note. `ALLY_WIZARD_PLAIN=0` keeps the full-screen wizard even on a dumb terminal.
    """
    env = os.environ if environ is None else environ
    setting = env.get("ALLY_WIZARD_PLAIN", "").strip().lower()
    if flag or setting in ("1", "yes", "true", "on"):
        return True, None
    if setting in ("0", "no", "false", "off"):
        return False, None
    if env.get("TERM", "") == "dumb":
        return True, DUMB_TERMINAL_NOTE
    return False, None


def plain_mode(args: argparse.Namespace) -> tuple[bool, str | None]:
    """`plain_requested` for a parsed command line (`--plain` on the command or before it).

    `--presenter` masks what the wizard draws; in plain mode the terminal itself echoes what is typed (the
    key ID, the pasted address), so nothing could be masked: the two together are refused.
    """
    plain, note = plain_requested(bool(getattr(args, "plain", False) or getattr(args, "plain_all", False)))
    if plain and getattr(args, "presenter", False):
        raise UsageError(
            "--presenter cannot be used in plain mode: the terminal shows what is typed, so key IDs and "
            "addresses could not be masked. Leave out one of the two."
        )
    return plain, note
