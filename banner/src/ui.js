// The banner's two layers and the placeholders of held iframes, in the shadow root of the core's shell
// (reopen.js, which also has the reopen button), styled by a constructable stylesheet (no <style>, no style attributes: works under a strict CSP). Part of the
// view chunk (view.js), which the core loads after it has blocked what needs blocking. Decisions go
// through `state.act`; what the core knows (is anything still unsent?) through `state.pending()`.
import CSS from "./banner.css";
import { NECESSARY } from "./constants.js";
import { fill as fillText } from "./texts.js";
import { granted, safe } from "./util.js";

/**
 * Creates an element. Attributes: `on*` functions become (safe) listeners, `true` an empty attribute,
 * null/false are left out. Children may be strings, nodes, arrays or null.
 * @param {string} tag
 * @param {Record<string, any> | null} attrs
 * @param {...any} kids
 * @returns {HTMLElement}
 */
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const k in attrs) {
    const v = attrs[k];
    if (typeof v === "function") el.addEventListener(k.slice(2), safe(v));
    else if (v != null && v !== false) el.setAttribute(k, v === true ? "" : v);
  }
  el.append(...kids.flat(9).filter((k) => k != null && k !== false));
  return el;
}

/**
 * Shows, in place of a held iframe or video (hidden by the page stylesheet), a box with a button that
 * grants its category. Sized from the element's width and height attributes so the layout does not move.
 * @param {object} state
 * @param {HTMLElement} el
 * @param {string} c
 */
export function placeholder(state, el, c) {
  if (state.ph.has(el) || !el.parentNode) return;
  const name = String(state.t[c] || c).toLowerCase();
  const ph = h("div", { class: "consentkit-ph" },
    h("p", null, fillText(state.t.blocked, name)),
    h("button", { type: "button", onclick: () => state.act.allow(c) }, fillText(state.t.allow, name)));
  const size = (v, d) => (/^\d+$/.test(v || "") ? v + "px" : v || d);
  ph.style.width = size(el.getAttribute("width"), "300px");
  ph.style.height = size(el.getAttribute("height"), "150px");
  el.before(ph);
  state.ph.set(el, ph);
}

/**
 * Mounts the layers into the core's shell (reopen.js): their stylesheet and listeners.
 * @param {object} state
 */
export function mount(state) {
  if (typeof state.cfg.detailsUrl === "string") state.details = loadDetails(state);
  const ap = state.cfg.appearance || {};
  const { host, root, reopen } = state.shell;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  state.ui = { host, root, reopen, box: null, back: null, pos: ap.position === "center" ? "center" : "bottom" };
  root.addEventListener("keydown", safe((e) => onKey(state, e)));
  document.addEventListener("focusin", safe((e) => {
    if (state.ui.box && !state.consent && !host.contains(e.target)) state.ui.box.focus();
  }));
  addEventListener("hashchange", safe(() => location.hash === "#consentkit" && openBanner(state, true)));
}

/**
 * Opens the banner (first layer) or the settings (second layer), moving focus into it.
 * @param {object} state
 * @param {boolean} settings
 */
export function openBanner(state, settings) {
  const ui = state.ui;
  if (!ui) return;
  if (!ui.box) ui.back = document.activeElement;
  const box = h("div", {
    class: "ck " + ui.pos, role: "dialog", "aria-modal": "true", "aria-labelledby": "ck-t",
    "aria-describedby": "ck-d", tabindex: "-1", lang: state.lang,
  }, settings ? settingsLayer(state) : firstLayer(state));
  if (ui.box) ui.box.replaceWith(box);
  else ui.root.append(box);
  ui.box = box;
  ui.reopen.hidden = true;
  box.focus();
}

/**
 * Closes the banner (if open) and shows the reopen button once there is a consent; focus goes back to
 * where it was.
 * @param {object} state
 */
