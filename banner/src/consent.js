// The consent record: reading and validating the stored cookie, saving it, and logging it to the backend.
import { DAY, METHODS, QUEUE_KEY } from "./constants.js";
import { readCookie, writeCookie } from "./cookies.js";

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
 * Reads the stored consent. A corrupted or foreign cookie gives nothing; a well-formed one of another
 * revision, expired, or lacking a category gives only its ID (kept so the visitor's records link up).
 * @param {object} cfg normalised site config
 * @param {number} now epoch milliseconds
 * @returns {{consent?: object, id?: string}}
 */
export function loadConsent(cfg, now) {
  let d;
  try {
    d = JSON.parse(decodeURIComponent(readCookie(cfg.cookieName) || ""));
  } catch (e) {
    return {};
  }
  if (!d || typeof d !== "object" || !UUID.test(d.i) || typeof d.t !== "number" || !d.c || typeof d.c !== "object" ||
    !METHODS.includes(d.m)) return {};
  const choices = {};
  for (const c of cfg.categories) {
    if (typeof d.c[c] !== "boolean") return { id: d.i };
    choices[c] = d.c[c];
  }
  if (d.r !== cfg.revision || d.t > now + DAY || now - d.t > cfg.lifetimeDays * DAY) return { id: d.i };
  return { id: d.i, consent: { consentId: d.i, choices, revision: d.r, date: d.t, method: d.m } };
}

/**
 * Stores the consent in the first-party cookie.
 * @param {object} cfg normalised site config
 * @param {{consentId: string, choices: object, revision: number, date: number, method: string}} consent
 */
export function saveConsent(cfg, consent) {
  const value = { i: consent.consentId, c: consent.choices, r: consent.revision, t: consent.date, m: consent.method };
  writeCookie(cfg.cookieName, encodeURIComponent(JSON.stringify(value)), cfg.lifetimeDays, cfg.cookieDomain);
}

/**
 * The consent as the public API shows it.
 * @param {object | null} consent
 * @returns {{consentId: string, choices: object, revision: number, date: string, method: string} | null}
 */
export function publicConsent(consent) {
  return consent && {
    consentId: consent.consentId, choices: Object.assign({}, consent.choices), revision: consent.revision,
    date: new Date(consent.date).toISOString(), method: consent.method,
  };
}

/**
 * The body of the consent POST (contracts.md).
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

/**
 * POSTs one record. Resolves true when it needs no retry (sent, or refused as invalid: retrying cannot help).
 * @param {string} endpoint
 * @param {object} body
 * @returns {Promise<boolean>}
 */
function send(endpoint, body) {
  return fetch(endpoint, {
    method: "POST", keepalive: true, credentials: "include", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }).then((r) => r.status < 500, () => false);
}

/** @returns {Array<{e: string, b: object}>} the records waiting to be sent */
function readQueue() {
  try {
    const q = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
    return Array.isArray(q) ? q : [];
  } catch (e) {
    return [];
  }
}

/** @param {Array<{e: string, b: object}>} queue */
function writeQueue(queue) {
  try {
    if (queue.length) localStorage.setItem(QUEUE_KEY, JSON.stringify(queue.slice(-20)));
    else localStorage.removeItem(QUEUE_KEY);
  } catch (e) {
    // storage disabled: the record is lost, the choice still applies locally
  }
}

/**
 * Sends a record; on failure queues it and retries once the browser is back online (or on the next load).
 * Does nothing without an endpoint.
 * @param {string | null} endpoint
 * @param {object} body
 */
export function logConsent(endpoint, body) {
  if (!endpoint) return;
  send(endpoint, body).then((ok) => {
    if (ok) return;
    writeQueue(readQueue().concat({ e: endpoint, b: body }));
    addEventListener("online", () => flushQueue(endpoint), { once: true });
  });
}

/**
 * Sends every queued record for this endpoint; those that fail again stay queued.
 * @param {string | null} endpoint
 */
export function flushQueue(endpoint) {
  const queue = readQueue();
  const mine = queue.filter((q) => q && q.e === endpoint);
  if (!endpoint || !mine.length) return;
  writeQueue(queue.filter((q) => !mine.includes(q)));
  for (const q of mine) logConsent(endpoint, q.b);
}
