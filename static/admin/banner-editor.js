// The banner editor's live preview: as the owner types, each language's iframe is pointed at the
// preview page with the form's draft (base64url JSON, as consentkit/admin/banner.py decodes it).
// Without this script the "Update the preview" button does the same through the server.
(function () {
  "use strict";
  const form = document.querySelector("[data-banner-form]");
  if (!form) return;
  const base = form.getAttribute("data-preview-url");
  const frames = document.querySelectorAll("iframe[data-preview]");

  function draft() {
    const texts = {};
    form.querySelectorAll("[data-text]").forEach(function (el) {
      const value = el.value.trim();
      if (!value) return;
      const lang = el.getAttribute("data-lang");
      (texts[lang] = texts[lang] || {})[el.getAttribute("data-text")] = value;
    });
    const appearance = { accent: form.elements.accent.value, position: form.elements.position.value };
    if (!form.elements.reopen_button.checked) appearance.reopenButton = false;
    const json = JSON.stringify({ texts: texts, appearance: appearance });
    const bytes = new TextEncoder().encode(json);
    let binary = "";
    bytes.forEach(function (b) { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  let timer = 0;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      const value = draft();
      frames.forEach(function (frame) {
        const url = base + "?lang=" + encodeURIComponent(frame.getAttribute("data-preview")) + "&draft=" + value;
        if (frame.getAttribute("src") !== url) frame.setAttribute("src", url);
      });
      form.setAttribute("data-draft", value);
    }, 300);
  }
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
})();
