"""The verification report: one row per check, each with a fixed id, a verdict and the fix.

These types are the contract between the Canvas client (which produces them), the profile (which keeps
the last report) and the screens and command line (which render them). They hold no secret or token.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace


class CheckStatus(enum.StrEnum):
    """A check's verdict. `error` means no verdict could be reached (network, throttling...)."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIPPED = "skipped"
    ERROR = "error"
    PENDING = "pending"

    @property
    def symbol(self) -> str:
        """A symbol that carries the status without colour."""
        return _SYMBOLS[self]

    @property
    def label(self) -> str:
        """Symbol and word, as shown to the admin (`✓ pass`)."""
        return f"{self.symbol} {self.value}"


_SYMBOLS = {
    CheckStatus.PASS: "✓",
    CheckStatus.FAIL: "✗",
    CheckStatus.WARN: "!",
    CheckStatus.SKIPPED: "-",
    CheckStatus.ERROR: "!",
    CheckStatus.PENDING: "…",
}

# Fixed check ids (issue 4). Scope checks are `scope:<scope string>`.
KEY_EXISTS = "key.exists"
KEY_REDIRECT_URI = "key.redirect_uri"
KEY_ENFORCE_SCOPES = "key.enforce_scopes"
KEY_ON = "key.on"
KEY_SECRET = "key.secret"
KEY_ALLOW_INCLUDES = "key.allow_includes"
TOKEN_REVOKED = "token.revoked"
SCOPE_PREFIX = "scope:"
# Rows about something beside the key (the theme's ALLY_CFG): a skipped one says nothing about the key.
ADVISORY_CHECKS = frozenset({"ally.theme"})


def scope_check_id(scope: str) -> str:
    """The check id of one scope."""
    return f"{SCOPE_PREFIX}{scope}"


@dataclass(frozen=True, slots=True)
class Evidence:
    """What Canvas said: the HTTP status and its own words, so the admin can see why a verdict was given."""

    status: int | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        """A TOML- and JSON-friendly form (no None values)."""
        data: dict[str, object] = {"detail": self.detail}
        if self.status is not None:
            data["status"] = self.status
        return data


@dataclass(frozen=True, slots=True)
class Check:
    """One row of the report."""

    id: str
    title: str
    status: CheckStatus
    message: str
    evidence: Evidence = field(default_factory=Evidence)
    checked_at: dt.datetime | None = None

    @property
    def scope(self) -> str | None:
        """The scope string for a `scope:` check, else None."""
        return self.id[len(SCOPE_PREFIX) :] if self.id.startswith(SCOPE_PREFIX) else None

    def as_dict(self) -> dict[str, object]:
        """A TOML- and JSON-friendly form."""
        data: dict[str, object] = {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "message": self.message,
            "evidence": self.evidence.as_dict(),
        }
        if self.checked_at is not None:
            data["checked_at"] = self.checked_at.isoformat(timespec="seconds")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Check:
        """Rebuild a check saved with `as_dict`; unknown statuses become `error` rather than crash."""
        raw_status = str(data.get("status", "error"))
        try:
            status = CheckStatus(raw_status)
        except ValueError:
            status = CheckStatus.ERROR
        evidence_raw = data.get("evidence")
        evidence = Evidence()
        if isinstance(evidence_raw, dict):
            code = evidence_raw.get("status")
            evidence = Evidence(code if isinstance(code, int) else None, str(evidence_raw.get("detail", "")))
        checked_raw = data.get("checked_at")
        checked_at = None
        if isinstance(checked_raw, dt.datetime):
            checked_at = checked_raw
        elif isinstance(checked_raw, str):
            try:
                checked_at = dt.datetime.fromisoformat(checked_raw)
            except ValueError:
                checked_at = None
        return cls(
            id=str(data.get("id", "")),
            title=str(data.get("title", "")),
            status=status,
            message=str(data.get("message", "")),
            evidence=evidence,
            checked_at=checked_at,
        )

    def with_status(self, status: CheckStatus, message: str, evidence: Evidence | None = None) -> Check:
        """A copy with a new verdict."""
        return replace(self, status=status, message=message, evidence=evidence or self.evidence)


@dataclass(slots=True)
class Report:
    """An ordered set of checks from one verification run."""

    started_at: dt.datetime
    checks: list[Check] = field(default_factory=list)
    finished_at: dt.datetime | None = None
    authorized_by: str | None = None

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)

    def get(self, check_id: str) -> Check | None:
        """The check with this id, if the run produced it."""
        for check in self.checks:
            if check.id == check_id:
                return check
        return None

    def put(self, check: Check) -> None:
        """Add a check, or replace the one with the same id in place (rows keep their order)."""
        for index, existing in enumerate(self.checks):
            if existing.id == check.id:
                self.checks[index] = check
                return
        self.checks.append(check)

    def extend(self, checks: Iterable[Check]) -> None:
        """Add or replace several checks."""
        for check in checks:
            self.put(check)

    def count(self, status: CheckStatus) -> int:
        """How many checks have this status."""
        return sum(1 for check in self.checks if check.status is status)

    @property
    def overall(self) -> CheckStatus:
        """Fail beats error beats skipped beats warn beats pass: the single word for the whole run.

        A row of the key left `skipped` (a run stopped, an authorization refused) keeps the run from reading
        as passed; an advisory row (`ADVISORY_CHECKS`) skipped does not.
        """
        statuses = {
            check.status
            for check in self.checks
            if not (check.id in ADVISORY_CHECKS and check.status is CheckStatus.SKIPPED)
        }
        for status in (CheckStatus.FAIL, CheckStatus.ERROR, CheckStatus.PENDING, CheckStatus.SKIPPED, CheckStatus.WARN):
            if status in statuses:
                return status
        return CheckStatus.PASS if statuses else CheckStatus.SKIPPED

    def as_dict(self) -> dict[str, object]:
        """A TOML- and JSON-friendly form."""
        data: dict[str, object] = {
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "result": self.overall.value,
            "checks": [check.as_dict() for check in self.checks],
        }
        if self.finished_at is not None:
            data["finished_at"] = self.finished_at.isoformat(timespec="seconds")
        if self.authorized_by:
            data["authorized_by"] = self.authorized_by
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Report:
        """Rebuild a report saved with `as_dict`."""

        def when(key: str) -> dt.datetime | None:
            raw = data.get(key)
            if isinstance(raw, dt.datetime):
                return raw
            if isinstance(raw, str):
                try:
                    return dt.datetime.fromisoformat(raw)
                except ValueError:
                    return None
            return None

        checks_raw = data.get("checks")
        checks = [Check.from_dict(c) for c in checks_raw if isinstance(c, dict)] if isinstance(checks_raw, list) else []
        authorized = data.get("authorized_by")
        return cls(
            started_at=when("started_at") or dt.datetime.now(dt.UTC),
            checks=checks,
            finished_at=when("finished_at"),
            authorized_by=str(authorized) if authorized else None,
        )
