"""The setup profile: everything an admin has entered and verified for one Canvas instance.

A profile never holds the key secret or a token: those live in memory for one run only. The store
(`ally_wizard.store`) turns a profile into TOML and back.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ally_wizard.canvas.report import Check, CheckStatus, Report

SCHEMA_VERSION = 1
# The wizard's steps: the start screen (choosing this profile) is step 1, then one per `StepId`.
STEPS_TOTAL = 7
# \Z, not $: `$` also matches before a trailing newline, and "prod\n" must not become a file name.
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
# Windows opens these device names whatever the extension (CON.toml is the console), so no profile may use them.
_RESERVED_NAMES = frozenset({"CON", "PRN", "AUX", "NUL"} | {f"{kind}{n}" for kind in ("COM", "LPT") for n in range(10)})


class StepId(enum.StrEnum):
    """The wizard's steps after the start screen, in order."""

    CANVAS = "canvas"
    CREATE_KEY = "create_key"
    SCOPES = "scopes"
    ACTIVATE = "activate"
    AUTHORIZE = "authorize"
    HANDOFF = "handoff"


class StepState(enum.StrEnum):
    """Where a step stands."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ScopeStatus(enum.StrEnum):
    """One scope's row in the checklist, from "the admin has not ticked it" to "Canvas honoured it"."""

    TODO = "todo"
    TICKED = "ticked"
    ON_KEY = "on_key"
    MISSING = "missing"
    VERIFIED = "verified"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """Symbol and word, never colour alone."""
        return _SCOPE_LABELS[self]

    @property
    def confirmed(self) -> bool:
        """True when Canvas itself showed the scope on the key."""
        return self in (ScopeStatus.ON_KEY, ScopeStatus.VERIFIED)


_SCOPE_LABELS = {
    ScopeStatus.TODO: "○ to do",
    ScopeStatus.TICKED: "☑ ticked",
    ScopeStatus.ON_KEY: "✓ on the key",
    ScopeStatus.MISSING: "✗ missing",
    ScopeStatus.VERIFIED: "✓ verified live",
    ScopeStatus.UNKNOWN: "! could not check",
}


def scope_status_after(check: Check, *, live: bool, previous: ScopeStatus = ScopeStatus.TODO) -> ScopeStatus | None:
    """A scope row's status after one of its checks, or None to keep what the row said.

    Preflight pass is "on the key", live pass "verified live", fail "missing". A check that reached no
    verdict (Canvas unreachable, throttled) says nothing about the admin's own ticks, so a row marked "to
    do" or "ticked" keeps its mark; a row whose status came from Canvas becomes "could not check", since
    that verdict could not be renewed. Pending and skipped checks change nothing.
    """
    if check.status is CheckStatus.PASS:
        return ScopeStatus.VERIFIED if live else ScopeStatus.ON_KEY
    if check.status is CheckStatus.FAIL:
        return ScopeStatus.MISSING
    if check.status in (CheckStatus.ERROR, CheckStatus.WARN):
        return None if previous in (ScopeStatus.TODO, ScopeStatus.TICKED) else ScopeStatus.UNKNOWN
    return None


def scope_statuses(
    preflight: Sequence[Check], live: Sequence[Check] = (), previous: Mapping[str, ScopeStatus] | None = None
) -> dict[str, ScopeStatus]:
    """Each checked scope's new checklist status after a run, by `scope_status_after`.

    Scopes whose status should stay as it was (no verdict on an admin's own tick) are left out.
    """
    statuses: dict[str, ScopeStatus] = dict(previous or {})
    changed: dict[str, ScopeStatus] = {}
    for checks, is_live in ((preflight, False), (live, True)):
        for check in checks:
            if check.scope is None:
                continue
            status = scope_status_after(check, live=is_live, previous=statuses.get(check.scope, ScopeStatus.TODO))
            if status is not None:
                statuses[check.scope] = changed[check.scope] = status
    return changed


def utcnow() -> dt.datetime:
    """Now, in UTC, to the second (what profiles store)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(slots=True)
class StepProgress:
    """A step's state and when it changed."""

    state: StepState = StepState.NOT_STARTED
    started_at: dt.datetime | None = None
    done_at: dt.datetime | None = None


def check_profile_name(name: str) -> str:
    """Profile names become file names: letters, digits, dot, dash and underscore, up to 64."""
    if not NAME_RE.match(name):
        raise ValueError(
            f"{name!r} cannot be a profile name. Use letters, digits, '.', '-' or '_' "
            "(starting with a letter or digit), such as production or test-2026."
        )
    if name.split(".", 1)[0].upper() in _RESERVED_NAMES:
        raise ValueError(f"{name!r} cannot be a profile name: Windows keeps that name for a device. Choose another.")
    return name


