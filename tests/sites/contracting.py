"""The vendors of the Contracting seed (seeds/002): Azure Application Insights, Mouseflow and
LinkedIn Insight, all loaded on arrival with no banner ("by using the site you consent").

`EXPECTED_COOKIES` and `EXPECTED_STORAGE` are the exact inventory: key → (set_by, party).
With no banner every item is present in every phase, and both consent interactions fail.
"""

from __future__ import annotations

from .common import THIRD_PARTY, YEAR, by_host, html, pixel, script

SITE = "https://www.contracting.test"
START = f"{SITE}/"
AI = "https://js.monitor.azure.test/scripts/b/ai.2.min.js"
MOUSEFLOW = "https://cdn.mouseflow.test/projects/4f1d.js"
INSIGHT = "https://snap.licdn.test/li.lms-analytics/insight.min.js"
LI_PIXEL = "https://px.ads.linkedin.test/collect/?pid=1234&fmt=gif"
APP = f"{SITE}/static/app.js"
HOSTS = ("www.contracting.test", "js.monitor.azure.test", "dc.services.visualstudio.test",
         "cdn.mouseflow.test", "snap.licdn.test", "*.linkedin.test")

EXPECTED_COOKIES = {
    ("ai_user", "www.contracting.test"): (AI, "first"),
    ("ai_session", "www.contracting.test"): (AI, "first"),
    ("mf_user", "www.contracting.test"): (MOUSEFLOW, "first"),
    ("mf_4f1d", "www.contracting.test"): (MOUSEFLOW, "first"),
    ("li_sugr", ".linkedin.test"): (LI_PIXEL, "third"),
    ("bcookie", ".linkedin.test"): (LI_PIXEL, "third"),
    ("lidc", ".linkedin.test"): (LI_PIXEL, "third"),
    ("ARRAffinity", "www.contracting.test"): (START, "first"),
}
EXPECTED_STORAGE = {
    ("sessionStorage", "AI_buffer", SITE): (AI, "first"),
    ("sessionStorage", "AI_sentBuffer", SITE): (AI, "first"),
    ("localStorage", "li_adsId", SITE): (INSIGHT, "first"),
    ("indexedDB", "contracting-offline", SITE): (APP, "first"),
}

AI_JS = """
(function () {
  function set(name, value, seconds) {
    document.cookie = name + '=' + value + '; path=/; max-age=' + seconds + '; samesite=none; secure';
  }
  set('ai_user', 'aBc12|2025-06-06T10:00:00.000Z', 365 * 86400);
  set('ai_session', 'xYz|1700000000|1700000000', 1800);
  sessionStorage.setItem('AI_buffer', '[]');
  sessionStorage.setItem('AI_sentBuffer', '[]');
  navigator.sendBeacon('https://dc.services.visualstudio.test/v2/track', '{}');
})();
"""
MOUSEFLOW_JS = """
document.cookie = 'mf_user=1a2b|; path=/; max-age=' + 90 * 86400;
document.cookie = 'mf_4f1d=c3d4.1700000000|; path=/; max-age=' + 90 * 86400;
"""
INSIGHT_JS = f"""
localStorage.setItem('li_adsId', 'f0e1d2c3');
var img = new Image(1, 1); img.src = '{LI_PIXEL}';
"""
APP_JS = """
var req = indexedDB.open('contracting-offline', 1);
req.onupgradeneeded = function () { req.result.createObjectStore('drafts'); };
"""

HEAD = f"""<script src="/static/app.js"></script><script src="{AI}"></script>
<script async src="{MOUSEFLOW}"></script><script async src="{INSIGHT}"></script>"""


def page(title: str):
    nav = ('<nav><a href="/">Forside</a> <a href="/personvern">Personvern</a> '
           '<a href="/priser">Priser</a></nav>')
    return html(f"<h1>{title}</h1>{nav}<p>Ved å bruke nettstedet samtykker du.</p>", HEAD,
                cookies=["ARRAffinity=9f8e7d; Path=/; HttpOnly; Secure"])


def app():
    """The WSGI app serving every host of the Contracting fixture."""
    third = f"Domain=.linkedin.test; Max-Age={YEAR}{THIRD_PARTY}"
    return by_host({
        "www.contracting.test": {
            "/": lambda r: page("Contracting"), "/personvern": lambda r: page("Personvern"),
            "/priser": lambda r: page("Priser"), "/static/app.js": lambda r: script(APP_JS)},
        "js.monitor.azure.test": {"/scripts/b/ai.2.min.js": lambda r: script(AI_JS)},
        "dc.services.visualstudio.test": {"/v2/track": lambda r: pixel()},
        "cdn.mouseflow.test": {"/projects/4f1d.js": lambda r: script(MOUSEFLOW_JS)},
        "snap.licdn.test": {"/li.lms-analytics/insight.min.js": lambda r: script(INSIGHT_JS)},
        "px.ads.linkedin.test": {"/collect/": lambda r: pixel(
            [f"li_sugr=3e2d; {third}", f"bcookie=\"v=2&abc\"; {third}", f"lidc=\"b=VB1\"; {third}"])},
    })
