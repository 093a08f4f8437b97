"""The preflight: what Canvas reveals about a key before anyone logs in (docs/canvas.md 1.4).

Two probes go out at once, both with the Ally redirect URI and `prompt=none`:

- **A** asks for the recipe's scopes plus a sentinel scope no key can hold. Enforce Scopes on: Canvas stops
  at the scope check and lists what is missing (the sentinel, plus any Ally scope not on the key). Enforce
  Scopes off: the sentinel passes unnoticed and the answer shows the binding instead.
- **B** asks for the recipe's scopes only. When they are all on the key it gets past the scope check, and
  `login_required` (ON) or `unauthorized_client` (not ON) shows the account binding.

Follow-ups, only where needed: the same pair with the out-of-band redirect URI when the Ally one is not on
the key (Canvas accepts OOB for every key, so the other rows can still be judged); one probe with just the
scopes found on the key, to read the binding when some are missing; and, for older Canvas releases that
refuse scopes without listing them, one probe per scope, in parallel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ally_wizard.canvas import wording
from ally_wizard.canvas.authorize import (
    OOB_REDIRECT_URI,
    SENTINEL_SCOPE,
    AuthorizeAnswer,
    Outcome,
    probe_authorize,
)
from ally_wizard.canvas.client import CanvasClient, CanvasError, CanvasUnreachable
from ally_wizard.canvas.report import (
    KEY_ENFORCE_SCOPES,
    KEY_EXISTS,
    KEY_ON,
    KEY_REDIRECT_URI,
    Check,
    CheckStatus,
    scope_check_id,
)
from ally_wizard.canvas.resolve import Arrival
from ally_wizard.canvas.rows import Rows
from ally_wizard.canvas.target import CheckCallback, KeyTarget

Probe = AuthorizeAnswer | CanvasError


def preflight_ids(target: KeyTarget) -> list[str]:
    """The preflight's rows, in report order."""
    return [KEY_EXISTS, KEY_REDIRECT_URI, KEY_ENFORCE_SCOPES, KEY_ON, *map(scope_check_id, target.scopes)]


def planned_preflight(target: KeyTarget) -> list[Check]:
    """The preflight's rows as `pending`, for a screen to show before the verdicts arrive."""
    return [
        Check(check_id, wording.title(check_id), CheckStatus.PENDING, "Waiting for Canvas…")
        for check_id in preflight_ids(target)
    ]


async def _probe(client: CanvasClient, target: KeyTarget, redirect_uri: str, scopes: Sequence[str]) -> Probe:
    try:
        return await probe_authorize(client, target.key_id, redirect_uri, scopes)
    except CanvasError as exc:
        return exc


def _undecided(probe: Probe) -> bool:
    """No word on checks 1 and 2: no answer, not Canvas's API, or an OAuth error in JSON this wizard does
    not know. (Every redirect comes after those checks, whatever its error.)"""
    if isinstance(probe, CanvasError) or probe.outcome is Outcome.NOT_API:
        return True
    redirected = probe.evidence.status is not None and 300 <= probe.evidence.status < 400
    return probe.outcome is Outcome.OTHER_ERROR and not redirected


def _unexpected(probe: Probe) -> str:
    if isinstance(probe, CanvasError):
        return probe.message
    if probe.outcome is Outcome.NOT_API:
        return probe.evidence.detail
    return f"Canvas gave an answer this wizard does not expect: {probe.evidence.detail}"


class FirstProbes:
    """The preflight's first round trip, A and B at once; sent before the rest of the run is decided, since
    their answer also says whether the typed address is where Canvas is (`resolve.resolve_canvas`)."""

    def __init__(self, client: CanvasClient, target: KeyTarget) -> None:
        scopes = list(target.scopes)
        self.a = asyncio.ensure_future(_probe(client, target, target.redirect_uri, [*scopes, SENTINEL_SCOPE]))
        self.b = asyncio.ensure_future(_probe(client, target, target.redirect_uri, scopes))

    async def arrival(self) -> Arrival:
        """How the address answered A (or B, when A got no answer at all)."""
        probe = await self.a
        if isinstance(probe, CanvasUnreachable):
            probe = await self.b
        if isinstance(probe, CanvasUnreachable):
            return Arrival(unreachable=probe)
        if isinstance(probe, CanvasError):
            return Arrival()  # an answer came (throttled, a failing gateway): the preflight says the rest
        return Arrival(probe.evidence.status, probe.location)

    def cancel(self) -> None:
        """Drop both probes (leaving a host that only redirects, or the run was stopped)."""
        for task in (self.a, self.b):
            task.cancel()


