"""Classify a cookie or storage item: necessary, functional, analytics, marketing or unclassified.

Order of precedence, first answer wins: the site owner's override, an exact name (with domain),
a prefix or regular expression, the setter's host in the tracker table, name heuristics, and
otherwise "unclassified" (which the banner treats as needing consent). At each knowledge-base
step the owner's imported entries (`consentkit kb import`) are consulted before the built-in ones.
Every answer says which rule decided it and why, so an owner can check it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from . import heuristics
from .kb.index import Hit, Layer
from .kb.loader import load_builtin, load_hosts, records_from_rows
from .kb.schema import HostRecord, KbRecord, normalise_domain

UNCLASSIFIED = "unclassified"
RULES = ("override", "exact", "pattern", "host", "heuristic", "none")


@dataclass(frozen=True, slots=True)
class Classification:
    """The answer for one item, with the rule and reason that produced it."""

    category: str
    provider: str
    purpose_en: str
    purpose_nb: str
    lifetime: str
    confidence: str
    reason: str
    rule: str
    needs_review: bool
    doc_url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class HostMatch:
    """A tracker-table row that matched a host: `pattern` is the table's host suffix."""

    provider: str
    category: str
    pattern: str


def _builtin_answer(hit: Hit, rule: str) -> Classification:
    return _hit_answer(hit, rule, "built-in")


def _user_answer(hit: Hit, rule: str) -> Classification:
    return _hit_answer(hit, rule, "user")


def _hit_answer(hit: Hit, rule: str, layer: str) -> Classification:
    record = hit.record
    if record.match == "exact":
        what = f"exact name {record.name}"
    elif record.match == "prefix":
        what = f"name starts with {record.name}"
    else:
        what = f"name matches /{record.name}/"
    reason = f"{what} ({record.provider or 'unknown provider'})"
    if record.domain:
        reason += f" on {record.domain}"
    if layer == "user":
        reason += f", imported from {record.source}"
    if hit.note:
        reason += f"; {hit.note}"
    return Classification(
        category=record.category, provider=record.provider, purpose_en=record.purpose_en,
        purpose_nb=record.purpose_nb, lifetime=record.lifetime,
        confidence="high" if hit.exact_fit else "medium", reason=reason, rule=rule,
        needs_review=False, doc_url=record.doc_url,
    )


