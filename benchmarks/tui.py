"""Start-up of the wizard against a minimal Textual app, measured in the same run.

Each app runs in its own process, headless at 100x32, and exits once its first screen has been painted and
the app is idle (two `call_after_refresh` hops after mount). The wall time is from spawning the process to
its exit, so it includes the interpreter and every import; peak memory is the child's own `ru_maxrss`
(from `os.wait4`). The wizard is started the way `ally-wizard` starts it (`ally_wizard.cli.main`), on a
profiles folder holding two setups, so its first screen lists them.

Target: at most 1.5x the minimal app in time and in memory.

Run: python benchmarks/tui.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MINIMAL = """
from textual.app import App
from textual.widgets import Static


class Minimal(App[None]):
    def compose(self):
        yield Static("Hello")

    def on_mount(self) -> None:
        self.call_after_refresh(lambda: self.call_after_refresh(self.exit))


Minimal().run(headless=True, size=(100, 32))
"""

WIZARD = """
import sys

from ally_wizard.tui.app import WizardApp

_mount = WizardApp.on_mount
_run = WizardApp.run


def on_mount(self):
    _mount(self)
    self.call_after_refresh(lambda: self.call_after_refresh(self.exit))


def run(self, *args, **kwargs):
    return _run(self, headless=True, size=(100, 32))


WizardApp.on_mount = on_mount
WizardApp.run = run

from ally_wizard.cli import main

sys.exit(main([]))
"""


@dataclass
class Run:
    """One process: wall seconds and peak resident memory in MiB."""

    seconds: float
    peak_mib: float


def measure(code: str, env: dict[str, str]) -> Run:
    """Spawn `python -c code` and return its wall time and its own peak memory."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"The benchmark child failed with exit code {proc.returncode}.")
    return Run(seconds, usage.ru_maxrss / 1024)


def seed_profiles(home: Path) -> None:
    """Two saved setups, so the start screen has rows to show."""
    from ally_wizard.profile import Profile, StepId, StepState
    from ally_wizard.store import ProfileStore

    store = ProfileStore(home)
    first = Profile(name="production", canvas_url="https://canvas.school.edu", environment="us", client_id="1234")
    first.mark(StepId.CANVAS, StepState.DONE)
    store.create(first)
    store.create(Profile(name="test-2026", canvas_url="https://school.test.instructure.com"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each app; medians are shown (default 5)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        seed_profiles(home)
        env = {**os.environ, "ALLY_WIZARD_HOME": str(home), "TEXTUAL_ANIMATIONS": "none"}
        measure(MINIMAL, env)  # warm the file cache for both
        measure(WIZARD, env)
        minimal: list[Run] = []
        wizard: list[Run] = []
        for _ in range(options.rounds):
            minimal.append(measure(MINIMAL, env))
            wizard.append(measure(WIZARD, env))
    rows = (("minimal Textual app", minimal), ("ally-wizard", wizard))
    print(f"Process start to first screen painted and idle, headless 100x32, median of {options.rounds}:")
    for label, runs in rows:
        seconds = statistics.median(r.seconds for r in runs)
        peak = statistics.median(r.peak_mib for r in runs)
        print(f"  {label:<20} {seconds * 1000:7.0f} ms   peak memory {peak:6.1f} MiB")
    time_ratio = statistics.median(r.seconds for r in wizard) / statistics.median(r.seconds for r in minimal)
    memory_ratio = statistics.median(r.peak_mib for r in wizard) / statistics.median(r.peak_mib for r in minimal)
    print(f"  ratio: time {time_ratio:.2f}x, memory {memory_ratio:.2f}x (target <= 1.5x each)")
    for label, ratio in (("time", time_ratio), ("memory", memory_ratio)):
        print(f"  target {label} <= 1.5x: {'met' if ratio <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
