"""The one verification run that `ally-wizard check`, the wizard's step 6 and plain mode all drive.

A front end builds a `CheckFlow` for a `KeyTarget`, gives it an object answering its `Questions`, and
listens to its progress events; `await flow.run()` then owns the whole sequence and always returns a
`CheckRun` with a report (never raises for anything Canvas or the admin does):

1. **The preflight's first probes, which also find the host** (`resolve_canvas`): they go to the typed
   address, and a web server's redirect of them (a vanity name answering 301 to the real host, path
   kept) is followed, a bounded number of hops, https only, never https -> http, the probes sent again
   there; no round trip is spent on the address alone. `AddressResolved` says so;
   `Questions.keep_resolved_address` lets the front end keep the resolved address. From here on every
   request, and so the secret, the code and the token, goes to the resolved host only.
2. **Unreachable** -> stop: `key.exists` says why (an `error` row), every other row is `skipped` ("not
   checked: Canvas could not be reached"); no secret or authorization is asked for.
3. **Preflight** (no login): rows arrive as `CheckFinished` events. The theme's `ALLY_CFG` is read
   meanwhile (`ally.theme`, its row whenever it is found).
4. **Can live checks run?** With `login=False`, or when the preflight shows Canvas would refuse the
   authorization (`live_blocker`), the live rows are `skipped` with the reason (`LiveSkipped`).
5. **Ask for the secret** (`Questions.secret`; None or empty ends the run, live rows skipped).
6. **Begin the authorization**: `AuthorizationStarted` carries the authorize URL to show and open.
7. **Ask for the pasted address** (`Questions.pasted_address`), again after a paste that cannot be read
   (`PasteRequest.problem` says why), up to `paste_attempts` times. A refusal Canvas put in the address
   (`access_denied`, `client_not_allowed_for_user`...), a state mismatch, or None (input ended) ends the
   run: the preflight rows are kept, the live rows `skipped` with the reason.
8. **Live checks** with a test token, then the **revoke** (always, also when stopped or out of time).
9. **The report** (`CheckRun.report`) and, for the front end to save, **the profile update**
   (`apply_run(profile, run)`: the report, the scope statuses, step 6 done on a full pass, the resolved
   address when the admin chose to keep it).

`flow.stop(reason)` (a signal, Esc in the wizard) ends the run the same way: a token already issued is
revoked, rows without a verdict become `skipped` with the reason, and `run()` returns the report.
Deadlines (`Deadlines`): one per phase and one for all the time spent waiting on Canvas (not on the
admin); rows that ran out of time are `error` rows that say so. The revoke has its own budget, always.

Progress events are plain dataclasses (`FlowEvent` subclasses) passed to `on_event` on the event loop, in
order; a front end that shows rows only needs `RowsPlanned` and `CheckFinished`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

import httpx

from ally_wizard.canvas import wording
from ally_wizard.canvas.client import DEFAULT_CONCURRENCY, CanvasClient
from ally_wizard.canvas.preflight import FirstProbes, planned_preflight, preflight_ids, run_preflight
from ally_wizard.canvas.report import (
    KEY_EXISTS,
    KEY_SECRET,
    TOKEN_REVOKED,
    Check,
    CheckStatus,
    Evidence,
    Report,
)
from ally_wizard.canvas.resolve import Resolution, resolve_canvas
from ally_wizard.canvas.rows import clean_check
from ally_wizard.canvas.target import KeyTarget, now

# Only what the first requests need is imported here: `check` starts sending them sooner. The live half
# (`live`, `oauth`, `verify`) and the theme are imported where they are used, while Canvas answers.
if TYPE_CHECKING:
    from ally_wizard.canvas.live import LiveResult
    from ally_wizard.canvas.oauth import PendingAuthorization
    from ally_wizard.canvas.theme import ThemeSearch
    from ally_wizard.profile import Profile

__all__ = [
    "STOP_SIGNALS",
    "AddressResolved",
    "AuthorizationStarted",
    "CheckFinished",
    "CheckFlow",
    "CheckRun",
    "Deadlines",
    "FlowEvent",
    "LiveSkipped",
    "NoQuestions",
    "PasteRequest",
    "Phase",
    "PhaseStarted",
    "Questions",
    "Resolution",
    "RowsPlanned",
    "apply_run",
    "revoke_sentence",
    "stop_on_signals",
]

T = TypeVar("T")
UNREACHABLE = "Canvas could not be reached"
DEFAULT_PASTE_ATTEMPTS = 3


class Phase(enum.StrEnum):
    """Where a run stands (`PhaseStarted`)."""

    PREFLIGHT = "preflight"
    SECRET = "secret"
    AUTHORIZE = "authorize"
    LIVE = "live"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long a run may wait on Canvas, in seconds: per phase, and in all (the admin's time not counted).

    The revoke always gets its own `revoke` seconds, even when the rest has run out: a test token left
    live is worse than a late report.
    """

    total: float = 240.0
    resolve: float = 30.0
    preflight: float = 90.0
    live: float = 120.0
    revoke: float = 30.0


