"""The declaration's words in Bokmål, Nynorsk and English, and lifetimes put into words.

Kept apart from the templates so that a translator edits one file and every output (hosted page,
embedded script, Markdown, the privacy-policy section) says the same thing. The register follows
what our users write themselves (`shared/seeds/`): plain, first person plural, no legalese beyond
naming the rule that applies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

LANGUAGES = ("nb", "nn", "en")
SECTIONS = ("necessary", "functional", "analytics", "marketing", "unclassified")

_NB: dict[str, Any] = {
    "language_name": "Bokmål",
    "title": "Informasjonskapsler og lagring",
    "intro": [
        "Informasjonskapsler (cookies) er små tekstfiler som et nettsted lagrer i nettleseren din. "
        "Nettsteder kan også lagre opplysninger på andre måter, for eksempel i nettleserens lokale "
        "lagring (localStorage og sessionStorage), eller hente små bilder (sporingspiksler) som "
        "forteller en tredjepart at du har vært innom. Vi omtaler alt dette samlet her.",
        "Det som er strengt nødvendig for at {site} skal virke, lagrer vi uten å spørre. Alt annet "
        "lagrer vi bare hvis du har sagt ja til den kategorien. Du kan når som helst endre eller "
        "trekke tilbake samtykket ditt, og det er like enkelt som å gi det.",
        "Oversikten under er laget automatisk ut fra hva vi fant da vi sist gikk gjennom nettstedet.",
    ],
    "scan_info": "Basert på gjennomgang av {url} {date}. Revisjon {revision}.",
    "not_scanned": "Nettstedet er ikke gjennomgått ennå, så oversikten er tom.",
    "nothing_found": "Gjennomgangen fant ingen informasjonskapsler eller annen lagring.",
    "legal_basis_label": "Rettslig grunnlag",
    "table_caption": "{category}: informasjonskapsler og lagring",
    "columns": {"name": "Navn", "provider": "Leverandør", "purpose": "Formål",
                "lifetime": "Lagringstid", "type": "Type", "party": "Part", "domain": "Domene"},
    "categories": {
        "necessary": ("Nødvendige", "Trengs for at nettstedet skal virke og være sikkert, for eksempel "
                      "innlogging, handlekurv, lastbalansering og å huske valget du har tatt om "
                      "informasjonskapsler."),
        "functional": ("Funksjonelle", "Husker valg du har gjort, som språk eller visning, og gir "
                       "funksjoner som innebygde kart og videoer."),
        "analytics": ("Analyse og statistikk", "Viser oss hvordan nettstedet brukes, hvilke sider som "
                      "besøkes og hvor det oppstår feil, slik at vi kan gjøre det bedre."),
        "marketing": ("Markedsføring", "Brukes av oss og våre annonsepartnere til å måle effekten av "
                      "annonser og vise deg annonser som er mer relevante, også på andre nettsteder."),
        "unclassified": ("Uklassifiserte", "Dette fant vi under gjennomgangen, men vi har ennå ikke "
                         "fastslått hva det brukes til. Til det er gjort, behandler vi det som om det "
                         "krever samtykke."),
    },
    "legal_basis": {
        "exempt": "Unntatt fra kravet om samtykke etter ekomloven § 3-15 fordi lagringen er strengt "
                  "nødvendig for å levere tjenesten du har bedt om.",
        "consent": "Samtykke. Vi lagrer bare dette hvis du sier ja (ekomloven § 3-15), og behandlingen "
                   "av opplysningene bygger på samtykket ditt etter personvernforordningen (GDPR) "
                   "art. 6 nr. 1 bokstav a.",
    },
    "kinds": {"cookie": "HTTP-informasjonskapsel", "localStorage": "localStorage",
              "sessionStorage": "sessionStorage", "indexedDB": "IndexedDB", "pixel": "Sporingspiksel"},
    "parties": {"first": "Førstepart", "third": "Tredjepart"},
    "unknown_provider": "Ukjent",
    "no_purpose": "Ikke beskrevet ennå",
    "pixel_purpose": "Forteller leverandøren at du har besøkt siden, uten å lagre noe i nettleseren din.",
    "units": {"session": "Økt", "no_expiry": "Ingen utløpsdato", "not_stored": "Lagres ikke",
              "minute": ("minutt", "minutter"), "hour": ("time", "timer"), "day": ("dag", "dager"),
              "month": ("måned", "måneder"), "year": ("år", "år")},
    "months": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
               "oktober", "november", "desember"),
    "date": "{day}. {month} {year}",
    "panel": {
        "title": "Ditt samtykke",
        "none": "Du har ikke tatt stilling til informasjonskapsler på dette nettstedet ennå.",
        "accepted": "Godtatt", "rejected": "Avslått", "always": "Alltid på",
        "consent_id": "Samtykke-ID", "date": "Dato",
        "change": "Endre samtykke", "withdraw": "Trekk tilbake samtykke",
        "withdrawn": "Samtykket ditt er trukket tilbake.",
    },
    "policy": {
        "title": "Informasjonskapsler",
        "intro": "{site} bruker informasjonskapsler og lignende teknologier. Nødvendige lagrer vi uten "
                 "samtykke; alle andre kategorier bare når du har sagt ja. Disse kategoriene er i bruk:",
        "providers": "Leverandører",
        "change_title": "Slik endrer eller trekker du tilbake samtykket",
        "change": "Du kan når som helst endre eller trekke tilbake samtykket ditt via lenken "
                  "«Innstillinger for informasjonskapsler» nederst på sidene våre. Samtykket lagres "
                  "i nettleseren din og gjelder til du endrer det, eller til vi spør på nytt fordi "
                  "noe er endret.",
        "full_list": "Den fullstendige oversikten over hver enkelt informasjonskapsel finner du i "
                     "erklæringen om informasjonskapsler:",
    },
    "generated_by": "Laget av consentkit ut fra skanning av nettstedet.",
    "privacy_policy": "Personvernerklæring",
    "languages_label": "Språk",
}

_NN: dict[str, Any] = {
    **_NB,
    "language_name": "Nynorsk",
    "title": "Informasjonskapslar og lagring",
    "intro": [
        "Informasjonskapslar (cookies) er små tekstfiler som ein nettstad lagrar i nettlesaren din. "
        "Nettstader kan òg lagre opplysningar på andre måtar, til dømes i den lokale lagringa i "
        "nettlesaren (localStorage og sessionStorage), eller hente små bilete (sporingspikslar) som "
        "fortel ein tredjepart at du har vore innom. Vi omtaler alt dette samla her.",
        "Det som er strengt naudsynt for at {site} skal verke, lagrar vi utan å spørje. Alt anna "
        "lagrar vi berre om du har sagt ja til den kategorien. Du kan når som helst endre eller "
        "trekkje attende samtykket ditt, og det er like enkelt som å gje det.",
        "Oversikta under er laga automatisk ut frå kva vi fann då vi sist gjekk gjennom nettstaden.",
    ],
    "scan_info": "Basert på gjennomgang av {url} {date}. Revisjon {revision}.",
    "not_scanned": "Nettstaden er ikkje gjennomgått enno, så oversikta er tom.",
    "nothing_found": "Gjennomgangen fann ingen informasjonskapslar eller anna lagring.",
    "legal_basis_label": "Rettsleg grunnlag",
    "table_caption": "{category}: informasjonskapslar og lagring",
    "columns": {"name": "Namn", "provider": "Leverandør", "purpose": "Føremål",
                "lifetime": "Lagringstid", "type": "Type", "party": "Part", "domain": "Domene"},
    "categories": {
        "necessary": ("Naudsynte", "Trengst for at nettstaden skal verke og vere trygg, til dømes "
                      "innlogging, handlekorg, lastbalansering og å hugse valet du har teke om "
                      "informasjonskapslar."),
        "functional": ("Funksjonelle", "Hugsar val du har gjort, som språk eller vising, og gjev "
                       "funksjonar som innebygde kart og videoar."),
        "analytics": ("Analyse og statistikk", "Viser oss korleis nettstaden blir brukt, kva sider som "
                      "blir besøkte og kvar det oppstår feil, slik at vi kan gjere han betre."),
        "marketing": ("Marknadsføring", "Blir brukte av oss og annonsepartnarane våre til å måle "
                      "effekten av annonsar og vise deg meir relevante annonsar, òg på andre "
                      "nettstader."),
        "unclassified": ("Uklassifiserte", "Dette fann vi under gjennomgangen, men vi har enno ikkje "
                         "fastslått kva det blir brukt til. Til det er gjort, handsamar vi det som om "
                         "det krev samtykke."),
    },
    "legal_basis": {
        "exempt": "Unnateke frå kravet om samtykke etter ekomlova § 3-15 fordi lagringa er strengt "
                  "naudsynt for å levere tenesta du har bede om.",
        "consent": "Samtykke. Vi lagrar berre dette om du seier ja (ekomlova § 3-15), og handsaminga "
                   "av opplysningane byggjer på samtykket ditt etter personvernforordninga (GDPR) "
                   "art. 6 nr. 1 bokstav a.",
    },
    "unknown_provider": "Ukjend",
    "no_purpose": "Ikkje skildra enno",
    "pixel_purpose": "Fortel leverandøren at du har besøkt sida, utan å lagre noko i nettlesaren din.",
    "units": {"session": "Økt", "no_expiry": "Inga utløpsdato", "not_stored": "Blir ikkje lagra",
              "minute": ("minutt", "minutt"), "hour": ("time", "timar"), "day": ("dag", "dagar"),
              "month": ("månad", "månader"), "year": ("år", "år")},
    "panel": {
        "title": "Samtykket ditt",
        "none": "Du har ikkje teke stilling til informasjonskapslar på denne nettstaden enno.",
        "accepted": "Godteke", "rejected": "Avslått", "always": "Alltid på",
        "consent_id": "Samtykke-ID", "date": "Dato",
        "change": "Endre samtykke", "withdraw": "Trekk attende samtykke",
        "withdrawn": "Samtykket ditt er trekt attende.",
    },
    "policy": {
        "title": "Informasjonskapslar",
        "intro": "{site} brukar informasjonskapslar og liknande teknologiar. Naudsynte lagrar vi utan "
                 "samtykke; alle andre kategoriar berre når du har sagt ja. Desse kategoriane er i bruk:",
        "providers": "Leverandørar",
        "change_title": "Slik endrar eller trekkjer du attende samtykket",
        "change": "Du kan når som helst endre eller trekkje attende samtykket ditt via lenkja "
                  "«Innstillingar for informasjonskapslar» nedst på sidene våre. Samtykket blir lagra "
                  "i nettlesaren din og gjeld til du endrar det, eller til vi spør på nytt fordi noko "
                  "er endra.",
        "full_list": "Den fullstendige oversikta over kvar einskild informasjonskapsel finn du i "
                     "erklæringa om informasjonskapslar:",
    },
    "generated_by": "Laga av consentkit ut frå skanning av nettstaden.",
    "privacy_policy": "Personvernerklæring",
    "languages_label": "Språk",
}

_EN: dict[str, Any] = {
    "language_name": "English",
    "title": "Cookies and storage",
    "intro": [
        "Cookies are small text files that a website stores in your browser. Websites can also store "
        "information in other ways, such as the browser's local storage (localStorage and "
        "sessionStorage), or load tiny images (tracking pixels) that tell a third party you have "
        "visited. We cover all of these here.",
        "What is strictly necessary for {site} to work, we store without asking. Everything else we "
        "store only if you have said yes to that category. You can change or withdraw your consent at "
        "any time, and doing so is as easy as giving it.",
        "The list below is generated automatically from what we found the last time we went through "
        "the site.",
    ],
    "scan_info": "Based on a scan of {url} on {date}. Revision {revision}.",
    "not_scanned": "The site has not been scanned yet, so the list is empty.",
    "nothing_found": "The scan found no cookies or other storage.",
    "legal_basis_label": "Legal basis",
    "table_caption": "{category}: cookies and storage",
    "columns": {"name": "Name", "provider": "Provider", "purpose": "Purpose",
                "lifetime": "Lifetime", "type": "Type", "party": "Party", "domain": "Domain"},
    "categories": {
        "necessary": ("Strictly necessary", "Needed for the site to work and stay secure, such as "
                      "signing in, the shopping basket, load balancing and remembering your cookie "
                      "choice."),
        "functional": ("Functional", "Remember choices you have made, such as language or layout, and "
                       "provide features such as embedded maps and videos."),
        "analytics": ("Analytics", "Show us how the site is used, which pages are visited and where "
                      "errors happen, so that we can improve it."),
        "marketing": ("Marketing", "Used by us and our advertising partners to measure how ads "
                      "perform and to show you more relevant ads, also on other websites."),
        "unclassified": ("Unclassified", "We found these during the scan but have not yet established "
                         "what they are for. Until we have, we treat them as needing your consent."),
    },
    "legal_basis": {
        "exempt": "Exempt from consent under the Norwegian Electronic Communications Act "
                  "(ekomloven) § 3-15, because the storage is strictly necessary to provide the "
                  "service you asked for.",
        "consent": "Consent. We only store these if you say yes (ekomloven § 3-15), and the processing "
                   "of the information is based on your consent under GDPR art. 6(1)(a).",
    },
    "kinds": {"cookie": "HTTP cookie", "localStorage": "localStorage",
              "sessionStorage": "sessionStorage", "indexedDB": "IndexedDB", "pixel": "Pixel"},
    "parties": {"first": "First party", "third": "Third party"},
    "unknown_provider": "Unknown",
    "no_purpose": "Not described yet",
    "pixel_purpose": "Tells the provider that you visited the page, without storing anything in your "
                     "browser.",
    "units": {"session": "Session", "no_expiry": "No expiry", "not_stored": "Not stored",
              "minute": ("minute", "minutes"), "hour": ("hour", "hours"), "day": ("day", "days"),
              "month": ("month", "months"), "year": ("year", "years")},
    "months": ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"),
    "date": "{day} {month} {year}",
    "panel": {
        "title": "Your consent",
        "none": "You have not made a choice about cookies on this site yet.",
        "accepted": "Accepted", "rejected": "Rejected", "always": "Always on",
        "consent_id": "Consent ID", "date": "Date",
        "change": "Change consent", "withdraw": "Withdraw consent",
        "withdrawn": "Your consent has been withdrawn.",
    },
    "policy": {
        "title": "Cookies",
        "intro": "{site} uses cookies and similar technologies. Strictly necessary ones we store "
                 "without consent; every other category only once you have said yes. These "
                 "categories are in use:",
        "providers": "Providers",
        "change_title": "How to change or withdraw your consent",
        "change": "You can change or withdraw your consent at any time through the \"Cookie "
                  "settings\" link at the bottom of our pages. Your choice is stored in your browser "
                  "and lasts until you change it, or until we ask again because something has changed.",
        "full_list": "The full list of every single cookie is in the cookie declaration:",
    },
    "generated_by": "Generated by consentkit from a scan of the site.",
    "privacy_policy": "Privacy policy",
    "languages_label": "Language",
}

TEXTS: dict[str, dict[str, Any]] = {"nb": _NB, "nn": _NN, "en": _EN}


def texts(lang: str) -> dict[str, Any]:
    """The texts of one language; an unknown code is a programming error, not a visitor's."""
    return TEXTS[lang]


