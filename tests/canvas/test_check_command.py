"""`ally-wizard check` end to end: a real process, a real simulated Canvas, the test pasting like an admin."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from check_process import authorize_when_asked, start_check

from ally_wizard.cli import main
from ally_wizard.profile import Profile, ScopeStatus
from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import RunningSandbox, Sandbox
from ally_wizard.store import ProfileStore

SandboxFactory = Callable[..., RunningSandbox]
SCOPES = default_recipe().scope_strings


@dataclass
class Ran:
    code: int
    out: str
    err: str


def flags(sb: RunningSandbox) -> list[str]:
    return [
        "--canvas",
        sb.base_url,
        "--key-id",
        sb.key_id,
        "--environment",
        sb.ally_environment,
        "--ally-client-id",
        sb.ally_client_id,
    ]


async def run_check(sb: RunningSandbox, *args: str, approve: bool = True, secret: str | None = None) -> Ran:
    """Run the command in its own process; play the browser with the URL it prints; paste through a pipe."""
    process = start_check(sb, *args, secret=secret)
    err = await authorize_when_asked(process, sb, approve=approve)
    out, rest = process.communicate(timeout=60)
    return Ran(process.returncode, out, err + rest)


def secrets_of(sb: RunningSandbox) -> list[str]:
    def collect(sandbox: Sandbox) -> list[str]:
        tokens = sandbox.state.tokens.values()
        return [t.token for t in tokens] + [t.refresh_token for t in tokens if t.refresh_token]

    return [*sb.run(collect), sb.key_secret]


async def test_a_ready_key_passes_every_row_and_the_report_lands_in_the_profile(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready", latency_ms=2)
    store = ProfileStore()
    store.create(
        Profile(
            name="prod",
            canvas_url=sb.base_url,
            key_id=sb.key_id,
            environment=sb.ally_environment,
            client_id=sb.ally_client_id,
        )
    )
    ran = await run_check(sb, "prod", "--json")
    assert ran.code == 0, ran.err
    report = json.loads(ran.out)
    assert report["result"] == "pass" and report["authorized_by"] == "Avery Admin"
    assert report["canvas_url"] == sb.base_url and report["key_id"] == sb.key_id
    assert len(report["checks"]) == 4 + 2 + len(SCOPES) + 1 + 1  # ... token.revoked, ally.theme
    assert report["checks"][-1]["id"] == "ally.theme" and report["checks"][-1]["status"] == "pass"
    assert all(set(c) >= {"id", "status", "title", "message", "evidence"} for c in report["checks"])
    saved = store.load("prod").profile
    assert saved.last_verification is not None and saved.last_verification.overall.value == "pass"
    assert {saved.scope_status(s) for s in SCOPES} == {ScopeStatus.VERIFIED}
    on_disk = "".join(p.read_text() for p in store.folder.iterdir() if p.is_file())
    for value in secrets_of(sb):
        assert value not in ran.out and value not in ran.err and value not in on_disk
    assert [t for t in sb.live_tokens() if t.developer_key_id is not None] == []


async def test_a_wrong_secret_prints_the_fix_and_exits_1(sandbox: SandboxFactory) -> None:
    sb = sandbox("wrong-secret", latency_ms=2)
    ran = await run_check(sb, *flags(sb))
    assert ran.code == 1, ran.err
    line = next(line for line in ran.out.splitlines() if "The secret belongs to the key" in line)
    assert line.startswith("✗ fail") and "Show Key" in line
    assert sb.key_secret not in ran.out + ran.err


async def test_cancel_in_the_browser_still_reports_the_preflight_and_exits_3(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready", latency_ms=2)
    ran = await run_check(sb, *flags(sb), "--json", approve=False)
    assert ran.code == 3, ran.err
    assert json.loads(ran.out)["result"] == "skipped"  # never "pass" when the live half did not run
    rows = {row["id"]: row for row in json.loads(ran.out)["checks"]}
    assert len(rows) == 4 + 2 + len(SCOPES) + 1 + 1  # ... token.revoked, ally.theme
    assert rows["key.on"]["status"] == "pass"
    assert rows["key.secret"]["status"] == "skipped"
    assert "Cancel was selected in Canvas" in rows["key.secret"]["message"]
    assert rows["token.revoked"]["status"] == "skipped"


def test_no_login_runs_the_preflight_only(sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str]) -> None:
    sb = sandbox("missing-scopes")
    assert main(["check", *flags(sb), "--no-login"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 + len(SCOPES) + 1 + 2  # the rows, ally.theme, the verdict and the count
    assert (
        out[-2]
        == "✗ The check without sign-in found 3 problems (see them above): fix them, then run ally-wizard check again."
    )
    failing = [line for line in out if line.startswith("✗ fail")]
    assert len(failing) == 3 and all("tick" in line and "then Save" in line for line in failing)
    # the preflight's probes, and the theme's public login page and script (ally.theme)
    assert {r.path for r in sb.requests} == {"/login/oauth2/auth", "/login/canvas", "/theme/custom_theme.js"}


def test_a_blocked_key_skips_the_login_and_says_why(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    sb = sandbox("key-off")
    assert main(["check", *flags(sb), "--no-browser"]) == 1
    captured = capsys.readouterr()
    assert "Live checks skipped: The key is not ON" in captured.err
    assert "/login/oauth2/auth?" not in captured.err


def test_a_foreign_paste_exits_3_with_the_report_and_keeps_the_preflight_in_the_profile(
    sandbox: SandboxFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox("ready")
    ProfileStore().create(
        Profile(
            name="test",
            canvas_url=sb.base_url,
            key_id=sb.key_id,
            environment=sb.ally_environment,
            client_id=sb.ally_client_id,
        )
    )
    monkeypatch.setenv("ALLY_WIZARD_SECRET", sb.key_secret)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{sb.base_url}/login/oauth2/auth?code=abcdef123456&state=x\n"))
    assert main(["check", "test", "--no-browser"]) == 3
    captured = capsys.readouterr()
    assert "belongs to another authorization" in captured.err
    assert "checks passed" in captured.out
    saved = ProfileStore().load("test").profile
    assert saved.last_verification is not None
    assert saved.last_verification.get("key.secret").status.value == "skipped"  # type: ignore[union-attr]
    assert {saved.scope_status(s) for s in SCOPES} == {ScopeStatus.ON_KEY}


def test_an_unreachable_canvas_exits_3_with_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    code = main(
        [
            "check",
            "--canvas",
            f"http://127.0.0.1:{port}",
            "--key-id",
            "170000000000123",
            "--environment",
            "us",
            "--ally-client-id",
            "1234",
            "--no-login",
        ]
    )
    assert code == 3
    assert "127.0.0.1 refused the connection: nothing answers at that address and port." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["check"], "Without a profile, give --canvas URL, --key-id ID, --environment, --ally-client-id N."),
        (
            [
                "check",
                "--canvas",
                "canvas.example.edu",
                "--key-id",
                "12",
                "--environment",
                "us",
                "--ally-client-id",
                "1234",
            ],
            "12 looks like a local key ID",
        ),
        (
            [
                "check",
                "--canvas",
                "http://canvas.example.edu",
                "--key-id",
                "170000000000123",
                "--environment",
                "us",
                "--ally-client-id",
                "1234",
            ],
            "unencrypted",
        ),
        (["check", "nosuch"], "There is no profile named 'nosuch'."),
    ],
)
def test_bad_usage_exits_2_with_a_plain_sentence(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert words in capsys.readouterr().err


def test_the_secret_is_never_taken_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["check", "--canvas", "canvas.example.edu", "--secret", "s3cret"])
    assert stopped.value.code == 2
    assert "unrecognized arguments: --secret" in capsys.readouterr().err


def test_ctrl_c_while_waiting_for_the_paste_stops_at_once_with_the_report(sandbox: SandboxFactory) -> None:
    sb = sandbox("ready")
    env = dict(os.environ, ALLY_WIZARD_SECRET=sb.key_secret)
    process = subprocess.Popen(
        [sys.executable, "-m", "ally_wizard", "check", *flags(sb), "--no-browser"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("Paste the address"):
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)  # a reader thread left blocked must not hold the exit
    assert process.returncode == 3, err
    assert "Stopped: the check was stopped (Ctrl+C)." in out
    assert out.startswith("✓ pass")


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("pass", "Authorized by Avery Admin; the test token was revoked."),
        ("fail", "Authorized by Avery Admin; the test token may still be live. Canvas did not confirm"),
        ("error", "Authorized by Avery Admin; the test token may still be live. Canvas did not confirm"),
    ],
)
def test_the_summary_states_the_revokes_real_outcome(
    status: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime as dt

    from ally_wizard.canvas.flow import CheckRun
    from ally_wizard.canvas.report import Check, CheckStatus, Report
    from ally_wizard.canvas.target import KeyTarget
    from ally_wizard.commands.check import _print_report

    row = Check("token.revoked", "The test token was revoked", CheckStatus(status), "…")
    report = Report(dt.datetime.now(dt.UTC), [row], authorized_by="Avery Admin")
    target = KeyTarget("https://canvas.example.edu", "170000000000123", "https://x", ())
    _print_report(CheckRun(target, report, live=[row]), as_json=False)
    summary = capsys.readouterr().out.splitlines()[-1]
    assert words in summary
    if status != "pass":
        assert "; the test token was revoked." not in summary
