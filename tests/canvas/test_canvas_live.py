"""The live run against a fake Canvas: exchange, includes, scope probes, and a revoke that always happens."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import pytest
from fake_canvas import SECRET, ClientFactory, FakeCanvas

from ally_wizard.canvas.client import CanvasClient, Reply
from ally_wizard.canvas.live import _Pacer
from ally_wizard.canvas.probes import probe_for
from ally_wizard.canvas.report import Check, CheckStatus, scope_check_id
from ally_wizard.canvas.verify import (
    KeyTarget,
    PendingAuthorization,
    begin_authorization,
    live_ids,
    run_live_checks,
)
from ally_wizard.recipe import default_recipe

SCOPES = default_recipe().scope_strings


def approve(fake: FakeCanvas, pending: PendingAuthorization) -> str:
    """Play the browser: Canvas keeps the challenge with the code it issues."""
    query = parse_qs(urlsplit(pending.authorize_url).query)
    return fake.issue_code(query["code_challenge"][0])


def by_status(checks: list[Check]) -> dict[CheckStatus, set[str]]:
    grouped: dict[CheckStatus, set[str]] = {}
    for check in checks:
        grouped.setdefault(check.status, set()).add(check.id)
    return grouped


def token_form(fake: FakeCanvas) -> dict[str, str]:
    posts = [r for r in fake.requests if r.method == "POST" and r.url.path == "/login/oauth2/token"]
    assert len(posts) == 1
    return dict(parse_qsl(posts[0].content.decode()))


async def run(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget, secret: str = SECRET, **options: bool | None
) -> tuple[list[Check], str | None, list[Check]]:
    pending = begin_authorization(target)
    seen: list[Check] = []
    result = await run_live_checks(client, target, pending, approve(fake, pending), secret, seen.append, **options)
    return result.checks, result.authorized_by, seen


async def test_a_ready_key_passes_every_live_row_and_the_token_is_revoked(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    checks, who, seen = await run(fake, client, target)
    assert [c.id for c in checks] == live_ids(target)
    assert by_status(checks) == {CheckStatus.PASS: set(live_ids(target))}
    assert sorted(c.id for c in seen) == sorted(live_ids(target))
    assert seen[-1].id == "token.revoked"
    assert who == "Ada Admin"
    assert fake.tokens == set() and len(fake.revoked) == 1
    form = token_form(fake)
    assert "replace_tokens" not in form and form["code_verifier"]
    assert form["client_secret"] == SECRET


async def test_no_secret_or_token_appears_in_any_row(fake: FakeCanvas, client: CanvasClient, target: KeyTarget) -> None:
    checks, _, _ = await run(fake, client, target)
    token = next(iter(fake.revoked))
    text = repr(checks) + "".join(c.message + c.evidence.detail for c in checks)
    assert SECRET not in text and token not in text


async def test_a_wrong_secret_fails_key_secret_and_skips_the_rest(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    checks, who, _ = await run(fake, client, target, secret="x" * 64)
    grouped = by_status(checks)
    assert grouped[CheckStatus.FAIL] == {"key.secret"}
    assert grouped[CheckStatus.SKIPPED] == set(live_ids(target)) - {"key.secret"}
    assert checks[0].evidence.status == 401 and "invalid client" in checks[0].evidence.detail
    assert "Show Key" in checks[0].message
    assert who is None


async def test_includes_off_fails_only_allow_includes(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    fake.allow_includes = False
    checks, _, _ = await run(fake, client, target)
    assert by_status(checks)[CheckStatus.FAIL] == {"key.allow_includes"}
    row = next(c for c in checks if c.id == "key.allow_includes")
    assert row.message == "Edit the key in Admin > Developer Keys, check Allow Include Parameters, then Save."


async def test_an_account_without_courses_cannot_pass_the_includes_check(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    fake.courses = 0
    checks, _, _ = await run(fake, client, target)
    row = next(c for c in checks if c.id == "key.allow_includes")
    assert row.status is CheckStatus.WARN
    assert "no course" in row.message


async def test_an_unexpected_exchange_answer_shows_its_raw_body(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    """Section 11: an answer not listed in the document is shown as unexpected, with its raw body."""
    fake.before = lambda request: (
        httpx.Response(400, json={"unexpected": "shape"}) if request.method == "POST" else None
    )
    checks, _, _ = await run(fake, client, target)
    row = checks[0]
    assert row.id == "key.secret" and row.status is CheckStatus.ERROR
    assert (row.evidence.status, row.evidence.detail) == (400, '{"unexpected":"shape"}')


async def test_an_unexpected_200_exchange_answer_is_not_copied_into_the_report(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    """A 200 without `access_token` may still hold a token under another name: its body stays out."""
    token = "17~" + "t" * 64
    fake.before = lambda request: httpx.Response(200, json={"token": token}) if request.method == "POST" else None
    checks, _, _ = await run(fake, client, target)
    assert checks[0].id == "key.secret" and checks[0].status is CheckStatus.ERROR
    assert token not in repr(checks) + "".join(c.message + c.evidence.detail for c in checks)


async def test_an_unexpected_includes_answer_shows_its_raw_body(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    fake.before = lambda request: (
        httpx.Response(200, json={"courses": "elsewhere"}) if request.url.path.endswith("/courses") else None
    )
    checks, _, _ = await run(fake, client, target)
    row = next(c for c in checks if c.id == "key.allow_includes")
    assert row.status is CheckStatus.ERROR
    assert (row.evidence.status, row.evidence.detail) == (200, '{"courses":"elsewhere"}')


async def test_a_scope_refused_live_fails_with_the_fix(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    pending = begin_authorization(target)
    code = approve(fake, pending)
    fake.scopes.discard("url:DELETE|/api/v1/files/:id")  # removed after the token was issued
    result = await run_live_checks(client, target, pending, code, SECRET)
    failed = by_status(result.checks)[CheckStatus.FAIL]
    assert failed == {scope_check_id("url:DELETE|/api/v1/files/:id")}
    row = next(c for c in result.checks if c.id in failed)
    assert row.evidence.status == 401
    assert row.evidence.detail == "DELETE /api/v1/files/0 → Insufficient scopes on access token."


async def test_with_enforce_scopes_off_the_probes_prove_nothing_and_are_skipped(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    fake.enforce = False
    checks, _, _ = await run(fake, client, target)
    grouped = by_status(checks)
    assert grouped[CheckStatus.SKIPPED] == {scope_check_id(s) for s in SCOPES} | {"key.allow_includes"}
    assert grouped[CheckStatus.PASS] == {"key.secret", "token.revoked"}
    assert any(r.url.path == "/api/v1/users/self" for r in fake.requests)


async def test_the_preflight_finding_saves_the_enforcement_request(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    await run(fake, client, target, enforce_scopes=True)
    assert not any(r.url.path == "/api/v1/users/self" for r in fake.requests)
    api = [r for r in fake.requests if r.url.path.startswith("/api/")]
    assert len(api) == 31  # 31 scope probes, the courses one asking for include[]=term (the includes check)
    courses = [r for r in api if r.url.path == "/api/v1/accounts/self/courses"]
    assert [r.url.params.get_list("include[]") for r in courses] == [["term"]]


async def test_writes_are_sent_without_a_body_and_only_to_id_zero(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    await run(fake, client, target)
    for request in fake.requests:
        if request.url.path.startswith("/api/") and request.method != "GET":
            assert request.content == b""
            assert "/0" in request.url.path


async def test_a_used_code_keeps_the_secret_verdict_and_errors_the_rest(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    pending = begin_authorization(target)
    result = await run_live_checks(client, target, pending, "f" * 128, SECRET)
    grouped = by_status(result.checks)
    assert grouped[CheckStatus.PASS] == {"key.secret"}
    assert grouped[CheckStatus.ERROR] == set(live_ids(target)) - {"key.secret"}
    assert "authorize again" in result.checks[1].message.lower()


async def test_the_token_is_revoked_when_the_admin_cancels(
    fake: FakeCanvas, make_client: ClientFactory, target: KeyTarget
) -> None:
    release = asyncio.Event()
    started = asyncio.Event()
    original = fake.handle

    async def stall_probes(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/"):
            started.set()
            await release.wait()
        return original(request)

    pending = begin_authorization(target)
    seen: list[Check] = []
    async with make_client(transport=httpx.MockTransport(stall_probes)) as client:  # probes that hang
        task = asyncio.ensure_future(
            run_live_checks(client, target, pending, approve(fake, pending), SECRET, seen.append)
        )
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert fake.tokens == set() and len(fake.revoked) == 1
    assert seen[-1].id == "token.revoked" and seen[-1].status is CheckStatus.PASS


async def test_the_token_is_revoked_when_a_step_blows_up(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    def explode(check: Check) -> None:
        if check.id.startswith("scope:"):
            raise RuntimeError("the screen crashed")

    pending = begin_authorization(target)
    with pytest.raises(RuntimeError, match="the screen crashed"):
        await run_live_checks(client, target, pending, approve(fake, pending), SECRET, explode)
    assert fake.tokens == set() and len(fake.revoked) == 1


async def test_a_revoke_canvas_refuses_fails_with_the_manual_fix(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    fake.before = lambda request: (
        httpx.Response(500, text="<html><title>Internal Server Error</title></html>")
        if request.method == "DELETE" and request.url.path == "/login/oauth2/token"
        else None
    )
    checks, _, _ = await run(fake, client, target)
    row = checks[-1]
    assert row.id == "token.revoked" and row.status is CheckStatus.FAIL
    assert "Approved Integrations" in row.message


async def test_a_revoke_refused_with_an_html_page_keeps_its_words_as_evidence(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    """`DELETE /login/oauth2/token` is not under /api/, so a refusal may be HTML (section 11): show its title."""
    fake.before = lambda request: (
        httpx.Response(422, text="<html><title>Unprocessable Entity</title><body>x</body></html>")
        if request.method == "DELETE" and request.url.path == "/login/oauth2/token"
        else None
    )
    checks, _, _ = await run(fake, client, target)
    row = checks[-1]
    assert row.id == "token.revoked" and row.status is CheckStatus.FAIL
    assert (row.evidence.status, row.evidence.detail) == (422, "Unprocessable Entity")


async def test_a_revoke_whose_first_answer_was_lost_is_confirmed(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    lost = {"done": False}
    original = fake.handle

    def lose_first_revoke_answer(request: httpx.Request) -> httpx.Response | None:
        if request.method == "DELETE" and request.url.path == "/login/oauth2/token" and not lost["done"]:
            lost["done"] = True
            fake.before = None
            original(request)  # Canvas revokes...
            fake.before = lose_first_revoke_answer
            return httpx.Response(504, text="Gateway Timeout")  # ...but the answer is lost
        return None

    fake.before = lose_first_revoke_answer
    checks, _, _ = await run(fake, client, target)
    assert checks[-1].status is CheckStatus.PASS
    assert "refuses it" in checks[-1].message


async def test_an_exchange_lost_at_the_gateway_is_sent_again(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    answers = [httpx.Response(502, text="<html><title>502 Bad Gateway</title></html>")]
    fake.before = lambda request: answers.pop() if request.method == "POST" and answers else None
    checks, _, _ = await run(fake, client, target)
    assert {c.status for c in checks} == {CheckStatus.PASS}


async def test_an_exchange_whose_answer_was_lost_after_canvas_acted_says_a_token_may_exist(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    original = fake.handle
    lost = {"done": False}

    def act_then_lose(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST" and not lost["done"]:
            lost["done"] = True
            fake.before = None
            original(request)  # Canvas issues a token and uses up the code...
            fake.before = act_then_lose
            return httpx.Response(504, text="Gateway Timeout")  # ...but the answer never arrives
        return None

    fake.before = act_then_lose
    checks, _, _ = await run(fake, client, target)
    assert checks[0].id == "key.secret" and checks[0].status is CheckStatus.PASS
    assert "earlier attempt went unanswered" in checks[1].message
    assert checks[1].status is CheckStatus.ERROR


async def test_json_behind_while_1_is_read_as_json(fake: FakeCanvas, client: CanvasClient, target: KeyTarget) -> None:
    fake.while_prefix = True
    checks, _, _ = await run(fake, client, target)
    assert {c.status for c in checks} == {CheckStatus.PASS}


class PacedCanvas:
    """A stand-in client whose answers report a fixed remaining budget; it counts the requests running."""

    def __init__(self, remaining: str) -> None:
        self.remaining = remaining
        self.running = 0
        self.starts: list[tuple[int, int]] = []  # (answers so far, requests running with this one)
        self.answered = 0

    async def request(self, method: str, path: str, **_: object) -> Reply:
        self.running += 1
        self.starts.append((self.answered, self.running))
        try:
            await asyncio.sleep(0.01)
        finally:
            self.running -= 1
        self.answered += 1
        return Reply(method, path, 404, {"x-rate-limit-remaining": self.remaining}, '{"errors":[]}')


async def _pace_all(canvas: PacedCanvas, count: int = 31) -> None:
    pacer = _Pacer()
    probes = [probe_for(scope) for scope in SCOPES][:count]
    await asyncio.gather(*(pacer.request(canvas, probe, {}) for probe in probes))  # type: ignore[arg-type]


async def test_a_fresh_token_runs_twelve_probes_at_once_and_no_more() -> None:
    canvas = PacedCanvas("600.0")
    await _pace_all(canvas)
    assert max(running for _, running in canvas.starts) == 12
    assert len(canvas.starts) == 31


async def test_the_probes_slow_to_the_budget_canvas_reports() -> None:
    canvas = PacedCanvas("100.0")  # room for two up-front costs
    await _pace_all(canvas)
    assert max(running for _, running in canvas.starts[:12]) == 12  # before any answer: the default budget
    assert max(running for answered, running in canvas.starts if answered > 0) <= 2


async def test_an_exhausted_budget_still_sends_one_probe_at_a_time() -> None:
    canvas = PacedCanvas("0.0")
    await _pace_all(canvas)
    assert len(canvas.starts) == 31
    assert max(running for answered, running in canvas.starts if answered > 0) == 1
