// Prior blocking: tagged elements are held until their category is granted; auto-blocking holds scripts
// and iframes from tracker hosts (the site's `hosts` and every host of the knowledge base, `trackers`)
// that other scripts add later. No consent logic here: it asks `granted()` and calls `state.act.allow()`.
//
// Limits of auto-blocking (documented in banner/README.md): it catches scripts and iframes created with
// document.createElement, inserted by the parser, and inside HTML given to innerHTML, outerHTML,
// insertAdjacentHTML, Range#createContextualFragment and document.write; not requests made with
// fetch/XHR/sendBeacon, `new Image()` pixels, elements made by another document's createElement,
// or a parser-inserted script that the browser runs before the MutationObserver sees it.
import { ATTR, HELD, NECESSARY, OPTIONAL } from "./constants.js";
import { decode, holds } from "./hostsets.js";
import { granted, safe } from "./util.js";

const setAttr = Element.prototype.setAttribute;

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

/**
 * Holds, inside a node or fragment, every untagged script and iframe from a held host.
 * @param {object} state
 * @param {ParentNode} root
 */
function holdWithin(state, root) {
  for (const el of root.querySelectorAll("script[src],iframe[src]")) {
    if (el.hasAttribute(ATTR)) continue;
    const src = el.getAttribute("src");
    const c = heldCategory(state, src);
    if (c) hold(el, c, src);
  }
}

const TAGS = /<(script|iframe)/i;

/**
 * HTML with its tracker scripts and iframes held, for the APIs that take HTML strings. Parsed in an inert
 * template; strings without a script or iframe tag are passed on untouched (and cost nothing).
 * @param {object} state
 * @param {*} html
 * @returns {*}
 */
function heldHtml(state, html) {
  if (typeof html !== "string" || !TAGS.test(html)) return html;
  const tpl = state.create("template");
  state.innerHTML.set.call(tpl, html);
  holdWithin(state, tpl.content);
  return state.innerHTML.get.call(tpl);
}

/**
 * Wraps the HTML-string APIs so that what they insert is held like anything else (innerHTML, outerHTML,
 * insertAdjacentHTML, createContextualFragment, document.write and writeln).
 * @param {object} state
 */
function guardHtml(state) {
  const P = Element.prototype;
  state.innerHTML = Object.getOwnPropertyDescriptor(P, "innerHTML");
  for (const [proto, prop] of [[P, "innerHTML"], [P, "outerHTML"], [ShadowRoot.prototype, "innerHTML"]]) {
    const d = Object.getOwnPropertyDescriptor(proto, prop);
    if (d && d.set) {
      Object.defineProperty(proto, prop, Object.assign({}, d, { set(v) { d.set.call(this, heldHtml(state, v)); } }));
    }
  }
  const adjacent = P.insertAdjacentHTML;
  P.insertAdjacentHTML = function (where, html) {
    return adjacent.call(this, where, heldHtml(state, html));
  };
  const fragment = Range.prototype.createContextualFragment;
  Range.prototype.createContextualFragment = function (html) {
    const f = fragment.call(this, html);
    holdWithin(state, f);
    return f;
  };
  for (const name of ["write", "writeln"]) {
    const orig = document[name];
    document[name] = function (...parts) {
      return orig.apply(this, parts.map((p) => heldHtml(state, String(p))));
    };
  }
}

/** @returns {string | null} the category to hold a URL for: matched and not granted */
function heldCategory(state, url) {
  const c = hostCategory(state, url);
  return c && !granted(state, c) ? c : null;
}

/**
 * Turns an untagged script or iframe into a held one of category c.
 * @param {Element} el
 * @param {string} c
 * @param {string} url
 */
function hold(el, c, url) {
  const set = (k, v) => setAttr.call(el, k, v);
  if (el.tagName === "SCRIPT") {
    const type = el.getAttribute("type");
    if (type && type !== "text/plain") set("data-type", type);
    set("type", "text/plain");
    set("src", url);
  } else {
    set("data-src", url);
    el.removeAttribute("src");
  }
  set(ATTR, c);
  set(ATTR + "-auto", "");
}

/**
 * Makes a script or iframe created by document.createElement hold itself when given a URL of a
 * not-granted category (through `src`, `setAttribute("src")`, and for scripts `type`).
 * @param {object} state
 * @param {HTMLScriptElement | HTMLIFrameElement} el
 */
function guard(state, el) {
  const proto = Object.getPrototypeOf(el);
  const script = el.tagName === "SCRIPT";
  const src = Object.getOwnPropertyDescriptor(proto, "src");
  const type = Object.getOwnPropertyDescriptor(proto, "type");
  Object.defineProperty(el, "src", {
    configurable: true,
    get: () => src.get.call(el),
    set: (v) => {
      const c = !el.hasAttribute(ATTR) && heldCategory(state, v); // tagged: the owner decided
      if (c) hold(el, c, v);
      else src.set.call(el, v);
    },
  });
  if (script) {
    Object.defineProperty(el, "type", {
      configurable: true,
      get: () => type.get.call(el),
      set: (v) => (el.hasAttribute(ATTR) ? setAttr.call(el, "data-type", v) : type.set.call(el, v)),
    });
  }
  el.setAttribute = function (k, v) {
    const n = String(k).toLowerCase();
    if (n === "src" || (script && n === "type")) el[n] = v;
    else setAttr.call(el, k, v);
  };
}

/**
 * Installs auto-blocking at once (before the page's own scripts run): a createElement hook and a
 * MutationObserver. Also keeps the original createElement in `state.create` for the banner's own use.
 * @param {object} state
 */
export function installBlocking(state) {
  const doc = document;
  const create = doc.createElement;
  state.create = (tag) => create.call(doc, tag);
  const trackers = state.cfg.trackers || {};
  for (const c of OPTIONAL) if (trackers[c]) state.sets[c] = decode(trackers[c]);
  guardHtml(state);
  doc.createElement = function () {
    const el = create.apply(this, arguments);
    if (el instanceof HTMLScriptElement || el instanceof HTMLIFrameElement) {
      try {
        guard(state, el);
      } catch (e) {
        console.error("[consentkit]", e);
      }
    }
    return el;
  };
  new MutationObserver(safe((records) => {
    for (const r of records) for (const n of r.addedNodes) added(state, n);
  })).observe(doc.documentElement, { childList: true, subtree: true });
}

/**
 * A node was inserted: hold it if it comes from a not-granted host; once the document is parsed, also
 * run or placehold tagged elements (before that, the scan at DOMContentLoaded does it in document order).
 * @param {object} state
 * @param {Node} n
 */
function added(state, n) {
  if (n.nodeType !== 1) return;
  const src = n.getAttribute("src");
  if ((n.tagName === "SCRIPT" || n.tagName === "IFRAME") && src && !n.hasAttribute(ATTR)) {
    const c = heldCategory(state, src);
    if (c) hold(n, c, src);
  }
  if (n.firstElementChild) holdWithin(state, n);
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
    if ((tag === "IFRAME" || tag === "VIDEO") && state.view) state.view.placeholder(state, el, c);
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
