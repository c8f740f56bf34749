"""The declaration's words in Bokmål, Nynorsk and English (the legal part is in `legal_texts`).

Kept apart from the templates so that a translator edits one file and every output (hosted page,
embedded script, Markdown, the privacy-policy section) says the same thing. The register follows
what our users write themselves (`shared/seeds/`): plain, first person plural, no legalese beyond
naming the rule that applies. Norwegian text has no English in it: technical names (localStorage)
become Norwegian words, and lifetimes and dates come from CLDR (`consentkit.localformat`).
"""

from __future__ import annotations

from typing import Any

from .legal_texts import LEGAL

LANGUAGES = ("nb", "nn", "en")
SECTIONS = ("necessary", "functional", "analytics", "marketing", "unclassified")

_NB: dict[str, Any] = {
    "language_name": "Bokmål",
    "title": "Informasjonskapsler og lagring",
    "intro": [
        "Informasjonskapsler er små tekstfiler som et nettsted lagrer i nettleseren din. Nettsteder "
        "kan også lagre opplysninger på andre måter, for eksempel i nettleserens lokale lagring, "
        "eller hente små bilder (sporingspiksler) som forteller en tredjepart at du har vært innom. "
        "Her omtaler vi alt dette samlet.",
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
                "lifetime": "Lagringstid", "type": "Type", "party": "Part", "domain": "Domene",
                "seen_on": "Funnet på"},
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
    "kinds": {"cookie": "Informasjonskapsel", "localStorage": "Lokal lagring",
              "sessionStorage": "Øktlagring", "indexedDB": "Nettleserdatabase",
              "pixel": "Sporingspiksel"},
    "parties": {"first": "Førstepart", "third": "Tredjepart"},
    "unknown_provider": "Ukjent",
    # Where no purpose is written in this language: a plain sentence from category and provider.
    "purpose_generated": {
        "necessary": ("Brukes av {provider} for at nettstedet skal virke.",
                      "Trengs for at nettstedet skal virke."),
        "functional": ("Brukes av {provider} til å huske valg og gi funksjoner på nettstedet.",
                       "Husker valg eller gir funksjoner på nettstedet."),
        "analytics": ("Brukes av {provider} til statistikk over hvordan nettstedet brukes.",
                      "Brukes til statistikk over hvordan nettstedet brukes."),
        "marketing": ("Brukes av {provider} til markedsføring og annonser.",
                      "Brukes til markedsføring og annonser."),
        "unclassified": ("Satt av {provider}; formålet er ikke fastslått ennå.",
                         "Formålet er ikke fastslått ennå."),
    },
    "pixel_purpose": "Forteller leverandøren at du har besøkt siden, uten å lagre noe i nettleseren din.",
    "lifetime_capped": "Leverandøren setter {documented}; nettleseren din sletter den etter {measured}.",
    "panel": {
        "title": "Ditt samtykke",
        "none": "Du har ikke tatt stilling til informasjonskapsler på dette nettstedet ennå.",
        "accepted": "Godtatt", "rejected": "Avslått", "always": "Alltid på",
        "consent_id": "Samtykke-ID", "date": "Dato",
        "change": "Endre samtykke", "withdraw": "Trekk tilbake samtykke",
        "withdrawn": "Samtykket ditt er trukket tilbake.",
    },
    "generated_by": "Laget av consentkit ut fra skanning av nettstedet.",
    "privacy_policy": "Personvernerklæring",
    "languages_label": "Språk",
}

