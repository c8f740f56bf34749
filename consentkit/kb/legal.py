"""Who a vendor is in law: its company, its country, and for a country outside the EEA the basis on
which visitors' data may go there (GDPR chapter V), from the vendor's own documentation.

The optional `legal` object of a vendor file (see SCHEMA.md). The declaration and the privacy-policy
section name each provider's country and transfer basis from it; a vendor without it is named
without a country, and the admin says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The EU member states and Norway, Iceland and Liechtenstein: no transfer basis is needed.
EEA = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
})
# GDPR art. 45 adequacy decision, the EU–US Data Privacy Framework (an adequacy decision for
# certified US companies), art. 46 standard contractual clauses, art. 47 binding corporate rules.
TRANSFERS = ("adequacy", "dpf", "scc", "bcr")
LEGAL_FIELDS = ("company", "country", "transfer", "privacy_url", "doc_url")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class VendorLegal:
    """A vendor's company, country (ISO 3166-1 alpha-2), transfer bases and sources."""

    vendor: str
    company: str
    country: str
    transfer: tuple[str, ...] = ()
    privacy_url: str = ""
    doc_url: str = ""

    @property
    def outside_eea(self) -> bool:
        return self.country not in EEA


def legal_problems(raw: Any, where: str) -> list[str]:
    """Every way a vendor file's `legal` object is wrong; a country outside the EEA needs a
    transfer basis, and both need the page we read (`doc_url`)."""
    if not isinstance(raw, dict):
        return [f"{where}: 'legal' must be an object"]
    problems = [f"{where}: unknown field {key!r} in 'legal'" for key in raw if key not in LEGAL_FIELDS]
    for key in ("company", "country"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            problems.append(f"{where}: 'legal' needs {key!r}")
    country = raw.get("country") or ""
    if isinstance(country, str) and country and not _COUNTRY.match(country):
        problems.append(f"{where}: country {country!r} must be an ISO 3166-1 code such as US or IE")
    transfer = raw.get("transfer", [])
    if not isinstance(transfer, list) or any(t not in TRANSFERS for t in transfer):
        problems.append(f"{where}: 'transfer' must be a list of {', '.join(TRANSFERS)}")
    elif isinstance(country, str) and country and country not in EEA and not transfer:
        problems.append(f"{where}: {country} is outside the EEA: name the transfer basis")
    for key in ("privacy_url", "doc_url"):
        value = raw.get(key)
        if value is not None and not (isinstance(value, str) and value.startswith("https://")):
            problems.append(f"{where}: {key!r} must be an https:// link")
    if not raw.get("doc_url"):
        problems.append(f"{where}: 'legal' needs a doc_url: the vendor's page we read")
    return problems


def legal_from(vendor: str, raw: dict[str, Any]) -> VendorLegal:
    """Build the record from a `legal` object that passed `legal_problems`."""
    return VendorLegal(vendor=vendor, company=raw["company"], country=raw["country"],
                       transfer=tuple(raw.get("transfer") or ()),
                       privacy_url=raw.get("privacy_url") or "", doc_url=raw.get("doc_url") or "")
