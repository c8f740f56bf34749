// The auto-blocking hooks: a createElement hook, a MutationObserver and wrappers of the HTML-string APIs.
// They must be in place before any other script of the page runs, so the inline stub (stub.js) installs
// them and the core takes them over when it arrives (blocking.js); without a stub the core installs them.
// They ask `H.decide(url)` which category to hold a URL for: until the core is here the stub's answer
// is WAIT for every other host (held, decided later), then the core's.
import { ATTR, HOOKS, WAIT } from "./constants.js";

const setAttr = Element.prototype.setAttribute;
const TAGS = /<(script|iframe)/i;

/**
 * Turns an untagged script or iframe into a held one of category c (WAIT: the core will decide).
 * @param {object} H the hooks
 * @param {Element} el
 * @param {string} c
 * @param {string} url
 */
function hold(H, el, c, url) {
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
  if (c === WAIT) H.waiting.push(el);
}

/** Holds, inside a node or fragment, every untagged script and iframe from a held host. */
function holdWithin(H, root) {
  for (const el of root.querySelectorAll("script[src],iframe[src]")) {
    if (el.hasAttribute(ATTR)) continue;
    const src = el.getAttribute("src");
    const c = H.decide(src);
    if (c) hold(H, el, c, src);
  }
}

/** HTML with its tracker scripts and iframes held, parsed in an inert template (no tag: untouched). */
function heldHtml(H, html) {
  if (typeof html !== "string" || !TAGS.test(html)) return html;
  const tpl = H.create("template");
  H.innerHTML.set.call(tpl, html);
  holdWithin(H, tpl.content);
  return H.innerHTML.get.call(tpl);
}

/** Wraps innerHTML, outerHTML, insertAdjacentHTML, createContextualFragment, document.write(ln). */
function guardHtml(H) {
  const P = Element.prototype;
  H.innerHTML = Object.getOwnPropertyDescriptor(P, "innerHTML");
  for (const [proto, prop] of [[P, "innerHTML"], [P, "outerHTML"], [ShadowRoot.prototype, "innerHTML"]]) {
    const d = Object.getOwnPropertyDescriptor(proto, prop);
    if (d && d.set) {
      Object.defineProperty(proto, prop, Object.assign({}, d, { set(v) { d.set.call(this, heldHtml(H, v)); } }));
    }
  }
  const adjacent = P.insertAdjacentHTML;
  P.insertAdjacentHTML = function (where, html) {
    return adjacent.call(this, where, heldHtml(H, html));
  };
  const fragment = Range.prototype.createContextualFragment;
  Range.prototype.createContextualFragment = function (html) {
    const f = fragment.call(this, html);
    holdWithin(H, f);
    return f;
  };
  for (const name of ["write", "writeln"]) {
    const orig = document[name];
    document[name] = function (...parts) {
      return orig.apply(this, parts.map((p) => heldHtml(H, String(p))));
    };
  }
}

/**
 * Makes a script or iframe made by document.createElement hold itself when given a held URL (through
 * `src`, `setAttribute("src")`, and for scripts `type`), whatever order they come in.
 */
function guard(H, el) {
  const proto = Object.getPrototypeOf(el);
  const script = el.tagName === "SCRIPT";
  const src = Object.getOwnPropertyDescriptor(proto, "src");
  const type = Object.getOwnPropertyDescriptor(proto, "type");
  Object.defineProperty(el, "src", {
    configurable: true,
    get: () => src.get.call(el),
    set: (v) => {
      const c = !el.hasAttribute(ATTR) && H.decide(v); // tagged: the owner decided
      if (c) hold(H, el, c, v);
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

/** A node was inserted (by the parser or a script): hold it if its URL is held, then tell the core. */
function added(H, n) {
  if (n.nodeType !== 1) return;
  const src = n.getAttribute("src");
  if ((n.tagName === "SCRIPT" || n.tagName === "IFRAME") && src && !n.hasAttribute(ATTR)) {
    const c = H.decide(src);
    if (c) hold(H, n, c, src);
  }
  if (n.firstElementChild) holdWithin(H, n);
  H.added(n);
}

/**
 * Installs the hooks once per page and returns them (`window[HOOKS]`): `decide(url)` → category to
 * hold for, WAIT or null; `added(node)` after each insertion; `waiting` the elements held with WAIT;
 * `create` the original createElement, for the banner's own elements.
 * @param {(url: string) => string | null} decide
 * @returns {object}
 */
export function installHooks(decide) {
  const doc = document;
  const create = doc.createElement;
  const H = { decide, added() {}, waiting: [], create: (tag) => create.call(doc, tag), cm: false };
  guardHtml(H);
  doc.createElement = function () {
    const el = create.apply(this, arguments);
    if (el instanceof HTMLScriptElement || el instanceof HTMLIFrameElement) {
      try {
        guard(H, el);
      } catch (e) {
        console.error("[consentkit]", e);
      }
    }
    return el;
  };
  new MutationObserver((records) => {
    try {
      for (const r of records) for (const n of r.addedNodes) added(H, n);
    } catch (e) {
      console.error("[consentkit]", e);
    }
  }).observe(doc.documentElement, { childList: true, subtree: true });
  window[HOOKS] = H;
  return H;
}
