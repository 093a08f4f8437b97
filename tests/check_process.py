"""`ally-wizard check` in its own process, with the test playing the admin's browser and pasting through a pipe."""

from __future__ import annotations

import os
import subprocess
import sys

from ally_wizard.sandbox import RunningSandbox
from ally_wizard.sandbox.browser import play_browser


def start_check(sb: RunningSandbox, *args: str, secret: str | None = None) -> subprocess.Popen[str]:
    """Start `check ARGS --no-browser` with the secret in the environment (the sandbox's own by default)."""
    env = dict(os.environ, ALLY_WIZARD_SECRET=secret if secret is not None else sb.key_secret)
    return subprocess.Popen(
        [sys.executable, "-m", "ally_wizard", "check", *args, "--no-browser"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )


async def authorize_when_asked(process: subprocess.Popen[str], sb: RunningSandbox, approve: bool = True) -> str:
    """Read standard error until the authorize address (or the end), play the browser there and paste where
    it lands. Returns what was read of standard error."""
    assert process.stdin is not None and process.stderr is not None
    err: list[str] = []
    for line in process.stderr:
        err.append(line)
        if "/login/oauth2/auth?" in line:
            landing = await play_browser(line.strip(), sb.admin_username, sb.admin_password, approve=approve)
            process.stdin.write(landing + "\n")
            process.stdin.flush()
            break
    return "".join(err)


def check_with_no_input(*args: str, secret: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `check ARGS` to its end with standard input closed; `secret` None: none in the environment."""
    env = {k: v for k, v in os.environ.items() if k != "ALLY_WIZARD_SECRET"}
    if secret is not None:
        env["ALLY_WIZARD_SECRET"] = secret
    return subprocess.run(
        [sys.executable, "-m", "ally_wizard", "check", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