# -- progress events ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlowEvent:
    """Something a front end may show; every event of a run is one of the subclasses below."""


@dataclass(frozen=True, slots=True)
class PhaseStarted(FlowEvent):
    """A phase began; `sentence` is what to tell the admin (progress, not a verdict)."""

    phase: Phase
    sentence: str


@dataclass(frozen=True, slots=True)
class AddressResolved(FlowEvent):
    """The Canvas address redirects to another host, where the run checks from now on."""

    resolution: Resolution

    @property
    def sentence(self) -> str:
        """ "canvas.school.edu redirects to school.instructure.com; checking there"."""
        return self.resolution.sentence


@dataclass(frozen=True, slots=True)
class RowsPlanned(FlowEvent):
    """Rows about to be judged, as `pending` (a screen shows them before the verdicts)."""

    checks: tuple[Check, ...]


@dataclass(frozen=True, slots=True)
class CheckFinished(FlowEvent):
    """One row's verdict."""

    check: Check


@dataclass(frozen=True, slots=True)
class LiveSkipped(FlowEvent):
    """The live checks will not run; `reason` is one sentence (the live rows say it too)."""

    reason: str


@dataclass(frozen=True, slots=True)
class AuthorizationStarted(FlowEvent):
    """Show (and open) this address; the admin selects Authorize there and pastes where the browser lands."""

    authorize_url: str


# -- questions ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PasteRequest:
    """What `Questions.pasted_address` is asked: which attempt, and why the last paste was refused."""

    authorize_url: str
    attempt: int
    attempts: int
    problem: str | None = None


class Questions(Protocol):
    """What only the admin can answer. Each may take as long as the admin needs (no deadline runs)."""

    async def secret(self) -> str | None:
        """The key's secret; None (or empty) when none is given, which ends the run with a report."""
        ...

    async def pasted_address(self, request: PasteRequest) -> str | None:
        """The address the browser landed on after Authorize; None when input ended or the admin gave up."""
        ...

    async def keep_resolved_address(self, resolution: Resolution) -> bool:
        """Whether the profile should keep the resolved address instead of the one typed."""
        ...


class NoQuestions:
    """The answers of a front end that runs with `login=False`: keep the typed address; nothing else is asked."""

    async def secret(self) -> str | None:
        """Never asked without a login; None would end the run."""
        return None

    async def pasted_address(self, request: PasteRequest) -> str | None:
        """Never asked without a login; None would end the run."""
        return None

    async def keep_resolved_address(self, resolution: Resolution) -> bool:
        """The typed address stays in the profile."""
        return False


# -- the result -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class CheckRun:
    """What a run found: the report (every row), and what the front ends say and save about it."""

    target: KeyTarget
    report: Report
    preflight: list[Check] = field(default_factory=list)
    live: list[Check] = field(default_factory=list)
    resolution: Resolution | None = None
    keep_resolved: bool = False
    stopped: str | None = None

    @property
    def full(self) -> bool:
        """True when the live checks ran (a token was asked for)."""
        return any(check.id == KEY_SECRET and check.status is not CheckStatus.SKIPPED for check in self.live)

    @property
    def revoked(self) -> bool | None:
        """True when Canvas confirmed the revoke, False when a token may be live, None when none was issued."""
        row = self.report.get(TOKEN_REVOKED)
        if row is None or row.status is CheckStatus.SKIPPED:
            return None
        return row.status is CheckStatus.PASS


def revoke_sentence(run: CheckRun) -> str:
    """The summary's words on the test token: its real outcome, or nothing when no token was issued."""
    if run.revoked is None:
        return ""
    if run.revoked:
        return "the test token was revoked."
    return "the test token may still be live. " + wording.not_revoked()


