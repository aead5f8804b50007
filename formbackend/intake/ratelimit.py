"""A sliding-window rate limit per client address, in memory only, of bounded size.

Addresses live in this process's memory for the length of the window and are
forgotten after it; they are never written to the database nor logged.

The memory is bounded: at most ``max_keys`` addresses are tracked at once, each
with at most ``limit`` timestamps. An IPv6 client is counted by its /64 (one
subscriber's network: rotating through its 2^64 addresses gives no new budget).
When the table is full, a new address evicts the least recently seen one among
those still under their limit; the addresses that have reached it are evicted
only when no other is left, so a flood of new addresses does not give a limited
address its budget back before its window has passed.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable

DEFAULT_MAX_KEYS = 10_000


@functools.lru_cache(maxsize=4096)  # an address comes back with each of its requests
def address_key(client: str) -> str:
    """The key a client address is counted under: IPv4 as is, IPv6 by its /64; other text as is."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class RateLimiter:
    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ):
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self.max_keys = max_keys
        # Keys under their limit, and keys that have reached it: each in least recently seen order.
        self._open: OrderedDict[str, list[float]] = OrderedDict()
        self._full: OrderedDict[str, list[float]] = OrderedDict()
        self._next_sweep = clock() + window_seconds

    def hit(self, client: str) -> float:
        """Count one request; 0 when allowed, else the seconds to wait before retrying."""
        key = address_key(client)
        now = self.clock()
        if now >= self._next_sweep:
            self._sweep(now)
        hits = self._open.pop(key, None)
        if hits is None:
            hits = self._full.pop(key, None)
        if hits is None:
            self._make_room()
            hits = []
        expired = next((i for i, t in enumerate(hits) if t > now - self.window), len(hits))
        del hits[:expired]
        if len(hits) >= self.limit:
            self._full[key] = hits
            return max(hits[0] + self.window - now, 0.001)
        hits.append(now)
        (self._full if len(hits) >= self.limit else self._open)[key] = hits
        return 0.0

    def wait(self, client: str) -> float:
        """Without counting a hit: 0 when the address is under its limit, else the seconds to wait."""
        key = address_key(client)
        now = self.clock()
        hits = self._full.get(key) or self._open.get(key)
        if not hits:
            return 0.0
        recent = [t for t in hits if t > now - self.window]
        if len(recent) >= self.limit:
            return max(recent[0] + self.window - now, 0.001)
        return 0.0

    def _make_room(self) -> None:
        """Before a new key: evict the least recently seen key, preferring those under their limit."""
        if len(self) < self.max_keys:
            return
        (self._open or self._full).popitem(last=False)

    def _sweep(self, now: float) -> None:
        """Forget every address whose hits have all left the window."""
        for table in (self._open, self._full):
            for key in [key for key, hits in table.items() if not hits or hits[-1] <= now - self.window]:
                del table[key]
        self._next_sweep = now + self.window

    def __len__(self) -> int:
        return len(self._open) + len(self._full)


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