export function closeBanner(state) {
  const ui = state.ui;
  if (!ui) return;
  const focused = document.activeElement === ui.host;
  if (ui.box) ui.box.remove();
  ui.box = null;
  ui.reopen.hidden = !state.consent || state.cfg.appearance.reopenButton === false;
  if (!focused) return;
  const back = ui.back && ui.back !== ui.host && ui.back.isConnected ? ui.back : ui.reopen.hidden ? null : ui.reopen;
  if (back && back.focus) back.focus();
  else ui.host.blur();
}

/** Tab and Shift+Tab cycle inside the open banner; Escape closes it when the visitor has already chosen. */
function onKey(state, e) {
  const box = state.ui.box;
  if (!box) return;
  if (e.key === "Escape" && state.consent) return closeBanner(state);
  if (e.key !== "Tab") return;
  const all = Array.from(box.querySelectorAll("a[href],button,input:not(:disabled),summary"));
  const cur = state.ui.root.activeElement;
  const edge = e.shiftKey ? cur === all[0] || cur === box : cur === all[all.length - 1];
  if (!edge) return;
  e.preventDefault();
  all[e.shiftKey ? all.length - 1 : 0].focus();
}

/** @returns {HTMLElement} a row of buttons: [text key, class, action] */
function buttons(state, list) {
  return h("div", { class: "b" },
    list.map(([key, cls, fn]) => h("button", { type: "button", class: cls, "data-ck": key, onclick: fn }, state.t[key])));
}

/** @returns {boolean} whether a configured URL is safe to link (http(s) or same-site path) */
function linkable(url) {
  return typeof url === "string" && /^(https?:\/\/|\/)/i.test(url);
}

/** @returns {*} the declaration's URL asking for the banner's language (`?lang=nn`) */
function withLang(url, lang) {
  return linkable(url) ? url + (url.includes("?") ? "&" : "?") + "lang=" + encodeURIComponent(lang) : url;
}

/** First layer: title, text, links, and Accept all / Reject all (same style) / Customize. */
function firstLayer(state) {
  const t = state.t;
  const cfg = state.cfg;
  const links = [[withLang(cfg.declarationUrl, state.lang), t.declaration], [cfg.privacyPolicyUrl, t.privacy]]
    .filter((l) => linkable(l[0])).map((l) => h("a", { href: l[0] }, l[1]));
  return [
    h("h2", { id: "ck-t" }, t.title),
    h("p", { id: "ck-d" }, t.description),
    links.length ? h("p", { class: "l" }, links) : null,
    buttons(state, [["accept", "p", state.act.acceptAll], ["reject", "p", state.act.rejectAll],
      ["customize", "s", () => openBanner(state, true)]]),
  ];
}

/** Second layer: one switch per category with its cookies, the consent ID and date, and the buttons. */
function settingsLayer(state) {
  const t = state.t;
  const c = state.consent;
  const save = () => {
    const wanted = {};
    for (const sw of state.ui.box.querySelectorAll("input[data-category]")) wanted[sw.dataset.category] = sw.checked;
    state.act.save(wanted);
  };
  return [
    h("h2", { id: "ck-t" }, t.settings),
    h("p", { id: "ck-d" }, t.settingsText),
    [NECESSARY, ...state.cfg.categories].map((cat) => categoryRow(state, cat)),
    c ? h("p", { class: "i" }, t.consentId + ": ", h("code", null, c.consentId),
      " · " + t.date + ": " + when(c.date, state), state.pending() ? h("br") : null,
      state.pending() ? t.pending : null) : null,
    buttons(state, [["accept", "p", state.act.acceptAll], ["reject", "p", state.act.rejectAll], ["save", "s", save]]),
  ];
}

/** One category: its switch (necessary locked on; GPC-denied locked off), description and cookie table. */
function categoryRow(state, c) {
  const t = state.t;
  const id = "ck-" + c;
  const locked = c === NECESSARY;
  const gpc = state.gpcDenied.includes(c);
  const listed = state.cfg.cookies.filter((k) => k && k.category === c && k.name);
  return h("div", { class: "c" },
    h("div", { class: "r" },
      h("label", { for: id }, t[c] || c),
      h("input", {
        type: "checkbox", role: "switch", id, "aria-describedby": id + "-d", "data-category": locked ? null : c,
        checked: locked || (!gpc && granted(state, c)), disabled: locked || gpc,
      })),
    h("p", { id: id + "-d" }, t[c + "_desc"] || "", gpc ? " " + t.gpc : ""),
    listed.length ? h("details", { ontoggle: (e) => fill(state, e.target, listed) },
      h("summary", null, t.cookies + " (" + listed.length + ")")) : null);
}

