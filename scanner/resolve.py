"""`--resolve HOST:ADDR[:PORT]`: point host names at an address for the browser only.

Like curl's --resolve, so a staging server can be scanned before DNS points at it, and tests can
serve several "sites" from 127.0.0.1. Chromium applies the rules itself (`--host-resolver-rules`),
so every request the page makes follows them, including iframes and scripts. `*.example.test`
wildcards are allowed. Unmapped names keep resolving normally.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from .errors import InvalidResolveRule

_HOST = re.compile(r"^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+$")


def parse_rule(value: str) -> str:
    """One HOST:ADDR[:PORT] (ADDR may be [IPv6]) as a Chromium `MAP host addr[:port]` rule."""
    text = value.strip().lower()
    host, sep, rest = text.partition(":")
    if not sep or not rest:
        raise InvalidResolveRule(value, "missing the address")
    if not _HOST.match(host):
        raise InvalidResolveRule(value, f"{host!r} is not a host name")
    if rest.startswith("["):
        addr, _, tail = rest[1:].partition("]")
        port = tail[1:] if tail.startswith(":") else tail
        shown = f"[{addr}]"
    else:
        addr, _, port = rest.partition(":")
        shown = addr
    try:
        ipaddress.ip_address(addr)
    except ValueError:
        raise InvalidResolveRule(value, f"{addr!r} is not an IP address") from None
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise InvalidResolveRule(value, f"{port!r} is not a port")
    return f"MAP {host} {shown}:{port}" if port else f"MAP {host} {shown}"


def resolver_args(values: Iterable[str]) -> list[str]:
    """Chromium flags for the given --resolve values (none when there are none)."""
    rules = [parse_rule(v) for v in values]
    return [f"--host-resolver-rules={', '.join(rules)}"] if rules else []
