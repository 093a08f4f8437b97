"""`ally-wizard sandbox` in the foreground: prints what is needed, stops on Ctrl+C, refuses bad options."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ally_wizard", "sandbox", *args], capture_output=True, text=True, timeout=30
    )


def test_unknown_scenario_exits_2_with_the_list() -> None:
    result = run_cli("--scenario", "nope")
    assert result.returncode == 2
    assert "missing-scopes" in result.stderr and "ready" in result.stderr


def test_non_loopback_host_needs_public() -> None:
    result = run_cli("--host", "0.0.0.0")
    assert result.returncode == 2
    assert "--public" in result.stderr


def test_foreground_run_prints_details_serves_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ally_wizard", "sandbox", "--scenario", "key-off", "--latency-ms", "5", "--vanity"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Ctrl+C" in line:
                break
        text = "".join(lines)
        url = text.split("running at ", 1)[1].split()[0]
        token = text.split("Admin API token: ", 1)[1].split()[0]
        for needle in ("admin@example.edu", "Client ID 1234", "environment us", "Developer key:   ID 17", "key-off"):
            assert needle in text
        response = httpx.get(f"{url}/api/v1/accounts/self", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        vanity = text.split("Vanity address:  ", 1)[1].split()[0]
        redirect = httpx.get(f"{vanity}/login?x=1", follow_redirects=False)
        assert redirect.status_code == 301 and redirect.headers["Location"] == f"{url}/login?x=1"
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=15)
        assert process.returncode == 0
        assert "Stopped." in out
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
