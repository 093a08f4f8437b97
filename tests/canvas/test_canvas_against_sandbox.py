"""The engine against the simulated Canvas over real sockets, every scenario, with the test as the browser.

Each scenario breaks one thing (or nothing); the report must fail exactly the rows it breaks, reach a
verdict on every row, leave Canvas's records as they were, revoke its token, use state and PKCE, never
send `replace_tokens`, and never let a secret or token into a row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ally_wizard.canvas.client import Backoff, CanvasClient
from ally_wizard.canvas.report import Check, CheckStatus, Report, scope_check_id
from ally_wizard.canvas.verify import (
    AuthorizationInputError,
    KeyTarget,
    LiveResult,
    PendingAuthorization,
    begin_authorization,
    enforce_scopes_found,
    live_blocker,
    read_pasted_code,
    report_of,
    run_live_checks,
    run_preflight,
)
from ally_wizard.canvas.wording import PURPOSE
from ally_wizard.inputs import redirect_uri
from ally_wizard.recipe import default_recipe
from ally_wizard.sandbox import RunningSandbox, Sandbox, load_scenario
from ally_wizard.sandbox.browser import play_browser

SandboxFactory = Callable[..., RunningSandbox]  # the `sandbox` fixture of tests/conftest.py

EXPECTED_FAILURES: dict[str, set[str]] = {
    "ready": set(),
    "key-off": {"key.on"},
    "missing-scopes": {scope_check_id(s) for s in load_scenario("missing-scopes").key.missing_scopes},
    "redirect-typo": {"key.redirect_uri"},
    "enforce-scopes-off": {"key.enforce_scopes"},
    "includes-off": {"key.allow_includes"},
    "wrong-secret": {"key.secret"},
    "unknown-key": {"key.exists"},
    "throttled": set(),
    "flaky": set(),
    "slow": set(),
    "old-canvas": set(),
}
BLOCKED = {"key-off", "missing-scopes", "unknown-key"}  # Canvas would refuse the authorization itself


@dataclass
class Outcome:
    report: Report
    pending: PendingAuthorization | None
    live: LiveResult | None


def target_of(sb: RunningSandbox) -> KeyTarget:
    redirect = redirect_uri(default_recipe(), sb.ally_environment, sb.ally_client_id)
    return KeyTarget.from_recipe(sb.base_url, sb.key_id, redirect)


async def full_check(sb: RunningSandbox) -> Outcome:
    """What the wizard does: preflight, then (when Canvas could authorize) the browser, live checks, revoke."""
    target = target_of(sb)
    started = dt.datetime.now(dt.UTC)
    async with CanvasClient(sb.base_url, backoff=Backoff(base=0.5, cap=2.0)) as client:
        preflight = await run_preflight(client, target)
        if live_blocker(preflight) is not None:
            return Outcome(report_of(target, started, preflight), None, None)
        pending = begin_authorization(target)
        landing = await play_browser(pending.authorize_url, sb.admin_username, sb.admin_password)
        code = read_pasted_code(pending, landing)
        live = await run_live_checks(
            client, target, pending, code, sb.key_secret, enforce_scopes=enforce_scopes_found(preflight)
        )
    return Outcome(report_of(target, started, preflight, live), pending, live)


def issued_secrets(sb: RunningSandbox) -> list[str]:
    """Every token string Canvas ever issued in this sandbox, and the key secrets (none may leak)."""

    def collect(sandbox: Sandbox) -> list[str]:
        state = sandbox.state
        found = [t.token for t in state.tokens.values()] + [
            t.refresh_token for t in state.tokens.values() if t.refresh_token
        ]
        return found

    return [*sb.run(collect), sb.key_secret]


@pytest.mark.parametrize("scenario", sorted(EXPECTED_FAILURES))
async def test_each_scenario_fails_exactly_the_rows_it_breaks(sandbox: SandboxFactory, scenario: str) -> None:
    sb: RunningSandbox = sandbox(scenario, latency_ms=100 if scenario == "slow" else 5)
    before = sb.snapshot()
    outcome = await full_check(sb)
    report = outcome.report

    failed = {check.id for check in report.checks if check.status is CheckStatus.FAIL}
    unexpected = [c.as_dict() for c in report.checks if (c.id in failed) != (c.id in EXPECTED_FAILURES[scenario])]
    assert failed == EXPECTED_FAILURES[scenario], unexpected  # the rows themselves, to tell a rare flake's cause
    undecided = [c for c in report.checks if c.status in (CheckStatus.ERROR, CheckStatus.PENDING, CheckStatus.WARN)]
    assert undecided == [], [c.as_dict() for c in undecided]
    for check in report.checks:
        if check.status is CheckStatus.FAIL:
            assert check.message and check.evidence.detail  # the fix, and Canvas's own words

    assert sb.snapshot() == before  # verification changed nothing in Canvas
    assert not any(request.replace_tokens for request in sb.requests)
    api_writes = [r for r in sb.requests if r.is_write and r.path.startswith("/api/")]
    assert all("/0" in r.path for r in api_writes), api_writes

    text = json.dumps(report.as_dict())
    for value in issued_secrets(sb):
        assert value not in text

    if scenario in BLOCKED:
        assert outcome.live is None
        return
    ours = [t for t in sb.live_tokens() if t.purpose == PURPOSE]
    assert ours == []  # the test token is gone
    revoked = report.get("token.revoked")
    if scenario == "wrong-secret":
        assert revoked is not None and revoked.status is CheckStatus.SKIPPED  # no token was ever issued
    else:
        assert revoked is not None and revoked.status is CheckStatus.PASS
        assert report.authorized_by


async def test_state_and_pkce_are_used_and_the_admin_is_named(sandbox: SandboxFactory) -> None:
    sb: RunningSandbox = sandbox("ready")
    outcome = await full_check(sb)
    assert outcome.pending is not None
    authorize = [r for r in sb.requests if r.path == "/login/oauth2/auth" and r.field("code_challenge")]
    assert authorize, "the browser's authorize request carries a PKCE challenge"
    assert all(r.field("code_challenge_method") == "S256" for r in authorize)
    assert all(r.field("state") == outcome.pending.state for r in authorize)
    assert all(r.field("redirect_uri") == "urn:ietf:wg:oauth:2.0:oob" for r in authorize)
    exchange = [r for r in sb.requests if r.method == "POST" and r.path == "/login/oauth2/token"]
    assert len(exchange) == 1
    assert exchange[0].field("code_verifier") is not None and exchange[0].field("replace_tokens") is None
    assert outcome.report.authorized_by == "Avery Admin"
    probes = [r for r in sb.requests if r.path == "/login/oauth2/auth" and r.field("prompt") == "none"]
    assert len(probes) == 2 and all(r.authorization is None for r in probes)


async def test_the_preflight_alone_needs_no_login(sandbox: SandboxFactory) -> None:
    sb: RunningSandbox = sandbox("ready")
    async with CanvasClient(sb.base_url) as client:
        checks: list[Check] = await run_preflight(client, target_of(sb))
    assert {c.status for c in checks} == {CheckStatus.PASS}
    assert all(r.path == "/login/oauth2/auth" for r in sb.requests)


@pytest.mark.parametrize(
    ("scenario", "approve", "words"),
    [
        ("key-off", True, "set its State to ON"),
        ("missing-scopes", True, "Tick the missing scopes"),
        ("ready", False, "Cancel was selected in Canvas"),
    ],
)
async def test_a_refused_authorization_lands_on_a_plain_sentence(
    sandbox: SandboxFactory, scenario: str, approve: bool, words: str
) -> None:
    sb: RunningSandbox = sandbox(scenario)
    pending = begin_authorization(target_of(sb))
    landing = await play_browser(pending.authorize_url, sb.admin_username, sb.admin_password, approve=approve)
    with pytest.raises(AuthorizationInputError, match=words):
        read_pasted_code(pending, landing)
