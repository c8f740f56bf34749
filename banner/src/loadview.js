// Loads the view chunk (the banner's layers and texts: view.js, built to consentkit-ui.js) after the core
// has put blocking and Consent Mode in place. The core is what must run before the page's own scripts;
// the view only has to be there by the time the page is parsed, and a returning visitor has it cached.
import { HOOKS, VIEW_EVENT } from "./constants.js";

/**
 * Injects the view's script (with the banner's nonce) and calls `ready(view)` once it has loaded, unless
 * the stub fetches it (a first visit: under /current/, beside the core). `cfg.viewUrl` names it;
 * otherwise it is consentkit-ui.js beside the core's own script.
 * @param {object} state
 * @param {HTMLScriptElement | null} self the core's own script element
 * @param {(view: object) => void} ready
 */
export function loadView(state, self, ready) {
  const H = window[HOOKS];
  if (H && H.view) return ready(H.view); // the stub fetched it, and it ran before the core
  document.addEventListener(VIEW_EVENT, (e) => e.detail && !state.view && ready(e.detail));
  if (H && H.fetchView && H.fetchView()) return; // a first visit: the stub fetches it (or just did)
  let url;
  try {
    url = new URL(state.cfg.viewUrl || "consentkit-ui.js", (self && self.src) || location.href).href;
  } catch (e) {
    return console.error("[consentkit] the banner's view cannot be located: set viewUrl");
  }
  const s = state.create("script");
  s.src = url;
  s.async = true;
  if (state.nonce) s.nonce = state.nonce;
  s.onerror = () => console.error("[consentkit] could not load the banner's view from " + url);
  (document.head || document.documentElement).append(s);
}
