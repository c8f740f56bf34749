/* The hosted declaration page: mount the consent panel with the texts the server put in the page. */
(function () {
  var host = document.querySelector("[data-consentkit-panel]");
  var data = document.getElementById("consentkit-panel-texts");
  if (!host || !data || typeof consentkitPanel !== "function") return;
  try {
    var level = parseInt(host.getAttribute("data-heading-level"), 10) || 2;
    consentkitPanel(host, JSON.parse(data.textContent), level);
  } catch (e) {
    if (window.console) window.console.warn("consentkit declaration:", e);
  }
})();