def apply_run(profile: Profile, run: CheckRun) -> None:
    """The profile update both front ends make after a run (the caller saves the profile).

    The report replaces the last one; the scope statuses follow `scope_statuses`; step 6 is done when the
    whole check (live included, every row judged, not stopped) passed; the resolved address replaces the
    typed one when the admin chose so.
    """
    from ally_wizard.profile import StepId, StepState, scope_statuses

    profile.last_verification = run.report
    profile.scopes.update(scope_statuses(run.preflight, run.live, profile.scopes))
    judged = all(check.status is not CheckStatus.SKIPPED for check in [*run.preflight, *run.live])
    if run.full and judged and not run.stopped and run.report.overall in (CheckStatus.PASS, CheckStatus.WARN):
        profile.mark(StepId.AUTHORIZE, StepState.DONE)
    if run.keep_resolved and run.resolution is not None:
        profile.canvas_url = run.resolution.resolved


# -- signals ------------------------------------------------------------------------------------------

STOP_SIGNALS = (("SIGINT", "Ctrl+C"), ("SIGTERM", "SIGTERM"), ("SIGHUP", "the terminal closed (SIGHUP)"))
"""The signals that stop a run the flow's way (revoke, report), with the words a report gives for each."""


@contextlib.contextmanager
def stop_on_signals(
    flow: CheckFlow, before_stop: Callable[[str], None] | None = None, *, ignore_after: bool = False
) -> Iterator[None]:
    """While inside, SIGINT, SIGTERM and SIGHUP call `before_stop(why)` and then `flow.stop(...)`.

    For a front end that owns the process (the main thread's event loop). With `ignore_after`, those signals
    are ignored once the run is over, so that a late one cannot kill the process before the report is
    saved and printed; the caller puts the old handlers back when it is done.
    """
    import signal

    loop = asyncio.get_running_loop()

    def stop(why: str) -> None:
        if before_stop is not None:
            before_stop(why)
        flow.stop(f"the check was stopped ({why})")

    installed = []
    for name, why in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is None:
            continue
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, stop, why)
            installed.append(number)
    try:
        yield
    finally:
        for number in installed:
            loop.remove_signal_handler(number)
            if ignore_after:
                signal.signal(number, signal.SIG_IGN)


# -- the run --------------------------------------------------------------------------------------------


