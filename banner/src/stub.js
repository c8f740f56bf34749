// Entry of the inline stub (static/consentkit-stub.js, pasted into <head> by consentkit/snippet.py): what
// must be in force before any other script of the page runs, and nothing else. It sets Consent Mode's
// default (every signal denied) when the snippet says so, and installs the auto-blocking hooks, which
// hold every script and iframe of another host until the core (consent.js, loaded `async` by the next
// tag of the snippet) decides: it holds trackers and releases the rest (docs/contracts.md). A first
// visit (no consent cookie) will show the banner, so the stub fetches its view beside the core rather
// than after it (one round trip less before the banner shows), but only once the page has painted:
// reading the cookie and starting a request cost ~3 ms (~12 ms at 4× CPU); the page's paint comes first.
import { HOOKS, WAIT } from "./constants.js";
import { consentDefault } from "./consentmode.js";
import { installHooks } from "./hooks.js";
import { afterPaint } from "./util.js";

(function () {
  if (window[HOOKS]) return;
  const me = document.currentScript;
  let consentHost = "";
  try {
    consentHost = new URL(me.getAttribute("data-origin"), location.href).hostname;
  } catch (e) {
    // no origin given: every other host waits for the core, the consent server's too
  }
  /** Until the core is here: another host's script or frame waits; the page's own and ours pass. */
  const decide = (url) => {
    let u;
    try {
      u = new URL(url, location.href);
    } catch (e) {
      return null;
    }
    const host = u.hostname;
    return /^https?:$/.test(u.protocol) && host !== location.hostname && host !== consentHost ? WAIT : null;
  };
  const H = installHooks(decide);
  if (me.hasAttribute("data-consent-mode")) {
    consentDefault();
    H.cm = true;
  }
  const view = me.getAttribute("data-view");
  const cookie = me.getAttribute("data-cookie") || "consentkit";
  let fetching = false;
  /** Fetches the view when this is a first visit (no consent cookie); true when it is on its way. */
  H.fetchView = () => {
    if (!fetching && view && !("; " + document.cookie).includes("; " + cookie + "=")) {
      const s = H.create("script");
      s.src = view;
      s.async = true;
      if (me.nonce) s.nonce = me.nonce;
      document.head.append(s);
      fetching = true;
    }
    return fetching;
  };
  H.afterPaint = afterPaint; // the core boots after the first paint too
  afterPaint(H.fetchView);
})();
