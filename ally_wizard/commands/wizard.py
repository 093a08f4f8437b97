"""`ally-wizard` / `ally-wizard wizard [PROFILE]`: open the Textual wizard, or plain mode (`--plain`)."""

from __future__ import annotations

import argparse
import gc

from ally_wizard.errors import EXIT_OK, UsageError


def run(args: argparse.Namespace) -> int:
    """Open the wizard on the start screen, or on the named profile at its first unfinished step."""
    from ally_wizard.plain import plain_mode
    from ally_wizard.profile import check_profile_name
    from ally_wizard.store import ProfileStore

    name: str | None = getattr(args, "profile", None)
    if name is not None:
        try:
            check_profile_name(name)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    plain, note = plain_mode(args)
    if plain:
        from ally_wizard.plain.console import Console, quiet_broken_pipe
        from ally_wizard.plain.wizard import PlainWizard

        console = Console()
        try:
            if note:
                console.say(note)
            return PlainWizard(ProfileStore(), console, name).run()
        except BrokenPipeError:  # nobody reads the output any more (`| head`): stop quietly, all is saved
            return quiet_broken_pipe()
    from ally_wizard.tui.app import WizardApp

    app = WizardApp(ProfileStore(), name, presenter=bool(getattr(args, "presenter", False)))
    # What is imported by now lives as long as the process: frozen, the collector stops walking it again
    # (a full collection while the first screen is built cost the demo about 20 ms).
    gc.freeze()
    app.run()
    return EXIT_OK