def _field(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def _override_for(overrides: Iterable[Any], name: str, kind: str) -> Any | None:
    """The owner's override for this item: an exact name first, else the longest prefix."""
    best, best_len = None, -1
    for override in overrides:
        if (_field(override, "kind") or "cookie") != kind:
            continue
        wanted = _field(override, "name") or ""
        match = _field(override, "match") or "exact"
        if match == "exact" and wanted == name:
            return override
        if match == "prefix" and name.startswith(wanted) and len(wanted) > best_len:
            best, best_len = override, len(wanted)
    return best


def _override_answer(override: Any) -> Classification:
    name, match = _field(override, "name"), _field(override, "match") or "exact"
    what = f"name {name}" if match == "exact" else f"names starting with {name}"
    return Classification(
        category=_field(override, "category"), provider=_field(override, "provider") or "",
        purpose_en=_field(override, "purpose_en") or "",
        purpose_nb=_field(override, "purpose_nb") or "", lifetime="", confidence="high",
        reason=f"the site owner's override for {what}", rule="override", needs_review=False,
    )


def host_of(setter: str) -> str | None:
    """The host of a setter URL ("https://www.googletagmanager.com/gtag/js") or a bare host."""
    setter = setter.strip()
    if not setter:
        return None
    if "//" not in setter:
        setter = "//" + setter
    try:
        return urlsplit(setter).hostname
    except ValueError:
        return None


class Classifier:
    """The compiled knowledge base (built-in plus an optional imported layer) and host table."""

    def __init__(
        self,
        entries: Iterable[KbRecord] | None = None,
        hosts: Iterable[HostRecord] | None = None,
        user_entries: Iterable[Any] = (),
    ) -> None:
        self._builtin = Layer(load_builtin() if entries is None else entries, _builtin_answer)
        host_rows = load_hosts() if hosts is None else hosts
        self._hosts = {row.host: HostMatch(row.provider, row.category, row.host)
                       for row in host_rows}
        self._user = self._user_layer(user_entries)
        self._host_memo: dict[str | None, HostMatch | None] = {}

    @staticmethod
    def _user_layer(rows: Iterable[Any]) -> Layer[Classification] | None:
        records = records_from_rows(rows)
        return Layer(records, _user_answer) if records else None

    def with_user_entries(self, rows: Iterable[Any]) -> Classifier:
        """A classifier sharing this one's compiled built-in KB, with imported entries above it."""
        clone = object.__new__(Classifier)
        clone._builtin, clone._hosts = self._builtin, self._hosts
        clone._user = self._user_layer(rows)
        clone._host_memo = self._host_memo
        return clone

    @property
    def entry_count(self) -> int:
        return len(self._builtin)

    @property
    def host_count(self) -> int:
        return len(self._hosts)

    def classify_host(self, host: str | None) -> HostMatch | None:
        """The tracker-table row for `host` or its closest listed parent domain."""
        if host in self._host_memo:
            return self._host_memo[host]
        found = self._lookup_host(host)
        if len(self._host_memo) < 10_000:
            self._host_memo[host] = found
        return found

    def _lookup_host(self, host: str | None) -> HostMatch | None:
        host = normalise_domain(host)
        if host is None:
            return None
        hosts = self._hosts
        found = hosts.get(host)
        while found is None:
            dot = host.find(".")
            if dot < 0:
                return None
            host = host[dot + 1:]
            found = hosts.get(host)
        return found

    def classify(
        self,
        name: str,
        domain: str | None = None,
        setter: str | None = None,
        kind: str = "cookie",
        overrides: Iterable[Any] = (),
        site_host: str | None = None,
    ) -> Classification:
        """Classify one item; see the module docstring for the order of the rules."""
        if overrides:
            override = _override_for(overrides, name, kind)
            if override is not None:
                return _override_answer(override)
        if domain:
            domain = normalise_domain(domain)
        user = self._user
        if user is not None:
            found = user.find_exact(name, kind, domain)
            if found is None:
                found = self._builtin.find_exact(name, kind, domain)
            if found is None:
                found = user.find_pattern(name, kind, domain)
        else:
            found = self._builtin.find_exact(name, kind, domain)
        if found is None:
            found = self._builtin.find_pattern(name, kind, domain)
        if found is None:
            found = self._by_host(setter, domain, site_host) or _by_name(name)
        return found

    def _by_host(self, setter: str | None, domain: str | None,
                 site_host: str | None) -> Classification | None:
        """An unknown name set by (or scoped to) a known tracker host takes that host's category."""
        if setter:
            host = host_of(setter)
            match = self.classify_host(host)
            if match is not None:
                return _host_answer(match, f"set by {host}")
        if domain and not _same_site(domain, site_host):
            match = self.classify_host(domain)
            if match is not None:
                return _host_answer(match, f"scoped to {domain}")
        return None


def _same_site(domain: str, site_host: str | None) -> bool:
    """Whether a cookie domain is the site's own (a site on a tracker's domain is not a tracker)."""
    site = normalise_domain(site_host)
    return site is not None and (site == domain or site.endswith("." + domain))


def _host_answer(match: HostMatch, how: str) -> Classification:
    return Classification(
        category=match.category, provider=match.provider, purpose_en="", purpose_nb="",
        lifetime="", confidence="medium",
        reason=f"unknown name {how}, a {match.category} host of {match.provider} "
               f"(tracker table: {match.pattern})",
        rule="host", needs_review=False,
    )


@functools.lru_cache(maxsize=8192)
def _by_name(name: str) -> Classification:
    """The heuristic answer, cached: it depends on the name alone."""
    guess = heuristics.suggest(name)
    if guess is None:
        return Classification(
            category=UNCLASSIFIED, provider="", purpose_en="", purpose_nb="", lifetime="",
            confidence="low", reason="no entry, host or name pattern matched", rule="none",
            needs_review=True,
        )
    return Classification(
        category=guess.category, provider="", purpose_en="", purpose_nb="", lifetime="",
        confidence=guess.confidence, reason=f"guessed from the name: {guess.reason}",
        rule="heuristic", needs_review=True,
    )


@functools.cache
def default_classifier() -> Classifier:
    """The built-in KB and host table, loaded, validated and compiled once per process."""
    return Classifier()
