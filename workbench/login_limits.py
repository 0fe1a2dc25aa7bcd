"""Login throttling for the login form and the API token endpoint, kept in Django's cache.

A password check costs a slow hash (about a second of CPU on a busy server), so the limits are
checked before it, with a few cache reads and no hashing:

- one login at a time per client IP: a second concurrent attempt from the same address is
  refused at once, so a burst from one place keeps at most one worker busy hashing;
- `LOGIN_ATTEMPTS_PER_IP` attempts per window from one IP, right or wrong;
- `LOGIN_FAILURES_PER_USER` wrong passwords per window for one username, from anywhere:
  then that username is refused, even with the right password, until the window ends;
- at most `LOGIN_CONCURRENT` password checks at once from all addresses together, so clients
  spread over many addresses cannot occupy every worker with hashing either.

Password reset requests (which send mail) are counted the same way: `RESET_REQUESTS_PER_IP`
per window from one address and `RESET_MAILS_PER_ADDRESS` per window for one e-mail address,
counted whether or not an account has that address (so the limit tells nothing about accounts).

Counters live in fixed windows of `LOGIN_WINDOW_SECONDS` (the key names its window), so a
lockout ends by itself at the latest one window later: the cool-off. Several app servers share
the counts when they share the cache (`CACHE_BACKEND=database`); with the per-process default
each process counts on its own.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

BUSY_SECONDS = 30  # a crashed request frees its IP's slot after this long at the latest


class LoginThrottled(Exception):  # noqa: N818 - reads as what happened
    """A login refused before the password was checked."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class LoginLimits:
    window: int
    attempts_per_ip: int
    failures_per_user: int
    concurrent: int

    @classmethod
    def from_settings(cls) -> LoginLimits:
        return cls(
            window=settings.LOGIN_WINDOW_SECONDS,
            attempts_per_ip=settings.LOGIN_ATTEMPTS_PER_IP,
            failures_per_user=settings.LOGIN_FAILURES_PER_USER,
            concurrent=settings.LOGIN_CONCURRENT,
        )


def client_ip(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or X-Forwarded-For behind `NUM_PROXIES` proxies."""
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.casefold().encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"login:{kind}:{digest}:{window}"


def _window(limits: LoginLimits) -> tuple[int, int]:
    """The current window's number and the seconds left in it."""
    now = time.time()
    number = int(now // limits.window)
    return number, int((number + 1) * limits.window - now) + 1


def _count_up(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


@contextmanager
def guard_login(request: HttpRequest, username: str) -> Iterator[LoginAttempt]:
    """Check the limits (raising LoginThrottled) and hold the IP's slot while the caller
    checks the password; the caller reports the outcome on the yielded attempt."""
    limits = LoginLimits.from_settings()
    ip = client_ip(request)
    window, left = _window(limits)
    user_key = _key("user-failures", username, window)
    if (cache.get(user_key) or 0) >= limits.failures_per_user:
        raise LoginThrottled(left)
    busy_key = _key("busy", ip, 0)
    if not cache.add(busy_key, 1, BUSY_SECONDS):
        raise LoginThrottled(1)
    slot = None
    try:
        if _count_up(_key("ip-attempts", ip, window), limits.window + 1) > limits.attempts_per_ip:
            raise LoginThrottled(left)
        slot = _take_slot(limits.concurrent)
        attempt = LoginAttempt(user_key=user_key, timeout=limits.window + 1)
        yield attempt
    finally:
        cache.delete(busy_key)
        if slot is not None:
            cache.delete(slot)


def _take_slot(slots: int) -> str:
    """One of `slots` site-wide password-check slots, or LoginThrottled when all are taken.

    Each slot is its own cache key that expires by itself, so a worker killed mid-check frees
    its slot after BUSY_SECONDS at the latest."""
    for number in range(slots):
        key = f"login:slot:{number}"
        if cache.add(key, 1, BUSY_SECONDS):
            return key
    raise LoginThrottled(1)


def check_password_reset(request: HttpRequest, email: str) -> None:
    """Count one password reset request, raising LoginThrottled over either limit."""
    window_seconds = settings.LOGIN_WINDOW_SECONDS
    number, left = _window(LoginLimits.from_settings())
    timeout = window_seconds + 1
    by_ip = _count_up(_key("reset-ip", client_ip(request), number), timeout)
    by_address = _count_up(_key("reset-address", email.strip(), number), timeout)
    if by_ip > settings.RESET_REQUESTS_PER_IP or by_address > settings.RESET_MAILS_PER_ADDRESS:
        raise LoginThrottled(left)


@dataclass
class LoginAttempt:
    user_key: str
    timeout: int

    def failed(self) -> None:
        _count_up(self.user_key, self.timeout)
