// The consent record: reading and validating the stored cookie, saving it, and the body logged to the backend
// (sending it is outbox.js).
import { DAY, METHODS } from "./constants.js";
import { readCookies, writeCookie } from "./cookies.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A random UUID v4; works outside secure contexts too, where crypto.randomUUID is missing.
 * @returns {string}
 */
export function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  return Array.from(b, (n) => (n + 256).toString(16).slice(1)).join("")
    .replace(/(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
}

/**
 * One consent cookie value as a record, or null when it is corrupt or foreign.
 * @param {string} raw the URI-encoded JSON {i, c, r, t, m, x} (docs/contracts.md)
 * @returns {{i: string, c: object, r: number, t: number, m: string, x?: string} | null}
 */
function parse(raw) {
  try {
    const d = JSON.parse(decodeURIComponent(raw));
    return d && typeof d === "object" && UUID.test(d.i) && typeof d.t === "number" && d.c && typeof d.c === "object" &&
      METHODS.includes(d.m) ? d : null;
  } catch (e) {
    return null;
  }
}

/**
 * The newest well-formed consent cookie. The script and the server may each have written one (the server's on
 * the parent domain, where the API shares it): both have this format, and the later decision wins.
 * @param {object} cfg
 * @returns {object | null}
 */
function newest(cfg) {
  let best = null;
  for (const raw of readCookies(cfg.cookieName)) {
    const d = parse(raw);
    if (d && (!best || d.t > best.t)) best = d;
  }
  return best;
}

/**
 * Reads the stored consent. A corrupted or foreign cookie gives nothing; a well-formed one of another
 * revision, expired, or lacking a category gives only its ID and receipt (kept so the visitor's records link up).
 * @param {object} cfg normalised site config
 * @param {number} now epoch milliseconds
 * @returns {{consent?: object, id?: string, receipt?: string}}
 */
export function loadConsent(cfg, now) {
  const d = newest(cfg);
  if (!d) return {};
  const known = { id: d.i, receipt: typeof d.x === "string" ? d.x : null };
  const choices = {};
  for (const c of cfg.categories) {
    if (typeof d.c[c] !== "boolean") return known;
    choices[c] = d.c[c];
  }
  if (d.r !== cfg.revision || d.t > now + DAY || now - d.t > cfg.lifetimeDays * DAY) return known;
  return Object.assign(known, {
    consent: { consentId: d.i, choices, revision: d.r, date: d.t, method: d.m, receipt: known.receipt },
  });
}

/**
 * The latest receipt this browser holds for a consent ID (another tab may have stored a newer one).
 * @param {object} state
 * @param {string} id
 * @returns {string | null}
 */
export function receiptFor(state, id) {
  const d = newest(state.cfg);
  if (d && d.i === id && typeof d.x === "string") return d.x;
  const c = state.consent;
  return (c && c.consentId === id && c.receipt) || (state.knownId === id && state.knownReceipt) || null;
}

/**
 * Stores the consent in the first-party cookie.
 * @param {object} cfg normalised site config
 * @param {{consentId: string, choices: object, revision: number, date: number, method: string, receipt?: string}} consent
 */
export function saveConsent(cfg, consent) {
  const value = { i: consent.consentId, c: consent.choices, r: consent.revision, t: consent.date, m: consent.method };
  if (consent.receipt) value.x = consent.receipt;
  writeCookie(cfg.cookieName, encodeURIComponent(JSON.stringify(value)), cfg.lifetimeDays, cfg.cookieDomain);
}

/**
 * The consent as the public API shows it; `receipt` is the server's signed proof of the latest record it stored.
 * @param {object | null} consent
 * @returns {{consentId: string, choices: object, revision: number, date: string, method: string,
 *   receipt: string | null} | null}
 */
export function publicConsent(consent) {
  return consent && {
    consentId: consent.consentId, choices: Object.assign({}, consent.choices), revision: consent.revision,
    date: new Date(consent.date).toISOString(), method: consent.method, receipt: consent.receipt || null,
  };
}

/**
 * The body of the consent POST (contracts.md), without its receipt: the outbox adds the latest one when it sends.
 * @param {object} state the banner state
 * @param {object} consent
 * @returns {object}
 */
export function payload(state, consent) {
  return {
    consent_id: consent.consentId, choices: Object.assign({}, consent.choices), method: consent.method,
    revision: consent.revision, language: state.lang, page_url: location.origin + location.pathname,
    banner_version: state.cfg.bannerVersion, gpc: navigator.globalPrivacyControl === true,
  };
}
