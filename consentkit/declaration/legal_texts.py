"""The declaration's legal words in Bokmål, Nynorsk and English: GDPR art. 7 and 13, ekomloven § 3-15.

Who the controller is, which providers get data and on what basis it leaves the EEA, how to
withdraw consent, what the consent log keeps and why, and the right to complain to Datatilsynet.
Merged into `texts.TEXTS`; `legal.py` fills in the site's own facts.
"""

from __future__ import annotations

from typing import Any

DATATILSYNET_URL = "https://www.datatilsynet.no/"

_NB: dict[str, Any] = {
    "controller": {
        "title": "Behandlingsansvarlig",
        "text": "{name} er behandlingsansvarlig for opplysningene som samles inn gjennom "
                "informasjonskapslene på nettstedet.",
        "org_number": "Organisasjonsnummer: {org_number}.",
        "address": "Adresse: {address}.",
        "email": "Spørsmål om personvern kan du sende til {email}.",
    },
    "withdraw": {
        "title": "Slik endrer eller trekker du tilbake samtykket",
        "text": "Du kan når som helst endre eller trekke tilbake samtykket ditt, like enkelt som du ga "
                "det: bruk lenken under eller knappen for informasjonskapsler nederst på sidene våre. "
                "Tilbaketrekking påvirker ikke lovligheten av behandlingen før du trakk samtykket "
                "tilbake (GDPR art. 7 nr. 3).",
        "link": "Endre eller trekk tilbake samtykket",
    },
    "providers": {
        "title": "Leverandører og overføring ut av EØS",
        "intro": "Disse leverandørene får opplysninger gjennom informasjonskapslene, lagringen eller "
                 "sporingspikslene på nettstedet:",
        "place": "– {company}, {country}.",
        "transfer": "Opplysningene kan overføres ut av EØS på grunnlag av {bases}.",
        "privacy": "Leverandørens personvernerklæring",
        "and": "og",
        "bases": {
            "dpf": "EU–US Data Privacy Framework, som selskapet er sertifisert under (GDPR art. 45)",
            "scc": "EU-kommisjonens standard personvernbestemmelser (GDPR art. 46)",
            "adequacy": "en beslutning fra EU-kommisjonen om at landet har et tilstrekkelig "
                        "beskyttelsesnivå (GDPR art. 45)",
            "bcr": "bindende virksomhetsregler (GDPR art. 47)",
        },
    },
    "storage": "Lagringstiden er den lengste tiden hver informasjonskapsel kan bli liggende i "
               "nettleseren din. Du kan når som helst slette dem selv i nettleserens innstillinger.",
    "consent_log": {
        "title": "Slik dokumenterer vi samtykket ditt",
        "text": "Når du tar et valg i banneret, lagrer vi valget i en logg, slik at vi kan vise at du "
                "har samtykket (GDPR art. 7 nr. 1). Loggen inneholder en tilfeldig samtykke-ID, valget "
                "for hver kategori, tidspunktet, hvilken versjon av teksten du så, språket, adressen "
                "til siden du var på og hvilken nettleser du brukte{ip} Vi oppbevarer loggen i "
                "{retention} og sletter den deretter. Grunnlaget er vår rettslige plikt til å kunne "
                "dokumentere samtykket (GDPR art. 6 nr. 1 bokstav c, jf. art. 7 nr. 1). Valget ditt "
                "lagres også i informasjonskapselen {cookie} i nettleseren din.",
        "ip": {"truncate": ", og IP-adressen din med de siste sifrene fjernet, slik at den ikke peker "
                           "ut én enkelt maskin.",
               "hash": ", og en nøklet kontrollsum av IP-adressen din i stedet for selve adressen.",
               "none": ". IP-adressen din lagres ikke."},
    },
    "complaint": {
        "title": "Rettighetene dine",
        "text": "Du har rett til innsyn i, retting og sletting av opplysningene om deg. Mener du at vi "
                "behandler personopplysninger i strid med regelverket, kan du klage til "
                "Datatilsynet.",
        "link": "Datatilsynet",
    },
    "policy": {
        "title": "Informasjonskapsler",
        "intro": "{site} bruker informasjonskapsler og lignende teknologier. Nødvendige lagrer vi uten "
                 "samtykke; alle andre kategorier bare når du har sagt ja. Disse kategoriene er i bruk:",
        "providers": "Leverandører",
        "full_list": "Den fullstendige oversikten over hver enkelt informasjonskapsel finner du i "
                     "erklæringen om informasjonskapsler:",
    },
}

