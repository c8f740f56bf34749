"""What the scanner knows about consent banners: the known consent managers, and the wordings of
"accept all" and "reject all" buttons in Norwegian (bokmål, nynorsk), English, Swedish, Danish,
German and French.

Known managers come first, by their documented button selectors and then their JavaScript API;
wordings are the fallback for banners made by hand or by a manager not listed here. Labels are
compared whole, after `normalise()`, never as substrings ("Godta kun nødvendige" is a reject
button although it contains "godta"), and each list is ranked: the most explicit wording wins
when a banner shows several.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ConsentManager:
    """A consent manager's own "accept all" / "reject all": buttons first, then its API (a JavaScript
    expression that is called only when `ready` is true in the page)."""

    name: str
    doc_url: str
    accept_selectors: tuple[str, ...]
    reject_selectors: tuple[str, ...]
    ready: str = "false"
    accept_api: str = ""
    reject_api: str = ""


CONSENT_MANAGERS = (
    ConsentManager(
        "Cookiebot", "https://www.cookiebot.com/en/developer/",
        ("#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll", "#CybotCookiebotDialogBodyButtonAccept"),
        ("#CybotCookiebotDialogBodyButtonDecline",),
        "typeof window.Cookiebot === 'object' && typeof Cookiebot.submitCustomConsent === 'function'",
        "Cookiebot.submitCustomConsent(true, true, true)",
        "Cookiebot.submitCustomConsent(false, false, false)"),
    ConsentManager(
        "OneTrust", "https://my.onetrust.com/s/article/UUID-d8291f61-aa31-813a-ef16-3f6dec73d643",
        ("#onetrust-accept-btn-handler",), ("#onetrust-reject-all-handler",),
        "typeof window.OneTrust === 'object' && typeof OneTrust.RejectAll === 'function'",
        "OneTrust.AllowAll()", "OneTrust.RejectAll()"),
    ConsentManager(
        "CookieYes", "https://www.cookieyes.com/documentation/",
        ('[data-cky-tag="accept-button"]', ".cky-btn-accept"),
        ('[data-cky-tag="reject-button"]', ".cky-btn-reject")),
    ConsentManager(
        "Didomi", "https://developers.didomi.io/cmp/web-sdk/reference/api",
        ("#didomi-notice-agree-button",), ("#didomi-notice-disagree-button",),
        "typeof window.Didomi === 'object' && typeof Didomi.setUserDisagreeToAll === 'function'",
        "Didomi.setUserAgreeToAll()", "Didomi.setUserDisagreeToAll()"),
    ConsentManager(
        "Usercentrics", "https://docs.usercentrics.com/#/cmp-v2-ui-api",
        ('[data-testid="uc-accept-all-button"]', "#uc-btn-accept-banner"),
        ('[data-testid="uc-deny-all-button"]', "#uc-btn-deny-banner"),
        "(typeof window.__ucCmp === 'object' && typeof __ucCmp.denyAllConsents === 'function')"
        " || (typeof window.UC_UI === 'object' && typeof UC_UI.denyAllConsents === 'function')",
        "(window.__ucCmp ? __ucCmp.acceptAllConsents() : UC_UI.acceptAllConsents())",
        "(window.__ucCmp ? __ucCmp.denyAllConsents() : UC_UI.denyAllConsents())"),
)

ACCEPT_LABELS = (
    # nb, nn
    "godta alle", "godta alle informasjonskapsler", "godta alle informasjonskapslar", "aksepter alle",
    "aksepter alle informasjonskapsler", "tillat alle", "tillat alle informasjonskapsler",
    "tillat alle informasjonskapslar", "godkjenn alle", "samtykk til alle", "jeg godtar alle",
    "eg godtek alle", "ja, godta alle",
    # en
    "accept all", "accept all cookies", "allow all", "allow all cookies", "agree to all", "accept and close",
    "accept & close", "agree and close", "agree & close", "yes, i accept", "yes, i agree",
    # sv, da
    "acceptera alla", "acceptera alla cookies", "godkänn alla", "godkänn alla cookies", "tillåt alla",
    "tillåt alla cookies", "accepter alle", "accepter alle cookies", "tillad alle", "tillad alle cookies",
    "godkend alle", "godkend alle cookies",
    # de, fr
    "alle akzeptieren", "alle cookies akzeptieren", "alles akzeptieren", "alle zulassen",
    "alle cookies zulassen", "allen zustimmen", "alle annehmen", "akzeptieren und schließen",
    "tout accepter", "accepter tout", "accepter tous les cookies", "tout autoriser",
    "autoriser tous les cookies", "accepter et fermer", "accepter et continuer",
    # single words and short forms, last
    "godta", "aksepter", "godkjenn", "jeg godtar", "ok, jeg godtar", "eg godtek", "accept",
    "accept cookies", "i accept", "agree", "i agree", "allow", "allow cookies", "got it", "ok",
    "acceptera", "godkänn", "jag godkänner", "jag accepterar", "accepter", "tillad", "jeg accepterer",
    "akzeptieren", "zustimmen", "einverstanden", "ich stimme zu", "zulassen", "j'accepte",
    "ok pour moi", "d'accord",
)

REJECT_LABELS = (
    # nb, nn
    "avvis alle", "avvis alle informasjonskapsler", "avvis alle informasjonskapslar", "avslå alle",
    "avslå alle informasjonskapsler", "avslå alle informasjonskapslar", "bare nødvendige",
    "bare nødvendige informasjonskapsler", "kun nødvendige", "kun nødvendige informasjonskapsler",
    "berre naudsynte", "berre naudsynte informasjonskapslar", "berre nødvendige", "kun naudsynte",
    "godta kun nødvendige", "godta bare nødvendige", "godta berre naudsynte", "tillat kun nødvendige",
    "tillat bare nødvendige", "bruk kun nødvendige", "bruk bare nødvendige informasjonskapsler",
    "fortsett uten å godta", "halde fram utan å godta",
    # en
    "reject all", "reject all cookies", "refuse all", "decline all", "deny all", "only necessary",
    "only necessary cookies", "necessary only", "necessary cookies only", "only essential",
    "only essential cookies", "essential only", "essential cookies only", "use necessary cookies only",
    "use essential cookies only", "accept only necessary", "accept necessary", "accept necessary only",
    "accept only necessary cookies", "accept only essential", "accept only essential cookies",
    "allow only necessary", "allow necessary cookies only", "continue without accepting",
    # sv, da
    "neka alla", "avvisa alla", "avböj alla", "endast nödvändiga", "bara nödvändiga",
    "endast nödvändiga cookies", "tillåt endast nödvändiga", "acceptera endast nödvändiga",
    "godkänn endast nödvändiga", "använd endast nödvändiga cookies", "afvis alle", "afslå alle",
    "kun nødvendige cookies", "tillad kun nødvendige", "tillad kun nødvendige cookies",
    "accepter kun nødvendige", "accepter kun nødvendige cookies", "brug kun nødvendige cookies",
    # de, fr
    "alle ablehnen", "alles ablehnen", "alle cookies ablehnen", "alle verweigern", "nur notwendige",
    "nur notwendige cookies", "nur essenzielle", "nur essenzielle cookies", "nur erforderliche",
    "nur erforderliche cookies", "nur notwendige akzeptieren", "nur notwendige cookies akzeptieren",
    "nur essenzielle cookies akzeptieren", "nur notwendige cookies erlauben", "ohne zustimmung fortfahren",
    "tout refuser", "refuser tout", "refuser tous les cookies", "continuer sans accepter",
    "uniquement les cookies nécessaires", "cookies nécessaires uniquement", "nécessaires uniquement",
    "accepter uniquement les cookies nécessaires", "autoriser uniquement les cookies nécessaires",
    # single words and short forms, last
    "avvis", "avslå", "nei takk", "nei, takk", "ikke godta", "ikkje godta", "reject", "decline",
    "refuse", "deny", "no thanks", "no, thanks", "do not accept", "i do not accept", "neka", "avvisa",
    "avböj", "nej tack", "afvis", "afslå", "nej tak", "ablehnen", "verweigern", "nicht zustimmen",
    "refuser", "je refuse", "non merci",
)

_EDGES = re.compile(r"^[\s.!?:·›»«→✓✔×*\-]+|[\s.!?:·›»«→✓✔×*\-]+$")


def normalise(text: str) -> str:
    """A button's text as the label lists spell it: lower case, one space, no edge punctuation."""
    text = " ".join(str(text or "").replace("’", "'").replace("`", "'").lower().split())
    return _EDGES.sub("", text)


def labels(choice: str) -> tuple[str, ...]:
    return ACCEPT_LABELS if choice == "accept" else REJECT_LABELS


def selectors(choice: str) -> list[tuple[str, str]]:
    """(manager, selector) of every known manager's button for `choice`, in CONSENT_MANAGERS order."""
    return [(cmp.name, selector) for cmp in CONSENT_MANAGERS
            for selector in (cmp.accept_selectors if choice == "accept" else cmp.reject_selectors)]
