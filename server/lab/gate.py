"""Admission control for the lab: a bounded queue in front of a small executor, and a per-client rate limit.

Attacks run in worker threads, never on the event loop, `workers` at a time; at most `queue` more
wait. A request that finds both full is refused at once (503 + Retry-After) instead of waiting, so
the rest of the site stays fast and no request hangs. The rate limit is a token bucket per client
address (429 + Retry-After).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Busy(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


class AttackGate:
    def __init__(
        self, workers: int = 1, queue: int = 3, typical_seconds: float = 1.0, deadline: float = 30.0
    ) -> None:
        self.capacity = workers + queue
        self.deadline = deadline  # seconds an admitted request may take, queue wait included
        self.typical_seconds = typical_seconds
        self._admitted = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lab-attack")

    async def run(self, fn: Callable[[], T]) -> T:
        """Run fn in the executor; raises Busy when `workers + queue` requests are already admitted."""
        with self._lock:
            if self._admitted >= self.capacity:
                raise Busy(max(1, math.ceil(self.typical_seconds * self.capacity)))
            self._admitted += 1
        start = time.monotonic()
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn)
        finally:
            with self._lock:
                self._admitted -= 1
                # a moving average of how long one request holds the gate: the Retry-After estimate
                self.typical_seconds = 0.8 * self.typical_seconds + 0.2 * (time.monotonic() - start)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class RateLimiter:
    """Token bucket per key: `burst` requests at once, refilled at `per_minute` a minute."""

    def __init__(self, per_minute: float = 30, burst: int = 10, max_clients: int = 10_000) -> None:
        self.rate = per_minute / 60
        self.burst = burst
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 if the request may go ahead, else the seconds until a token is available."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > self.max_clients:  # forget the least recently seen client
                self._buckets.popitem(last=False)
            return wait
