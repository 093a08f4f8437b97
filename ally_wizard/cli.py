"""The `ally-wizard` command line: argument parsing and dispatch only.

Each command's code lives in its own module under `ally_wizard.commands`, imported only when chosen, so that
`--version`, `recipe` and `profiles` never pay for Textual, httpx or aiohttp.

Exit codes: 0 fine, 1 problems found, 2 bad usage or input, 3 Canvas unreachable or left undecided.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ally_wizard import __version__
from ally_wizard.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError

# command name -> one-line help; the command's code is `ally_wizard.commands.<name>.run`.
COMMANDS: dict[str, str] = {
    "wizard": "open the setup wizard (the default when no command is given)",
    "check": "verify a developer key against Canvas, row by row, without changing Canvas",
    "audit": "read the Ally key's real settings with an admin token and name every drift (changes nothing)",
    "create": "create the Ally key exactly as the recipe says, with an admin token, after showing the plan",
    "repair": "mend a drifted Ally key from the audit's failing rows, with an admin token (plan shown first)",
    "profiles": "list saved setup profiles and how far each has got",
    "recipe": "show the Ally procedure: environments, redirect URI, settings and scopes",
    "sandbox": "run the simulated Canvas in the foreground, for practice and tests",
    "demo": "run the wizard against a built-in simulated Canvas, for training sessions",
    "serve": "serve the wizard in a web browser",
}
PLAIN_HELP = "line by line, one question per line: for screen readers and terminals that cannot draw the wizard"


def _environment_ids() -> list[str]:
    """The Ally environments the recipe knows (recipe/ally.toml owns the list; parsing it is cheap)."""
    from ally_wizard.recipe.loader import default_recipe

    return [environment.id for environment in default_recipe().environments]


def _add_setup_arguments(parser: argparse.ArgumentParser) -> None:
    """The profile and the three values of a setup, shared by the commands that work with an admin token."""
    parser.add_argument("profile", nargs="?", help="take values from this saved profile")
    parser.add_argument("--canvas", metavar="URL", help="the institution's Canvas address")
    parser.add_argument("--environment", choices=_environment_ids(), help="the Ally environment")
    parser.add_argument("--ally-client-id", metavar="N", help="the Ally Client ID")


def _add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    """Each command's options, declared here so `--help` needs no command module."""
    if name == "wizard":
        parser.add_argument("profile", nargs="?", help="open this profile (default: choose on the first screen)")
        parser.add_argument("--presenter", action="store_true", help="mask secrets, tokens and key IDs on screen")
        parser.add_argument("--plain", action="store_true", help=PLAIN_HELP)
    elif name == "check":
        parser.add_argument("profile", nargs="?", help="take values from this saved profile")
        parser.add_argument("--canvas", metavar="URL", help="the institution's Canvas address")
        parser.add_argument("--key-id", metavar="ID", help="the developer key ID (Details column)")
        parser.add_argument("--environment", choices=_environment_ids(), help="the Ally environment")
        parser.add_argument("--ally-client-id", metavar="N", help="the Ally Client ID")
        parser.add_argument("--no-login", action="store_true", help="run only the checks that need no login")
        parser.add_argument("--no-browser", action="store_true", help="show the authorize URL but do not open it")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--deadline",
            type=float,
            default=None,
            metavar="SECONDS",
            help="the longest the check waits on Canvas in all (default: 240; the token is always revoked)",
        )
    elif name == "audit":
        _add_setup_arguments(parser)
        parser.add_argument("--key-id", metavar="ID", help="the developer key to audit (default: the Ally key found)")
        parser.add_argument("--json", action="store_true", help="print the keys and checks as JSON")
    elif name == "create":
        _add_setup_arguments(parser)
        parser.add_argument("--name", metavar="NAME", help="the Key Name (default: the recipe's suggestion)")
        parser.add_argument("--email", metavar="EMAIL", help="the Owner Email")
        parser.add_argument("--yes", action="store_true", help="create without asking (the plan is still shown)")
        parser.add_argument("--new", action="store_true", help="create even when an Ally key with this URI exists")
        parser.add_argument("--json", action="store_true", help="print the new key's ID and audit as JSON")
        parser.add_argument("--show-secret", action="store_true", help="with --json: include the new secret")
    elif name == "repair":
        _add_setup_arguments(parser)
        parser.add_argument("--key-id", metavar="ID", help="the developer key to repair (default: the Ally key found)")
        parser.add_argument("--dry-run", action="store_true", help="only show the plan; change nothing")
        parser.add_argument("--yes", action="store_true", help="apply the plan without asking")
        parser.add_argument(
            "--remove-extra-scopes", action="store_true", help="also remove scopes Ally does not need (ends its tokens)"
        )
        parser.add_argument("--json", action="store_true", help="print the audit after the repair as JSON")
    elif name in ("profiles", "recipe"):
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    elif name == "sandbox":
        parser.add_argument("--scenario", default="ready", help="the scenario to seed (default: ready)")
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
        parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
        parser.add_argument("--latency-ms", type=int, default=None, metavar="N", help="delay each answer by N ms")
        parser.add_argument("--public", action="store_true", help="allow binding to a non-loopback address")
        parser.add_argument(
            "--vanity", action="store_true", help="also serve an address that only redirects (301) to it"
        )
    elif name == "demo":
        parser.add_argument("--scenario", default="ready", help="the scenario to start with (default: ready)")
        parser.add_argument("--presenter", action="store_true", help="mask secrets, tokens and key IDs on screen")
        parser.add_argument("--plain", action="store_true", help=PLAIN_HELP)
        # Internal: `serve --demo` runs one simulated Canvas and each browser tab's demo attaches to it.
        parser.add_argument("--canvas", metavar="URL", help=argparse.SUPPRESS)
    elif name == "serve":
        parser.add_argument("--demo", action="store_true", help="serve the demo (a simulated Canvas) instead")
        parser.add_argument("--scenario", default="ready", help="with --demo: the scenario (default: ready)")
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to bind (default: 8000)")
        parser.add_argument("--public-url", metavar="URL", help="the URL browsers use; needed off loopback")
        parser.add_argument("--presenter", action="store_true", help="mask secrets, tokens and key IDs on screen")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, with every command and its options; with `only`, that command's alone (what `main`
    builds when the first argument names a command: the others' options cost start-up time for nothing)."""
    parser = argparse.ArgumentParser(
        prog="ally-wizard",
        description="Set up and verify the Canvas API developer key for Anthology Ally.",
        epilog="Run 'ally-wizard COMMAND --help' for a command's options. "
        "Exit codes: 0 fine, 1 problems found, 2 bad usage or input, 3 Canvas could not be reached.",
    )
    parser.add_argument("--version", action="version", version=f"ally-wizard {__version__}")
    # Its own dest: a subcommand's own --plain default would overwrite a shared one.
    parser.add_argument("--plain", dest="plain_all", action="store_true", help=PLAIN_HELP + " (ALLY_WIZARD_PLAIN=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, help_text in COMMANDS.items():
        if only is not None and name != only:
            continue
        command_parser = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        _add_arguments(name, command_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of `python -m ally_wizard`."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # The fast path: no argparse, no imports.
        print(f"ally-wizard {__version__}")
        return EXIT_OK
    import importlib

    if not args_list:
        args_list = ["wizard"]
    parser = build_parser(args_list[0] if args_list[0] in COMMANDS else None)
    args = parser.parse_args(args_list)
    if args.command is None:  # `ally-wizard --plain`: the wizard, as with no arguments at all
        args = parser.parse_args([*args_list, "wizard"])
    command = args.command
    module = importlib.import_module(f"ally_wizard.commands.{command}")
    try:
        return int(module.run(args))
    except UsageError as exc:
        from ally_wizard.terminal_text import printable

        print(printable(f"ally-wizard {command}: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED
