"""`ally-wizard check` from process start to its first request, against `python -c "import httpx"` measured in
the same run.

A check's first request needs httpx and little else: the rest (the report, the flow's later steps, the
profile store) can load while Canvas answers, or never. A one-thread HTTP server in this process notes
when the first request arrives and answers 404; the check is then stopped. Target: at most 2x the baseline.

Run: python benchmarks/check_start.py [--runs 10]
"""

from __future__ import annotations

import argparse
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).parent))
from startup import console_script

TARGET = 2.0


class FirstRequest(http.server.BaseHTTPRequestHandler):
    """Notes when each request line arrives; answers 404 with an empty JSON body."""

    arrivals: ClassVar[list[float]] = []

    def do_GET(self) -> None:
        FirstRequest.arrivals.append(time.time())
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        return


class QuietServer(http.server.HTTPServer):
    """The check is stopped as soon as its first request arrives, so an answer may find the connection gone."""

    def handle_error(self, request: object, client_address: object) -> None:
        return


def to_first_request(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning `command` to the first request it sends; the process is then stopped."""
    FirstRequest.arrivals.clear()
    start = time.time()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = start + 30
        while not FirstRequest.arrivals and time.time() < deadline:
            time.sleep(0.001)
        if not FirstRequest.arrivals:
            raise SystemExit("the check sent no request within 30 seconds")
        return FirstRequest.arrivals[0] - start
    finally:
        process.kill()
        process.wait()


def wall(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning `command` to its exit."""
    start = time.time()
    subprocess.run(command, env=env, check=True)
    return time.time() - start


def main() -> int:
    """Measure both, print medians and the ratio; exit 1 over the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=10, help="runs of each; medians are shown (default 10)")
    options = parser.parse_args()
    server = QuietServer(("127.0.0.1", 0), FirstRequest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    check = [
        console_script(),
        "check",
        "--no-login",
        "--json",
        "--canvas",
        url,
        "--key-id",
        "170000000000123",
        "--environment",
        "us",
        "--ally-client-id",
        "1234",
    ]
    baseline_command = [sys.executable, "-c", "import httpx"]
    with tempfile.TemporaryDirectory() as home:
        # An installed package has its .pyc files (pip writes them; so does the warm-up run below): with
        # PYTHONDONTWRITEBYTECODE set, every run would time the compiling of ally_wizard but not of httpx.
        env = {**os.environ, "ALLY_WIZARD_HOME": home}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        wall(baseline_command, env)  # warm the file cache and the .pyc files
        to_first_request(check, env)
        baseline, first = [], []
        for _ in range(options.runs):
            baseline.append(wall(baseline_command, env))
            first.append(to_first_request(check, env))
    server.shutdown()
    base, ours = statistics.median(baseline), statistics.median(first)
    ratio = ours / base
    print(f"python -c 'import httpx'            {base * 1000:6.0f} ms (baseline, median of {options.runs})")
    print(
        f"ally-wizard check to first request  {ours * 1000:6.0f} ms  {ratio:.2f}x (target <= {TARGET}x) "
        f"{'met' if ratio <= TARGET else 'MISSED'}"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
