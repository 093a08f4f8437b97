"""A check that is stopped (SIGTERM, SIGHUP, SIGINT) or runs out of time still revokes and reports."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from check_process import authorize_when_asked, check_with_no_input, start_check
from fake_canvas import BASE, KEY_ID, REDIRECT, SECRET, FakeCanvas
from test_check_command import flags
from test_flow import Admin, target_of

from ally_wizard.canvas import wording
from ally_wizard.canvas.flow import CheckFlow, Deadlines, PasteRequest, Resolution
from ally_wizard.canvas.report import CheckStatus
from ally_wizard.canvas.target import KeyTarget
from ally_wizard.sandbox import RunningSandbox

SandboxFactory = Callable[..., RunningSandbox]


def wizard_tokens(sb: RunningSandbox) -> list[object]:
    return [token for token in sb.live_tokens() if token.developer_key_id is not None]


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGINT"])
async def test_a_signal_at_any_moment_of_the_live_checks_leaves_no_live_token(
    sandbox: SandboxFactory, name: str
) -> None:
    sb = sandbox("ready", latency_ms=40)
    rng = random.Random()
    for _ in range(3):
        process = start_check(sb, *flags(sb), "--json")
        await authorize_when_asked(process, sb)
        await asyncio.sleep(rng.uniform(0.0, 0.6))  # somewhere in the exchange, the probes or the revoke
        process.send_signal(getattr(signal, name))
        out, err = process.communicate(timeout=60)
        report = json.loads(out)  # a report every time
        # 0 or 3; the signal's own ending only when it came after the report was saved and printed.
        assert process.returncode in (0, 3, -getattr(signal, name)), err[-3000:]
        assert len(report["checks"]) == 4 + 2 + 31 + 1 + 1  # ... token.revoked, ally.theme
        assert wizard_tokens(sb) == [], err
        revoked = next(row for row in report["checks"] if row["id"] == "token.revoked")
        assert revoked["status"] in ("pass", "skipped")


async def test_a_live_phase_out_of_time_says_so_and_still_revokes(sandbox: SandboxFactory) -> None:
    # 500 ms a request: the exchange and two waves of 12 probes take 1.5 s, so the deadline strikes mid-probes.
    sb = sandbox("ready", latency_ms=500)
    began = time.monotonic()
    run = await CheckFlow(target_of(sb), Admin(sb), deadlines=Deadlines(live=1.5, revoke=10)).run()
    assert time.monotonic() - began < 30
    late = [c for c in run.live if c.status is CheckStatus.ERROR]
    assert late and all("live check's 1.5-second deadline" in c.message for c in late)
    assert run.revoked is True and wizard_tokens(sb) == []


def test_a_dripping_server_gets_a_report_within_the_deadline(tmp_path: object) -> None:
    """A server that answers the address check but drips its authorize answers one byte a second."""
    script = r"""
import asyncio, sys

async def handle(reader, writer):
    request = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    if "client_id=" not in request.split("\r\n")[0]:
        writer.write(b"HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}")
        await writer.drain(); writer.close(); return
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n")
    try:
        while True:
            writer.write(b" "); await writer.drain(); await asyncio.sleep(1)
    except Exception:
        pass

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
"""
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = server.stdout.readline().strip()
        began = time.monotonic()
        argv = ["--canvas", f"http://127.0.0.1:{port}", "--key-id", "170000000000123", "--environment", "us"]
        done = check_with_no_input(*argv, "--ally-client-id", "1234", "--json", "--deadline", "4")
        elapsed = time.monotonic() - began
    finally:
        server.kill()
        server.wait()
    assert done.returncode == 3, done.stderr
    assert elapsed < 15
    rows = {row["id"]: row for row in json.loads(done.stdout)["checks"]}
    assert rows["key.exists"]["status"] == "error"
    assert "deadline" in rows["key.exists"]["message"]


class FakeAdmin:
    """Authorizes on the fake Canvas at once: the code it issues for the run's challenge, with the run's state."""

    def __init__(self, fake: FakeCanvas) -> None:
        self.fake = fake

    async def secret(self) -> str | None:
        return SECRET

    async def pasted_address(self, request: PasteRequest) -> str | None:
        asked = dict(parse_qsl(urlsplit(request.authorize_url).query))
        code = self.fake.issue_code(asked["code_challenge"])
        return f"{REDIRECT}?{urlencode({'code': code, 'state': asked['state']})}"

    async def keep_resolved_address(self, resolution: Resolution) -> bool:
        return False


@pytest.mark.parametrize("stopped_by", ["the live deadline", "a signal"])
async def test_the_revoke_gets_its_own_time_when_the_run_ends_during_it(fake: FakeCanvas, stopped_by: str) -> None:
    # The revoke is answered only after the live phase's deadline (or a stop) struck while it was in flight.
    live = 0.3
    flow: CheckFlow
    in_flight = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE" and request.url.path == "/login/oauth2/token":
            in_flight.set()
            if stopped_by == "a signal":
                flow.stop("the check was stopped (SIGTERM)")
            await asyncio.sleep(live + 0.3)
        return fake.handle(request)

    target = KeyTarget.from_recipe(BASE, KEY_ID, REDIRECT)
    deadlines = Deadlines(live=live, revoke=10)
    flow = CheckFlow(target, FakeAdmin(fake), deadlines=deadlines, transport=httpx.MockTransport(handle), theme=False)
    run = await flow.run()
    assert in_flight.is_set()
    assert run.revoked is True and fake.tokens == set()
    row = run.report.get("token.revoked")
    assert row is not None and row.message == wording.PASS_MESSAGES["token.revoked"]
