"""The preflight against a fake Canvas: every key setting, every era's answers, throttling and faults."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest
from fake_canvas import OOB, REDIRECT, ClientFactory, FakeCanvas

from ally_wizard.canvas import wording
from ally_wizard.canvas.client import CanvasClient
from ally_wizard.canvas.report import KEY_EXISTS, Check, CheckStatus, scope_check_id
from ally_wizard.canvas.verify import KeyTarget, preflight_ids, run_preflight
from ally_wizard.recipe import default_recipe

SCOPES = default_recipe().scope_strings
MISSING = (
    "url:GET|/api/v1/accounts/:account_id/terms",
    "url:PUT|/api/v1/files/:id",
    "url:PUT|/api/v1/courses/:course_id/pages/:url_or_id",
)


def by_status(checks: list[Check]) -> dict[CheckStatus, set[str]]:
    grouped: dict[CheckStatus, set[str]] = {}
    for check in checks:
        grouped.setdefault(check.status, set()).add(check.id)
    return grouped


def auth_queries(fake: FakeCanvas) -> list[dict[str, str]]:
    return [
        {key: values[0] for key, values in parse_qs(request.url.query.decode()).items()}
        for request in fake.requests
        if request.url.path == "/login/oauth2/auth"
    ]


async def test_a_ready_key_passes_every_row_with_two_probes(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    seen: list[Check] = []
    checks = await run_preflight(client, target, seen.append)
    assert [check.id for check in checks] == preflight_ids(target)
    assert by_status(checks) == {CheckStatus.PASS: set(preflight_ids(target))}
    assert sorted(c.id for c in seen) == sorted(preflight_ids(target))  # each row reported once
    assert len(fake.requests) == 2
    queries = auth_queries(fake)
    assert all(q["prompt"] == "none" and q["redirect_uri"] == REDIRECT for q in queries)
    assert sorted(len(q["scope"].split()) for q in queries) == [31, 32]
    assert all(c.evidence.status == 302 for c in checks)


async def test_an_unknown_key_fails_only_key_exists(fake: FakeCanvas, client: CanvasClient, target: KeyTarget) -> None:
    fake.key_exists = False
    checks = await run_preflight(client, target)
    grouped = by_status(checks)
    assert grouped[CheckStatus.FAIL] == {"key.exists"}
    assert grouped[CheckStatus.SKIPPED] == set(preflight_ids(target)) - {"key.exists"}
    exists = checks[0]
    assert exists.evidence.status == 401 and "unknown client" in exists.evidence.detail
    assert "Details column" in exists.message


async def test_a_redirect_typo_fails_only_the_redirect_row_and_the_rest_is_judged_out_of_band(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    fake.redirect_uris = (REDIRECT.replace("1234", "1243"),)
    checks = await run_preflight(client, target)
    assert by_status(checks)[CheckStatus.FAIL] == {"key.redirect_uri"}
    assert {q["redirect_uri"] for q in auth_queries(fake)} == {REDIRECT, OOB}
    row = next(c for c in checks if c.id == "key.redirect_uri")
    assert REDIRECT in row.message and "Redirect URIs" in row.message
    assert row.evidence.detail == "invalid_request: redirect_uri does not match client settings"


async def test_enforce_scopes_off_fails_that_row_and_skips_the_scopes(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    fake.enforce = False
    grouped = by_status(await run_preflight(client, target))
    assert grouped[CheckStatus.FAIL] == {"key.enforce_scopes"}
    assert grouped[CheckStatus.SKIPPED] == {scope_check_id(s) for s in SCOPES}
    assert grouped[CheckStatus.PASS] == {"key.exists", "key.redirect_uri", "key.on"}


async def test_a_key_that_is_off_fails_only_key_on(fake: FakeCanvas, client: CanvasClient, target: KeyTarget) -> None:
    fake.binding_on = False
    checks = await run_preflight(client, target)
    assert by_status(checks)[CheckStatus.FAIL] == {"key.on"}
    row = next(c for c in checks if c.id == "key.on")
    assert "State to ON" in row.message
    assert "does not have access to the specified Canvas account" in row.evidence.detail


async def test_missing_scopes_fail_exactly_those_rows_and_the_binding_is_still_read(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    fake.scopes -= set(MISSING)
    checks = await run_preflight(client, target)
    assert by_status(checks)[CheckStatus.FAIL] == {scope_check_id(s) for s in MISSING}
    assert next(c for c in checks if c.id == "key.on").status is CheckStatus.PASS
    files = next(c for c in checks if c.id == scope_check_id("url:PUT|/api/v1/files/:id"))
    assert files.message == (
        "Edit the key in Admin > Developer Keys, tick url:PUT|/api/v1/files/:id under Files, then Save."
    )
    assert len(fake.requests) == 3  # A, B, then one with only the scopes on the key


async def test_missing_scopes_and_key_off_fail_both(fake: FakeCanvas, client: CanvasClient, target: KeyTarget) -> None:
    fake.scopes -= set(MISSING)
    fake.binding_on = False
    failed = by_status(await run_preflight(client, target))[CheckStatus.FAIL]
    assert failed == {scope_check_id(s) for s in MISSING} | {"key.on"}


@pytest.mark.parametrize("style", ["2019", "later"])
async def test_older_canvas_without_a_list_passes_a_ready_key(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget, style: str
) -> None:
    fake.style = style
    checks = await run_preflight(client, target)
    assert by_status(checks) == {CheckStatus.PASS: set(preflight_ids(target))}


@pytest.mark.parametrize("style", ["2019", "later"])
async def test_older_canvas_without_a_list_is_probed_one_scope_at_a_time(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget, style: str
) -> None:
    fake.style = style
    fake.scopes -= set(MISSING)
    checks = await run_preflight(client, target)
    assert by_status(checks)[CheckStatus.FAIL] == {scope_check_id(s) for s in MISSING}
    assert next(c for c in checks if c.id == "key.on").status is CheckStatus.PASS
    assert len(fake.requests) == 2 + len(SCOPES)


async def test_older_canvas_with_enforce_off_is_still_detected(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    fake.style = "2019"
    fake.enforce = False
    assert by_status(await run_preflight(client, target))[CheckStatus.FAIL] == {"key.enforce_scopes"}


async def test_throttling_is_waited_out(fake: FakeCanvas, client: CanvasClient, target: KeyTarget) -> None:
    count = 0

    def throttle_first_three(request: httpx.Request) -> httpx.Response | None:
        nonlocal count
        count += 1
        if count <= 3:
            return httpx.Response(403, text="403 Forbidden (Rate Limit Exceeded)\n")
        return None

    fake.before = throttle_first_three
    checks = await run_preflight(client, target)
    assert by_status(checks) == {CheckStatus.PASS: set(preflight_ids(target))}


def assert_one_row_carries_the_cause(checks: list[Check]) -> None:
    """The first row is the error; every other says it was not checked because of it (not a copy of it)."""
    assert [(c.id, c.status) for c in checks if c.status is not CheckStatus.SKIPPED] == [
        (KEY_EXISTS, CheckStatus.ERROR)
    ]
    assert {c.message for c in checks[1:]} == {wording.skipped_until(wording.not_canvas_first())}


async def test_endless_throttling_leaves_errors_not_verdicts(
    fake: FakeCanvas, make_client: ClientFactory, target: KeyTarget
) -> None:
    fake.before = lambda request: httpx.Response(403, text="403 Forbidden (Rate Limit Exceeded)\n")
    async with make_client(max_retries=2) as client:
        checks = await run_preflight(client, target)
    assert by_status(checks) == {CheckStatus.ERROR: {KEY_EXISTS}, CheckStatus.SKIPPED: set(preflight_ids(target)[1:])}
    assert "rate limit" in checks[0].message


async def test_an_sso_page_in_the_way_is_reported_with_its_first_line(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    fake.before = lambda request: httpx.Response(
        200, headers={"content-type": "text/html"}, text="<html><title>Example SSO</title></html>"
    )
    checks = await run_preflight(client, target)
    assert checks[0].message == "Canvas did not answer as its API does (HTTP 200, text/html): Example SSO."
    assert_one_row_carries_the_cause(checks)


async def test_an_unreachable_canvas_errors_every_row_with_one_sentence(
    fake: FakeCanvas, client: CanvasClient, target: KeyTarget
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    fake.before = refuse
    checks = await run_preflight(client, target)
    assert checks[0].message == "canvas.example.edu refused the connection: nothing answers at that address and port."
    assert_one_row_carries_the_cause(checks)