/** Fills a category's "Show cookies" the first time it opens, once the cookies' details are here. */
function fill(state, details, cookies) {
  if (!details.open || details.dataset.filled) return;
  details.dataset.filled = "1";
  Promise.resolve(state.details).then(() => details.append(table(state, cookies)));
}

/**
 * Fetches provider, purpose and lifetime of each cookie (config `detailsUrl`; the core's config carries
 * only what blocking and deletion need) and adds them to `cfg.cookies`. A failure leaves the names.
 * @returns {Promise<void>}
 */
function loadDetails(state) {
  let url;
  try {
    url = new URL(state.cfg.detailsUrl, state.src).href;
  } catch (e) {
    return Promise.resolve();
  }
  return fetch(url, { credentials: "omit" }).then((r) => (r.ok ? r.json() : null)).then((d) => {
    const key = (k) => k.kind + " " + k.name + " " + k.domain;
    const known = new Map(state.cfg.cookies.filter((k) => k && k.name).map((k) => [key(k), k]));
    for (const k of (d && Array.isArray(d.cookies) && d.cookies) || []) if (known.has(key(k))) Object.assign(known.get(key(k)), k);
  }, () => console.warn("[consentkit] the cookies' details could not be loaded"));
}

/** The cookies of one category: name, provider, purpose, lifetime. */
function table(state, cookies) {
  const t = state.t;
  return h("table", null,
    h("thead", null, h("tr", null, ["name", "provider", "purpose", "lifetime"].map((k) => h("th", { scope: "col" }, t[k])))),
    h("tbody", null, cookies.map((k) => h("tr", null,
      h("td", null, k.name + (k.pattern === "prefix" ? "*" : "")),
      h("td", null, k.provider || ""),
      h("td", null, k.unclassified ? [t.unclassified, " ", purposeText(k.purpose, state.lang)] :
        purposeText(k.purpose, state.lang)),
      h("td", null, (k.lifetime && k.lifetime[state.lang]) || duration(k.lifetime_seconds, state))))));
}

/** @returns {string} a cookie's purpose in the language (nn falls back to nb, others to en) */
function purposeText(p, lang) {
  if (!p || typeof p !== "object") return p ? String(p) : "";
  return p[lang] || p[lang === "nn" ? "nb" : "en"] || p.en || p.nb || "";
}

/** @returns {string} a date in the server's CLDR pattern (`cfg.dates`; Intl lacks nynorsk), else Intl's */
function when(ms, state) {
  const d = new Date(ms);
  const f = state.cfg.dates && state.cfg.dates[state.lang];
  if (!f || !f.pattern || !f.months) return d.toLocaleString(state.lang);
  const two = (n) => (n < 10 ? "0" : "") + n;
  const v = { d: d.getDate(), M: f.months[d.getMonth()], y: d.getFullYear(), H: two(d.getHours()), m: two(d.getMinutes()) };
  return f.pattern.replace(/\{(\w)\}/g, (all, k) => (k in v ? String(v[k]) : all));
}

/** @returns {string} a lifetime in seconds, in words of the language ("1 år", "30 days"); 0/null is the session */
function duration(seconds, state) {
  if (!(seconds > 0)) return state.t.session;
  const units = [["year", 31536e3], ["month", 2592e3], ["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
  const [unit, size] = units.find((u) => seconds >= u[1]);
  // Unit formatting is in every browser that has constructable stylesheets, which the banner needs anyway.
  return new Intl.NumberFormat(state.lang, { style: "unit", unit, unitDisplay: "long" }).format(Math.round(seconds / size));
}
