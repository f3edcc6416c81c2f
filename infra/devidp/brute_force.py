"""Brute-force protection of the password checks (password grant and login form), as Keycloak does it.

Two counters, both of *failed* logins only (a test suite that signs in thousands of times from one
address never trips them):

- **per username** — Keycloak's temporary lockout: after ``failureFactor`` consecutive failures the
  account is locked for ``waitIncrementSeconds`` (doubling with every further ``failureFactor``
  failures, at most ``maxFailureWaitSeconds``); failures older than ``maxDeltaTimeSeconds`` are
  forgotten and a successful login resets the count. While locked even the right password is refused,
  so a guess that happens to be right tells the attacker nothing.
- **per client address** — what Keycloak leaves to a proxy in front of it: at most
  ``address_failure_limit`` failures in ``address_failure_window`` seconds from one address, whatever
  the usernames (password spraying). Over the limit the address gets 429 until the oldest failure of
  the window has aged out.

State lives in the process (the dev server is one process); a restart forgets it.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class BruteForcePolicy:
    """The realm's brute-force settings (Keycloak's names in the comments) plus the per-address limit."""

    enabled: bool = True  # bruteForceProtected
    failure_factor: int = 30  # failureFactor
    wait_increment_seconds: int = 60  # waitIncrementSeconds
    max_failure_wait_seconds: int = 900  # maxFailureWaitSeconds
    max_delta_time_seconds: int = 43200  # maxDeltaTimeSeconds
    address_failure_limit: int = 100
    address_failure_window: int = 300


@dataclass(frozen=True, slots=True)
class Lockout:
    """Why a login is refused before its password is even checked, and for how long."""

    scope: str  # "user" or "address"
    retry_after: int


@dataclass(slots=True)
class _UserFailures:
    count: int = 0
    last_failure: float = 0.0
    locked_until: float = 0.0


@dataclass(slots=True)
class BruteForceGuard:
    """Counts failed logins per username and per client address; see the module docstring."""

    policy: BruteForcePolicy
    clock: Callable[[], float] = time.monotonic
    _users: dict[str, _UserFailures] = field(default_factory=dict)
    _addresses: dict[str, deque[float]] = field(default_factory=dict)

    @staticmethod
    def _user_key(username: str) -> str:
        # Usernames are case-insensitive in Keycloak: "Alice" and "alice" share one counter.
        return username.strip().lower()

    def _window(self, address: str, now: float) -> deque[float]:
        failures = self._addresses.setdefault(address, deque())
        while failures and failures[0] <= now - self.policy.address_failure_window:
            failures.popleft()
        return failures

    def check(self, username: str, address: str) -> Lockout | None:
        """The lockout that applies to this attempt, or ``None`` when the password may be checked."""
        if not self.policy.enabled:
            return None
        now = self.clock()
        failures = self._window(address, now)
        if len(failures) >= self.policy.address_failure_limit:
            wait = failures[0] + self.policy.address_failure_window - now
            return Lockout("address", max(1, math.ceil(wait)))
        user = self._users.get(self._user_key(username))
        if user is not None and user.locked_until > now:
            return Lockout("user", max(1, math.ceil(user.locked_until - now)))
        return None

    def failed(self, username: str, address: str) -> None:
        """Record a wrong password (or an unknown username: the two look the same from outside)."""
        if not self.policy.enabled:
            return
        now = self.clock()
        self._window(address, now).append(now)
        user = self._users.setdefault(self._user_key(username), _UserFailures())
        if user.count and now - user.last_failure > self.policy.max_delta_time_seconds:
            user.count = 0
        user.count += 1
        user.last_failure = now
        if user.count % self.policy.failure_factor == 0:
            rounds = user.count // self.policy.failure_factor
            wait = self.policy.wait_increment_seconds * 2 ** (rounds - 1)
            user.locked_until = now + min(wait, self.policy.max_failure_wait_seconds)

    def succeeded(self, username: str) -> None:
        """A right password outside a lockout: the username's count starts again."""
        self._users.pop(self._user_key(username), None)


__all__ = ["BruteForceGuard", "BruteForcePolicy", "Lockout"]
