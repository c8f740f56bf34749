"""A compiled layer of knowledge-base entries: one dict for exact names, bucketed regexes for the rest.

Prefixes and regular expressions are compiled into one alternation per first character (a cookie
name can only match patterns that start with its own first character), ordered most specific
first, so matching costs one dict lookup and one `re.match` however many entries there are.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .schema import KbRecord

_META = set(".^$*+?{}[]|()\\")
Answer = TypeVar("Answer")


@dataclass(frozen=True, slots=True)
class Hit:
    """A record chosen for a name, and whether its kind and domain fit exactly."""

    record: KbRecord
    exact_fit: bool
    note: str


def literal_prefix(pattern: str, match: str) -> str:
    """The literal text every name matching `pattern` starts with ("" if it can start anyhow)."""
    if match == "prefix":
        return pattern
    if "|" in pattern:
        return ""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and not pattern[i + 1].isalnum():
            literal, step = pattern[i + 1], 2
        elif char in _META:
            break
        else:
            literal, step = char, 1
        following = pattern[i + step:i + step + 1]
        if following and following in "*?{":
            break
        out.append(literal)
        i += step
    return "".join(out)


def domain_fits(entry_domain: str, domain: str) -> bool:
    """Suffix match: an entry for `doubleclick.net` covers `.ad.doubleclick.net` too."""
    return domain == entry_domain or domain.endswith("." + entry_domain)


def pick(records: tuple[KbRecord, ...], kind: str, domain: str | None,
         guess_domain: bool = True) -> Hit | None:
    """The best record for this kind and domain among those with one name or pattern.

    A record for another domain never applies; a record for the same kind beats one for another
    kind, and a matching domain beats no domain constraint. With `guess_domain`, an entry tied to
    a domain still answers (with lower confidence) when the caller does not know the domain:
    right for a distinctive exact name such as `fr`, wrong for a broad pattern.
    """
    best: tuple[int, KbRecord, str] | None = None
    for record in records:
        score, note = 0, ""
        if record.domain is not None:
            if domain is None:
                if not guess_domain:
                    continue
                score, note = 1, f"domain not given, entry is for {record.domain}"
            elif domain_fits(record.domain, domain):
                score = 3
            else:
                continue
        else:
            score = 2
        if record.kind == kind:
            score += 4
        else:
            note = note or f"entry is for {record.kind}, not {kind}"
        if best is None or score > best[0]:
            best = (score, record, note)
    if best is None:
        return None
    score, record, note = best
    return Hit(record, exact_fit=score >= 6, note=note)


class Layer(Generic[Answer]):
    """One layer of entries (built-in or imported), compiled for fast lookup.

    `answer(hit, rule)` turns a hit into the caller's answer type. Answers for the common case
    (a name or pattern whose entries carry no domain, asked about in their own kind) are built
    once here, so a lookup is a dict hit or one regex match and no allocation.
    """

    def __init__(self, records: Iterable[KbRecord], answer: Callable[[Hit, str], Answer]) -> None:
        self._answer = answer
        self._answers: dict[tuple[int, bool, str, str], Answer] = {}
        exact: dict[str, list[KbRecord]] = defaultdict(list)
        folded: dict[str, list[KbRecord]] = defaultdict(list)
        patterns: dict[tuple[str, str], list[KbRecord]] = defaultdict(list)
        for record in records:
            if record.match == "exact":
                exact[record.name].append(record)
                folded[record.name.lower()].append(record)
            else:
                patterns[(record.match, record.name)].append(record)
        self.exact = {name: tuple(group) for name, group in exact.items()}
        self.folded = {name: tuple(group) for name, group in folded.items()}
        self.fast_exact = {name: self._prebuilt(group, "exact")
                           for name, group in self.exact.items()}
        self._compile(patterns)
        self.fast_groups = [self._prebuilt(group, "pattern") for group in self.groups]

    def _answer_for(self, hit: Hit, rule: str) -> Answer:
        """The answer for a hit, built once per record, fit and note (the KB does not change)."""
        key = (id(hit.record), hit.exact_fit, hit.note, rule)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = self._answer(hit, rule)
        return found

    def _prebuilt(self, group: tuple[KbRecord, ...], rule: str) -> dict[str, Answer]:
        """kind -> answer, for a group whose entries all apply to any domain (else empty)."""
        if any(record.domain is not None for record in group):
            return {}
        return {record.kind: self._answer(Hit(record, True, ""), rule) for record in group}

    def _compile(self, patterns: dict[tuple[str, str], list[KbRecord]]) -> None:
        def specificity(key: tuple[str, str]) -> tuple[int, int, str]:
            match, name = key
            return (-len(literal_prefix(name, match)), match != "regex", name)

        ordered = sorted(patterns, key=specificity)
        self.groups = [tuple(patterns[key]) for key in ordered]
        sources = [re.escape(name) if match == "prefix" else f"(?:{name})\\Z"
                   for match, name in ordered]
        self.singles = [re.compile(source) for source in sources]
        buckets: dict[str, list[str]] = defaultdict(list)
        for index, (match, name) in enumerate(ordered):
            first = literal_prefix(name, match)[:1]
            buckets[first].append(f"(?P<g{index}>{sources[index]})")
        self.wild = re.compile("|".join(buckets.pop(""))) if "" in buckets else None
        self.buckets = {first: re.compile("|".join(alts)) for first, alts in buckets.items()}

    def find_exact(self, name: str, kind: str, domain: str | None) -> Answer | None:
        fast = self.fast_exact.get(name)
        if fast:
            found = fast.get(kind)
            if found is not None:
                return found
        elif name.lower() not in self.folded:
            return None  # the common miss: not even a case-insensitive match
        records = self.exact.get(name)
        hit = pick(records, kind, domain) if records else None
        if hit is None:
            records = self.folded.get(name.lower())
            hit = pick(records, kind, domain) if records else None
            if hit is not None and hit.record.name != name:
                hit = Hit(hit.record, False, f"matched ignoring case ({hit.record.name})")
        return self._answer_for(hit, "exact") if hit is not None else None

    def find_pattern(self, name: str, kind: str, domain: str | None) -> Answer | None:
        for regex in (self.buckets.get(name[:1]), self.wild):
            found = regex.match(name) if regex is not None else None
            if found is not None:
                index = int(found.lastgroup[1:])  # type: ignore[index]
                fast = self.fast_groups[index].get(kind)
                if fast is not None:
                    return fast
                hit = pick(self.groups[index], kind, domain, guess_domain=False)
                if hit is None:
                    hit = self._scan(name, kind, domain, index + 1)
                return self._answer_for(hit, "pattern") if hit is not None else None
        return None

    def _scan(self, name: str, kind: str, domain: str | None, start: int) -> Hit | None:
        """Slow path, only after the best pattern's entries were all for other domains."""
        for index in range(start, len(self.groups)):
            if self.singles[index].match(name):
                hit = pick(self.groups[index], kind, domain, guess_domain=False)
                if hit is not None:
                    return hit
        return None

    def __len__(self) -> int:
        return sum(map(len, self.exact.values())) + sum(map(len, self.groups))
