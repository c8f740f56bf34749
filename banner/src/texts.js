// Built-in texts (bokmål, nynorsk, English), part of the view chunk. Sites override any key per language.
import { REOPEN } from "./constants.js";

/** Built-in texts by language; `{c}` is replaced by a category name. `reopen` (the floating
 * button's label) falls back to `settings`, which is the same text in every built-in language. */
export const TEXTS = {
  en: {
    title: "We use cookies",
    description: "We use necessary cookies to make this site work. With your consent we also use cookies " +
      "for functionality, statistics and marketing. You can change your choice at any time.",
    accept: "Accept all", reject: "Reject all", customize: "Customize", save: "Save choices",
    settings: REOPEN.en,
    settingsText: "Choose which cookies we may use. Necessary cookies are always on.",
    declaration: "Cookie declaration", privacy: "Privacy policy",
    necessary: "Necessary", necessary_desc: "Needed for the site to work, for example to remember your choices.",
    functional: "Functional", functional_desc: "Remember settings and enable extra features such as chat.",
    analytics: "Statistics", analytics_desc: "Help us understand how the site is used, so we can improve it.",
    marketing: "Marketing", marketing_desc: "Used by us and our partners to show relevant ads.",
    cookies: "Show cookies", name: "Name", provider: "Provider", purpose: "Purpose", lifetime: "Lifetime",
    session: "Session", consentId: "Consent ID", date: "Date",
    pending: "Not recorded by the server yet: your choice applies, and it will be sent again.",
    unclassified: "Not yet classified, so it waits for your consent.",
    gpc: "Turned off by your browser's Global Privacy Control signal.",
    blocked: "This content needs your consent to {c} cookies.", allow: "Allow {c}",
  },
  nb: {
    title: "Vi bruker informasjonskapsler",
    description: "Vi bruker nødvendige informasjonskapsler for at nettstedet skal virke. Med ditt samtykke " +
      "bruker vi også informasjonskapsler til funksjonalitet, statistikk og markedsføring. Du kan når som " +
      "helst endre valget ditt.",
    accept: "Godta alle", reject: "Avvis alle", customize: "Tilpass", save: "Lagre valg",
    settings: REOPEN.nb,
    settingsText: "Velg hvilke informasjonskapsler vi kan bruke. Nødvendige er alltid på.",
    declaration: "Erklæring om informasjonskapsler", privacy: "Personvernerklæring",
    necessary: "Nødvendige", necessary_desc: "Trengs for at nettstedet skal virke, for eksempel for å huske valgene dine.",
    functional: "Funksjonelle", functional_desc: "Husker innstillinger og gir ekstra funksjoner, som chat.",
    analytics: "Statistikk", analytics_desc: "Hjelper oss å forstå hvordan nettstedet brukes, så vi kan gjøre det bedre.",
    marketing: "Markedsføring", marketing_desc: "Brukes av oss og våre partnere til å vise relevante annonser.",
    cookies: "Vis informasjonskapsler", name: "Navn", provider: "Leverandør", purpose: "Formål",
    lifetime: "Varighet", session: "Økt", consentId: "Samtykke-ID", date: "Dato",
    pending: "Ikke registrert hos oss ennå: valget ditt gjelder, og det sendes på nytt.",
    unclassified: "Ikke klassifisert ennå, så den venter på samtykket ditt.",
    gpc: "Avslått av nettleserens GPC-signal (Global Privacy Control).",
    blocked: "Dette innholdet krever samtykke til informasjonskapsler for {c}.", allow: "Tillat {c}",
  },
  nn: {
    title: "Vi brukar informasjonskapslar",
    description: "Vi brukar naudsynte informasjonskapslar for at nettstaden skal verke. Med samtykket ditt " +
      "brukar vi òg informasjonskapslar til funksjonalitet, statistikk og marknadsføring. Du kan når som " +
      "helst endre valet ditt.",
    accept: "Godta alle", reject: "Avvis alle", customize: "Tilpass", save: "Lagre val",
    settings: REOPEN.nn,
    settingsText: "Vel kva informasjonskapslar vi kan bruke. Naudsynte er alltid på.",
    declaration: "Erklæring om informasjonskapslar", privacy: "Personvernerklæring",
    necessary: "Naudsynte", necessary_desc: "Trengst for at nettstaden skal verke, til dømes for å hugse vala dine.",
    functional: "Funksjonelle", functional_desc: "Hugsar innstillingar og gjev ekstra funksjonar, som chat.",
    analytics: "Statistikk", analytics_desc: "Hjelper oss å forstå korleis nettstaden blir brukt, så vi kan gjere han betre.",
    marketing: "Marknadsføring", marketing_desc: "Blir brukte av oss og partnarane våre til å vise relevante annonsar.",
    cookies: "Vis informasjonskapslar", name: "Namn", provider: "Leverandør", purpose: "Føremål",
    lifetime: "Varigheit", session: "Økt", consentId: "Samtykke-ID", date: "Dato",
    pending: "Ikkje registrert hos oss enno: valet ditt gjeld, og det blir sendt på nytt.",
    unclassified: "Ikkje klassifisert enno, så han ventar på samtykket ditt.",
    gpc: "Avslått av GPC-signalet (Global Privacy Control) i nettlesaren din.",
    blocked: "Dette innhaldet krev samtykke til informasjonskapslar for {c}.", allow: "Tillat {c}",
  },
};

/**
 * The texts for a language: English, overlaid by the built-in language, overlaid by the site's own.
 * @param {object} cfg normalised site config
 * @param {string} lang
 * @returns {Record<string, string>}
 */
export function textsFor(cfg, lang) {
  const out = Object.assign({}, TEXTS.en, TEXTS[lang]);
  const own = cfg.texts[lang];
  for (const k in own && typeof own === "object" ? own : {}) if (typeof own[k] === "string") out[k] = own[k];
  return out;
}

/**
 * Fills `{c}` in a text.
 * @param {string} text
 * @param {string} value
 * @returns {string}
 */
export function fill(text, value) {
  return String(text).replace("{c}", value);
}
