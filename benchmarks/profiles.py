"""Listing saved setups with a thousand of them, against the same listing with one, measured in the same run.

Every profile holds a full stored report (38 rows), as a setup that has been checked does. Two listings:
`ally-wizard profiles` (process start to exit), and the wizard's first paint (process start to the first
screen painted and idle, as `benchmarks/tui.py` measures it). The first listing of a folder reads every
profile in full and keeps their summaries; the figures are for the listings after it (the first is
printed too). The time until the wizard's table shows every setup is printed as well, without a target:
the rows are added after the first paint, a screenful per frame.

Every run loads compiled bytecode, as an installed package does (see `benchmarks/tui.py`); `--source`
compiles ally_wizard from source in every run instead.

Targets: `profiles` with 1,000 at most 2x its time with 1; the wizard's first paint with 1,000 at most
1.2x its first paint with 1.

Run: python benchmarks/profiles.py [--rounds 5] [--count 1000] [--source]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tomli_w

from ally_wizard.canvas.report import Check, CheckStatus, Evidence, Report, scope_check_id
from ally_wizard.profile import Profile, ScopeStatus, StepId, StepState
from ally_wizard.recipe import default_recipe
from ally_wizard.store import ProfileStore, profile_to_dict

sys.path.insert(0, str(Path(__file__).parent))
from startup import console_script
from tui import PAINTED, WIZARD, child_environment, measure

# The wizard as `benchmarks/tui.py` starts it, exiting once the start table shows every setup instead.
FILLED = (
    PAINTED
    + """
import os, sys

from ally_wizard.tui.app import WizardApp

_run = WizardApp.run
WANTED = int(os.environ["BENCH_ROWS"])


def on_mount(self):
    def filled():
        table = self.screen.query("#profiles")
        if table and table.first().row_count >= WANTED:
            painted(self)

    self.set_interval(0.005, filled)


def run(self, *args, **kwargs):
    return _run(self, headless=True, size=(100, 32))


WizardApp.on_mount = on_mount
WizardApp.run = run

from ally_wizard.cli import main

sys.exit(main([]))
"""
)

KEY_CHECKS = (
    "key.exists",
    "key.redirect_uri",
    "key.enforce_scopes",
    "key.on",
    "key.secret",
    "key.allow_includes",
    "token.revoked",
)


def checked_profile(name: str) -> Profile:
    """A setup done through step 6 with a full report: every key check and every scope verified live."""
    recipe = default_recipe()
    profile = Profile(
        name,
        canvas_url=f"https://{name}.instructure.com",
        environment="us",
        client_id="1234",
        key_name="Anthology Ally",
        owner_email="lms-admin@school.edu",
        key_id="170000000000123",
        recipe_version=recipe.version,
    )
    for step in (StepId.CANVAS, StepId.CREATE_KEY, StepId.SCOPES, StepId.ACTIVATE, StepId.AUTHORIZE):
        profile.mark(step, StepState.DONE)
    when = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    checks = [
        Check(check_id, check_id, CheckStatus.PASS, "Canvas answered as a ready key does.", Evidence(200, "ok"), when)
        for check_id in KEY_CHECKS
    ]
    for scope in recipe.scope_strings:
        profile.scopes[scope] = ScopeStatus.VERIFIED
        checks.append(
            Check(
                scope_check_id(scope),
                f"Scope {scope}",
                CheckStatus.PASS,
                "Canvas answered this endpoint with the token, so the scope is on the key.",
                Evidence(200, "200 OK"),
                when,
            )
        )
    profile.last_verification = Report(when, checks, when + dt.timedelta(seconds=4), "Ada Admin")
    return profile


def seed(home: Path, count: int) -> None:
    """`count` checked setups, written directly (a thousand fsynced saves would take a while)."""
    store = ProfileStore(home)
    store.ensure_folder()
    data = profile_to_dict(checked_profile("institution-0000"))
    for index in range(count):
        name = f"institution-{index:04d}"
        data["name"] = name
        data["canvas"]["url"] = f"https://{name}.instructure.com"
        path = store.path(name)
        path.write_bytes(tomli_w.dumps(data).encode("utf-8"))
        path.chmod(0o600)


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one run of `command`."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main() -> int:
    """Measure, print the ratios, exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each case; medians are shown (default 5)")
    parser.add_argument("--count", type=int, default=1000, help="profiles in the large folder (default 1000)")
    parser.add_argument("--source", action="store_true", help="compile ally_wizard from source in every run")
    options = parser.parse_args()
    script = console_script()
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as many:
        seed(Path(one), 1)
        seed(Path(many), options.count)
        envs = {
            size: child_environment(Path(home), Path(one), source=options.source)
            for size, home in ((1, one), (options.count, many))
        }
        first = {size: timed([script, "profiles"], env) for size, env in envs.items()}
        for env in envs.values():
            measure(WIZARD, env)  # warm the file cache (and write the bytecode)
        listing: dict[int, list[float]] = {size: [] for size in envs}
        paint: dict[int, list[float]] = {size: [] for size in envs}
        filled: dict[int, list[float]] = {size: [] for size in envs}
        for _ in range(options.rounds):
            for size, env in envs.items():
                listing[size].append(timed([script, "profiles"], env))
                paint[size].append(measure(WIZARD, env).seconds)
                filled[size].append(measure(FILLED, {**env, "BENCH_ROWS": str(size)}).seconds)
    large = options.count
    print(f"Saved setups, each with a full 38-row report; medians of {options.rounds}:")
    print(
        f"  first 'ally-wizard profiles' of each folder (reads every profile): "
        f"1: {first[1] * 1000:.0f} ms, {large}: {first[large] * 1000:.0f} ms"
    )
    missed = 0
    for label, runs, target in (("ally-wizard profiles", listing, 2.0), ("wizard first paint", paint, 1.2)):
        small, big = statistics.median(runs[1]), statistics.median(runs[large])
        ratio = big / small
        missed += ratio > target
        verdict = "met" if ratio <= target else "MISSED"
        print(
            f"  {label:<22} 1: {small * 1000:6.0f} ms   {large}: {big * 1000:6.0f} ms   "
            f"ratio {ratio:.2f}x (target <= {target}x) {verdict}"
        )
    small, big = statistics.median(filled[1]), statistics.median(filled[large])
    print(f"  (wizard start table filled, no target: 1: {small * 1000:.0f} ms   {large}: {big * 1000:.0f} ms)")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
