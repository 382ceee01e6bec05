"""A per-client limit on survey posts: at most ``limit`` in any ``window`` seconds (sliding log).

The public answer page has no login, so one address could post answers by the thousand;
this bounds it. Kept in memory per process (a restart forgets, which only lets a spammer start
over once), thread-safe, and it forgets idle clients so memory stays bounded by active ones.
"""

from __future__ import annotations

import threading
from collections import deque


class RateLimit:
    def __init__(self, limit: int = 30, window: float = 600.0) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> bool:
        """Count one attempt by ``key`` at ``now`` (seconds); False when it is over the limit (not counted)."""
        with self._lock:
            if len(self._seen) > 10_000:
                self._forget(now)
            log = self._seen.setdefault(key, deque())
            while log and log[0] <= now - self.window:
                log.popleft()
            if len(log) >= self.limit:
                return False
            log.append(now)
            return True

    def _forget(self, now: float) -> None:
        for key in [k for k, log in self._seen.items() if not log or log[-1] <= now - self.window]:
            del self._seen[key]
