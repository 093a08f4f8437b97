"""Side-effect-free requests that show whether a token holds a scope (docs/canvas.md section 9).

Canvas compares a request's method and path with the token's scopes *before* it looks any record up. So a
request for a record that cannot exist (id `0`) answers "Insufficient scopes on access token." when the
scope is missing, and "The specified resource does not exist." (or a permission error) when it is present,
and in neither case changes anything. Writes always use course `0` (a `PUT` of a page in a real course
*creates* the page) and carry no body. Answers are classified by Canvas's message text, never by status.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ally_wizard.canvas.client import Reply
from ally_wizard.canvas.messages import canvas_words, error_message, not_api_answer
from ally_wizard.canvas.report import Evidence

INSUFFICIENT_SCOPES = "Insufficient scopes on access token."
# Answers about the token itself rather than the scope: the probe says nothing about the scope.
TOKEN_REFUSALS = {
    "Invalid access token.": "Canvas refused the token (the key may not be ON for this account).",
    "Expired access token.": "The token expired before the probes finished; authorize again.",
    "Revoked access token.": "The token was revoked before the probes finished; authorize again.",
    "user authorization required": "Canvas did not see the token; a proxy may be removing the header.",
}
_SCOPE_RE = re.compile(r"^url:(GET|HEAD|POST|PUT|PATCH|DELETE)\|(/api/\S+)$")


@dataclass(frozen=True, slots=True)
class ScopeProbe:
    """The request that tests one scope."""

    scope: str
    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def repeatable(self) -> bool:
        """Whether a retry after a gateway error or timeout is safe: always, and not because of the method.

        A POST is not idempotent in general, but every probe names a record that does not exist (id `0`),
        so Canvas's lookup fails before anything could be written, however often the probe arrives.
        """
        return True

    def describe(self) -> str:
        """`PUT /api/v1/files/0`, for evidence."""
        query = "&".join(f"{key}={value}" for key, value in self.params)
        return f"{self.method} {self.path}{'?' + query if query else ''}"


def probe_for(scope: str) -> ScopeProbe:
    """The harmless request for a scope string: ids become `0`; account ids `self`; subscriptions `default`.

    `self` is the request host's root account: reading it is harmless and answers 200. Every write hits a
    record that cannot exist, so nothing is ever updated or created.
    """
    match = _SCOPE_RE.match(scope)
    if not match:
        raise ValueError(f"{scope!r} is not a url:VERB|/api/... scope")
    method, pattern = match.groups()
    pattern = re.sub(r"\([^)]*\)", "", pattern)  # optional parts (`(.:format)`) are left out
    segments = pattern.strip("/").split("/")
    concrete: list[str] = []
    for index, segment in enumerate(segments):
        if segment.startswith((":", "*")):
            previous = segments[index - 1] if index else ""
            if previous == "accounts":
                concrete.append("self")
            elif segment == ":subscription_id":
                concrete.append("default")
            else:
                concrete.append("0")
        else:
            concrete.append(segment)
    params: tuple[tuple[str, str], ...] = ()
    last = segments[-1]
    if method == "GET" and not last.startswith((":", "*")) and "0" not in concrete:
        params = (("per_page", "1"),)  # a list that really answers: keep it to one item
    return ScopeProbe(scope, method, "/" + "/".join(concrete), params)


class ProbeVerdict(enum.Enum):
    """What one probe showed."""

    PRESENT = "present"
    MISSING = "missing"
    UNDECIDED = "undecided"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """A probe's verdict with Canvas's words, and a sentence when undecided."""

    verdict: ProbeVerdict
    evidence: Evidence
    reason: str = ""


def classify_probe(probe: ScopeProbe, reply: Reply) -> ProbeResult:
    """Read a probe's answer by its message text (9.1): the scope message is the only "missing"."""
    data = reply.json()
    if data is None:
        sentence = not_api_answer(reply.status, reply.content_type, reply.text)
        return ProbeResult(ProbeVerdict.UNDECIDED, reply.evidence(sentence), sentence)
    message = error_message(data)
    words = canvas_words(data) or f"{len(data) if isinstance(data, list) else 1} record(s)"
    evidence = reply.evidence(f"{probe.describe()} → {words}")
    if message == INSUFFICIENT_SCOPES or "insufficient scopes" in message.lower():
        return ProbeResult(ProbeVerdict.MISSING, evidence)
    if message in TOKEN_REFUSALS:
        return ProbeResult(ProbeVerdict.UNDECIDED, evidence, TOKEN_REFUSALS[message])
    if 200 <= reply.status < 300 or 400 <= reply.status < 500:
        # Past the scope check: the record lookup or the user's permissions answered.
        return ProbeResult(ProbeVerdict.PRESENT, evidence)
    return ProbeResult(
        ProbeVerdict.UNDECIDED, evidence, f"Canvas answered {reply.status}, which says nothing about the scope."
    )
