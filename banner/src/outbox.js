// The outbox: every consent record waits in localStorage until the server has stored it (201) or refused
// it as invalid, and is sent again with backoff in the meantime, on this page and on later page loads.
//
// Records go out one at a time, oldest first, each with the latest receipt of its consent ID: the server
// appends to a visitor's history only for the holder of that receipt (docs/contracts.md). A retry sends the
// same body, with the receipt of its first try and the entry's random ID (`record_id`), so that the server
// recognises a record it stored while the answer got lost (a page left mid-request, a dropped connection).
// Entries belong to a site (its key), not to an endpoint URL, so a moved server still gets them. A tab
// sending an entry marks it; every tab waits for it (the order must hold) for at most IN_FLIGHT ms, after
// which the sender is taken to be gone and the entry is sent again.
import { FINAL, QUEUE_KEY } from "./constants.js";
import { receiptFor, saveConsent, uuid } from "./consent.js";

const IN_FLIGHT = 5e3;
const MAX_DELAY = 36e5;
const MAX_ENTRIES = 50;

/** @returns {Array<{q: string, s: string, b: object, n: number, a: number, f?: number}>} every site's entries */
function read(state) {
  try {
    const q = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
    return Array.isArray(q) ? q.filter((e) => e && e.b && typeof e.b === "object").map((e) => adopt(state, e)) : [];
  } catch (e) {
    return state.mem;
  }
}

/** An entry of the older format ({e: endpoint, b: body}) belongs to the site its endpoint names. */
function adopt(state, e) {
  if (!e.s && typeof e.e === "string" && e.e.includes("/sites/" + state.cfg.siteKey + "/")) e.s = state.cfg.siteKey;
  if (!e.q) e.q = uuid();
  return e;
}

function write(state, queue) {
  state.mem = queue.slice(-MAX_ENTRIES);
  try {
    if (queue.length) localStorage.setItem(QUEUE_KEY, JSON.stringify(state.mem));
    else localStorage.removeItem(QUEUE_KEY);
  } catch (e) {
    // storage disabled (privacy mode): the entries live as long as this page, in state.mem
  }
}

/** @returns {boolean} whether this site has records the server has not stored yet */
export function pending(state) {
  return read(state).some((e) => e.s === state.cfg.siteKey);
}

/**
 * Adds a record to the outbox and sends what is due. Without an endpoint nothing is logged.
 * @param {object} state
 * @param {object} body the consent POST body (consent.js `payload`)
 */
export function enqueue(state, body) {
  if (!state.cfg.endpoint) return;
  write(state, read(state).concat({ q: uuid(), s: state.cfg.siteKey, b: body, n: 0, a: 0 }));
  pump(state);
}

/**
 * Sends this site's oldest entry when it is due, and the next one after it; waits for the earliest due time.
 * @param {object} state
 */
export function pump(state) {
  if (state.sending || !state.cfg.endpoint) return;
  const now = Date.now();
  const entry = read(state).find((e) => e.s === state.cfg.siteKey);
  if (!entry) return;
  const due = Math.max(entry.n || 0, (entry.f || 0) + IN_FLIGHT);
  if (due > now) {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => pump(state), due - now);
    return;
  }
  // The receipt of the first try, kept for every retry: a stored record is then recognised, not doubled.
  const receipt = "x" in entry ? entry.x : receiptFor(state, entry.b.consent_id);
  update(state, entry.q, (e) => {
    e.f = now;
    e.x = receipt;
  });
  state.sending = true;
  const body = Object.assign({}, entry.b, { receipt, record_id: entry.q });
  send(state.cfg.endpoint, body).then(([status, wait, json]) => {
    state.sending = false;
    if (status === 201) stored(state, entry, json);
    if (FINAL.includes(status)) {
      if (status !== 201) console.warn("[consentkit] the server refused a consent record", status, json);
      update(state, entry.q, null);
    } else {
      update(state, entry.q, (e) => {
        e.a = (e.a || 0) + 1;
        e.f = 0;
        e.n = Date.now() + Math.max(wait, Math.min(MAX_DELAY, 1e3 * 2 ** (e.a - 1)) * (0.8 + Math.random() * 0.4));
      });
    }
    pump(state);
  });
}

/** Changes (or with null, removes) the entry with id q, re-reading the outbox first: other tabs write it too. */
function update(state, q, change) {
  const queue = read(state);
  const i = queue.findIndex((e) => e.q === q);
  if (i < 0) return;
  if (change) change(queue[i]);
  else queue.splice(i, 1);
  write(state, queue);
}

/**
 * A 201: keep the receipt with the consent. When the server started a new consent ID (this browser had no
 * valid latest receipt for the old one), the consent and every entry still waiting move to that ID.
 */
function stored(state, entry, json) {
  const old = entry.b.consent_id;
  const id = json && typeof json.consent_id === "string" ? json.consent_id : old;
  if (id !== old) {
    write(state, read(state).map((e) => {
      if (e.s === entry.s && e.b.consent_id === old && !("x" in e)) e.b.consent_id = id;
      return e;
    }));
    if (state.knownId === old) state.knownId = id;
  }
  const c = state.consent;
  if (!c || (c.consentId !== old && c.consentId !== id)) return;
  c.consentId = id;
  if (json && typeof json.receipt === "string") c.receipt = json.receipt;
  saveConsent(state.cfg, c);
}

/**
 * POSTs one record.
 * @returns {Promise<[number, number, any]>} status (0: no answer), milliseconds Retry-After asks for, JSON body
 */
function send(endpoint, body) {
  return fetch(endpoint, {
    method: "POST", keepalive: true, credentials: "include", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }).then(
    (r) => r.json().catch(() => null).then((json) => [r.status, 1e3 * (parseInt(r.headers.get("Retry-After"), 10) || 0), json]),
    () => [0, 0, null],
  );
}