@dataclass(slots=True)
class Profile:
    """One setup: a Canvas instance, the vendor environment, the key, and how far the admin has got."""

    name: str
    canvas_url: str = ""
    environment: str = ""
    client_id: str = ""
    key_name: str = ""
    owner_email: str = ""
    key_id: str = ""
    recipe_id: str = "ally"
    recipe_version: str = ""
    created_at: dt.datetime = field(default_factory=utcnow)
    updated_at: dt.datetime = field(default_factory=utcnow)
    steps: dict[StepId, StepProgress] = field(default_factory=lambda: {s: StepProgress() for s in StepId})
    scopes: dict[str, ScopeStatus] = field(default_factory=dict)
    create_checklist: list[int] = field(default_factory=list)
    last_verification: Report | None = None

    def __post_init__(self) -> None:
        check_profile_name(self.name)
        for step in StepId:
            self.steps.setdefault(step, StepProgress())

    def mark(self, step: StepId, state: StepState) -> None:
        """Move a step to a state, stamping when it started and when it was done."""
        progress = self.steps[step]
        now = utcnow()
        if state is not StepState.NOT_STARTED and progress.started_at is None:
            progress.started_at = now
        if state is StepState.DONE:
            progress.done_at = progress.done_at if progress.state is StepState.DONE else now
        else:
            progress.done_at = None
        progress.state = state

    def scope_status(self, scope: str) -> ScopeStatus:
        """This scope's row status (to do when never touched)."""
        return self.scopes.get(scope, ScopeStatus.TODO)

    @property
    def steps_done(self) -> int:
        """How many of the wizard's `STEPS_TOTAL` steps are done; step 1 (start) is done by the profile existing."""
        return 1 + sum(1 for progress in self.steps.values() if progress.state is StepState.DONE)

    def scopes_verified(self, recipe_scopes: tuple[str, ...]) -> int:
        """How many of the recipe's scopes Canvas confirmed (on the key or live)."""
        return sum(1 for scope in recipe_scopes if self.scope_status(scope).confirmed)

    @property
    def first_unfinished(self) -> StepId:
        """Where a resumed setup opens: the first step not done (the last step when all are)."""
        for step in StepId:
            if self.steps[step].state is not StepState.DONE:
                return step
        return StepId.HANDOFF

    def summary(self) -> ProfileSummary:
        """What a listing of setups shows of this one."""
        report = self.last_verification
        return ProfileSummary(
            name=self.name,
            canvas_url=self.canvas_url,
            environment=self.environment,
            steps_done=self.steps_done,
            next_step=self.first_unfinished,
            confirmed_scopes=frozenset(scope for scope, status in self.scopes.items() if status.confirmed),
            last_check=report.started_at if report else None,
            last_result=report.overall if report else None,
            updated_at=self.updated_at,
        )


@functools.lru_cache(maxsize=64)
def _scope_set(text: str) -> frozenset[str]:
    """A summary's confirmed scopes, from their space-separated form. Setups mostly share a handful of
    sets (all verified, none yet), so a listing of a thousand builds each set once instead of hashing
    31 scope strings per setup."""
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class ProfileSummary:
    """A profile as a listing shows it: a few fields, small enough to keep for every profile and read at once.

    The store keeps these beside the profiles (`ally_wizard.store`), so a listing of a thousand setups
    does not parse a thousand stored reports.
    """

    name: str
    canvas_url: str
    environment: str
    steps_done: int
    next_step: StepId
    confirmed_scopes: frozenset[str]
    last_check: dt.datetime | None
    last_result: CheckStatus | None
    updated_at: dt.datetime

    def scopes_verified(self, recipe_scopes: tuple[str, ...]) -> int:
        """How many of the recipe's scopes Canvas confirmed (on the key or live)."""
        return len(self.confirmed_scopes.intersection(recipe_scopes))

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly form."""
        return {
            "name": self.name,
            "canvas_url": self.canvas_url,
            "environment": self.environment,
            "steps_done": self.steps_done,
            "next_step": self.next_step.value,
            # One string (scope strings hold no spaces): a thousand lists of 31 strings take 3x longer to parse.
            "confirmed_scopes": " ".join(sorted(self.confirmed_scopes)),
            "last_check": self.last_check.isoformat() if self.last_check else None,
            "last_result": self.last_result.value if self.last_result else None,
            "updated_at": self.updated_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: object) -> ProfileSummary:
        """Rebuild a summary saved with `as_dict`; raise `ValueError` if anything is missing or mistyped."""
        if not isinstance(data, dict):
            raise ValueError("a summary must be an object")
        name, url, environment = data.get("name"), data.get("canvas_url"), data.get("environment")
        steps_done, scopes = data.get("steps_done"), data.get("confirmed_scopes")
        last_check, last_result, updated_at = data.get("last_check"), data.get("last_result"), data.get("updated_at")
        if not (isinstance(name, str) and isinstance(url, str) and isinstance(environment, str)):
            raise ValueError("name, canvas_url and environment must be text")
        if not isinstance(steps_done, int) or isinstance(steps_done, bool):
            raise ValueError("steps_done must be a whole number")
        if not isinstance(scopes, str):
            raise ValueError("confirmed_scopes must be text")
        if not isinstance(updated_at, str) or not (last_check is None or isinstance(last_check, str)):
            raise ValueError("updated_at and last_check must be text")
        return cls(
            name=check_profile_name(name),
            canvas_url=url,
            environment=environment,
            steps_done=steps_done,
            next_step=StepId(str(data.get("next_step"))),
            confirmed_scopes=_scope_set(scopes),
            last_check=dt.datetime.fromisoformat(last_check) if last_check else None,
            last_result=CheckStatus(last_result) if last_result is not None else None,
            updated_at=dt.datetime.fromisoformat(updated_at),
        )