def legal_basis_key(category: str) -> str:
    """Only strictly necessary storage is exempt; unclassified items are treated as needing consent."""
    return "exempt" if category == "necessary" else "consent"


def _count(lang: str, unit: str, number: int) -> str:
    singular, plural = TEXTS[lang]["units"][unit]
    return f"{number} {singular if number == 1 else plural}"


def lifetime_words(seconds: float | None, kind: str, lang: str) -> str:
    """How long an item is kept, rounded the way a person would say it ("13 måneder", not 400 days).

    Browsers cap cookies at 400 days, so a scanned `_ga` reads 13 months although Google sets 2 years:
    we describe what the visitor's browser actually keeps.
    """
    units = TEXTS[lang]["units"]
    if kind == "pixel":
        return units["not_stored"]
    if kind in ("localStorage", "indexedDB") and seconds is None:
        return units["no_expiry"]
    if seconds is None or seconds <= 0 or kind == "sessionStorage":
        return units["session"]
    minutes = round(seconds / 60)
    if minutes < 60:
        return _count(lang, "minute", max(minutes, 1))
    hours = round(seconds / 3600)
    if hours < 24:
        return _count(lang, "hour", hours)
    days = round(seconds / 86400)
    if days < 45:
        return _count(lang, "day", days)
    months = round(days / (365.2425 / 12))
    if months % 12 == 0:
        return _count(lang, "year", months // 12)
    return _count(lang, "month", months)


def date_words(value: datetime | None, lang: str) -> str:
    """A date as written in running text ("6. juni 2025", "6 June 2025")."""
    if value is None:
        return ""
    t = TEXTS[lang]
    return t["date"].format(day=value.day, month=t["months"][value.month - 1], year=value.year)
