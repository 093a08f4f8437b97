"""Start-up cost of the light commands, against bare Python measured in the same run.

`ally-wizard --version` and `ally-wizard recipe --json` must load only what they use (no Textual, no
httpx). Targets: --version at most 2.5x `python -c pass`, recipe --json at most 5x.

Run: python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def console_script() -> str:
    """The installed `ally-wizard` beside this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / "ally-wizard"
    if beside.exists():
        return str(beside)
    found = shutil.which("ally-wizard")
    if not found:
        raise SystemExit("ally-wizard is not installed; run: pip install -e .")
    return found


def median_seconds(command: list[str], runs: int, env: dict[str, str]) -> float:
    """Median wall time of `runs` runs, after one warm-up run (disk cache, .pyc files)."""
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    """Measure and print the ratios; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    runs = max(10, args.runs)
    script = console_script()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "ALLY_WIZARD_HOME": home}
        baseline = median_seconds([sys.executable, "-c", "pass"], runs, env)
        cases = [
            ("ally-wizard --version", [script, "--version"], 2.5),
            ("ally-wizard recipe --json", [script, "recipe", "--json"], 5.0),
        ]
        print(f"python -c pass              {baseline * 1000:7.1f} ms  (baseline, median of {runs})")
        missed = 0
        for label, command, target in cases:
            seconds = median_seconds(command, runs, env)
            ratio = seconds / baseline
            verdict = "ok" if ratio <= target else "OVER TARGET"
            missed += ratio > target
            print(f"{label:<27} {seconds * 1000:7.1f} ms  {ratio:5.2f}x baseline (target <= {target}x) {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
