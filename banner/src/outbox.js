// The outbox: every consent record waits in localStorage until the server has stored it (201) or refused
// it as invalid, and is sent again with backoff in the meantime, on this page and on later page loads.
// This half (storing) is in the core; the sender (sender.js) comes with the lazily loaded chunk, which
// the core fetches when a record is waiting: a returning visitor with nothing to send fetches neither.
//
// Records go out one at a time, oldest first, each with the latest receipt of its consent ID: the server
// appends to a visitor's history only for the holder of that receipt (docs/contracts.md). A retry sends the
// same body, with the receipt of its first try and the entry's random ID (`record_id`), so that the server
// recognises a record it stored while the answer got lost (a page left mid-request, a dropped connection).
// Entries belong to a site (its key), not to an endpoint URL, so a moved server still gets them. A tab
// sending an entry marks it; every tab waits for it (the order must hold) for at most IN_FLIGHT ms, after
// which the sender is taken to be gone and the entry is sent again.
import { QUEUE_KEY } from "./constants.js";
import { uuid } from "./consent.js";

const MAX_ENTRIES = 50;

/** @returns {Array<{q: string, s: string, b: object, n: number, a: number, f?: number}>} every site's entries */
export function read(state) {
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

export function write(state, queue) {
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
  send(state);
}

/** Sends what is due: at once when the sender is here, else once the chunk that carries it has loaded. */
export function send(state) {
  if (state.view) state.view.pump(state);
  else if (state.cfg.endpoint && pending(state)) state.needView();
}

