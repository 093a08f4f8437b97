"""The live run: exchange the admin's code for a token, probe every scope with it, then revoke it.

Everything here is read-only in Canvas except the token itself, which this run creates and always deletes:
on success, on failure, and when the admin cancels (the revoke runs shielded from the cancellation).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from dataclasses import dataclass, field

from ally_wizard.canvas import wording
from ally_wizard.canvas.client import CanvasClient, CanvasError, Reply
from ally_wizard.canvas.messages import canvas_words, error_message, not_api_answer
from ally_wizard.canvas.oauth import PendingAuthorization, TokenGrant, exchange_code, revoke_token
from ally_wizard.canvas.probes import (
    INSUFFICIENT_SCOPES,
    TOKEN_REFUSALS,
    ProbeVerdict,
    ScopeProbe,
    classify_probe,
    probe_for,
)
from ally_wizard.canvas.report import (
    KEY_ALLOW_INCLUDES,
    KEY_SECRET,
    TOKEN_REVOKED,
    Check,
    CheckStatus,
    scope_check_id,
)
from ally_wizard.canvas.rows import Rows
from ally_wizard.canvas.target import CheckCallback, KeyTarget
from ally_wizard.redact import clean_message

INCLUDES_PROBE = ("/api/v1/accounts/self/courses", (("per_page", "1"), ("include[]", "term")))
# Canvas's throttle (docs/canvas.md 7.2): each request reserves an up-front cost while it runs, and a token
# whose bucket reaches the high-water mark is refused. Hosted values are unpublished; these are the defaults.
UP_FRONT_COST = 50.0
DEFAULT_BUDGET = 600.0  # the high-water mark: a fresh token has all of it, so 12 requests may run at once
ENFORCE_PROBE = "/api/v1/users/self"  # not an Ally scope: refused with the scope message when enforced
ALIVE_PROBE = "/api/v1/accounts/self"
_DEAD_TOKEN = {"Invalid access token.", "Revoked access token.", "Expired access token."}


@dataclass(slots=True)
class LiveResult:
    """The live rows, and who authorized (the user name from Canvas's token response)."""

    checks: list[Check] = field(default_factory=list)
    authorized_by: str | None = None


def live_ids(target: KeyTarget) -> list[str]:
    """The live run's rows, in report order."""
    return [KEY_SECRET, KEY_ALLOW_INCLUDES, *map(scope_check_id, target.scopes), TOKEN_REVOKED]


def planned_live(target: KeyTarget) -> list[Check]:
    """The live rows as `pending`, for a screen to show before the verdicts arrive."""
    return [
        Check(check_id, wording.title(check_id), CheckStatus.PENDING, "Waiting for the authorization…")
        for check_id in live_ids(target)
    ]


def read_grant(reply: Reply) -> TokenGrant | None:
    """The token and the authorizing user's name from a 200 token response, else None."""
    data = reply.json()
    if reply.status != 200 or not isinstance(data, dict):
        return None
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        return None
    user = data.get("user")
    name = user.get("name") if isinstance(user, dict) else None
    return TokenGrant(token, name if isinstance(name, str) and name else None, reply.status)


def _judge_exchange(rows: Rows, target: KeyTarget, reply: Reply) -> None:
    """key.secret from a refused exchange, and why the other rows cannot be judged."""
    data = reply.json()
    rest = [check_id for check_id in rows.ids if check_id != KEY_SECRET]
    if not isinstance(data, dict):
        sentence = not_api_answer(reply.status, reply.content_type, reply.text)
        rows.put(KEY_SECRET, CheckStatus.ERROR, sentence, reply.evidence(sentence))
        rows.fill(rest, CheckStatus.SKIPPED, wording.skipped_until("Canvas issued no token."))
        return
    error = str(data.get("error", ""))
    description = str(data.get("error_description", ""))
    # No words Canvas is known for: the raw body, unless it is a 200, which may hold a token under another name.
    raw = "a 200 answer without an access_token" if reply.status == 200 else None
    evidence = reply.evidence(canvas_words(data) or raw)
    if error == "invalid_client" and description == "unknown client":
        rows.put(KEY_SECRET, CheckStatus.FAIL, wording.key_unknown(target.key_id), evidence)
    elif error == "invalid_client":
        rows.put(KEY_SECRET, CheckStatus.FAIL, wording.secret_wrong(target.key_id), evidence)
    elif error in ("invalid_grant", "invalid_request"):
        # The grant is checked after the client's credentials, so the key ID and secret were accepted.
        rows.put(KEY_SECRET, CheckStatus.PASS, wording.PASS_MESSAGES[KEY_SECRET], evidence)
        stray = (
            " An earlier attempt went unanswered; if it was issued a token, that token expires within an hour."
            if reply.retries
            else ""
        )
        rows.fill(
            rest,
            CheckStatus.ERROR,
            "Canvas refused the authorization code: it works once, for 10 minutes, and only in the run that "
            f"asked for it. Authorize again. Canvas said: {canvas_words(data)}.{stray}",
            evidence,
        )
        return
    else:
        rows.put(
            KEY_SECRET,
            CheckStatus.ERROR,
            f"Canvas refused the code exchange unexpectedly: {canvas_words(data) or reply.status}",
            evidence,
        )
    rows.fill(rest, CheckStatus.SKIPPED, wording.skipped_until("Canvas issued no token."))


async def run_live_checks(
    client: CanvasClient,
    target: KeyTarget,
    pending: PendingAuthorization,
    code: str,
    secret: str,
    on_check: CheckCallback | None = None,
    *,
    enforce_scopes: bool | None = None,
    revoke_timeout: float | None = None,
) -> LiveResult:
    """Exchange the code, then judge key.secret, key.allow_includes, each scope (live) and token.revoked.

    `enforce_scopes` is what the preflight found; None makes this run ask Canvas (one more request), since
    with Enforce Scopes off every probe would pass without proving anything. `revoke_timeout` bounds the
    revoke (and the wait for an exchange still in flight when the run is cancelled), which runs even after
    a cancellation.
    """
    rows = Rows(live_ids(target), on_check, hidden=[secret, code, pending.code_verifier])
    result = LiveResult()
    exchange = asyncio.ensure_future(exchange_code(client, target, pending, code, secret))

    async def revoke_late_token() -> None:
        # The exchange may still bring a token after the cancellation: wait for it and revoke it.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(revoke_timeout):
                late = read_grant(await exchange)
            if late is not None:
                rows.hidden.append(late.access_token)
                await _revoke(client, rows, late.access_token, revoke_timeout)  # token.revoked says how it went

    try:
        reply = await asyncio.shield(exchange)
    except asyncio.CancelledError:
        with contextlib.suppress(asyncio.CancelledError):
            await _despite_cancellation(revoke_late_token())
        raise
    except CanvasError as exc:
        rows.put(
            KEY_SECRET,
            CheckStatus.ERROR,
            f"{exc.message} If Canvas issued a token anyway, it expires within an hour.",
            exc.evidence,
        )
        rows.fill(rows.missing(), CheckStatus.SKIPPED, wording.skipped_until("Canvas issued no token."))
        result.checks = rows.ordered()
        return result
    grant = read_grant(reply)
    if grant is None:
        _judge_exchange(rows, target, reply)
        result.checks = rows.ordered()
        return result
    rows.hidden.append(grant.access_token)
    result.authorized_by = clean_message(grant.user_name, rows.hidden) if grant.user_name else None
    who = f" {result.authorized_by} authorized the key." if result.authorized_by else ""
    rows.put(
        KEY_SECRET, CheckStatus.PASS, wording.PASS_MESSAGES[KEY_SECRET] + who, reply.evidence("200 OK: token issued")
    )
    try:
        await _probe_with_token(client, target, rows, grant.access_token, enforce_scopes)
    finally:
        try:
            await _despite_cancellation(_revoke(client, rows, grant.access_token, revoke_timeout))
        finally:
            result.checks = rows.ordered()
    return result


async def _despite_cancellation(work: Coroutine[object, object, None]) -> None:
    """Run `work` to its end even when the caller is cancelled meanwhile (a deadline, a stop, Esc), then pass
    the cancellation on. For the revoke: it has a timeout of its own, and a token must never be left live
    because a phase's deadline struck while Canvas was deleting it.
    """
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.wait([task])
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    task.result()


class _Pacer:
    """Keeps the token's requests within what Canvas's throttle has left for it (docs/canvas.md 7.2).

    Canvas reserves an up-front cost for each request while it runs, and reports in each answer's
    `X-Rate-Limit-Remaining` what the token has left, those reservations deducted. The pacer starts from the
    default budget (12 requests at once on a fresh token) and then believes the latest answer: a request may
    start while that budget, less the up-front cost of each request sent *after* the answered one (which
    Canvas could not have counted yet), covers its own. Requests sent before the answered one were at Canvas
    before it finished, so they are in its figure. One request may always run; a throttled one is retried by
    the client after a pause, as any 403/429 is.
    """

    def __init__(self, budget: float = DEFAULT_BUDGET, cost: float = UP_FRONT_COST) -> None:
        self.budget = budget
        self.cost = cost
        self._counted_up_to = 0  # requests numbered up to this one are in `budget`
        self._sent = 0
        self._running: set[int] = set()
        self.most_running = 0
        self._changed = asyncio.Condition()

    @property
    def running(self) -> int:
        """How many requests are running."""
        return len(self._running)

    def _room(self) -> bool:
        uncounted = sum(1 for number in self._running if number > self._counted_up_to)
        return not self._running or self.budget - self.cost * uncounted >= self.cost

    async def request(self, client: CanvasClient, probe: ScopeProbe, auth: dict[str, str]) -> Reply:
        """Send one probe when the budget allows, and learn the budget left from its answer."""
        async with self._changed:
            await self._changed.wait_for(self._room)
            self._sent += 1
            number = self._sent
            self._running.add(number)
            self.most_running = max(self.most_running, len(self._running))
        try:
            reply = await client.request(
                probe.method, probe.path, params=probe.params, headers=auth, repeatable=probe.repeatable
            )
            with contextlib.suppress(TypeError, ValueError):
                self.budget = max(0.0, float(reply.headers.get("x-rate-limit-remaining")))  # type: ignore[arg-type]
                self._counted_up_to = number
            return reply
        finally:
            async with self._changed:
                self._running.discard(number)
                self._changed.notify_all()


def _with_includes(probe: ScopeProbe) -> ScopeProbe | None:
    """The probe of the scope whose request is the includes check's, asking for `include[]=term` as well."""
    path, params = INCLUDES_PROBE
    if probe.method != "GET" or probe.path != path or dict(probe.params).get("per_page") != "1":
        return None
    return ScopeProbe(probe.scope, probe.method, probe.path, params)


async def _probe_with_token(
    client: CanvasClient, target: KeyTarget, rows: Rows, token: str, enforce_scopes: bool | None
) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    pacer = _Pacer()
    enforced: asyncio.Future[bool | None]
    if enforce_scopes is None:
        enforced = asyncio.ensure_future(_enforcement(client, pacer, auth))
    else:
        enforced = asyncio.get_running_loop().create_future()
        enforced.set_result(enforce_scopes)
    # The includes check reads the courses list with include[]=term: the courses scope's probe, so one
    # request answers both (a key without that scope gets a separate request, which then cannot tell).
    probes = {scope: probe_for(scope) for scope in target.scopes}
    includes_by = next((scope for scope, probe in probes.items() if _with_includes(probe) is not None), None)
    if includes_by is not None:
        probes[includes_by] = _with_includes(probes[includes_by]) or probes[includes_by]

    async def one_scope(scope: str) -> None:
        check_id = scope_check_id(scope)
        probe = probes[scope]
        try:
            reply = await pacer.request(client, probe, auth)
        except CanvasError as exc:
            rows.put(check_id, CheckStatus.ERROR, exc.message, exc.evidence)
            if scope == includes_by:
                rows.put(KEY_ALLOW_INCLUDES, CheckStatus.ERROR, exc.message, exc.evidence)
            return
        if scope == includes_by:
            await _judge_includes(rows, reply, enforced)
        found = classify_probe(probe, reply)
        if await enforced is False:
            rows.put(check_id, CheckStatus.SKIPPED, _ENFORCE_OFF_SCOPES, found.evidence)
        elif found.verdict is ProbeVerdict.MISSING:
            rows.put(check_id, CheckStatus.FAIL, wording.scope_missing_live(scope), found.evidence)
        elif found.verdict is ProbeVerdict.PRESENT:
            rows.put(check_id, CheckStatus.PASS, "Verified live: Canvas let the token through.", found.evidence)
        else:
            rows.put(check_id, CheckStatus.ERROR, found.reason, found.evidence)

    separate = [] if includes_by is not None else [_check_includes(client, pacer, rows, auth, enforced)]
    try:
        await asyncio.gather(*separate, *(one_scope(scope) for scope in target.scopes))
    finally:
        enforced.cancel()


_ENFORCE_OFF_SCOPES = wording.skipped_until(
    "Enforce Scopes is off, so Canvas lets the token reach everything and the probe proves nothing."
)


async def _enforcement(client: CanvasClient, pacer: _Pacer, auth: dict[str, str]) -> bool | None:
    """Whether Canvas enforces the token's scopes: `users/self` is not an Ally scope (8.3)."""
    try:
        reply = await pacer.request(client, ScopeProbe("", "GET", ENFORCE_PROBE), auth)
    except CanvasError:
        return None
    message = error_message(reply.json())
    if reply.status == 401 and message == INSUFFICIENT_SCOPES:
        return True
    if reply.status == 200 and isinstance(reply.json(), dict):
        return False
    return None


async def _check_includes(
    client: CanvasClient, pacer: _Pacer, rows: Rows, auth: dict[str, str], enforced: asyncio.Future[bool | None]
) -> None:
    """The includes check on a request of its own (a recipe without the courses scope)."""
    path, params = INCLUDES_PROBE
    try:
        reply = await pacer.request(client, ScopeProbe("", "GET", path, params), auth)
    except CanvasError as exc:
        rows.put(KEY_ALLOW_INCLUDES, CheckStatus.ERROR, exc.message, exc.evidence)
        return
    await _judge_includes(rows, reply, enforced)


async def _judge_includes(rows: Rows, reply: Reply, enforced: asyncio.Future[bool | None]) -> None:
    """Allow Include Parameters: Canvas silently drops `include[]=term` when it is unchecked (4.4)."""
    path, _ = INCLUDES_PROBE
    if await enforced is False:
        rows.put(
            KEY_ALLOW_INCLUDES,
            CheckStatus.SKIPPED,
            wording.skipped_until(
                "Canvas ignores Allow Include Parameters while Enforce Scopes is off; check again once it is on."
            ),
            reply.evidence(f"GET {path}?include[]=term → {reply.status}"),
        )
        return
    data = reply.json()
    if data is None:
        sentence = not_api_answer(reply.status, reply.content_type, reply.text)
        rows.put(KEY_ALLOW_INCLUDES, CheckStatus.ERROR, sentence, reply.evidence(sentence))
        return
    message = error_message(data)
    if message == INSUFFICIENT_SCOPES:
        rows.put(
            KEY_ALLOW_INCLUDES,
            CheckStatus.WARN,
            "Could not be checked: the token lacks url:GET|/api/v1/accounts/:account_id/courses, which this "
            "check reads. Tick it on the key, Save, and check again.",
            reply.evidence(message),
        )
        return
    if message in TOKEN_REFUSALS:
        rows.put(KEY_ALLOW_INCLUDES, CheckStatus.ERROR, TOKEN_REFUSALS[message], reply.evidence(message))
        return
    if reply.status != 200 or not isinstance(data, list):
        rows.put(
            KEY_ALLOW_INCLUDES,
            CheckStatus.ERROR,
            f"Canvas gave an answer this wizard does not expect: {canvas_words(data) or reply.status}",
            reply.evidence(canvas_words(data) or None),
        )
        return
    if not data or not isinstance(data[0], dict):
        rows.put(
            KEY_ALLOW_INCLUDES,
            CheckStatus.WARN,
            "Could not be checked: the root account has no course for Canvas to show with its term. Check "
            f"Allow Include Parameters on the key by hand ({wording.EDIT_KEY}), or check again once a course "
            "exists.",
            reply.evidence("GET /api/v1/accounts/self/courses → no courses"),
        )
        return
    if "term" in data[0]:
        rows.put(
            KEY_ALLOW_INCLUDES,
            CheckStatus.PASS,
            wording.PASS_MESSAGES[KEY_ALLOW_INCLUDES],
            reply.evidence("GET /api/v1/accounts/self/courses?include[]=term → the course came with its term"),
        )
    else:
        rows.put(
            KEY_ALLOW_INCLUDES,
            CheckStatus.FAIL,
            wording.includes_off(),
            reply.evidence("GET /api/v1/accounts/self/courses?include[]=term → the course came without its term"),
        )


async def _revoke(client: CanvasClient, rows: Rows, token: str, timeout: float | None = None) -> None:
    """token.revoked, within `timeout` seconds (None: the client's own limits only)."""
    try:
        async with asyncio.timeout(timeout):
            await _revoke_now(client, rows, token)
    except TimeoutError:
        rows.put(
            TOKEN_REVOKED,
            CheckStatus.ERROR,
            f"Canvas did not answer the revoke within {timeout:.0f} seconds. {wording.not_revoked()}",
        )


async def _revoke_now(client: CanvasClient, rows: Rows, token: str) -> None:
    """A non-200 after an unclear first attempt is checked by asking whether the token lives."""
    try:
        reply = await revoke_token(client, token)
    except CanvasError as exc:
        rows.put(TOKEN_REVOKED, CheckStatus.ERROR, f"{exc.message} {wording.not_revoked()}", exc.evidence)
        return
    if reply.status == 200:
        rows.put(TOKEN_REVOKED, CheckStatus.PASS, wording.PASS_MESSAGES[TOKEN_REVOKED], reply.evidence("200 OK"))
        return
    if reply.retries and await _token_is_dead(client, token):
        # An earlier attempt went unanswered but did its work: the token no longer opens anything.
        rows.put(
            TOKEN_REVOKED,
            CheckStatus.PASS,
            "Canvas revoked the test token (it now refuses it).",
            reply.evidence(),
        )
        return
    # Not under /api/, so the refusal may be an HTML page: then its first line is Canvas's words.
    said = canvas_words(reply.json()) or None
    rows.put(TOKEN_REVOKED, CheckStatus.FAIL, wording.not_revoked(), reply.evidence(said))


async def _token_is_dead(client: CanvasClient, token: str) -> bool:
    try:
        reply = await client.request("GET", ALIVE_PROBE, headers={"Authorization": f"Bearer {token}"})
    except CanvasError:
        return False
    return reply.status == 401 and error_message(reply.json()) in _DEAD_TOKEN
