"""`ally-wizard sandbox`: run the simulated Canvas in the foreground until Ctrl+C.

It prints what a trainer or a tester needs to point the wizard at it: the base URL, the admin's
login, the Ally environment and Client ID, the key ID and secret, and an admin API token. These are
practice values of a throwaway instance, never a real institution's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from ally_wizard.errors import EXIT_OK, EXIT_USAGE
from ally_wizard.inputs import is_loopback
from ally_wizard.sandbox import Sandbox, ScenarioError, load_scenario, scenario_names


def describe(sandbox: Sandbox) -> str:
    """The lines printed once the sandbox listens."""
    scenario = sandbox.scenario
    latency = f" ({scenario.latency_ms} ms per request)" if scenario.latency_ms else ""
    vanity = [f"Vanity address:  {sandbox.vanity_url} (answers 301 to the Canvas above)"] if sandbox.vanity_url else []
    return "\n".join(
        [
            f"Simulated Canvas running at {sandbox.base_url}",
            *vanity,
            f"Scenario:        {scenario.name}{latency}: {scenario.goal}",
            f"Admin login:     {sandbox.admin_username} / {sandbox.admin_password}",
            f"Ally:            environment {sandbox.ally_environment}, Client ID {sandbox.ally_client_id}",
            f"Developer key:   ID {sandbox.key_id}",
            f"Key secret:      {sandbox.key_secret}",
            f"Admin API token: {sandbox.admin_token}  (for ally-wizard audit: ALLY_WIZARD_CANVAS_TOKEN)",
            f"Teacher token:   {sandbox.non_admin_token}  (not an admin: audit refuses it)",
            f"Developer Keys:  {sandbox.base_url}/accounts/1/developer_keys",
            "These are practice values of a throwaway Canvas. Press Ctrl+C to stop.",
        ]
    )


async def _serve(sandbox: Sandbox) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with sandbox:
        print(describe(sandbox), flush=True)
        await stop.wait()
    print("Stopped.", flush=True)


def run(args: argparse.Namespace) -> int:
    """Validate the options, then serve until interrupted."""
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError:
        print(
            f"ally-wizard sandbox: unknown scenario {args.scenario!r}. Choose one of: {', '.join(scenario_names())}.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.latency_ms is not None and args.latency_ms < 0:
        print("ally-wizard sandbox: --latency-ms must be 0 or more.", file=sys.stderr)
        return EXIT_USAGE
    if not (0 <= args.port <= 65535):
        print("ally-wizard sandbox: --port must be between 0 and 65535.", file=sys.stderr)
        return EXIT_USAGE
    if not is_loopback(args.host):
        if not args.public:
            print(
                f"ally-wizard sandbox: {args.host} is not a loopback address. The simulated Canvas hands out "
                "practice secrets to anyone who can reach it; add --public if that is really what you want.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        print(
            f"Warning: listening on {args.host}: anyone who can reach this port can log in as the practice "
            "admin and read the practice key's secret.",
            file=sys.stderr,
        )
    # --vanity adds the redirecting address to any scenario; vanity-redirect has it anyway
    vanity = True if getattr(args, "vanity", False) else None
    sandbox = Sandbox(scenario, host=args.host, port=args.port, latency_ms=args.latency_ms, vanity=vanity)
    try:
        asyncio.run(_serve(sandbox))
    except OSError as exc:
        print(f"ally-wizard sandbox: cannot listen on {args.host}:{args.port} ({exc.strerror}).", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
