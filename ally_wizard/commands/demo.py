"""`ally-wizard demo`: the wizard against a simulated Canvas, for training sessions.

It starts the simulated Canvas on a free loopback port (or, with the internal `--canvas URL`, attaches to
the one `ally-wizard serve --demo` runs), keeps the demo's profile in a fresh temporary folder (never the
user's real profiles), and removes that folder and stops the Canvas when the wizard closes.
"""

from __future__ import annotations

import argparse
import gc
import signal
import sys
from typing import TYPE_CHECKING, Any

from ally_wizard.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from ally_wizard.demo import DemoSession


def run(args: argparse.Namespace) -> int:
    """Start the session, run the wizard, and clean up whatever happens."""
    from ally_wizard.demo import DemoSession
    from ally_wizard.inputs import InputError, normalize_canvas_url
    from ally_wizard.sandbox import ScenarioError, scenario_names

    attach: str | None = getattr(args, "canvas", None)
    if attach is not None:
        try:
            attach = normalize_canvas_url(attach)
        except InputError as exc:
            raise UsageError(f"--canvas: {exc}") from None
    from ally_wizard.plain import plain_mode

    plain, note = plain_mode(args)
    try:
        # The wizard starts the simulated Canvas's server after its first frame; plain mode needs it at once.
        demo = DemoSession.start(args.scenario, attach_url=attach, begin=plain)
    except ScenarioError:
        raise UsageError(f"unknown scenario {args.scenario!r}. Choose one of: {', '.join(scenario_names())}.") from None
    except OSError as exc:
        print(f"ally-wizard demo: the simulated Canvas could not start ({exc}).", file=sys.stderr)
        return 3
    previous = _exit_on_hangup()
    try:
        if plain:
            return _run_plain(demo, note)
        from ally_wizard.tui.demo_app import DemoWizardApp

        app = DemoWizardApp(demo, presenter=bool(args.presenter))
        gc.freeze()  # as `ally-wizard` does (commands/wizard.py): imports live as long as the process
        app.run()
    finally:
        demo.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return EXIT_OK


def _run_plain(demo: DemoSession, note: str | None) -> int:
    """The demo in plain mode: the practice values as lines, then the setup one question per line."""
    from ally_wizard.demo import DEMO_PROFILE
    from ally_wizard.plain.console import Console, quiet_broken_pipe
    from ally_wizard.plain.practice import practice_lines
    from ally_wizard.plain.wizard import PlainWizard

    console = Console()
    try:
        if note:
            console.say(note)
        wizard = PlainWizard(demo.store, console, DEMO_PROFILE, resume_command=None)
        console.say(*practice_lines(demo, wizard.recipe))
        console.blank()
        return wizard.run()
    except BrokenPipeError:  # nobody reads the output any more: stop quietly
        return quiet_broken_pipe()


def _exit_on_hangup() -> dict[int, Any]:
    """A closed terminal (SIGHUP) or a `kill` (SIGTERM) unwinds like Ctrl+Q, so the throwaway folder goes.

    Without this the process dies at once and leaves the folder, with the demo's profile, in the temp
    folder. Returns the handlers replaced, to put back afterwards.
    """

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous: dict[int, Any] = {}
    for name in ("SIGHUP", "SIGTERM"):
        signum = getattr(signal, name, None)
        if signum is not None:
            previous[signum] = signal.signal(signum, leave)
    return previous
