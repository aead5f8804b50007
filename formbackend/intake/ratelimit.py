"""A sliding-window rate limit per client address, in memory only.

Addresses live in this process's memory for the length of the window and are
forgotten after it; they are never written to the database nor logged.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._next_sweep = clock() + window_seconds

    def hit(self, key: str) -> float:
        """Count one request; 0 when allowed, else the seconds to wait before retrying."""
        now = self.clock()
        if now >= self._next_sweep:
            self._sweep(now)
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return max(hits[0] + self.window - now, 0.001)
        hits.append(now)
        return 0.0

    def wait(self, key: str) -> float:
        """Without counting a hit: 0 when the key is under its limit, else the seconds to wait."""
        now = self.clock()
        hits = self._hits.get(key)
        if not hits:
            return 0.0
        recent = [t for t in hits if t > now - self.window]
        if len(recent) >= self.limit:
            return max(recent[0] + self.window - now, 0.001)
        return 0.0

    def _sweep(self, now: float) -> None:
        """Forget every address whose hits have all left the window."""
        for key in [key for key, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]
        self._next_sweep = now + self.window

    def __len__(self) -> int:
        return len(self._hits)


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
