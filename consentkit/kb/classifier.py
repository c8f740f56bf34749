"""Classify a cookie or storage item: necessary, functional, analytics, marketing or unclassified.

Order of precedence, first answer wins: the site owner's override; a built-in exact name (with
domain), then a built-in prefix or regular expression; the owner's imported entries (`consentkit kb
import`), which only fill gaps the built-in knowledge base leaves; the setter's host (or the
cookie's domain) in the tracker table; name heuristics; and otherwise "unclassified", which the
banner treats as needing consent. Every answer says which rule decided it and why.

Two exceptions keep trackers from passing as necessary. A generic name that any server may set
(`JSESSIONID`, `SERVERID`, `AWSALB`) takes the category of the tracker host that set it. And an
imported entry that calls an item necessary or functional (the Open Cookie Database files trackers
under "Functional") yields to a tracker host too. "necessary" itself comes only from a built-in
entry that cites the vendor's documentation or from the owner's override: imported entries, the
host table and name guesses never say it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import heuristics
from .index import Hit, Layer
from .loader import load_builtin, load_hosts, records_from_rows
from .schema import HostRecord, KbRecord, normalise_domain

UNCLASSIFIED = "unclassified"
# consentkit's own consent cookie (docs/contracts.md): ours to vouch for, so not a vendor file.
OWN_ENTRIES = (KbRecord(
    name="consentkit", category="necessary", provider="consentkit",
    purpose_en="Stores the visitor's consent choices for this site, so the banner respects them.",
    purpose_nb="Lagrer den besøkendes samtykkevalg for dette nettstedet, slik at banneret "
               "respekterer dem.",
    purpose_nn="Lagrar samtykkevala den besøkande har gjort på denne nettstaden, slik at banneret "
               "respekterer dei.",
    lifetime="up to 1 year (site setting)", source="consentkit itself (docs/contracts.md)"),)
RULES = ("override", "exact", "pattern", "imported", "host", "heuristic", "none")
TRACKING = frozenset({"analytics", "marketing"})
# Imported categories a tracker host overrides: the Open Cookie Database's "Functional" holds trackers.
YIELDING = frozenset({"necessary", "functional"})


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
    purpose_nn: str = ""
    # Whether a tracker host's category beats this answer (a generic built-in name); not exported.
    generic: bool = field(default=False, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["generic"]
        return data


@dataclass(frozen=True, slots=True)
class HostMatch:
    """A tracker-table row that matched a host: `pattern` is the table's host suffix."""

    provider: str
    category: str
    pattern: str


def _builtin_answer(hit: Hit, rule: str) -> Classification:
    return _hit_answer(hit, rule, _describe(hit))


def _describe(hit: Hit) -> str:
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
    return reason


