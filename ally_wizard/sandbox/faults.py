"""Gateway faults for the `flaky` scenario: some requests get a 502, some stall and then get a 504.

The plan is drawn from a seeded generator, one draw per eligible request, and never fails the same request
(method and path) more than `max_consecutive` times in a row, so a client with bounded retries always gets
through, even while other requests run beside it (counted across all requests, the passes could go to the
others and one request fail on every retry). A faulted request never reaches Canvas, so retrying it (even a
code exchange) is safe.
"""

from __future__ import annotations

import random

from ally_wizard.sandbox.scenario import FaultSettings

BAD_GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"
GATEWAY_TIMEOUT = (
    "<html><head><title>504 Gateway Time-out</title></head><body><h1>504 Gateway Time-out</h1></body></html>\n"
)


class FaultPlan:
    """Decides, request by request, whether to pass, answer 502, or stall."""

    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._random = random.Random(settings.seed)
        self._consecutive: dict[str, int] = {}

    def next(self, request: str = "") -> str | None:
        """`None` (pass), `"502"` or `"stall"` for this request (`"GET /api/v1/..."`)."""
        if self.settings.rate <= 0:
            return None
        roll, kind = self._random.random(), self._random.random()
        failed = self._consecutive.get(request, 0)
        if failed >= self.settings.max_consecutive or roll >= self.settings.rate:
            self._consecutive.pop(request, None)
            return None
        self._consecutive[request] = failed + 1
        return "502" if kind < 0.65 else "stall"
