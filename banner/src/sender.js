// The sender of the outbox (outbox.js stores): one record at a time, oldest first, with backoff and
// Retry-After, each with its consent ID's latest receipt (see outbox.js). Part of the lazily loaded chunk
// (view.js), which the core fetches whenever a record is waiting to be sent.
import { FINAL } from "./constants.js";
import { receiptFor, saveConsent } from "./consent.js";
import { read, write } from "./outbox.js";

const IN_FLIGHT = 5e3;
const MAX_DELAY = 36e5;

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
  post(state.cfg.endpoint, body).then(([status, wait, json]) => {
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
function post(endpoint, body) {
  return fetch(endpoint, {
    method: "POST", keepalive: true, credentials: "include", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }).then(
    (r) => r.json().catch(() => null).then((json) => [r.status, 1e3 * (parseInt(r.headers.get("Retry-After"), 10) || 0), json]),
    () => [0, 0, null],
  );
}