_NN: dict[str, Any] = {
    "controller": {
        "title": "Behandlingsansvarleg",
        "text": "{name} er behandlingsansvarleg for opplysningane som blir samla inn gjennom "
                "informasjonskapslane på nettstaden.",
        "org_number": "Organisasjonsnummer: {org_number}.",
        "address": "Adresse: {address}.",
        "email": "Spørsmål om personvern kan du sende til {email}.",
    },
    "withdraw": {
        "title": "Slik endrar eller trekkjer du attende samtykket",
        "text": "Du kan når som helst endre eller trekkje attende samtykket ditt, like enkelt som du "
                "gav det: bruk lenkja under eller knappen for informasjonskapslar nedst på sidene "
                "våre. Trekkjer du attende samtykket, påverkar ikkje det lovlegheita av handsaminga "
                "før du trekte det attende (GDPR art. 7 nr. 3).",
        "link": "Endre eller trekk attende samtykket",
    },
    "providers": {
        "title": "Leverandørar og overføring ut av EØS",
        "intro": "Desse leverandørane får opplysningar gjennom informasjonskapslane, lagringa eller "
                 "sporingspikslane på nettstaden:",
        "place": "– {company}, {country}.",
        "transfer": "Opplysningane kan bli overførte ut av EØS på grunnlag av {bases}.",
        "privacy": "Personvernerklæringa til leverandøren",
        "and": "og",
        "bases": {
            "dpf": "EU–US Data Privacy Framework, som selskapet er sertifisert under (GDPR art. 45)",
            "scc": "standard personvernføresegner frå EU-kommisjonen (GDPR art. 46)",
            "adequacy": "ei avgjerd frå EU-kommisjonen om at landet har eit tilstrekkeleg "
                        "vernenivå (GDPR art. 45)",
            "bcr": "bindande verksemdsreglar (GDPR art. 47)",
        },
    },
    "storage": "Lagringstida er den lengste tida kvar informasjonskapsel kan bli liggjande i "
               "nettlesaren din. Du kan når som helst slette dei sjølv i innstillingane i nettlesaren.",
    "consent_log": {
        "title": "Slik dokumenterer vi samtykket ditt",
        "text": "Når du gjer eit val i banneret, lagrar vi valet i ein logg, slik at vi kan vise at du "
                "har samtykt (GDPR art. 7 nr. 1). Loggen inneheld ein tilfeldig samtykke-ID, valet "
                "for kvar kategori, tidspunktet, kva versjon av teksten du såg, språket, adressa til "
                "sida du var på og kva nettlesar du brukte{ip} Vi tek vare på loggen i {retention} og "
                "slettar han deretter. Grunnlaget er den rettslege plikta vår til å kunne dokumentere "
                "samtykket (GDPR art. 6 nr. 1 bokstav c, jf. art. 7 nr. 1). Valet ditt blir òg lagra "
                "i informasjonskapselen {cookie} i nettlesaren din.",
        "ip": {"truncate": ", og IP-adressa di med dei siste sifra fjerna, slik at ho ikkje peikar ut "
                           "éi einskild maskin.",
               "hash": ", og ein nøkla kontrollsum av IP-adressa di i staden for sjølve adressa.",
               "none": ". IP-adressa di blir ikkje lagra."},
    },
    "complaint": {
        "title": "Rettane dine",
        "text": "Du har rett til innsyn i, retting og sletting av opplysningane om deg. Meiner du at "
                "vi handsamar personopplysningar i strid med regelverket, kan du klage til "
                "Datatilsynet.",
        "link": "Datatilsynet",
    },
    "policy": {
        "title": "Informasjonskapslar",
        "intro": "{site} brukar informasjonskapslar og liknande teknologiar. Naudsynte lagrar vi utan "
                 "samtykke; alle andre kategoriar berre når du har sagt ja. Desse kategoriane er i bruk:",
        "providers": "Leverandørar",
        "full_list": "Den fullstendige oversikta over kvar einskild informasjonskapsel finn du i "
                     "erklæringa om informasjonskapslar:",
    },
}

