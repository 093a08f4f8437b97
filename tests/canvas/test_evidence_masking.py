"""No part of a secret, token, code or verifier survives in a row, the report or the profile, whatever a
hostile Canvas echoes back: raw, URL-encoded, cut in the middle, or half of it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, quote, quote_plus

import httpx
import pytest
from fake_canvas import BASE, FakeCanvas
from test_canvas_live import approve

from ally_wizard.canvas.client import CanvasClient
from ally_wizard.canvas.report import Report
from ally_wizard.canvas.verify import KeyTarget, begin_authorization, run_live_checks
from ally_wizard.profile import Profile
from ally_wizard.redact import EVIDENCE_MAX, clean_evidence, mask_secrets
from ally_wizard.store import ProfileStore

# Characters that URL encoding changes, so the raw and encoded forms differ.
HOSTILE_SECRET = "Zq8+v/W3~kT1=Lm9&pR4xY7 hN2cB5dF0gJ6sA1eU3iO8wE4rT7yQ2zX9vC5bN0mK3"


def lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def fragments(value: str, size: int = 6) -> set[str]:
    forms = {value, quote(value, safe=""), quote_plus(value), lower_hex(quote(value, safe=""))}
    return {form[i : i + size] for form in forms for i in range(len(form) - size + 1)}


def leaked(text: str, hidden: list[str]) -> list[str]:
    return sorted(piece for value in hidden for piece in fragments(value) if piece in text)


@pytest.mark.parametrize(
    "encode", [lambda s: s, lambda s: quote(s, safe=""), quote_plus, lambda s: lower_hex(quote(s, safe=""))]
)
def test_a_secret_is_masked_whole_in_every_encoding(encode: object) -> None:
    assert callable(encode)
    text = f"Bad request: client_secret={encode(HOSTILE_SECRET)}&code=abc"
    assert leaked(mask_secrets(text, [HOSTILE_SECRET]), [HOSTILE_SECRET]) == []


@pytest.mark.parametrize("pad", [0, 60, 100, 124, 150, 158])
def test_masking_comes_before_the_cut_wherever_the_cut_falls(pad: int) -> None:
    text = "x" * pad + "client_secret=" + HOSTILE_SECRET + " and more words after it"
    kept = clean_evidence(text, [HOSTILE_SECRET])
    assert len(kept) <= EVIDENCE_MAX
    assert leaked(kept, [HOSTILE_SECRET]) == []


@pytest.mark.parametrize("piece", [slice(0, 36), slice(20, 50), slice(40, None), slice(60, None)])
def test_part_of_a_secret_is_masked_too(piece: slice) -> None:
    text = f"echo: {HOSTILE_SECRET[piece]} end"
    assert leaked(mask_secrets(text, [HOSTILE_SECRET]), [HOSTILE_SECRET]) == []


@pytest.mark.parametrize("size", [4, 5, 8])
def test_a_piece_of_a_secret_where_the_text_was_cut_is_masked(size: int) -> None:
    for text in (
        f"page said {HOSTILE_SECRET[:size]}",
        f"{HOSTILE_SECRET[-size:]} was said",
        f"a {HOSTILE_SECRET[:size]}… b",
    ):
        assert HOSTILE_SECRET[:size] not in mask_secrets(text, [HOSTILE_SECRET])
        assert HOSTILE_SECRET[-size:] not in mask_secrets(text, [HOSTILE_SECRET])


def test_ordinary_text_is_left_alone() -> None:
    text = "invalid_client: unknown client (HTTP 401)"
    assert mask_secrets(text, [HOSTILE_SECRET, "1~" + "ab" * 32]) == text


def _echo_token_request(kind: str, pad: int) -> object:
    """A Canvas (or a proxy before it) that answers the token request by echoing it."""

    def before(request: httpx.Request) -> httpx.Response | None:
        if request.url.path != "/login/oauth2/token" or request.method != "POST":
            return None
        form = request.content.decode()
        decoded = " ".join(f"{k}={v}" for k, v in parse_qsl(form))
        filler = "y" * pad
        if kind == "html-form":
            return httpx.Response(400, html=f"<html><body>\n{filler}Bad request: {form}\n</body></html>")
        if kind == "text-decoded":
            return httpx.Response(500, text=f"{filler}Could not process {decoded}")
        if kind == "json-form":
            return httpx.Response(400, json={"error": "weird", "error_description": filler + form})
        if kind == "json-decoded":
            return httpx.Response(400, json={"errors": [{"message": filler + decoded}]})
        return httpx.Response(200, text=filler + form)  # "200-form": not JSON

    return before


@pytest.mark.parametrize("kind", ["html-form", "text-decoded", "json-form", "json-decoded", "200-form"])
@pytest.mark.parametrize("pad", [0, 90, 130])
async def test_a_server_echoing_the_token_request_leaves_no_part_of_a_secret(
    target: KeyTarget, tmp_path: Path, kind: str, pad: int
) -> None:
    fake = FakeCanvas(secret=HOSTILE_SECRET)
    fake.before = _echo_token_request(kind, pad)  # type: ignore[assignment]
    pending = begin_authorization(target)
    code = approve(fake, pending)
    async with CanvasClient(BASE, transport=fake.transport()) as client:
        result = await run_live_checks(client, target, pending, code, HOSTILE_SECRET)
    report = Report(dt.datetime.now(dt.UTC), checks=result.checks, authorized_by=result.authorized_by)
    hidden = [HOSTILE_SECRET, code, pending.code_verifier]
    shown = json.dumps(report.as_dict()) + repr(result.checks)
    assert leaked(shown, hidden) == []
    store = ProfileStore(tmp_path)
    profile = Profile("echo")
    profile.last_verification = report
    store.create(profile)
    assert leaked(store.path("echo").read_text(encoding="utf-8"), hidden) == []


async def test_the_check_report_prints_no_escape_sequence_from_canvas(
    target: KeyTarget, capsys: pytest.CaptureFixture[str]
) -> None:
    from ally_wizard.canvas.flow import CheckRun
    from ally_wizard.commands.check import _print_report

    fake = FakeCanvas()
    hostile_name = "Ada\x1b]0;owned\x07\x1b[2J\x1b[1A\x9b2K Admin"

    def renamed(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/login/oauth2/token" and request.method == "POST":
            answer = fake.token(request)
            body = json.loads(answer.content)
            body["user"]["name"] = hostile_name
            return httpx.Response(200, json=body)
        if request.url.path.startswith("/api/v1/"):
            return httpx.Response(400, text="\x1b[2J\x1b]0;pwned\x07 bad request")
        return None

    fake.before = renamed
    pending = begin_authorization(target)
    async with CanvasClient(BASE, transport=fake.transport()) as client:
        result = await run_live_checks(client, target, pending, approve(fake, pending), fake.secret)
    report = Report(dt.datetime.now(dt.UTC), checks=result.checks, authorized_by=result.authorized_by)
    assert result.authorized_by == hostile_name  # kept as Canvas said it; cleaned where it is printed
    for as_json in (False, True):
        _print_report(CheckRun(target, report, live=result.checks), as_json)
        out = capsys.readouterr().out
        assert "owned" in out
        assert not any((ord(char) < 0x20 and char != "\n") or 0x7F <= ord(char) <= 0x9F for char in out)


def test_masking_a_hostile_body_stays_fast() -> None:
    import time

    hidden = [HOSTILE_SECRET, "c" * 64, "v" * 43, "1~" + "d" * 64]
    started = time.perf_counter()
    for body in ("…" * 5000, "x" * 100_000, HOSTILE_SECRET[:5] * 2000):
        clean_evidence(body, hidden)
    assert time.perf_counter() - started < 1.0
