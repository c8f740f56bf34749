"""`--resolve HOST:ADDR[:PORT]`: point host names at an address for the browser only.

Like curl's --resolve, so a staging server can be scanned before DNS points at it, and tests can
serve several "sites" from 127.0.0.1. Chromium applies the rules itself (`--host-resolver-rules`),
so every request the page makes follows them, including iframes and scripts. `*.example.test`
wildcards are allowed. Unmapped names keep resolving normally.

What the scanner fetches itself, outside the browser (robots.txt, sitemaps: scanner.fetch), maps
names through `ResolveMap`, which reads the same values the same way.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InvalidResolveRule

_HOST = re.compile(r"^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+$")


@dataclass(frozen=True)
class Rule:
    """One --resolve value: `host` (or `*.suffix`) goes to `addr`, and to `port` when one is given."""

    host: str
    addr: str
    port: int | None

    def matches(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        if self.host.startswith("*."):
            return host.endswith(self.host[1:])
        return host == self.host

    def chromium(self) -> str:
        shown = f"[{self.addr}]" if ":" in self.addr else self.addr
        return f"MAP {self.host} {shown}:{self.port}" if self.port else f"MAP {self.host} {shown}"


@dataclass(frozen=True)
class ResolveMap:
    """The --resolve rules for connections the scanner opens itself; the first match wins."""

    rules: tuple[Rule, ...] = ()

    @classmethod
    def parse(cls, values: Iterable[str]) -> ResolveMap:
        return cls(tuple(read_rule(v) for v in values))

    def lookup(self, host: str, port: int) -> tuple[str, int]:
        """(address, port) to connect to for host:port; unmapped hosts are returned unchanged."""
        for rule in self.rules:
            if rule.matches(host):
                return rule.addr, rule.port or port
        return host, port


def parse_rule(value: str) -> str:
    """One HOST:ADDR[:PORT] (ADDR may be [IPv6]) as a Chromium `MAP host addr[:port]` rule."""
    return read_rule(value).chromium()


def read_rule(value: str) -> Rule:
    """One HOST:ADDR[:PORT] value, checked; InvalidResolveRule says what is wrong with it."""
    text = value.strip().lower()
    host, sep, rest = text.partition(":")
    if not sep or not rest:
        raise InvalidResolveRule(value, "missing the address")
    if not _HOST.match(host):
        raise InvalidResolveRule(value, f"{host!r} is not a host name")
    if rest.startswith("["):
        addr, _, tail = rest[1:].partition("]")
        port = tail[1:] if tail.startswith(":") else tail
    else:
        addr, _, port = rest.partition(":")
    try:
        ipaddress.ip_address(addr)
    except ValueError:
        raise InvalidResolveRule(value, f"{addr!r} is not an IP address") from None
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise InvalidResolveRule(value, f"{port!r} is not a port")
    return Rule(host, addr, int(port) if port else None)


def resolver_args(values: Iterable[str]) -> list[str]:
    """Chromium flags for the given --resolve values (none when there are none)."""
    rules = [parse_rule(v) for v in values]
    return [f"--host-resolver-rules={', '.join(rules)}"] if rules else []
