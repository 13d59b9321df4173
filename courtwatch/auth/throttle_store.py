"""Where the login throttle keeps its counters: Redis shared by every app server, or this
process's memory when Redis is not configured or cannot be reached.

Every key expires (Redis TTL, or the same deadline in memory), so nothing the throttle knows
outlives its window. When Redis fails, the same operation is retried in memory and a warning is
logged (once a minute at most): logins keep working with a throttle per process, never a 500.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

WARNING_INTERVAL = 60.0


class MemoryCounters:
    """Expiring integer counters in this process (tests, a single worker, or Redis being down)."""

    MAX_KEYS = 100_000  # a flood of distinct keys cannot grow memory without bound

    def __init__(self):
        self._values: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> tuple[int, float] | None:
        entry = self._values.get(key)
        if entry is None or entry[1] <= now:
            self._values.pop(key, None)
            return None
        return entry

    def increment(self, key: str, ttl: int) -> int:
        now = time.monotonic()
        with self._lock:
            entry = self._live(key, now)
            if len(self._values) >= self.MAX_KEYS:
                self._values = {k: v for k, v in self._values.items() if v[1] > now}
            value = (entry[0] if entry else 0) + 1
            self._values[key] = (value, entry[1] if entry else now + ttl)
            return value

    def get(self, key: str) -> tuple[int, float]:
        """The value and the seconds it has left (0, 0 when absent)."""
        now = time.monotonic()
        with self._lock:
            entry = self._live(key, now)
        return (entry[0], entry[1] - now) if entry else (0, 0.0)

    def put(self, key: str, value: int, ttl: int) -> None:
        with self._lock:
            self._values[key] = (value, time.monotonic() + ttl)

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)


class RedisCounters:
    def __init__(self, url: str):
        import redis

        self._errors = (redis.RedisError, OSError)
        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def increment(self, key: str, ttl: int) -> int:
        pipe = self._client.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl, nx=True)
        return int(pipe.execute()[0])

    def get(self, key: str) -> tuple[int, float]:
        pipe = self._client.pipeline()
        pipe.get(key)
        pipe.pttl(key)
        raw, pttl = pipe.execute()
        if raw is None or pttl is None or pttl < 0:
            return (0, 0.0)
        return (int(raw), pttl / 1000)

    def put(self, key: str, value: int, ttl: int) -> None:
        self._client.set(key, value, ex=ttl)

    def delete(self, key: str) -> None:
        self._client.delete(key)


class ThrottleCounters:
    """Redis first, memory when Redis fails: the object the throttle talks to."""

    def __init__(self, url: str):
        self.memory = MemoryCounters()
        self.redis = RedisCounters(url) if url.startswith(("redis://", "rediss://", "unix://")) else None
        self._last_warning = 0.0

    def _call(self, name: str, *args):
        if self.redis is not None:
            try:
                return getattr(self.redis, name)(*args)
            except self.redis._errors as error:
                now = time.monotonic()
                if now - self._last_warning > WARNING_INTERVAL:
                    self._last_warning = now
                    log.warning(
                        "login throttle: Redis unreachable (%s); counting in this process instead", type(error).__name__
                    )
        return getattr(self.memory, name)(*args)

    def increment(self, key: str, ttl: int) -> int:
        return self._call("increment", key, ttl)

    def get(self, key: str) -> tuple[int, float]:
        return self._call("get", key)

    def put(self, key: str, value: int, ttl: int) -> None:
        self._call("put", key, value, ttl)

    def delete(self, key: str) -> None:
        self._call("delete", key)
