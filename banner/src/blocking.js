// Prior blocking: tagged elements are held until their category is granted; auto-blocking (hooks.js) holds
// scripts and iframes from tracker hosts (the site's `hosts` and every host of the knowledge base,
// `trackers`) that other scripts add later. No consent logic here: it asks `granted()` and calls
// `state.act.allow()`.
//
// Limits of auto-blocking (documented in banner/README.md): it catches scripts and iframes created with
// document.createElement, inserted by the parser, and inside HTML given to innerHTML, outerHTML,
// insertAdjacentHTML, Range#createContextualFragment and document.write; not requests made with
// fetch/XHR/sendBeacon, `new Image()` pixels, elements made by another document's createElement,
// or a parser-inserted script that the browser runs before the MutationObserver sees it.
import { ATTR, HELD, HOOKS, NECESSARY, OPTIONAL } from "./constants.js";
import { installHooks } from "./hooks.js";
import { decode, holds } from "./hostsets.js";
import { granted, safe } from "./util.js";

/**
 * The category an element is tagged with, or null (one console warning per unknown name: it stays blocked).
 * @param {object} state
 * @param {Element} el
 * @returns {string | null}
 */
function categoryOf(state, el) {
  const c = el.getAttribute(ATTR);
  if (c === NECESSARY || state.cfg.categories.includes(c)) return c;
  // A tracker of a category the site does not ask for: held, quietly, for good (nobody can consent).
  if (el.hasAttribute(ATTR + "-auto") && OPTIONAL.includes(c)) return null;
  if (!state.warned[c]) {
    state.warned[c] = 1;
    console.warn("[consentkit] unknown category \"" + c + "\": the element stays blocked");
  }
  return null;
}

/**
 * The category whose configured hosts include the URL's host (or a parent of it), or null.
 * @param {object} state
 * @param {string} url
 * @returns {string | null}
 */
export function hostCategory(state, url) {
  let host;
  try {
    host = new URL(url, location.href).hostname;
  } catch (e) {
    return null;
  }
  if (host === location.hostname) return null; // the page's own scripts are never held
  const hosts = state.cfg.hosts;
  for (const c of state.cfg.categories) {
    for (const x of Array.isArray(hosts[c]) ? hosts[c] : []) if (host === x || host.endsWith("." + x)) return c;
  }
  for (const c of OPTIONAL) if (state.sets[c] && holds(state.sets[c], host)) return c;
  return null;
}

/** @returns {string | null} the category to hold a URL for: matched and not granted */
function heldCategory(state, url) {
  const c = hostCategory(state, url);
  return c && !granted(state, c) ? c : null;
}

/**
 * Takes over the hooks (the stub's, or new ones without a stub): decisions are now the core's, and
 * what the stub held while waiting gets its category, or "necessary" (released by the next scan).
 * Also keeps the original createElement in `state.create` for the banner's own use.
 * @param {object} state
 */
export function installBlocking(state) {
  const trackers = state.cfg.trackers || {};
  for (const c of OPTIONAL) if (trackers[c]) state.sets[c] = decode(trackers[c]);
  const decide = (url) => heldCategory(state, url);
  const H = window[HOOKS] || installHooks(decide);
  H.decide = decide;
  H.added = safe((n) => added(state, n));
  state.create = H.create;
  for (const el of H.waiting.splice(0)) {
    const c = hostCategory(state, el.getAttribute(el.tagName === "SCRIPT" ? "src" : "data-src"));
    el.setAttribute(ATTR, c || NECESSARY);
    if (!c) el.removeAttribute(ATTR + "-auto");
  }
}

/**
 * Once the document is parsed, runs or placeholds tagged elements as they are inserted (before that,
 * the scan at DOMContentLoaded does it in document order).
 * @param {object} state
 * @param {Element} n
 */
function added(state, n) {
  if (document.readyState === "loading") return;
  if (n.matches(HELD)) handle(state, n);
  for (const el of n.querySelectorAll(HELD)) handle(state, el);
}

/**
 * Runs, in document order, every held element whose category is granted; puts placeholders on held
 * iframes and videos of the other categories.
 * @param {object} state
 */
export function scan(state) {
  for (const el of document.querySelectorAll(HELD)) handle(state, el);
}

/** Releases one held element if its category is granted, else gives it a placeholder. */
function handle(state, el) {
  const c = categoryOf(state, el);
  if (!c) return;
  const tag = el.tagName;
  if (!granted(state, c)) {
    if (tag !== "IFRAME" && tag !== "VIDEO") return;
    if (state.view) state.view.placeholder(state, el, c);
    else state.needView(); // a returning visitor's page with a held frame: its placeholder is in the view
  } else if (tag !== "SCRIPT") {
    release(state, el);
  } else if (!state.queued.has(el)) {
    state.queued.add(el);
    state.chain = state.chain.then(() => runScript(state, el));
  }
}

/**
 * Replaces a held script by a live copy (with the banner's nonce) and resolves once it has run, so
 * that external scripts keep document order.
 * @param {object} state
 * @param {HTMLScriptElement} old
 * @returns {Promise<void>}
 */
function runScript(state, old) {
  return new Promise((done) => {
    if (!old.isConnected) return done();
    const s = state.create("script");
    for (const a of Array.from(old.attributes)) {
      if (a.name !== "type" && a.name !== "data-type" && !a.name.startsWith(ATTR)) s.setAttribute(a.name, a.value);
    }
    const type = old.getAttribute("data-type");
    if (type) s.setAttribute("type", type);
    if (state.nonce) s.nonce = state.nonce;
    s.text = old.text;
    if (old.onload) s.onload = old.onload;
    if (old.onerror) s.onerror = old.onerror;
    const external = s.hasAttribute("src");
    if (external) {
      s.addEventListener("load", () => done());
      s.addEventListener("error", () => done());
    }
    old.replaceWith(s);
    if (!external) done();
  });
}

/** Gives a granted iframe, image or video its source back and drops its placeholder. */
function release(state, el) {
  const ph = state.ph.get(el);
  if (ph) ph.remove();
  state.ph.delete(el);
  const src = el.getAttribute("data-src");
  el.removeAttribute("data-src");
  el.setAttribute("src", src);
}
