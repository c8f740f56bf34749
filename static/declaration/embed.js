/*
 * The embedded declaration: renders the data the server appended into <div id="consentkit-declaration">
 * on the owner's page. No request of its own, no styles beyond what keeps wide tables scrollable (the
 * owner's fonts and colours apply), and every scanned string goes in through textContent.
 *
 * Options on the div: data-lang="nb|nn|en" (else the page's <html lang>, else the site's default) and
 * data-heading-level="2" (the level of the declaration's title).
 */

/**
 * @param {{defaultLanguage: string, languages: Object<string, Object>}} data  views from localized.py
 */
function consentkitRenderDeclaration(data) {
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function pickLanguage(target) {
    var wanted = [target.getAttribute("data-lang"), document.documentElement.getAttribute("lang")];
    for (var i = 0; i < wanted.length; i++) {
      var code = (wanted[i] || "").toLowerCase().split("-")[0];
      if (code === "no") code = "nb";
      if (data.languages[code]) return code;
    }
    return data.languages[data.defaultLanguage] ? data.defaultLanguage : Object.keys(data.languages)[0];
  }

  function table(view, section, idPrefix) {
    var wrap = el("div", null, "ck-table-wrap");
    wrap.style.overflowX = "auto";
    wrap.setAttribute("role", "region");
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("aria-labelledby", idPrefix + "caption-" + section.category);
    var tableEl = el("table");
    tableEl.setAttribute("role", "table");
    var caption = el("caption", section.caption);
    caption.id = idPrefix + "caption-" + section.category;
    tableEl.appendChild(caption);
    var columns = Object.keys(view.columns);
    var headRow = el("tr");
    columns.forEach(function (column) {
      var th = el("th", view.columns[column]);
      th.setAttribute("scope", "col");
      th.setAttribute("role", "columnheader");
      headRow.appendChild(th);
    });
    headRow.setAttribute("role", "row");
    var head = tableEl.appendChild(el("thead"));
    head.setAttribute("role", "rowgroup");
    head.appendChild(headRow);
    var body = tableEl.appendChild(el("tbody"));
    body.setAttribute("role", "rowgroup");
    section.items.forEach(function (item) {
      var tr = body.appendChild(el("tr"));
      tr.setAttribute("role", "row");
      tr.setAttribute("data-kind", item.kind);
      columns.forEach(function (column, index) {
        var cell = el(index === 0 ? "th" : "td", item[column], "ck-" + column);
        cell.setAttribute("role", index === 0 ? "rowheader" : "cell");
        if (index === 0) cell.setAttribute("scope", "row");
        cell.setAttribute("data-label", view.columns[column]);
        if (column === "lifetime" && item.lifetime_note) cell.appendChild(el("span", item.lifetime_note, "ck-note"));
        tr.appendChild(cell);
      });
    });
    wrap.appendChild(tableEl);
    return wrap;
  }

  function section(view, part, level, idPrefix) {
    var node = el("section", null, "ck-category ck-category-" + part.category);
    var heading = node.appendChild(el("h" + Math.min(level + 1, 6), part.title));
    heading.id = idPrefix + part.category;
    node.setAttribute("aria-labelledby", heading.id);
    node.appendChild(el("p", part.description));
    var basis = node.appendChild(el("p", null, "ck-legal-basis"));
    basis.appendChild(el("strong", view.legal_basis_label + ":"));
    basis.appendChild(document.createTextNode(" " + part.legal_basis));
    node.appendChild(table(view, part, idPrefix));
    return node;
  }

  function link(text, href) {
    var a = el("a", text);
    a.setAttribute("href", href);
    return a;
  }

  /** The legal part (declaration/legal.py): withdrawal, controller, providers, consent log, rights. */
  function legal(part, level) {
    var node = el("section", null, "ck-legal");
    var h = "h" + Math.min(level, 6);
    node.appendChild(el(h, part.withdraw.title));
    node.appendChild(el("p", part.withdraw.text));
    var withdraw = link(part.withdraw.link, part.withdraw.href);
    withdraw.className = "ck-withdraw";
    withdraw.setAttribute("data-consentkit-open", "");
    node.appendChild(el("p")).appendChild(withdraw);
    if (part.controller) {
      node.appendChild(el(h, part.controller.title));
      var who = node.appendChild(el("p", part.controller.text, "ck-controller"));
      if (part.controller.email) who.appendChild(document.createTextNode(" " + part.controller.email_text));
    }
    if (part.providers.items.length) {
      node.appendChild(el(h, part.providers.title));
      node.appendChild(el("p", part.providers.intro));
      var list = node.appendChild(el("ul", null, "ck-providers"));
      part.providers.items.forEach(function (p) {
        var li = list.appendChild(el("li"));
        li.appendChild(el("strong", p.name));
        var text = [p.place, p.transfer].filter(Boolean).join(" ");
        if (text) li.appendChild(document.createTextNode(" " + text));
        if (/^https:\/\//.test(p.privacy_url)) {
          li.appendChild(document.createTextNode(" "));
          li.appendChild(link(part.providers.privacy_label, p.privacy_url));
        }
      });
    }
    node.appendChild(el(h, part.consent_log.title));
    node.appendChild(el("p", part.consent_log.text));
    node.appendChild(el(h, part.complaint.title));
    var complaint = node.appendChild(el("p", part.complaint.text + " "));
    complaint.appendChild(link(part.complaint.link, part.complaint.url));
    return node;
  }

  function render(target) {
    var lang = pickLanguage(target);
    var view = data.languages[lang];
    var level = Math.min(Math.max(parseInt(target.getAttribute("data-heading-level"), 10) || 2, 1), 5);
    var idPrefix = "ck-" + lang + "-";
    var article = el("article", null, "ck-declaration");
    article.setAttribute("lang", lang);
    article.appendChild(el("h" + level, view.title));
    view.intro.forEach(function (paragraph) { article.appendChild(el("p", paragraph)); });
    article.appendChild(el("p", view.scan_info, "ck-scan-info"));
    var panel = article.appendChild(el("section", null, "ck-consent"));
    panel.hidden = true;
    panel.setAttribute("aria-labelledby", "ck-consent-title");
    if (view.empty && view.scan) article.appendChild(el("p", view.empty, "ck-empty"));
    view.sections.forEach(function (part) { article.appendChild(section(view, part, level, idPrefix)); });
    if (view.sections.length) article.appendChild(el("p", view.legal.storage, "ck-storage"));
    article.appendChild(legal(view.legal, level + 1));
    view.closing.forEach(function (paragraph) { article.appendChild(el("p", paragraph, "ck-closing")); });
    target.textContent = "";
    target.appendChild(article);
    consentkitPanel(panel, view.panel, Math.min(level + 1, 6));
  }

  function start() {
    try {
      var target = document.getElementById("consentkit-declaration");
      if (target) render(target);
    } catch (e) {
      if (window.console) window.console.warn("consentkit declaration:", e);
    }
  }

  if (document.getElementById("consentkit-declaration") || document.readyState !== "loading") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
}
