"""One rule turns a scope check into its checklist row, for the wizard and `ally-wizard check` alike."""

from __future__ import annotations

import pytest

from ally_wizard.canvas.report import Check, CheckStatus, scope_check_id
from ally_wizard.profile import ScopeStatus, scope_status_after, scope_statuses

SCOPE = "url:PUT|/api/v1/files/:id"


def _check(status: CheckStatus) -> Check:
    return Check(scope_check_id(SCOPE), SCOPE, status, "message")


@pytest.mark.parametrize(
    ("status", "live", "previous", "expected"),
    [
        (CheckStatus.PASS, False, ScopeStatus.TODO, ScopeStatus.ON_KEY),
        (CheckStatus.PASS, True, ScopeStatus.ON_KEY, ScopeStatus.VERIFIED),
        (CheckStatus.FAIL, False, ScopeStatus.TICKED, ScopeStatus.MISSING),
        (CheckStatus.FAIL, True, ScopeStatus.VERIFIED, ScopeStatus.MISSING),
        # No verdict: the admin's own marks stay; a verdict from Canvas that could not be renewed does not.
        (CheckStatus.ERROR, False, ScopeStatus.TICKED, None),
        (CheckStatus.ERROR, False, ScopeStatus.TODO, None),
        (CheckStatus.ERROR, False, ScopeStatus.ON_KEY, ScopeStatus.UNKNOWN),
        (CheckStatus.WARN, True, ScopeStatus.VERIFIED, ScopeStatus.UNKNOWN),
        (CheckStatus.SKIPPED, True, ScopeStatus.ON_KEY, None),
        (CheckStatus.PENDING, False, ScopeStatus.MISSING, None),
    ],
)
def test_scope_status_after_a_check(
    status: CheckStatus, live: bool, previous: ScopeStatus, expected: ScopeStatus | None
) -> None:
    assert scope_status_after(_check(status), live=live, previous=previous) is expected


def test_check_command_keeps_ticks_when_canvas_gave_no_verdict() -> None:
    changed = scope_statuses([_check(CheckStatus.ERROR)], (), {SCOPE: ScopeStatus.TICKED})
    assert changed == {}


def test_live_verdict_follows_the_preflight_one() -> None:
    changed = scope_statuses([_check(CheckStatus.PASS)], [_check(CheckStatus.PASS)], {})
    assert changed == {SCOPE: ScopeStatus.VERIFIED}
