/*
 * The visitor's consent beside the declaration, when the banner (window.ConsentKit) is on the page:
 * state per category, consent ID and date, and buttons to change or withdraw it.
 *
 * Shared by the hosted page (hosted.js) and the embedded script (declaration.js is this file,
 * embed.js and the data, wrapped in one function). Written for old browsers too (no modules, no
 * arrow functions) and never throws into the page: every call into the banner is guarded.
 */

/**
 * Build the panel in `container` and keep it current on consentkit:ready and consentkit:change.
 * @param {HTMLElement} container  stays hidden until window.ConsentKit exists
 * @param {{title: string, none: string, accepted: string, rejected: string, always: string,
 *          consent_id: string, date: string, change: string, withdraw: string, withdrawn: string,
 *          lang: string, categories: Object<string, string>,
 *          dates: {pattern: string, months: string[]}}} texts
 * @param {number} headingLevel  level of the panel's heading (2 on the hosted page)
 */
function consentkitPanel(container, texts, headingLevel) {
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function api() {
    var ck = window.ConsentKit;
    return ck && typeof ck.getConsent === "function" ? ck : null;
  }

  /** The visitor's local time in CLDR's pattern from the server (no Intl: it lacks nynorsk). */
  function formatDate(value) {
    var date = new Date(value);
    if (isNaN(date.getTime())) return String(value);
    var d = texts.dates;
    if (!d || !d.pattern || !d.months) return date.toISOString();
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    var fields = {d: date.getDate(), M: d.months[date.getMonth()], y: date.getFullYear(),
                  H: two(date.getHours()), m: two(date.getMinutes())};
    return d.pattern.replace(/\{(\w)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(fields, key) ? String(fields[key]) : all;
    });
  }

  var level = Math.min(Math.max(headingLevel || 2, 1), 6);
  var heading = el("h" + level, texts.title);
  heading.id = "ck-consent-title";
  var status = el("div", null, "ck-consent-status");
  var actions = el("div", null, "ck-consent-actions");
  var change = el("button", texts.change);
  change.type = "button";
  change.setAttribute("data-consentkit-action", "change");
  var withdraw = el("button", texts.withdraw, "ck-secondary");
  withdraw.type = "button";
  withdraw.setAttribute("data-consentkit-action", "withdraw");
  var live = el("p", null, "ck-consent-live");
  live.setAttribute("role", "status");
  actions.appendChild(change);
  actions.appendChild(withdraw);
  container.appendChild(heading);
  container.appendChild(status);
  container.appendChild(actions);
  container.appendChild(live);

  function row(list, term, value) {
    list.appendChild(el("dt", term));
    list.appendChild(el("dd", value));
  }

  function describe(consent) {
    if (!consent) return el("p", texts.none);
    var list = el("dl");
    row(list, texts.categories.necessary || "necessary", texts.always);
    var choices = consent.choices || {};
    Object.keys(choices).forEach(function (category) {
      row(list, texts.categories[category] || category, choices[category] ? texts.accepted : texts.rejected);
    });
    if (consent.consentId) row(list, texts.consent_id, consent.consentId);
    if (consent.date) row(list, texts.date, formatDate(consent.date));
    return list;
  }

  function update() {
    try {
      var ck = api();
      if (!ck) return;
      var consent = ck.getConsent();
      status.textContent = "";
      status.appendChild(describe(consent));
      withdraw.disabled = !consent || consent.method === "withdraw";
      container.hidden = false;
    } catch (e) {
      if (window.console) window.console.warn("consentkit declaration:", e);
    }
  }

  change.addEventListener("click", function () {
    try { var ck = api(); if (ck) ck.show(); } catch (e) { /* the banner reports its own errors */ }
  });
  withdraw.addEventListener("click", function () {
    try {
      var ck = api();
      if (!ck) return;
      ck.withdraw();
      live.textContent = texts.withdrawn;
      update();
    } catch (e) { /* the banner reports its own errors */ }
  });
  document.addEventListener("consentkit:ready", update);
  document.addEventListener("consentkit:change", update);
  update();
  return {update: update};
}
