"""The one sentence on a whole run (hand-off screen, plain mode, `check`): what happened and what to do next."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ally_wizard.canvas.report import CheckStatus, Report
from ally_wizard.canvas.wording import verdict
from tools.samples import FIXED, STOPPED_REASON, sample_report, stopped_report

SCOPE = "url:GET|/api/v1/courses/:course_id/quizzes"


def with_status(report: Report, check_id: str, status: CheckStatus) -> Report:
    row = report.get(check_id)
    assert row is not None
    report.put(replace(row, status=status))
    return report


def test_a_stopped_run_says_it_stopped_and_why_not_that_it_found_problems() -> None:
    sentence = verdict(stopped_report(), rows="on step 6", again="check again")
    assert "problem" not in sentence
    assert sentence.startswith("The last live check stopped before it could judge the key:")
    assert STOPPED_REASON in sentence
    assert sentence.endswith("Nothing was found wrong so far; check again.")


@pytest.mark.parametrize(
    ("report", "start"),
    [
        (sample_report(), "The live check passed: Ally will find what it needs."),
        (sample_report(missing=(SCOPE,)), "The last live check found 1 problem (see it on step 6): fix it, then"),
        (
            with_status(sample_report(), "key.allow_includes", CheckStatus.WARN),
            "The live check passed with 1 warning (see it on step 6).",
        ),
        (
            with_status(sample_report(), "key.secret", CheckStatus.ERROR),
            "The last live check could not judge 1 check (see it on step 6 for why): check again.",
        ),
        (
            with_status(sample_report(), "key.secret", CheckStatus.PENDING),
            "The last live check did not finish",
        ),
        (Report(started_at=FIXED, checks=[]), "The check without sign-in stopped before it could judge the key: "),
        (
            Report(started_at=FIXED, checks=[c for c in sample_report().checks if c.scope is None][:4]),
            "The check without sign-in passed; the secret and what Canvas lets a token do are checked only",
        ),
    ],
)
def test_each_overall_verdict_has_its_own_sentence(report: Report, start: str) -> None:
    assert verdict(report, rows="on step 6", again="check again").startswith(start)
