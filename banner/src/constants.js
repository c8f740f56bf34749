// Every fixed name the banner uses, in one place: change a cookie name or an attribute here only.

/** Version sent with each consent record when the site config does not name one. */
export const VERSION = "0.1.0";
/** The category that is always on and never asked for. */
export const NECESSARY = "necessary";
/** Languages with built-in texts (texts.js); a site may add others through `texts`. */
export const LANGS = ["nb", "nn", "en"];
/** Global under which the hooks live (hooks.js): the stub installs them, the core takes them over. */
export const HOOKS = "__consentkit";
/** Category of what the stub holds before the core is here: the core gives it its own or releases it. */
export const WAIT = "?";
/** The reopen button's label (texts.js's `settings`) in each built-in language: the core shows it. */
export const REOPEN = { en: "Cookie settings", nb: "Innstillinger for informasjonskapsler", nn: "Innstillingar for informasjonskapslar" };
/** Event the view chunk dispatches on document when it has loaded, with its functions as detail. */
export const VIEW_EVENT = "consentkit:view";
/** The optional categories a site may ask for, in the order they are shown. */
export const OPTIONAL = ["functional", "analytics", "marketing"];
/** Attribute naming the category of a held element: `<script type="text/plain" data-consentkit="analytics">`. */
export const ATTR = "data-consentkit";
/** Attribute of any element that reopens the settings on click. */
export const OPEN_ATTR = "data-consentkit-open";
/** localStorage key of the outbox: consent records not yet stored by the server, of every site on this origin. */
export const QUEUE_KEY = "consentkit:queue";
/** Statuses after which a record is not sent again: stored, or refused as invalid (retrying cannot help). */
export const FINAL = [201, 400, 413, 415, 422];
/** How the visitor decided; the consent endpoint accepts exactly these. */
export const METHODS = ["accept_all", "reject_all", "custom", "gpc", "withdraw"];
/** Selector of elements held until their category is granted. */
export const HELD = "script[type='text/plain'][" + ATTR + "],iframe[data-src][" + ATTR + "],img[data-src][" + ATTR +
  "],video[data-src][" + ATTR + "]";
/** Google Consent Mode v2 signals driven by each category. */
export const CM_SIGNALS = {
  analytics: ["analytics_storage"],
  marketing: ["ad_storage", "ad_user_data", "ad_personalization"],
  functional: ["functionality_storage", "personalization_storage"],
};
/** Milliseconds Google tags wait for our consent update. */
export const CM_WAIT = 500;
/** Categories denied by Global Privacy Control, by the site's `gpc` setting. */
export const GPC = { marketing: ["marketing"], marketing_analytics: ["marketing", "analytics"], ignore: [] };
/** Defaults for every optional config field (contracts.md). */
export const DEFAULTS = {
  siteKey: null, endpoint: null, revision: 0, bannerVersion: VERSION, languages: ["nb", "nn", "en"],
  defaultLanguage: "nb", texts: {}, cookies: [], hosts: {}, trackers: {}, consentMode: false, gpc: "marketing",
  cookieName: "consentkit", cookieDomain: null, lifetimeDays: 365, privacyPolicyUrl: null, declarationUrl: null,
  appearance: {}, viewUrl: null, detailsUrl: null,
};
/** One day in milliseconds. */
export const DAY = 864e5;