def _hit_answer(hit: Hit, rule: str, reason: str, category: str | None = None,
                needs_review: bool = False) -> Classification:
    record = hit.record
    if hit.note:
        reason += f"; {hit.note}"
    return Classification(
        category=category or record.category, provider=record.provider,
        purpose_en=record.purpose_en, purpose_nb=record.purpose_nb, lifetime=record.lifetime,
        confidence="high" if hit.exact_fit and not needs_review else "medium", reason=reason,
        rule=rule, needs_review=needs_review, doc_url=record.doc_url,
        purpose_nn=record.purpose_nn, generic=record.generic,
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
        purpose_nb=_field(override, "purpose_nb") or "",
        purpose_nn=_field(override, "purpose_nn") or "", lifetime="", confidence="high",
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
        builtin = load_builtin() + OWN_ENTRIES if entries is None else entries
        self._builtin = Layer(builtin, _builtin_answer)
        host_rows = load_hosts() if hosts is None else hosts
        self._hosts = {row.host: HostMatch(row.provider, row.category, row.host)
                       for row in host_rows}
        self._host_memo: dict[str | None, HostMatch | None] = {}
        self._user = self._user_layer(user_entries)

    def _user_layer(self, rows: Iterable[Any]) -> Layer[Classification] | None:
        records = records_from_rows(rows)
        return Layer(records, self._user_answer) if records else None

    def _user_answer(self, hit: Hit, rule: str) -> Classification:
        """An imported entry's answer: never necessary, and a tracker host's category beats it.

        The Open Cookie Database files trackers under "Functional" (and older imports stored that
        as necessary), so such an entry asks for consent and for the owner's review; when the
        entry's own domain is a known tracker host, that host's category is the answer.
        """
        record = hit.record
        reason = f"{_describe(hit)}, imported from {record.source}"
        host = self.classify_host(record.domain) if record.domain else None
        if record.category in YIELDING and host is not None and host.category in TRACKING:
            reason += (f"; it calls it {record.category}, but {record.domain} is a "
                       f"{host.category} host of {host.provider}")
            return _hit_answer(hit, "imported", reason, host.category, needs_review=True)
        if record.category == "necessary":
            reason += ("; an imported entry cannot make an item necessary: confirm it with an "
                       "override if it is strictly necessary")
            return _hit_answer(hit, "imported", reason, "functional", needs_review=True)
        return _hit_answer(hit, "imported", reason, needs_review=record.category in YIELDING)

    def with_user_entries(self, rows: Iterable[Any]) -> Classifier:
        """A classifier sharing this one's compiled built-in KB, with imported entries below it."""
        clone = object.__new__(Classifier)
        clone._builtin, clone._hosts = self._builtin, self._hosts
        clone._host_memo = self._host_memo
        clone._user = clone._user_layer(rows)
        return clone

    @property
    def entry_count(self) -> int:
        return len(self._builtin)

    @property
    def host_count(self) -> int:
        return len(self._hosts)

    def tracker_hosts(self) -> dict[str, HostMatch]:
        """Every listed host whose category needs consent (all but necessary), by host name."""
        return {host: match for host, match in self._hosts.items()
                if match.category != "necessary"}

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
        builtin = self._builtin
        found = builtin.find_exact(name, kind, domain)
        if found is None:
            found = builtin.find_pattern(name, kind, domain)
        if found is None and self._user is not None:
            found = self._user.find_exact(name, kind, domain)
            if found is None:
                found = self._user.find_pattern(name, kind, domain)
        if found is None:
            return self._by_host(setter, domain, site_host) or _by_name(name)
        if (setter or domain) and (found.generic or (found.rule == "imported"
                                                      and found.category in YIELDING)):
            return self._by_host(setter, domain, site_host, found) or found
        return found

    def _by_host(self, setter: str | None, domain: str | None, site_host: str | None,
                 named: Classification | None = None) -> Classification | None:
        """The category of a known host that set the item (or that its cookie is scoped to).

        For an unknown name any listed host answers; for a `named` (generic or imported) answer
        only a tracking host does, and says which name it beat.
        """
        found = None
        if setter:
            host = host_of(setter)
            match = self.classify_host(host)
            if match is not None:
                found = (match, f"set by {host}")
        if found is None and domain:
            match = self.classify_host(domain)
            if match is not None and not _same_site(domain, site_host):
                found = (match, f"scoped to {domain}")
        if found is None or (named is not None and found[0].category not in TRACKING):
            return None
        return _host_answer(found[0], found[1], named)


def _same_site(domain: str, site_host: str | None) -> bool:
    """Whether a cookie domain is the site's own (a site on a tracker's domain is not a tracker)."""
    site = normalise_domain(site_host)
    return site is not None and (site == domain or site.endswith("." + domain))


@functools.lru_cache(maxsize=4096)
def _host_answer(match: HostMatch, how: str, named: Classification | None) -> Classification:
    """The host's category; a host listed as necessary does not make an unknown name necessary.

    Cached: a scan meets the same few hosts for many names.
    """
    where = f"a {match.category} host of {match.provider} (tracker table: {match.pattern})"
    if named is not None:
        return Classification(
            category=match.category, provider=match.provider, purpose_en="", purpose_nb="",
            lifetime="", confidence="medium",
            reason=f"{named.reason}, but {how}, {where}: the host decides for a "
                   f"{'generic' if named.generic else 'imported'} name",
            rule="host", needs_review=False,
        )
    if match.category == "necessary":
        return Classification(
            category=UNCLASSIFIED, provider=match.provider, purpose_en="", purpose_nb="",
            lifetime="", confidence="low",
            reason=f"unknown name {how}, {where}; not assumed necessary: confirm it with an "
                   "override if it is", rule="host", needs_review=True,
        )
    return Classification(
        category=match.category, provider=match.provider, purpose_en="", purpose_nb="",
        lifetime="", confidence="medium", reason=f"unknown name {how}, {where}", rule="host",
        needs_review=False,
    )


@functools.lru_cache(maxsize=8192)
def _by_name(name: str) -> Classification:
    """The heuristic answer, cached: it depends on the name alone."""
    guess = heuristics.suggest(name)
    if guess is None:
        return _NO_MATCH
    return _guess_answer(guess.category, guess.confidence, guess.reason)


@functools.lru_cache(maxsize=4096)
def _guess_answer(category: str, confidence: str, reason: str) -> Classification:
    """One answer object per distinct guess: names never seen before mostly share a few guesses."""
    return Classification(
        category=category, provider="", purpose_en="", purpose_nb="", lifetime="",
        confidence=confidence, reason=f"guessed from the name: {reason}", rule="heuristic",
        needs_review=True,
    )


_NO_MATCH = Classification(
    category=UNCLASSIFIED, provider="", purpose_en="", purpose_nb="", lifetime="",
    confidence="low", reason="no entry, host or name pattern matched", rule="none",
    needs_review=True,
)


@functools.cache
def default_classifier() -> Classifier:
    """The built-in KB and host table, loaded, validated and compiled once per process."""
    return Classifier()