async def run_preflight(
    client: CanvasClient,
    target: KeyTarget,
    on_check: CheckCallback | None = None,
    first: FirstProbes | None = None,
) -> list[Check]:
    """Judge key.exists, key.redirect_uri, key.enforce_scopes, key.on and every scope, with no login.

    `first`: the probes already sent to `client` (while finding the host); else they are sent now. Scope
    rows pass when Canvas shows the scope on the key; the live run later verifies them with a token.
    """
    rows = Rows(preflight_ids(target), on_check)
    probes = first or FirstProbes(client, target)
    try:
        probe_a, probe_b = await _judge_gate(client, target, rows, probes.a, probes.b)
        if probe_a is not None and probe_b is not None:
            await _judge_scopes(client, target, rows, probe_a, probe_b)
    finally:
        probes.cancel()
    return rows.ordered()


async def _judge_gate(
    client: CanvasClient,
    target: KeyTarget,
    rows: Rows,
    first_a: asyncio.Future[Probe],
    first_b: asyncio.Future[Probe],
) -> tuple[Probe | None, Probe | None]:
    """Checks 1 and 2: does the key exist, is the redirect URI on it. Returns the probes to judge the rest."""
    probe_a = await first_a
    gate = probe_a
    if _undecided(gate):
        gate = await first_b  # B passes the same two checks; it may have got through where A did not.
    if isinstance(gate, CanvasError) or _undecided(gate):
        # One row carries the cause; the others only say they wait for it (not 35 copies of the same error).
        rows.put(KEY_EXISTS, CheckStatus.ERROR, _unexpected(gate), gate.evidence)
        rows.fill(preflight_ids(target)[1:], CheckStatus.SKIPPED, wording.skipped_until(wording.not_canvas_first()))
        return None, None
    if gate.outcome is Outcome.UNKNOWN_CLIENT:
        rows.put(KEY_EXISTS, CheckStatus.FAIL, wording.key_unknown(target.key_id), gate.evidence)
        rows.fill(
            preflight_ids(target)[1:],
            CheckStatus.SKIPPED,
            wording.skipped_until("Canvas must find the key before it shows anything else about it."),
        )
        return None, None
    rows.put(KEY_EXISTS, CheckStatus.PASS, wording.PASS_MESSAGES[KEY_EXISTS], gate.evidence)
    if gate.outcome is Outcome.REDIRECT_MISMATCH:
        rows.put(KEY_REDIRECT_URI, CheckStatus.FAIL, wording.redirect_missing(target.redirect_uri), gate.evidence)
        # Canvas accepts the out-of-band redirect URI for every key: judge the other rows with it.
        oob_a, oob_b = await asyncio.gather(
            _probe(client, target, OOB_REDIRECT_URI, [*target.scopes, SENTINEL_SCOPE]),
            _probe(client, target, OOB_REDIRECT_URI, list(target.scopes)),
        )
        return oob_a, oob_b
    rows.put(KEY_REDIRECT_URI, CheckStatus.PASS, wording.PASS_MESSAGES[KEY_REDIRECT_URI], gate.evidence)
    return probe_a, await first_b