class _OutOfTime(Exception):
    """A phase ran out of its deadline; `sentence` is what its rows say."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


class CheckFlow:
    """One verification run; see the module docstring. Not reusable: build one per run."""

    def __init__(
        self,
        target: KeyTarget,
        questions: Questions,
        on_event: Callable[[FlowEvent], None] | None = None,
        *,
        login: bool = True,
        deadlines: Deadlines | None = None,
        paste_attempts: int = DEFAULT_PASTE_ATTEMPTS,
        concurrency: int = DEFAULT_CONCURRENCY,
        transport: httpx.AsyncBaseTransport | None = None,
        theme: bool = True,
    ) -> None:
        self.target = target
        self.read_theme = theme
        self.theme: Check | None = None  # ally.theme, beside the key's rows (docs/canvas.md 12 has no theme)
        self.questions = questions
        self.on_event = on_event
        self.login = login
        self.deadlines = deadlines or Deadlines()
        self.paste_attempts = max(1, paste_attempts)
        self.concurrency = concurrency
        self.transport = transport
        self.started_at = now()
        # Scope rows have the same ids in both halves, so each half keeps its own verdicts.
        self._pre: dict[str, Check] = {}
        self._post: dict[str, Check] = {}
        self._rows = self._pre  # where `_put` records: the half under way
        self.resolution: Resolution | None = None
        self.keep_resolved = False
        self.authorized_by: str | None = None
        self._stopped: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._canvas_time = 0.0

    # -- public ----------------------------------------------------------------------------------------

    def stop(self, reason: str = "the check was stopped") -> None:
        """End the run early (on the event loop): a token is still revoked, and `run()` returns the report."""
        if self._stopped is not None:
            return
        self._stopped = reason
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def run(self) -> CheckRun:
        """Run every phase; return the report, whatever Canvas or the admin did."""
        self._task = asyncio.ensure_future(self._phases())
        try:
            await asyncio.shield(self._task)
        except asyncio.CancelledError:
            if self._task.cancelled() and self._stopped is not None:
                pass  # stopped: the report follows
            elif not self._task.done():
                # The caller itself was cancelled (the screen closed): stop the run, let the revoke finish.
                self.stop("the check was cancelled")
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                raise
            else:
                raise
        return self._finish()

    # -- phases ----------------------------------------------------------------------------------------

    def _emit(self, event: FlowEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    @property
    def preflight(self) -> list[Check]:
        """The preflight's verdicts so far, in report order."""
        return [self._pre[check_id] for check_id in preflight_ids(self.target) if check_id in self._pre]

    @property
    def live(self) -> list[Check]:
        """The live half's verdicts so far (skipped rows included), in report order."""
        return [self._post[check_id] for check_id in self._live_ids() if check_id in self._post]

    def _live_ids(self) -> list[str]:
        from ally_wizard.canvas.live import live_ids

        return live_ids(self.target)

    def _put(self, check: Check) -> None:
        check = clean_check(check)  # rows from `Rows` are clean already; the flow's own are shortened here
        self._rows[check.id] = check
        self._emit(CheckFinished(check))

    def _budget(self, phase: float) -> float:
        return max(0.0, min(phase, self.deadlines.total - self._canvas_time))

    async def _timed(self, phase: str, seconds: float, work: Awaitable[T]) -> T:
        """Await Canvas work within the phase's deadline (and what remains of the whole run's)."""
        budget = self._budget(seconds)
        loop = asyncio.get_running_loop()
        began = loop.time()
        try:
            async with asyncio.timeout(budget):
                return await work
        except TimeoutError:
            whole = budget < seconds
            limit = (
                f"the check's {self.deadlines.total:g}-second deadline"
                if whole
                else (f"the {phase}'s {seconds:g}-second deadline")
            )
            raise _OutOfTime(f"Canvas did not answer within {limit}; rows without an answer ran out of time.") from None
        finally:
            self._canvas_time += loop.time() - began

    async def _phases(self) -> None:
        target = self.target
        self._emit(
            PhaseStarted(Phase.PREFLIGHT, f"Checking key {target.key_id} on {target.canvas_url} (no login needed)…")
        )
        self._emit(RowsPlanned(tuple(planned_preflight(target))))
        # The preflight's first probes go to the typed address; their answer also says where Canvas is.
        try:
            located = await self._timed(
                "address check",
                self.deadlines.resolve,
                resolve_canvas(target.canvas_url, self._client, lambda client: FirstProbes(client, target)),
            )
        except _OutOfTime as late:
            self._unreachable(late.sentence, Evidence(None, late.sentence))
            return
        resolved, client, first = located.resolution, located.client, located.first
        if client is None or first is None:
            self._unreachable(resolved.problem or f"{UNREACHABLE}.", resolved.evidence)
            return
        theme: asyncio.Future[ThemeSearch] | None = None
        try:
            if resolved.moved:
                self.resolution = resolved
                self._emit(AddressResolved(resolved))
                target = self.target = KeyTarget(resolved.resolved, target.key_id, target.redirect_uri, target.scopes)
                self.keep_resolved = await self.questions.keep_resolved_address(resolved)
            # The theme's ALLY_CFG (public, no credentials) is read meanwhile; its row comes when it is found.
            if self.read_theme:
                from ally_wizard.canvas.theme import find_theme_ally_config

                theme = asyncio.ensure_future(find_theme_ally_config(target.canvas_url, transport=self.transport))
                theme.add_done_callback(self._theme_found)
            await self._preflight(client, target, first)
            if self.login:
                await self._login_and_live(client, target)
            if theme is not None and self._stopped is None:
                await asyncio.wait([theme])
        finally:
            first.cancel()
            if theme is not None and not theme.done():
                theme.cancel()
            await client.aclose()

    def _client(self, canvas_url: str) -> CanvasClient:
        return CanvasClient(canvas_url, concurrency=self.concurrency, transport=self.transport)

    def _theme_found(self, search: asyncio.Future[ThemeSearch]) -> None:
        from ally_wizard.canvas.theme import theme_row

        if search.cancelled() or search.exception() is not None:
            return
        self.theme = theme_row(search.result(), self.target.redirect_uri)
        self._emit(CheckFinished(self.theme))

    async def _login_and_live(self, client: CanvasClient, target: KeyTarget) -> None:
        from ally_wizard.canvas.oauth import begin_authorization
        from ally_wizard.canvas.verify import live_blocker

        blocker = live_blocker(self.preflight)
        if blocker is not None:
            self._skip_live(blocker)
            return
        self._emit(PhaseStarted(Phase.SECRET, "The key's secret is needed for the live checks."))
        secret = (await self.questions.secret() or "").strip()
        if not secret:
            self._skip_live(
                "no key secret was given (Developer Keys, Show Key in the Details column); check again with it."
            )
            return
        pending = begin_authorization(target)
        self._emit(PhaseStarted(Phase.AUTHORIZE, "Authorize the key in a browser, then paste the address."))
        self._emit(AuthorizationStarted(pending.authorize_url))
        code = await self._ask_code(pending)
        if code is None:
            return
        await self._live(client, target, pending, code, secret)

    async def _preflight(self, client: CanvasClient, target: KeyTarget, first: FirstProbes) -> None:
        try:
            await self._timed(
                "preflight", self.deadlines.preflight, run_preflight(client, target, on_check=self._put, first=first)
            )
        except _OutOfTime as late:
            self._fill(self._pre, preflight_ids(target), CheckStatus.ERROR, late.sentence)

    async def _ask_code(self, pending: PendingAuthorization) -> str | None:
        from ally_wizard.canvas.oauth import AuthorizationInputError, read_pasted_code

        problem: str | None = None
        for attempt in range(1, self.paste_attempts + 1):
            pasted = await self.questions.pasted_address(
                PasteRequest(pending.authorize_url, attempt, self.paste_attempts, problem)
            )
            if pasted is None:
                self._skip_live("no address was pasted (input ended), so no token was asked for.")
                return None
            try:
                return read_pasted_code(pending, pasted)
            except AuthorizationInputError as exc:
                if exc.final:
                    self._skip_live(str(exc))
                    return None
                problem = str(exc)
        assert problem is not None
        self._skip_live(f"{self.paste_attempts} pasted addresses could not be read. {problem}")
        return None

    async def _live(
        self, client: CanvasClient, target: KeyTarget, pending: PendingAuthorization, code: str, secret: str
    ) -> None:
        from ally_wizard.canvas.live import planned_live, run_live_checks
        from ally_wizard.canvas.verify import enforce_scopes_found

        self._emit(
            PhaseStarted(Phase.LIVE, "Checking the secret and every scope with a test token (revoked at the end)…")
        )
        self._emit(RowsPlanned(tuple(planned_live(target))))
        self._rows = self._post
        result: LiveResult | None = None
        try:
            found = await self._timed(
                "live check",
                self.deadlines.live,
                run_live_checks(
                    client,
                    target,
                    pending,
                    code,
                    secret,
                    on_check=self._put,
                    enforce_scopes=enforce_scopes_found(self.preflight),
                    revoke_timeout=self.deadlines.revoke,
                ),
            )
            result = found
        except _OutOfTime as late:
            self._fill(self._post, self._live_ids(), CheckStatus.ERROR, late.sentence)
        if result is not None:
            self.authorized_by = result.authorized_by

    # -- endings ---------------------------------------------------------------------------------------

    def _fill(
        self,
        into: dict[str, Check],
        ids: Sequence[str],
        status: CheckStatus,
        message: str,
        evidence: Evidence | None = None,
    ) -> None:
        self._rows = into
        for check_id in ids:
            if check_id not in into:
                self._put(Check(check_id, wording.title(check_id), status, message, evidence or Evidence(), now()))

    def _unreachable(self, sentence: str, evidence: Evidence) -> None:
        """Stop before the preflight: one row says why, the others are skipped; no secret is asked."""
        self._put(Check(KEY_EXISTS, wording.title(KEY_EXISTS), CheckStatus.ERROR, sentence, evidence, now()))
        skipped = wording.skipped_until(f"{UNREACHABLE}.")
        self._fill(self._pre, preflight_ids(self.target), CheckStatus.SKIPPED, skipped)
        if self.login:
            self._fill(self._post, self._live_ids(), CheckStatus.SKIPPED, skipped)
        self._emit(LiveSkipped(f"{UNREACHABLE}: {sentence}"))

    def _skip_live(self, reason: str) -> None:
        self._emit(LiveSkipped(reason))
        self._fill(self._post, self._live_ids(), CheckStatus.SKIPPED, wording.skipped_until(_sentence(reason)))

    def _finish(self) -> CheckRun:
        from ally_wizard.canvas.verify import combine

        target = self.target
        if self._stopped is not None:
            reason = wording.skipped_until(_sentence(self._stopped))
            self._fill(self._pre, preflight_ids(target), CheckStatus.SKIPPED, reason)
            if self.login:
                self._fill(self._post, self._live_ids(), CheckStatus.SKIPPED, reason)
        self._emit(PhaseStarted(Phase.DONE, "Done."))
        report = Report(
            started_at=self.started_at,
            checks=[*combine(target, self.preflight, self.live), *([self.theme] if self.theme else [])],
            finished_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            authorized_by=self.authorized_by,
        )
        return CheckRun(
            target=target,
            report=report,
            preflight=self.preflight,
            live=self.live,
            resolution=self.resolution,
            keep_resolved=self.keep_resolved,
            stopped=self._stopped,
        )


def _sentence(text: str) -> str:
    """A reason as a sentence: capital first letter, final full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."
