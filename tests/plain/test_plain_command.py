"""How plain mode is reached from the command line: --plain, ALLY_WIZARD_PLAIN=1, TERM=dumb, demo --plain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ally_wizard.plain import DUMB_TERMINAL_NOTE
from tests.plain.scripted import ESCAPES


def run_cli(*args: str, home: Path, stdin: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("ALLY_WIZARD_PLAIN", "DISPLAY", "WAYLAND_DISPLAY")}
    environ.update({"ALLY_WIZARD_HOME": str(home), "TERM": "xterm-256color", **env})
    return subprocess.run(
        [sys.executable, "-m", "ally_wizard", *args],
        capture_output=True,
        text=True,
        env=environ,
        input=stdin,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--plain",), {}),
        (("wizard", "--plain"), {}),
        (("--plain", "wizard", "campus"), {}),
        ((), {"ALLY_WIZARD_PLAIN": "1"}),
    ],
)
def test_plain_mode_is_asked_for(tmp_path: Path, args: tuple[str, ...], env: dict[str, str]) -> None:
    result = run_cli(*args, home=tmp_path, stdin="quit\n", **env)
    assert result.returncode == 0, result.stderr
    assert "Step 1 of 7: Start" in result.stdout or "Step 2 of 7" in result.stdout
    assert DUMB_TERMINAL_NOTE not in result.stdout
    assert not ESCAPES.search(result.stdout + result.stderr)


def test_a_dumb_terminal_gets_plain_mode_with_a_note(tmp_path: Path) -> None:
    result = run_cli(home=tmp_path, stdin="quit\n", TERM="dumb")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(DUMB_TERMINAL_NOTE + "\n")
    assert "Step 1 of 7: Start" in result.stdout


def test_the_demo_prints_its_practice_values_as_lines(tmp_path: Path) -> None:
    result = run_cli("demo", "--plain", "--scenario", "missing-scopes", home=tmp_path, stdin="quit\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    canvas = lines[lines.index("The simulated Canvas, on the next line:") + 1]
    assert canvas.startswith("http://127.0.0.1:")
    assert f"{canvas}/accounts/1/developer_keys" in lines
    assert "Admin login: admin@example.edu" in lines
    assert "Ally Client ID: 1234" in lines
    assert "Step 2 of 7: Canvas and Ally environment" in lines
    assert not ESCAPES.search(result.stdout)


@pytest.mark.skipif(sys.platform == "win32", reason="Windows reports a closed pipe as EINVAL, not EPIPE")
def test_output_closed_by_its_reader_ends_quietly(tmp_path: Path) -> None:
    environ = {**os.environ, "ALLY_WIZARD_HOME": str(tmp_path), "TERM": "dumb"}
    with subprocess.Popen(
        [sys.executable, "-m", "ally_wizard", "--plain"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environ,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stdin is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()  # as `| head -1` does
        process.stdin.write("help\n" * 200)
        process.stdin.close()
        process.wait(timeout=60)
        errors = process.stderr.read()
    assert "Traceback" not in errors
    assert process.returncode in (0, 1)


@pytest.mark.parametrize("command", ["wizard", "demo"])
def test_presenter_mode_is_refused_in_plain_mode(tmp_path: Path, command: str) -> None:
    result = run_cli(command, "--plain", "--presenter", home=tmp_path, stdin="quit\n")
    assert result.returncode == 2
    assert "--presenter cannot be used in plain mode" in result.stderr
    assert "Traceback" not in result.stderr