_NN: dict[str, Any] = {
    "language_name": "Nynorsk",
    "title": "Informasjonskapslar og lagring",
    "intro": [
        "Informasjonskapslar er små tekstfiler som ein nettstad lagrar i nettlesaren din. Nettstader "
        "kan òg lagre opplysningar på andre måtar, til dømes i den lokale lagringa i nettlesaren, "
        "eller hente små bilete (sporingspikslar) som fortel ein tredjepart at du har vore innom. "
        "Her omtalar vi alt dette samla.",
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
                "lifetime": "Lagringstid", "type": "Type", "party": "Part", "domain": "Domene",
                "seen_on": "Funne på"},
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
    "kinds": {"cookie": "Informasjonskapsel", "localStorage": "Lokal lagring",
              "sessionStorage": "Øktlagring", "indexedDB": "Nettlesardatabase",
              "pixel": "Sporingspiksel"},
    "parties": {"first": "Førstepart", "third": "Tredjepart"},
    "unknown_provider": "Ukjend",
    "purpose_generated": {
        "necessary": ("Blir brukt av {provider} for at nettstaden skal verke.",
                      "Trengst for at nettstaden skal verke."),
        "functional": ("Blir brukt av {provider} til å hugse val og gje funksjonar på nettstaden.",
                       "Hugsar val eller gjev funksjonar på nettstaden."),
        "analytics": ("Blir brukt av {provider} til statistikk over korleis nettstaden blir brukt.",
                      "Blir brukt til statistikk over korleis nettstaden blir brukt."),
        "marketing": ("Blir brukt av {provider} til marknadsføring og annonsar.",
                      "Blir brukt til marknadsføring og annonsar."),
        "unclassified": ("Sett av {provider}; føremålet er ikkje fastslått enno.",
                         "Føremålet er ikkje fastslått enno."),
    },
    "pixel_purpose": "Fortel leverandøren at du har besøkt sida, utan å lagre noko i nettlesaren din.",
    "lifetime_capped": "Leverandøren set {documented}; nettlesaren din slettar han etter {measured}.",
    "panel": {
        "title": "Samtykket ditt",
        "none": "Du har ikkje teke stilling til informasjonskapslar på denne nettstaden enno.",
        "accepted": "Godteke", "rejected": "Avslått", "always": "Alltid på",
        "consent_id": "Samtykke-ID", "date": "Dato",
        "change": "Endre samtykke", "withdraw": "Trekk attende samtykke",
        "withdrawn": "Samtykket ditt er trekt attende.",
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
        "information in other ways, such as the browser's local storage, or load tiny images "
        "(tracking pixels) that tell a third party you have visited. We cover all of these here.",
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
                "lifetime": "Lifetime", "type": "Type", "party": "Party", "domain": "Domain",
                "seen_on": "Seen on"},
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
    "kinds": {"cookie": "Cookie", "localStorage": "Local storage", "sessionStorage": "Session storage",
              "indexedDB": "Browser database", "pixel": "Pixel"},
    "parties": {"first": "First party", "third": "Third party"},
    "unknown_provider": "Unknown",
    "purpose_generated": {
        "necessary": ("Used by {provider} for the site to work.", "Needed for the site to work."),
        "functional": ("Used by {provider} to remember choices and provide features on the site.",
                       "Remembers choices or provides features on the site."),
        "analytics": ("Used by {provider} for statistics on how the site is used.",
                      "Used for statistics on how the site is used."),
        "marketing": ("Used by {provider} for marketing and advertising.",
                      "Used for marketing and advertising."),
        "unclassified": ("Set by {provider}; what it is for has not been established yet.",
                         "What it is for has not been established yet."),
    },
    "pixel_purpose": "Tells the provider that you visited the page, without storing anything in your "
                     "browser.",
    "lifetime_capped": "The provider sets {documented}; your browser deletes it after {measured}.",
    "panel": {
        "title": "Your consent",
        "none": "You have not made a choice about cookies on this site yet.",
        "accepted": "Accepted", "rejected": "Rejected", "always": "Always on",
        "consent_id": "Consent ID", "date": "Date",
        "change": "Change consent", "withdraw": "Withdraw consent",
        "withdrawn": "Your consent has been withdrawn.",
    },
    "generated_by": "Generated by consentkit from a scan of the site.",
    "privacy_policy": "Privacy policy",
    "languages_label": "Language",
}

TEXTS: dict[str, dict[str, Any]] = {lang: {**words, **LEGAL[lang]}
                                    for lang, words in (("nb", _NB), ("nn", _NN), ("en", _EN))}


def texts(lang: str) -> dict[str, Any]:
    """The texts of one language; an unknown code is a programming error, not a visitor's."""
    return TEXTS[lang]


def legal_basis_key(category: str) -> str:
    """Only strictly necessary storage is exempt; unclassified items are treated as needing consent."""
    return "exempt" if category == "necessary" else "consent"
