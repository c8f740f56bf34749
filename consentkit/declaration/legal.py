"""The legal part of a localized declaration: controller, providers and transfers, withdrawal, the
consent log and the right to complain, filled in with the site's own facts.

Shared by the declaration and the privacy-policy section, so both say the same thing. Countries are
named with CLDR data (Babel), and a provider's country and transfer basis come from its vendor
file's `legal` object (consentkit/kb/legal.py).
"""

from __future__ import annotations

from typing import Any

from babel import Locale

from ..kb.legal import VendorLegal
from ..kb.loader import load_kb
from ..localformat import LOCALES, duration_text
from .content import Controller, Declaration, Item
from .legal_texts import DATATILSYNET_URL
from .purposes import provider_name
from .texts import texts

# Where the banner opens its settings: a link to it works on every page that loads the banner.
WITHDRAW_HREF = "#consentkit"


def country_name(code: str, lang: str) -> str:
    return Locale.parse(LOCALES[lang]).territories.get(code, code)


def controller_view(controller: Controller, lang: str) -> dict[str, Any] | None:
    """The controller's paragraph, or None when the owner has not named one (the admin warns)."""
    if not controller.name:
        return None
    t = texts(lang)["controller"]
    lines = [t["text"].format(name=controller.name)]
    if controller.org_number:
        lines.append(t["org_number"].format(org_number=controller.org_number))
    if controller.address:
        lines.append(t["address"].format(address=controller.address))
    return {"title": t["title"], "text": " ".join(lines), "email": controller.email,
            "email_text": t["email"].format(email=controller.email) if controller.email else ""}


def vendor_legal(provider: str) -> VendorLegal | None:
    return load_kb().legal.get(provider)


def _join(parts: list[str], word: str) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def provider_entry(provider: str, lang: str) -> dict[str, Any]:
    """One recipient: the vendor when the knowledge base knows who it is in law (one entry for all
    its products, with company, country and basis), else the provider's name alone."""
    t = texts(lang)["providers"]
    legal = vendor_legal(provider)
    entry: dict[str, Any] = {"name": legal.vendor if legal else provider_name(provider), "place": "",
                             "transfer": "", "privacy_url": "", "outside_eea": None,
                             "transfer_keys": []}
    if legal is None:
        return entry
    entry.update(place=t["place"].format(company=legal.company, country=country_name(legal.country, lang)),
                 privacy_url=legal.privacy_url, outside_eea=legal.outside_eea,
                 transfer_keys=list(legal.transfer) if legal.outside_eea else [])
    if legal.outside_eea:
        bases = [t["bases"][key] for key in legal.transfer]
        entry["transfer"] = t["transfer"].format(bases=_join(bases, t["and"]))
    return entry


def receives_data(item: Item) -> bool:
    """Whether the item's provider is a recipient to name: a third party, a vendor whose legal facts
    we know, or the provider of anything beyond the strictly necessary. The software a site runs
    on (a framework's session cookie) and consentkit itself are not recipients."""
    if not item.provider or item.provider == "consentkit":
        return False
    return (item.party == "third" or item.category != "necessary"
            or vendor_legal(item.provider) is not None)


def providers_view(decl: Declaration, lang: str) -> dict[str, Any]:
    """Every recipient the declaration names, once each (by published name), sorted."""
    t = texts(lang)["providers"]
    seen: dict[str, dict[str, Any]] = {}
    for section in decl.sections:
        for item in section.items:
            if receives_data(item):
                entry = provider_entry(item.provider, lang)
                seen.setdefault(entry["name"], entry)
    return {"title": t["title"], "intro": t["intro"], "privacy_label": t["privacy"],
            "items": sorted(seen.values(), key=lambda e: e["name"].lower())}


def consent_log_view(decl: Declaration, lang: str) -> dict[str, str]:
    t = texts(lang)["consent_log"]
    retention = duration_text(decl.retention_days * 86400, lang)
    text = t["text"].format(ip=t["ip"].get(decl.ip_mode, t["ip"]["truncate"]), retention=retention,
                            cookie=decl.cookie_name)
    return {"title": t["title"], "text": text}


def legal_view(decl: Declaration, lang: str) -> dict[str, Any]:
    """Everything art. 13 and art. 7 ask the declaration to say, in `lang`."""
    t = texts(lang)
    return {
        "controller": controller_view(decl.controller, lang),
        "withdraw": {**t["withdraw"], "href": WITHDRAW_HREF},
        "providers": providers_view(decl, lang),
        "storage": t["storage"],
        "consent_log": consent_log_view(decl, lang),
        "complaint": {**t["complaint"], "url": DATATILSYNET_URL},
    }
