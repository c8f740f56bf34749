// Entry of the core (static/consentkit.js): init() builds the one state object and wires consent, blocking,
// Consent Mode and the outbox at once, then loads the view (loadview.js). window.ConsentKit is the public
// API (docs/contracts.md); no method ever throws into the host page.
import { installBlocking, scan } from "./blocking.js";
import { DEFAULTS, GPC, HOOKS, NECESSARY, OPEN_ATTR, OPTIONAL } from "./constants.js";
import { loadConsent, payload, publicConsent, saveConsent, uuid } from "./consent.js";
import { consentDefault, consentUpdate } from "./consentmode.js";
import { deleteMatching } from "./cookies.js";
import { pickLanguage } from "./lang.js";
import { loadView } from "./loadview.js";
import { enqueue, pending, send } from "./outbox.js";
import PAGE_CSS from "./page.css";
import { mountShell, syncReopen } from "./reopen.js";
import { granted, safe, whenParsed } from "./util.js";

/** The script element of the bundle itself: its nonce is carried to the scripts we activate. */
const SCRIPT = document.currentScript;

/** The state, made at boot or by the first API call that needs it (see made()); null before. */
let state = null;
/** What init() was given, kept until the state is made: {config, nonce}. */
let given = null;

/**
 * The site config with a default for every missing or mistyped field.
 * @param {object} config as given to init()
 * @returns {object}
 */
function configure(config) {
  const given = config && typeof config === "object" ? config : {};
  const cfg = Object.assign({}, DEFAULTS, given);
  for (const k in DEFAULTS) {
    const d = DEFAULTS[k];
    const v = cfg[k];
    const bad = d === null ? typeof v !== "string" : Array.isArray(d) ? !Array.isArray(v) : typeof v !== typeof d || v === null;
    if (bad) cfg[k] = d;
  }
  cfg.categories = (Array.isArray(given.categories) ? given.categories : OPTIONAL)
    .filter((c) => typeof c === "string" && c !== NECESSARY);
  if (!(cfg.lifetimeDays > 0)) cfg.lifetimeDays = DEFAULTS.lifetimeDays;
  // A relative endpoint is the server this script came from (a self-hosted config may say "consents").
  if (cfg.endpoint) {
    try {
      cfg.endpoint = new URL(cfg.endpoint, (SCRIPT && SCRIPT.src) || location.href).href;
    } catch (e) {
      cfg.endpoint = null;
    }
  }
  return cfg;
}

/**
 * Creates the banner state, the stored choice read: every module gets this object, nothing else is shared.
 * @param {object} config
 * @param {string} nonce the nonce of the script that called init()
 * @returns {object}
 */
function createState(config, nonce) {
  const cfg = configure(config);
  const lang = pickLanguage(cfg);
  const stored = loadConsent(cfg, Date.now());
  const gpcOn = navigator.globalPrivacyControl === true && Object.hasOwn(GPC, cfg.gpc);
  const s = {
    cfg, lang, t: {}, view: null, viewRequested: false, needView: null, wantOpen: null, parsed: false, src: (SCRIPT && SCRIPT.src) || location.href,
    nonce: (SCRIPT && SCRIPT.nonce) || nonce || "",
    consent: stored.consent || null, knownId: stored.id || null, knownReceipt: stored.receipt || null,
    listeners: [], warned: {}, ui: null, create: null, act: null,
    mem: [], sending: false, timer: 0, sets: {}, innerHTML: null, later: [],
    gpcDenied: gpcOn ? GPC[cfg.gpc].filter((c) => cfg.categories.includes(c)) : [],
    chain: Promise.resolve(), queued: new WeakSet(), ph: new WeakMap(),
  };
  s.pending = () => pending(s);
  s.act = actions(s);
  return s;
}

