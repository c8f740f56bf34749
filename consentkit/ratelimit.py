"""Rate limits: a fixed-window limiter per app, in memory by default, shared through Redis with one setting.

Built on the `limits` library's public API (a storage from `RATELIMIT_STORAGE_URI` and its
`FixedWindowRateLimiter`): "memory://" counts per process; set "redis://host:6379/0" so N gunicorn
processes on M machines share one count. The limiter lives in `app.extensions`, never in a module
global, so every app (and every test) has its own counters.

Views call `check(scope, config_key)` at the point they choose (after the site and origin are
known, so a 429 still carries CORS headers the banner can read) instead of decorating the view;
so nothing runs before or after requests (Flask-Limiter, used before, hooked every request to
find no declared limit, and could only be unhooked through its private method).
"""

from __future__ import annotations

import ipaddress
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

EXTENSION = "consentkit.limiter"
PROXY_FIX = "consentkit.proxy_fix"


class RateLimited(TooManyRequests):
    """A client went over a limit; the JSON error names the limit and when to retry."""

    def __init__(self, limit: RateLimitItem, retry_after: int) -> None:
        super().__init__(f"too many requests from this client (limit: {limit}); "
                         f"retry after {retry_after} seconds")
        self.retry_after = retry_after

    def get_headers(self, environ=None, scope=None):  # noqa: ANN001 - werkzeug's signature
        return [*super().get_headers(environ, scope), ("Retry-After", str(self.retry_after))]


@dataclass(frozen=True)
class Limiter:
    """One app's limiter: off when `RATELIMIT_ENABLED` is false, else counting in `strategy`."""

    enabled: bool
    strategy: FixedWindowRateLimiter


def client_key_for(address: str | None) -> str:
    """A client's IP, or its /64 for IPv6 (one household or host); IPv4-mapped IPv6 as IPv4."""
    address = address or "unknown"
    if address.count(".") == 3 and ":" not in address:
        return address  # IPv4 as the server gave it: nothing to normalise
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def init_app(app: Flask) -> None:
    """Create this app's limiter and trust `PROXY_COUNT` proxies for the client address."""
    trust_proxies(app)
    storage = storage_from_string(str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://"))
    app.extensions[EXTENSION] = Limiter(bool(app.config.get("RATELIMIT_ENABLED", True)),
                                        FixedWindowRateLimiter(storage))


def trust_proxies(app: Flask) -> None:
    """Wrap the app in ProxyFix once, so `remote_addr`, scheme and host come from the proxy headers.

    Only as many X-Forwarded-* hops as `PROXY_COUNT` are trusted; more would let clients pick their
    own address and escape the rate limit.
    """
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0 and not app.extensions.get(PROXY_FIX):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
        app.extensions[PROXY_FIX] = count


def get_limiter(app: Flask | None = None) -> Limiter:
    return (app or current_app).extensions[EXTENSION]


def _limit(app: Flask, config_key: str) -> RateLimitItem:
    """Parse the configured limit once per app and value ("120 per minute")."""
    cache: dict[tuple[str, str], RateLimitItem] = app.extensions.setdefault("consentkit.limits", {})
    value = str(app.config[config_key])
    item = cache.get((config_key, value))
    if item is None:
        item = cache[(config_key, value)] = parse(value)
    return item


def _seconds_left(limiter: Limiter, item: RateLimitItem, scope: str, key: str) -> int:
    """Whole seconds until `key`'s window under `item` ends (at least 1): the Retry-After."""
    reset_at = limiter.strategy.get_window_stats(item, scope, key).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def check(scope: str, config_key: str, *, app: Flask | None = None,
          address: str | None = None) -> None:
    """Count one request of this client against the limit in `config_key`; raise 429 when over.

    The consent POST passes the client `address` it already holds; `app` and `address` default
    to the current app and request.
    """
    app = app or current_app
    limiter = get_limiter(app)
    if not limiter.enabled:
        return
    item = _limit(app, config_key)
    key = client_key_for(address if address is not None else request.remote_addr)
    if limiter.strategy.hit(item, scope, key):
        return
    raise RateLimited(item, _seconds_left(limiter, item, scope, key))


def wait_seconds(scope: str, config_key: str, key: str, *, app: Flask | None = None) -> int:
    """Seconds until `key` may go on when it has used up the limit in `config_key`, else 0.

    Counts nothing (see `count`): the sign-in lockout tests before it checks a password and counts
    only failures. With Redis storage every process and machine sees the same count.
    """
    app = app or current_app
    limiter = get_limiter(app)
    item = _limit(app, config_key)
    if not limiter.enabled or limiter.strategy.test(item, scope, key):
        return 0
    return _seconds_left(limiter, item, scope, key)


def count(scope: str, config_key: str, key: str, *, app: Flask | None = None) -> None:
    """Count one event of `key` against the limit in `config_key` (see `wait_seconds`)."""
    app = app or current_app
    limiter = get_limiter(app)
    if limiter.enabled:
        limiter.strategy.hit(_limit(app, config_key), scope, key)
