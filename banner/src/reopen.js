// The shell of the banner, part of the core: the host element with its shadow root and the floating
// reopen button. A returning visitor with a valid choice gets only this; the view (the layers) is
// loaded when the button or a settings link is used, and mounts into the same shadow root.
import { REOPEN } from "./constants.js";
import CSS from "./reopen.css";
import { safe } from "./util.js";

/** The reopen button with its cookie icon; the label is set as attributes (site texts are not markup). */
const BUTTON = '<button type="button" class="o"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2a10 ' +
  '10 0 1 0 10 10 4 4 0 0 1-5-5 4 4 0 0 1-5-5M8.5 8.5h0M16 15.5h0M11 17h0M7 13h0"/></svg></button>';

/** The reopen button's label: the site's `reopen` or `settings` text, else the built-in one. */
function label(cfg, lang) {
  const own = cfg.texts[lang] || {};
  return [own.reopen, own.settings, REOPEN[lang], REOPEN.en].find((t) => typeof t === "string");
}

/**
 * Puts the shell at the end of <body>: `state.shell = {host, root, reopen}`. The button opens the
 * settings, loading the view first when it is not here yet.
 * @param {object} state
 * @param {() => void} open
 */
export function mountShell(state, open) {
  const host = state.create("div");
  host.setAttribute("data-consentkit-root", "");
  const root = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [sheet];
  const accent = (state.cfg.appearance || {}).accent;
  if (/^#[0-9a-f]{3,8}$/i.test(accent || "")) host.style.setProperty("--a", accent);
  root.innerHTML = BUTTON;
  const reopen = root.firstChild;
  const text = label(state.cfg, state.lang);
  reopen.title = text;
  reopen.setAttribute("aria-label", text);
  reopen.addEventListener("click", safe(open));
  state.shell = { host, root, reopen };
  syncReopen(state);
  document.body.append(host);
}

/** Shows the reopen button once there is a consent (unless the site turned it off) and no layer is open. */
export function syncReopen(state) {
  const sh = state.shell;
  if (sh) sh.reopen.hidden = !state.consent || state.cfg.appearance.reopenButton === false || !!(state.ui && state.ui.box);
}