/** Adds the page-level stylesheet (placeholders, hiding held iframes) to the document. */
function adoptPageStyles() {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(PAGE_CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

/**
 * Records a decision: stores it, deletes the cookies of denied categories, updates Consent Mode, logs
 * it to the backend, closes the banner, releases what is now granted and tells listeners.
 * @param {object} s state
 * @param {Record<string, boolean>} wanted
 * @param {string} method one of METHODS
 */
function decide(s, wanted, method) {
  const ch = {};
  for (const c of s.cfg.categories) ch[c] = wanted[c] === true && !s.gpcDenied.includes(c);
  const prev = s.consent;
  const id = (prev && prev.consentId) || s.knownId || uuid();
  // The receipt of this ID's latest stored record travels on: the next POST must show it.
  const receipt = prev ? prev.receipt : s.knownReceipt;
  s.consent = { consentId: id, choices: ch, revision: s.cfg.revision, date: Date.now(), method, receipt };
  saveConsent(s.cfg, s.consent);
  deleteMatching(s.cfg.cookies.filter((k) => k && s.cfg.categories.includes(k.category) && !ch[k.category]));
  if (s.cfg.consentMode) consentUpdate(ch);
  enqueue(s, payload(s, s.consent));
  if (s.view) s.view.closeBanner(s);
  else syncReopen(s);
  if (document.readyState !== "loading") scan(s);
  notify(s);
}

/** Calls onChange listeners and dispatches `consentkit:change`. */
function notify(s) {
  for (const fn of s.listeners) {
    try {
      fn(publicConsent(s.consent));
    } catch (e) {
      console.error("[consentkit] onChange listener failed", e);
    }
  }
  document.dispatchEvent(new CustomEvent("consentkit:change", { detail: publicConsent(s.consent) }));
}

/** @returns {Record<string, boolean>} every category set to v */
function every(s, v) {
  const out = {};
  for (const c of s.cfg.categories) out[c] = v;
  return out;
}

/** The decisions the UI and the API can take. */
function actions(s) {
  return {
    acceptAll: () => decide(s, every(s, true), "accept_all"),
    rejectAll: () => decide(s, every(s, false), "reject_all"),
    save: (wanted) => decide(s, wanted, "custom"),
    allow: (c) => decide(s, Object.assign({}, s.consent && s.consent.choices, { [c]: true }), "custom"),
  };
}

/**
 * Starts the banner. Loaded by the snippet (the stub's hooks hold every other host meanwhile), it
 * boots after the page's first paint: the banner must not delay it, not even by reading its config
 * and the stored choice, which wait too unless the page asks the API first. The one-tag embed has
 * no stub: it boots at once.
 * @param {object} config see docs/contracts.md
 */
function start(config) {
  if (given) return console.warn("[consentkit] init() called twice: ignored");
  const by = document.currentScript; // only known while init() runs
  given = { config, nonce: by && by.nonce };
  const stub = window[HOOKS]; // before boot, only the stub can have set it
  if (stub && stub.afterPaint) stub.afterPaint(() => boot(made(), stub));
  else boot(made(), null);
}

/**
 * The state: made (the config normalised, the stored choice read) the first time it is needed, at
 * boot or by an API call before it, so queries answer from the start. Null before init().
 * @returns {object | null}
 */
function made() {
  if (!state && given) state = createState(given.config, given.nonce);
  return state;
}

/**
 * Installs blocking and Consent Mode's default (unless the stub did); loads the view only when
 * something must be shown, and builds the UI once the document is parsed. Then runs what the page
 * asked of the API before (queued in `s.later`, null once booted).
 * @param {object} s state
 * @param {object | null} stub the stub's hooks, if the snippet loaded the core
 */
function boot(s, stub) {
  if (s.cfg.consentMode) {
    if (!stub || !stub.cm) consentDefault();
    if (s.consent) consentUpdate(s.consent.choices);
  }
  installBlocking(s);
  adoptPageStyles();
  s.needView = () => requestView(s);
  if (!s.consent || location.hash === "#consentkit") s.needView();
  openOnDemand(s);
  send(s);
  addEventListener("online", () => send(s));
  const gpcCoversAll = s.gpcDenied.length > 0 && s.gpcDenied.length === s.cfg.categories.length;
  if (s.consent ? s.gpcDenied.some((c) => s.consent.choices[c]) : gpcCoversAll) {
    decide(s, s.consent ? s.consent.choices : {}, "gpc");
  }
  whenParsed(() => ready(s));
  const later = s.later;
  s.later = null; // booted
  for (const fn of later) fn();
}

/**
 * An API method that acts: run at once once booted, else queued until boot (a call between init and
 * boot, such as the scanner's acceptAll(), is not lost).
 * @param {(s: object, arg: any) => void} fn
 */
function acting(fn) {
  return safe((arg) => {
    const s = made();
    if (!s) return;
    if (s.later) s.later.push(safe(() => fn(s, arg)));
    else fn(s, arg);
  });
}

/** Loads the view once: a returning visitor fetches it only when it opens the settings or needs a placeholder. */
function requestView(s) {
  if (s.viewRequested) return;
  s.viewRequested = true;
  loadView(s, SCRIPT, (view) => {
    s.view = view;
    s.t = view.textsFor(s.cfg, s.lang);
    view.pump(s);
    whenParsed(() => show(s));
  });
}

/** A settings link (`data-consentkit-open`) or `#consentkit` (the declaration's withdraw link) opens the
 * settings, loading the view first if it is not here. */
function openOnDemand(s) {
  document.addEventListener("click", safe((e) => {
    if (!e.target.closest || !e.target.closest("[" + OPEN_ATTR + "]")) return;
    e.preventDefault();
    openSettings(s);
  }));
  addEventListener("hashchange", safe(() => location.hash === "#consentkit" && openSettings(s)));
}

/** Opens the settings: at once when the view is mounted, else as soon as it is. */
function openSettings(s) {
  if (s.ui) return s.view.openBanner(s, true);
  s.wantOpen = true;
  s.needView();
}

/** Once parsed: the shell, release held elements that are granted, announce readiness; show the view if it is here. */
function ready(s) {
  s.parsed = true;
  mountShell(s, () => openSettings(s));
  scan(s);
  document.dispatchEvent(new CustomEvent("consentkit:ready", { detail: publicConsent(s.consent) }));
  if (s.view) show(s);
}

/** Once parsed and with the view loaded: mount it, placehold held iframes, ask if needed. */
function show(s) {
  if (!s.parsed || s.ui) return;
  s.view.mount(s);
  scan(s);
  // A link to "#consentkit" (the declaration's withdraw link, in Markdown too) opens the settings.
  const open = s.wantOpen !== null ? s.wantOpen : location.hash === "#consentkit" ? true : s.consent ? null : false;
  if (open === null) s.view.closeBanner(s);
  else s.view.openBanner(s, open);
}

/** `window.ConsentKit`: see docs/contracts.md. Before init() every query answers "nothing granted". */
const api = {
  init: safe(start),
  /** Opens the banner: the settings when the visitor has chosen before (or `show("settings")`), else the first layer. */
  show: acting((s, layer) => {
    const settings = layer === "settings" || !!s.consent;
    if (s.ui) return s.view.openBanner(s, settings);
    s.wantOpen = settings; // opened as soon as the view is mounted
    s.needView();
  }),
  /** Closes the banner without recording anything. */
  hide: acting((s) => {
    if (s.ui) s.view.closeBanner(s);
    else s.wantOpen = null;
  }),
  /** @returns {boolean} whether the category is granted ("necessary" always is) */
  accepted: safe((category) => !!made() && granted(state, category)),
  /** @returns {object | null} {consentId, choices, revision, date, method} or null before a choice */
  getConsent: safe(() => (made() ? publicConsent(state.consent) : null)),
  /** Calls fn(consent) after every choice. */
  onChange: safe((fn) => {
    if (made() && typeof fn === "function") state.listeners.push(fn);
  }),
  /** Withdraws every optional category (method "withdraw"); their cookies are deleted. */
  withdraw: acting((s) => decide(s, {}, "withdraw")),
  /** Grants every category (method "accept_all"). */
  acceptAll: acting((s) => s.act.acceptAll()),
  /** Denies every optional category (method "reject_all"). */
  rejectAll: acting((s) => s.act.rejectAll()),
};

if (!window.ConsentKit) window.ConsentKit = api;