_EN: dict[str, Any] = {
    "controller": {
        "title": "Controller",
        "text": "{name} is the controller of the information collected through the cookies on this "
                "site.",
        "org_number": "Organisation number: {org_number}.",
        "address": "Address: {address}.",
        "email": "Questions about privacy can be sent to {email}.",
    },
    "withdraw": {
        "title": "How to change or withdraw your consent",
        "text": "You can change or withdraw your consent at any time, as easily as you gave it: use "
                "the link below or the cookie button at the bottom of our pages. Withdrawing does not "
                "affect the lawfulness of what was done before (GDPR art. 7(3)).",
        "link": "Change or withdraw your consent",
    },
    "providers": {
        "title": "Providers and transfers outside the EEA",
        "intro": "These providers receive information through the cookies, storage or tracking "
                 "pixels on the site:",
        "place": "– {company}, {country}.",
        "transfer": "The information may be transferred outside the EEA on the basis of {bases}.",
        "privacy": "The provider's privacy policy",
        "and": "and",
        "bases": {
            "dpf": "the EU–US Data Privacy Framework, under which the company is certified "
                   "(GDPR art. 45)",
            "scc": "the European Commission's standard contractual clauses (GDPR art. 46)",
            "adequacy": "a decision of the European Commission that the country ensures an adequate "
                        "level of protection (GDPR art. 45)",
            "bcr": "binding corporate rules (GDPR art. 47)",
        },
    },
    "storage": "The lifetime is the longest time each cookie can stay in your browser. You can delete "
               "them yourself at any time in your browser's settings.",
    "consent_log": {
        "title": "How we document your consent",
        "text": "When you make a choice in the banner, we store it in a log so that we can show that "
                "you consented (GDPR art. 7(1)). The log holds a random consent ID, your choice for "
                "each category, the time, which version of the text you saw, the language, the "
                "address of the page you were on and which browser you used{ip} We keep the log for "
                "{retention} and delete it afterwards. The basis is our legal obligation to be able "
                "to demonstrate consent (GDPR art. 6(1)(c), read with art. 7(1)). Your choice is also "
                "stored in the cookie {cookie} in your browser.",
        "ip": {"truncate": ", and your IP address with its last digits removed, so that it does not "
                           "single out one machine.",
               "hash": ", and a keyed checksum of your IP address instead of the address itself.",
               "none": ". Your IP address is not stored."},
    },
    "complaint": {
        "title": "Your rights",
        "text": "You have the right to access, correct and delete the information about you. If you "
                "believe we process personal data in breach of the rules, you can complain to the "
                "Norwegian Data Protection Authority (Datatilsynet).",
        "link": "Datatilsynet",
    },
    "policy": {
        "title": "Cookies",
        "intro": "{site} uses cookies and similar technologies. Strictly necessary ones we store "
                 "without consent; every other category only once you have said yes. These "
                 "categories are in use:",
        "providers": "Providers",
        "full_list": "The full list of every single cookie is in the cookie declaration:",
    },
}

LEGAL: dict[str, dict[str, Any]] = {"nb": _NB, "nn": _NN, "en": _EN}
