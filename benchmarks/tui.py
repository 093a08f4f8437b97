"""Start-up of the wizard against a minimal Textual app, measured in the same run.

Each app runs in its own process, headless at 100x32, and reports the moment its first screen has been
painted and the app is idle (two `call_after_refresh` hops after mount), then exits. The time is from
spawning the process to that moment, so it includes the interpreter and every import; the memory is the
child's own peak (`ru_maxrss`) at that moment. The wizard is started the way `ally-wizard` starts it
(`ally_wizard.cli.main`), on a profiles folder holding two setups; the demo the way `ally-wizard demo`
starts it (its simulated Canvas's server loads in the background after the first frame, untimed).

Every app runs from compiled bytecode, as an installed package does (pip compiles it on install; Textual's
is compiled in the virtual environment already): the warm-up run writes it to a private folder
(PYTHONPYCACHEPREFIX), also where PYTHONDONTWRITEBYTECODE is set. `--source` measures with ally_wizard
compiled from source in every run instead, as in a checkout where Python may not write bytecode.

Targets: the wizard at most 1.3x the minimal app in time and 1.2x in memory; the demo 1.6x and 1.5x.

Run: python benchmarks/tui.py [--rounds 5] [--source]
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

# Each child reports the moment its first screen is painted and idle, with its peak memory until then, on
# stdout; what happens after (closing, and the demo's Canvas server loading in the background) is not timed.
PAINTED = """
import os, resource, time


def painted(app):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    os.write(1, f"painted {time.time()!r} {peak}\\n".encode())
    app.exit()


def after_first_paint(app):
    app.call_after_refresh(lambda: app.call_after_refresh(lambda: painted(app)))
"""

MINIMAL = (
    PAINTED
    + """
from textual.app import App
from textual.widgets import Static


class Minimal(App[None]):
    def compose(self):
        yield Static("Hello")

    def on_mount(self) -> None:
        after_first_paint(self)


Minimal().run(headless=True, size=(100, 32))
"""
)

WIZARD = (
    PAINTED
    + """
import sys

from ally_wizard.tui.app import WizardApp

_mount = WizardApp.on_mount
_run = WizardApp.run


def on_mount(self):
    _mount(self)
    after_first_paint(self)


def run(self, *args, **kwargs):
    return _run(self, headless=True, size=(100, 32))


WizardApp.on_mount = on_mount
WizardApp.run = run

from ally_wizard.cli import main

sys.exit(main([]))
"""
)

DEMO = (
    PAINTED
    + """
import sys

from ally_wizard.tui.demo_app import DemoWizardApp

_mount = DemoWizardApp.on_mount
_run = DemoWizardApp.run


def on_mount(self):
    _mount(self)
    after_first_paint(self)


def run(self, *args, **kwargs):
    return _run(self, headless=True, size=(100, 32))


DemoWizardApp.on_mount = on_mount
DemoWizardApp.run = run

from ally_wizard.cli import main

sys.exit(main(["demo"]))
"""
)


@dataclass
class Run:
    """One process: wall seconds from its start to its first screen painted and idle, and its peak resident
    memory in MiB until then."""

    seconds: float
    peak_mib: float


def measure(code: str, env: dict[str, str]) -> Run:
    """Spawn `python -c code` and return what it reported at its first paint."""
    start = time.time()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    reports = [line.split() for line in done.stdout.splitlines() if line.startswith("painted ")]
    if done.returncode != 0 or not reports:
        raise SystemExit(f"The benchmark child failed (exit code {done.returncode}): {done.stderr[-2000:]}")
    _, painted_at, peak_kib = reports[-1]
    return Run(float(painted_at) - start, int(peak_kib) / 1024)


def child_environment(home: Path, scratch: Path, *, source: bool) -> dict[str, str]:
    """The children's environment: the profiles folder, no animations, and where bytecode is kept.

    Without `source`, bytecode goes to `scratch` (never beside the code), so after the warm-up run every
    module loads compiled, the wizard's as Textual's; with it, nothing is written and every run compiles
    whatever has no bytecode yet (ally_wizard, in an editable install under PYTHONDONTWRITEBYTECODE).
    """
    env = {**os.environ, "ALLY_WIZARD_HOME": str(home), "TEXTUAL_ANIMATIONS": "none"}
    if not source:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(scratch / "bytecode")
    return env


def seed_profiles(home: Path) -> None:
    """Two saved setups, so the start screen has rows to show."""
    from ally_wizard.profile import Profile, StepId, StepState
    from ally_wizard.store import ProfileStore

    store = ProfileStore(home)
    first = Profile(name="production", canvas_url="https://canvas.school.edu", environment="us", client_id="1234")
    first.mark(StepId.CANVAS, StepState.DONE)
    store.create(first)
    store.create(Profile(name="test-2026", canvas_url="https://school.test.instructure.com"))


TARGETS = {"ally-wizard": (1.3, 1.2), "ally-wizard demo": (1.6, 1.5)}


def main() -> int:
    """Measure, print medians and ratios; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each app; medians are shown (default 5)")
    parser.add_argument("--source", action="store_true", help="compile ally_wizard from source in every run")
    options = parser.parse_args()
    apps = {"minimal Textual app": MINIMAL, "ally-wizard": WIZARD, "ally-wizard demo": DEMO}
    runs: dict[str, list[Run]] = {label: [] for label in apps}
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        seed_profiles(home)
        env = child_environment(home, Path(folder), source=options.source)
        for code in apps.values():
            measure(code, env)  # warm the file cache (and write the bytecode)
        for _ in range(options.rounds):
            for label, code in apps.items():
                runs[label].append(measure(code, env))
    compiled = "ally_wizard compiled from source in every run" if options.source else "from bytecode"
    print(f"Process start to first screen painted and idle, headless 100x32, {compiled}, median of {options.rounds}:")
    seconds = {label: statistics.median(r.seconds for r in found) for label, found in runs.items()}
    peak = {label: statistics.median(r.peak_mib for r in found) for label, found in runs.items()}
    for label in apps:
        print(f"  {label:<20} {seconds[label] * 1000:7.0f} ms   peak memory {peak[label]:6.1f} MiB")
    missed = 0
    base = "minimal Textual app"
    for label, (time_target, memory_target) in TARGETS.items():
        time_ratio = seconds[label] / seconds[base]
        memory_ratio = peak[label] / peak[base]
        ok = time_ratio <= time_target and memory_ratio <= memory_target
        missed += not ok
        print(
            f"  {label:<20} time {time_ratio:.2f}x (target <= {time_target}x), "
            f"memory {memory_ratio:.2f}x (target <= {memory_target}x): {'met' if ok else 'MISSED'}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
