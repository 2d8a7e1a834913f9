"""Per-page state on the server, with caps: how many, how long idle, how long in all.

Each page that trains asks for a session and gets an unguessable id; its
network, data and optimizer live here, apart from every other page's. A
session unused for ``idle`` seconds, or older than ``lifetime`` seconds, is
freed; at most ``max_sessions`` live at once (the next page gets HTTP 429).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nnscratch.web.errors import NotFound, TooManySessions

__all__ = ["Pacer", "SessionStore"]


@dataclass
class _Slot:
    value: Any
    created: float
    used: float


class SessionStore:
    """Sessions by id, freed when idle or too old; thread-safe."""

    def __init__(
        self,
        *,
        max_sessions: int = 32,
        idle: float = 600.0,
        lifetime: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_sessions, self.idle, self.lifetime = max_sessions, idle, lifetime
        self._clock = clock
        self._slots: dict[str, _Slot] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)

    def purge(self) -> int:
        """Free idle and expired sessions; return how many were freed."""
        now = self._clock()
        with self._lock:
            dead = [
                sid
                for sid, s in self._slots.items()
                if now - s.used > self.idle or now - s.created > self.lifetime
            ]
            for sid in dead:
                del self._slots[sid]
        return len(dead)

    def add(self, value: Any, replace: str | None = None) -> str:
        """Store ``value`` under a new id (dropping session ``replace`` first, if given)."""
        self.purge()
        now = self._clock()
        with self._lock:
            if replace is not None:
                self._slots.pop(replace, None)
            if len(self._slots) >= self.max_sessions:
                raise TooManySessions(
                    f"sessions: all {self.max_sessions} are in use; "
                    f"idle ones are freed after {self.idle:g} s"
                )
            sid = secrets.token_urlsafe(16)
            self._slots[sid] = _Slot(value, now, now)
        return sid

    def get(self, sid: str) -> Any:
        """The session ``sid``, marked as used now; NotFound when unknown or freed."""
        self.purge()
        with self._lock:
            slot = self._slots.get(sid)
            if slot is None:
                raise NotFound(f"session: no live session {sid[:40]!r} (expired or never made)")
            slot.used = self._clock()
            return slot.value


class Pacer:
    """At most ``rate`` units of work per second: ``reserve(k)`` says how long to wait first."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def reserve(self, k: int) -> float:
        """Book ``k`` units; return the seconds to sleep before doing them (0 when idle)."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + k / self.rate
            return start - now
