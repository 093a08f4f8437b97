"""Canvas's request throttle: a leaky bucket per access token (app/middleware/request_throttle.rb).

A request reserves an up-front cost while it runs; when it finishes the reservation is swapped for
its real cost. A bucket at or over its maximum throttles the next request. The bucket leaks at a
fixed rate, so a client that pauses gets through again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ally_wizard.sandbox.scenario import ThrottleSettings


@dataclass
class _Bucket:
    level: float = 0.0
    stamp: float = 0.0


class Throttle:
    """Leaky buckets keyed by access token."""

    def __init__(self, settings: ThrottleSettings) -> None:
        self.settings = settings
        self._buckets: dict[str, _Bucket] = {}

    def _leak(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(0.0, now)
        bucket.level = max(0.0, bucket.level - (now - bucket.stamp) * self.settings.outflow)
        bucket.stamp = now
        return bucket

    def reserve(self, key: str) -> bool:
        """Reserve the up-front cost; False (and nothing reserved) when the bucket is full."""
        bucket = self._leak(key, time.monotonic())
        if bucket.level >= self.settings.maximum:
            return False
        bucket.level += self.settings.up_front_cost
        return True

    def settle(self, key: str, elapsed: float, extra: float = 0.0) -> tuple[float, float]:
        """Swap the reservation for the real cost; return (cost, remaining)."""
        bucket = self._leak(key, time.monotonic())
        cost = (self.settings.fixed_cost or elapsed) + extra
        bucket.level = max(0.0, bucket.level - self.settings.up_front_cost + cost)
        return cost, self.remaining(key)

    def remaining(self, key: str) -> float:
        """How much room is left in this token's bucket."""
        bucket = self._buckets.get(key)
        level = bucket.level if bucket else 0.0
        return max(0.0, self.settings.maximum - level)
