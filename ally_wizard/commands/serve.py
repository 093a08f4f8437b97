"""`ally-wizard serve`: the wizard in a web browser, through textual-serve, each browser tab its own wizard.

textual-serve starts the command given to it once per browser tab (with this process's environment), so
a tab runs `ally-wizard wizard` or, with `--demo`, `ally-wizard demo --canvas URL`: ONE simulated Canvas
runs here, every tab's demo attaches to it with a throwaway profile folder of its own, and a trainer can
use the practice Developer Keys page that every tab sees. Loopback by default, and only a browser that
opened the printed address (it holds a session token) gets a wizard, whatever page it has open
(`ally_wizard.serve_server` explains the guard); another address needs --public-url and gets a warning.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit

from ally_wizard.errors import EXIT_OK, EXIT_USAGE, UsageError
from ally_wizard.inputs import is_loopback

TITLE = "Ally developer key wizard"


def tab_command(args: argparse.Namespace, canvas_url: str | None) -> list[str]:
    """What textual-serve runs for each browser tab."""
    command = [sys.executable, "-m", "ally_wizard"]
    if canvas_url is not None:
        command += ["demo", "--canvas", canvas_url, "--scenario", args.scenario]
    else:
        command += ["wizard"]
    if args.presenter:
        command.append("--presenter")
    return command


def _check_options(args: argparse.Namespace) -> None:
    if not 1 <= args.port <= 65535:
        raise UsageError("--port must be between 1 and 65535.")
    if args.public_url is not None:
        parts = urlsplit(args.public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--public-url must be an http:// or https:// address, not {args.public_url!r}.")
    if not is_loopback(args.host) and args.public_url is None:
        raise UsageError(
            f"{args.host} is not a loopback address, and anyone who can reach it could use the wizard. "
            "Say which address browsers use with --public-url (for example --public-url "
            f"http://wizard.school.edu:{args.port}) if that is really what you want."
        )


def run(args: argparse.Namespace) -> int:
    """Check the options, start the simulated Canvas when asked, and serve until Ctrl+C."""
    _check_options(args)
    from ally_wizard.redact import mask_secret
    from ally_wizard.sandbox import RunningSandbox, ScenarioError, load_scenario, scenario_names

    public = not is_loopback(args.host)
    if public:
        print(
            f"Warning: serving on {args.host}: anyone who can reach port {args.port} can use the wizard.",
            file=sys.stderr,
        )
    canvas: RunningSandbox | None = None
    canvas_url: str | None = None
    if args.demo:
        try:
            scenario = load_scenario(args.scenario)
        except ScenarioError:
            raise UsageError(
                f"unknown scenario {args.scenario!r}. Choose one of: {', '.join(scenario_names())}."
            ) from None
        # The Canvas stays on loopback whatever --host says: the wizard refuses http:// Canvas addresses
        # off loopback (a secret must not cross a network in clear), so its pages open on this computer.
        canvas = RunningSandbox(scenario).start()
        canvas_url = canvas.base_url
        if public:
            print(
                "Note: the practice Canvas listens on this computer only; browsers elsewhere show the "
                "wizard but cannot open its login and Developer Keys pages.",
                file=sys.stderr,
            )
        password = mask_secret(canvas.admin_password) if args.presenter else canvas.admin_password
        print(f"Simulated Canvas ({scenario.name}: {scenario.goal}) at {canvas_url}", flush=True)
        print(f"Practice Developer Keys page: {canvas_url}/accounts/1/developer_keys", flush=True)
        print(f"Practice admin login: {canvas.admin_username} / {password}", flush=True)
    from ally_wizard.serve_server import GuardedServer

    server = GuardedServer(
        tab_command(args, canvas_url), host=args.host, port=args.port, title=TITLE, public_url=args.public_url
    )
    try:
        server.serve()
    except OSError as exc:
        print(f"ally-wizard serve: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}).", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if canvas is not None:
            canvas.stop()
    return EXIT_OK
