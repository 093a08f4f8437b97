"""Collecting a run's verdicts: each row stamped, cleaned, and handed to the callback once.

Every row's message and evidence go through `clean_check` here (rows made by `Rows` and by the check flow
alike): the one place where secrets, tokens and codes echoed by Canvas are masked (whole, encoded, or in
part, by `ally_wizard.redact`), and only then is the text shortened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ally_wizard.canvas import wording
from ally_wizard.canvas.report import Check, CheckStatus, Evidence
from ally_wizard.canvas.target import CheckCallback, emit, now
from ally_wizard.redact import clean_evidence, clean_message


def clean_check(check: Check, hidden: Sequence[str] = ()) -> Check:
    """`check` with its message and evidence masked (the `hidden` values, in every form) and then shortened:
    what every row goes through before anyone sees or keeps it, whoever made the row."""
    evidence = Evidence(check.evidence.status, clean_evidence(check.evidence.detail, hidden))
    return replace(check, message=clean_message(check.message, hidden), evidence=evidence)


class Rows:
    """The verdicts of one run, in a fixed row order; the first verdict for a row is the one kept."""

    def __init__(self, ids: Sequence[str], on_check: CheckCallback | None, hidden: Sequence[str] = ()) -> None:
        self.ids = list(ids)
        self.on_check = on_check
        self.hidden = list(hidden)
        self.done: dict[str, Check] = {}

    def put(self, check_id: str, status: CheckStatus, message: str, evidence: Evidence | None = None) -> None:
        """Record a verdict (ignored when the row already has one) and tell the callback."""
        if check_id in self.done:
            return
        check = Check(check_id, wording.title(check_id), status, message, evidence or Evidence(), checked_at=now())
        self.done[check_id] = emit(self.on_check, clean_check(check, self.hidden))

    def fill(self, ids: Sequence[str], status: CheckStatus, message: str, evidence: Evidence | None = None) -> None:
        """The same verdict for several rows (those without one yet)."""
        for check_id in ids:
            self.put(check_id, status, message, evidence)

    def missing(self) -> list[str]:
        """Rows still without a verdict."""
        return [check_id for check_id in self.ids if check_id not in self.done]

    def ordered(self) -> list[Check]:
        """The verdicts in row order."""
        return [self.done[check_id] for check_id in self.ids if check_id in self.done]
