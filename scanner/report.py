"""The scan report: a JSON document with a version, stored in `scans.report` and written by `--json`.

Schema, version 1 (every list sorted, so two scans of an unchanged site give equal documents apart
from the times):

- `version` (1), `url` (start URL), `started_at`, `finished_at` (ISO 8601, UTC), `options` (the
  limits the scan ran with, `phases` among them), `notes` (strings: budget exhausted, classifier
  missing, a sitemap cut at its limit, …).
- `phases_run`: the phases that happened, in order: `before` when that crawl ran, `accept` and
  `reject` when they ran *and* the scanner managed to accept or reject. Items' `phases` only ever
  name these, so an item missing from a phase of `phases_run` was absent there, while a phase not
  in it says nothing about the item.
- `pages`: `{url, status, phase, error, depth, timed_out, watch}`; `status` is the HTTP status of
  the page's document (of the last redirect when a loop was cut), null when nothing came back;
  `error` is e.g. `net::ERR_TOO_MANY_REDIRECTS`, `timeout after 15s`, `download (cancelled)`,
  `not HTML`; `phase` is `before`, `accept` or `reject` (the crawl that visited it, even when its
  consent step failed); `timed_out` is true when the page timeout cut it (what it had set by then
  is recorded); `watch` says how the late-write watch ended (`idle`, `quiet`, `cap`,
  `unresponsive`: scanner.watch), null when the page was not watched.
- `cookies`: `{name, value, domain, path, expires, lifetime_seconds, http_only, secure, same_site,
  size, party, category, provider, purpose: {en, nb}, reason, documented_lifetime, first_seen_url,
  set_by, phases}`.
  `domain` as the browser stores it (leading dot = domain cookie); `expires` epoch seconds or null
  for a session cookie; `seen_on` maps each phase to the first page it was seen on; `party` is
  `first` when the registrable domain is the site's, else `third`;
  `set_by` is the URL of the response whose Set-Cookie created it or of the script that wrote it,
  `""` when unknown; `phases` lists the phases in which it was present; `category` is one of
  necessary, functional, analytics, marketing, or `unclassified`.
  `documented_lifetime` is the knowledge base's own lifetime ("2 years"), "" when it has none.
- `storage`: `{kind, name, origin, party, category, provider, purpose, reason, documented_lifetime,
  first_seen_url, set_by, phases}`, `kind` ∈ localStorage, sessionStorage, indexedDB (database name).
- `requests`: `{domain, hosts, party, count, pixels, pixel, provider, category}` per registrable
  domain; `pixel` is true when any request was a beacon or a tiny image.
- `violations`: `{kind, name, domain, category, phase, page, set_by}`: an item that is not
  necessary, present before consent or after "reject all". Unclassified items are violations too:
  what is not known to be strictly necessary needs consent.
- `consent_interaction`: `{accept: {method, ok, detail, cmp, text, selector, frame}, reject: {…}}`
  (scanner.phases), `method` ∈ `consentkit_api`, `cmp_button`, `cmp_api`, `button`, `none`.
- `summary`: `{pages, cookies, storage, third_party_domains, unclassified, violations}`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .domains import registrable_domain
from .observe import PHASES, Observations

VERSION = 1
CATEGORIES = ("necessary", "functional", "analytics", "marketing")
UNCLASSIFIED = "unclassified"


NO_CLASSIFIER = "no classifier was given; every item is reported as unclassified"


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _classify(classifier: Any, name: str, domain: str, setter: str, kind: str) -> dict[str, Any]:
    blank = {"category": UNCLASSIFIED, "provider": "", "purpose": {"en": "", "nb": ""}, "reason": "",
             "documented_lifetime": ""}
    if classifier is None:
        return blank
    try:
        result = classifier.classify(name, domain=domain or None, setter=setter or None, kind=kind)
    except Exception as exc:  # noqa: BLE001 - one odd item must not lose the whole scan
        return {**blank, "reason": f"classifier failed: {exc}"}
    category = getattr(result, "category", None) or UNCLASSIFIED
    return {"category": category if category in CATEGORIES else UNCLASSIFIED,
            "provider": getattr(result, "provider", "") or "",
            "purpose": {"en": getattr(result, "purpose_en", "") or "",
                        "nb": getattr(result, "purpose_nb", "") or ""},
            "reason": getattr(result, "reason", "") or "",
            "documented_lifetime": getattr(result, "lifetime", "") or ""}


def lifetime(expires: float | None, seen_at: float) -> int | None:
    """Seconds from when the cookie was seen to its expiry, to the minute (so rescans compare equal)."""
    if not expires:
        return None
    seconds = max(0.0, expires - seen_at)
    return round(seconds / 60) * 60 if seconds >= 120 else round(seconds)


def _ordered_phases(phases: dict[str, str]) -> list[str]:
    return [p for p in PHASES if p in phases]


def build_report(obs: Observations, url: str, started: float, options: dict[str, Any],
                 interaction: dict[str, Any], classifier: Any = None) -> dict[str, Any]:
    """Turn raw observations into the versioned, classified, sorted report."""
    site = registrable_domain(urlsplit(url).hostname or "")
    now = time.time()

    def party(host: str) -> str:
        return "first" if registrable_domain(host.lstrip(".")) == site else "third"

    cookies = []
    for item in obs.cookies.values():
        set_by = obs.setters.cookie_setter(item["name"], item["domain"])
        cookies.append({
            **{k: v for k, v in item.items() if k not in ("phases", "seen_at")},
            "lifetime_seconds": lifetime(item["expires"], item["seen_at"]),
            "party": party(item["domain"]), "set_by": set_by,
            **_classify(classifier, item["name"], item["domain"].lstrip("."), set_by, "cookie"),
            "phases": _ordered_phases(item["phases"]), "seen_on": dict(item["phases"]),
        })
    storage = []
    for item in obs.storage.values():
        host = urlsplit(item["origin"]).hostname or ""
        found = obs.setters.storage.get((item["kind"], item["name"], item["origin"]))
        set_by = found[0] if found else ""
        storage.append({
            **{k: v for k, v in item.items() if k != "phases"}, "party": party(host), "set_by": set_by,
            **_classify(classifier, item["name"], host, set_by, item["kind"]),
            "phases": _ordered_phases(item["phases"]), "seen_on": dict(item["phases"]),
        })
    cookies.sort(key=lambda c: (c["name"].lower(), c["domain"], c["path"]))
    storage.sort(key=lambda s: (s["kind"], s["name"].lower(), s["origin"]))
    requests = _requests(obs, party, classifier)
    ran = phases_run(options.get("phases") or PHASES, interaction)
    violations = find_violations(cookies, storage, ran)
    return {
        "version": VERSION, "url": url, "started_at": iso(started), "finished_at": iso(now),
        "options": options, "notes": list(obs.notes), "phases_run": ran,
        "pages": obs.pages, "cookies": cookies, "storage": storage, "requests": requests,
        "violations": violations, "consent_interaction": interaction,
        "summary": {
            "pages": sum(1 for p in obs.pages if p["phase"] == "before"), "cookies": len(cookies),
            "storage": len(storage),
            "third_party_domains": sum(1 for r in requests if r["party"] == "third"),
            "unclassified": sum(1 for i in [*cookies, *storage] if i["category"] == UNCLASSIFIED),
            "violations": len(violations),
        },
    }


def _requests(obs: Observations, party: Callable[[str], str], classifier: Any) -> list[dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = {}
    for host, seen in obs.requests.items():
        domain = registrable_domain(host)
        entry = grouped.setdefault(domain, {"domain": domain, "hosts": [], "party": party(host),
                                            "count": 0, "pixels": 0})
        entry["hosts"].append(host)
        entry["count"] += seen["count"]
        entry["pixels"] += seen["pixels"]
    for entry in grouped.values():
        entry["hosts"].sort()
        entry["pixel"] = entry["pixels"] > 0
        match = _classify_host(classifier, entry["hosts"])
        entry["provider"] = getattr(match, "provider", "") or "" if match else ""
        entry["category"] = getattr(match, "category", "") or "" if match else ""
    return sorted(grouped.values(), key=lambda r: (r["party"], -r["count"], r["domain"]))


def _classify_host(classifier: Any, hosts: list[str]) -> Any:
    if classifier is None or not hasattr(classifier, "classify_host"):
        return None
    for host in hosts:
        try:
            match = classifier.classify_host(host)
        except Exception:  # noqa: BLE001 - an unknown host is not worth failing a scan over
            match = None
        if match is not None:
            return match
    return None


def phases_run(requested: Any, interaction: dict[str, Any]) -> list[str]:
    """The phases that happened: "before" when it was asked for, a consent phase only when its
    choice was made (without a reject button there was no "after rejection")."""
    return [phase for phase in PHASES if phase in requested
            and (phase == "before" or (interaction.get(phase) or {}).get("ok"))]


def find_violations(cookies: list[dict[str, Any]], storage: list[dict[str, Any]],
                    phases: Any = ("before", "reject")) -> list[dict[str, Any]]:
    """Items that are not necessary, present before consent or after rejection, of the phases that
    ran. Unclassified items count: unknown means consent, never necessary."""
    found = []
    checked = [phase for phase in ("before", "reject") if phase in phases]
    for kind, item in [*(("cookie", c) for c in cookies), *((s["kind"], s) for s in storage)]:
        if item["category"] == "necessary":
            continue
        for phase in checked:
            if phase in item["phases"]:
                found.append({"kind": kind, "name": item["name"],
                              "domain": item.get("domain") or item.get("origin", ""),
                              "category": item["category"], "phase": phase,
                              "page": item["seen_on"].get(phase, item["first_seen_url"]),
                              "set_by": item["set_by"]})
    return found


def inventory_items(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(kind, name, domain, category) of every item: what a change of inventory is measured on."""
    items = {("cookie", c["name"], c["domain"].lstrip("."), c.get("category", UNCLASSIFIED))
             for c in report.get("cookies") or []}
    items |= {(s["kind"], s["name"], urlsplit(s["origin"]).hostname or "", s.get("category", UNCLASSIFIED))
              for s in report.get("storage") or []}
    return sorted(items)