async def _judge_scopes(client: CanvasClient, target: KeyTarget, rows: Rows, probe_a: Probe, probe_b: Probe) -> None:
    """Checks 3 and 4: Enforce Scopes, each scope, and the binding."""
    scope_ids = [scope_check_id(scope) for scope in target.scopes]
    if isinstance(probe_a, CanvasError) or not (probe_a.outcome is Outcome.INVALID_SCOPE or probe_a.passed_scope_check):
        rows.put(KEY_ENFORCE_SCOPES, CheckStatus.ERROR, _unexpected(probe_a), probe_a.evidence)
        rows.fill(scope_ids, CheckStatus.SKIPPED, wording.skipped_until(wording.not_canvas_scopes()))
        _judge_binding(rows, probe_b)
        return
    if probe_a.passed_scope_check:
        # The sentinel got through, so Canvas never looked at the scopes: Enforce Scopes is off.
        rows.put(KEY_ENFORCE_SCOPES, CheckStatus.FAIL, wording.enforce_off(), probe_a.evidence)
        rows.fill(
            scope_ids,
            CheckStatus.SKIPPED,
            wording.skipped_until("Canvas checks a key's scopes only while Enforce Scopes is on."),
        )
        _judge_binding(rows, probe_a)
        return
    rows.put(KEY_ENFORCE_SCOPES, CheckStatus.PASS, wording.PASS_MESSAGES[KEY_ENFORCE_SCOPES], probe_a.evidence)
    if probe_a.missing is not None:
        missing = set(probe_a.missing)
        redirect_row = rows.done.get(KEY_REDIRECT_URI)
        wrong_key = (
            missing >= set(target.scopes) and redirect_row is not None and redirect_row.status is CheckStatus.FAIL
        )
        for scope in target.scopes:
            if scope in missing:
                fix = wording.lti_or_wrong_key(target.key_id) if wrong_key else wording.scope_missing(scope)
                rows.put(scope_check_id(scope), CheckStatus.FAIL, fix, probe_a.evidence)
            else:
                rows.put(
                    scope_check_id(scope),
                    CheckStatus.PASS,
                    "On the key: Canvas did not list it among the missing scopes.",
                    probe_a.evidence,
                )
        present = [scope for scope in target.scopes if scope not in missing]
        if len(present) == len(target.scopes):
            _judge_binding(rows, probe_b)
        elif present:
            _judge_binding(rows, await _probe(client, target, _redirect_of(rows, target), present))
        else:
            rows.put(
                KEY_ON,
                CheckStatus.SKIPPED,
                wording.skipped_until("Canvas shows the key's state only once an Ally scope is on the key."),
            )
        return
    # An older Canvas refused the scopes without naming them: B tells whether all are on the key.
    if not isinstance(probe_b, CanvasError) and probe_b.passed_scope_check:
        rows.fill(scope_ids, CheckStatus.PASS, "On the key: Canvas accepted all of them together.", probe_b.evidence)
        _judge_binding(rows, probe_b)
        return
    await _probe_one_by_one(client, target, rows)


async def _probe_one_by_one(client: CanvasClient, target: KeyTarget, rows: Rows) -> None:
    """Older Canvas gives no list of missing scopes: ask for each scope alone, all at once."""
    redirect_uri = _redirect_of(rows, target)
    binding: list[Probe] = []

    async def one(scope: str) -> None:
        probe = await _probe(client, target, redirect_uri, [scope])
        check_id = scope_check_id(scope)
        if isinstance(probe, CanvasError):
            rows.put(check_id, CheckStatus.ERROR, probe.message, probe.evidence)
        elif probe.outcome is Outcome.INVALID_SCOPE:
            rows.put(check_id, CheckStatus.FAIL, wording.scope_missing(scope), probe.evidence)
        elif probe.passed_scope_check:
            rows.put(check_id, CheckStatus.PASS, "On the key: Canvas accepted it on its own.", probe.evidence)
            binding.append(probe)
        else:
            rows.put(check_id, CheckStatus.ERROR, _unexpected(probe), probe.evidence)

    await asyncio.gather(*(one(scope) for scope in target.scopes))
    errors = [rows.done[c] for c in map(scope_check_id, target.scopes) if rows.done[c].status is CheckStatus.ERROR]
    if binding:
        _judge_binding(rows, binding[0])
    elif errors:
        rows.put(KEY_ON, CheckStatus.ERROR, errors[0].message, errors[0].evidence)
    else:
        rows.put(
            KEY_ON,
            CheckStatus.SKIPPED,
            wording.skipped_until("Canvas shows the key's state only once an Ally scope is on the key."),
        )


def _redirect_of(rows: Rows, target: KeyTarget) -> str:
    """The redirect URI Canvas accepts for this key: Ally's, or OOB when Ally's is not on the key."""
    redirect_row = rows.done.get(KEY_REDIRECT_URI)
    return target.redirect_uri if redirect_row and redirect_row.status is CheckStatus.PASS else OOB_REDIRECT_URI


def _judge_binding(rows: Rows, probe: Probe) -> None:
    """key.on from a probe that got past the scope check: `login_required` means ON."""
    if isinstance(probe, CanvasError):
        rows.put(KEY_ON, CheckStatus.ERROR, probe.message, probe.evidence)
    elif probe.outcome is Outcome.PASSED:
        rows.put(KEY_ON, CheckStatus.PASS, wording.PASS_MESSAGES[KEY_ON], probe.evidence)
    elif probe.outcome is Outcome.NOT_ON:
        rows.put(KEY_ON, CheckStatus.FAIL, wording.key_not_on(), probe.evidence)
    else:
        rows.put(KEY_ON, CheckStatus.ERROR, _unexpected(probe), probe.evidence)
