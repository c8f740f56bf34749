"""Fixture pages of the banner benchmark: one shop page per banner, its probe, and the page server.

Every page has the same content (a header, a heading, a hero box and six paragraphs: the page's own
first content) and the same four categories. Peers go in as their docs show (CSS in `<head>`, the
library and its config at the end of `<body>`), served from the page's own origin, gzipped.
consentkit goes in as `site show` prints it, pointing at a real `consentkit serve` on another origin.
The probe (PROBE, injected before any page script, the same loop on every page, the one without a
banner included) notes on every animation frame when the banner is in the DOM, first visible (a box
of size in the viewport, effective opacity > 0.01) and fully
shown (opacity ≥ 0.99, so fade-ins count), the frame in which the page's heading first has a box,
and the page's first and largest contentful paint (a banner that paints a bigger block of text than
the page's own content becomes the page's LCP).
"""

from __future__ import annotations

import gzip
import json
import mimetypes
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PRIVACY = "/privacy.html"
CATS = ["necessary", "functional", "analytics", "marketing"]
TITLE = {"necessary": "Strictly necessary", "functional": "Functional", "analytics": "Analytics",
         "marketing": "Marketing"}
DESC = {"necessary": "Required for the site to work (session, security, this choice).",
        "functional": "Remembers preferences such as language and region.",
        "analytics": "Helps us understand how the site is used.",
        "marketing": "Used to show relevant ads and measure campaigns."}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{name} - banner bench</title><link rel="icon" href="data:,">
{head}<style>body{{margin:0;font:16px/1.5 system-ui,sans-serif;color:#222}}
header{{background:#234;color:#fff;padding:12px 16px}} main{{max-width:720px;margin:0 auto;padding:16px}}
.hero{{height:220px;background:#dde3ea;border-radius:8px}}</style>
</head><body>
<header>Example Shop</header>
<main><h1>Spring collection</h1><div class="hero"></div>
{paras}
</main>
{body}</body></html>
"""
PARA = ("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. Integer nec odio. Praesent "
        "libero. Sed cursus ante dapibus diam. Sed nisi. Nulla quis sem at nibh elementum "
        "imperdiet. Duis sagittis ipsum. Praesent mauris. Fusce nec tellus sed augue semper porta.</p>")

PROBE = r"""
(() => {
  const B = window.__bench = {insertedAt: null, visibleAt: null, opaqueAt: null, frame: 0,
    h1Frame: null, visFrame: null, opaqueFrame: null, fcp: null, lcp: null, done: false};
  try { new PerformanceObserver((l) => { for (const e of l.getEntries())
    if (e.name === 'first-contentful-paint') B.fcp = e.startTime; }).observe({type: 'paint', buffered: true});
  } catch (e) {}
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) B.lcp = e.startTime; })
    .observe({type: 'largest-contentful-paint', buffered: true}); } catch (e) {}
  const sel = __SELECTOR__;  // null for the page without a banner: the same loop, no banner to find
  const find = (q) => { let root = document, el = null; const parts = q.split(' >>> ');
    for (let i = 0; i < parts.length; i++) { el = root.querySelector(parts[i]); if (!el) return null;
      if (i < parts.length - 1 && !(root = el.shadowRoot)) return null; } return el; };
  const up = (n) => n.parentElement || (n.parentNode && n.parentNode.host) || null;
  function opacity(el) {
    if (!el || !el.isConnected) return 0;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight ||
        r.left >= innerWidth || getComputedStyle(el).visibility !== 'visible') return 0;
    let op = 1;
    for (let n = el; n && n.nodeType === 1; n = up(n)) {
      const cs = getComputedStyle(n);
      if (cs.display === 'none') return 0;
      op *= parseFloat(cs.opacity);
    }
    return op;
  }
  function frame() {
    const now = performance.now();
    B.frame++;
    const h = document.querySelector('h1');
    if (B.h1Frame === null && h && h.getBoundingClientRect().height > 0) B.h1Frame = B.frame;
    const el = sel && find(sel);
    if (el && B.insertedAt === null) B.insertedAt = now;
    const op = opacity(el);
    if (op > 0.01 && B.visibleAt === null) { B.visibleAt = now; B.visFrame = B.frame; }
    if (op >= 0.99 && B.opaqueAt === null) { B.opaqueAt = now; B.opaqueFrame = B.frame; }
    B.done = sel ? B.opaqueAt !== null : B.fcp !== null && B.h1Frame !== null;
    if (!B.done) requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})();
"""


@dataclass(frozen=True)
class Banner:
    """One row of the benchmark: how its page embeds it and how to find its first layer."""

    name: str
    package: str | None = None
    css: tuple[str, ...] = ()
    js: tuple[str, ...] = ()
    before: Callable[[], str] | None = None  # inline config before the library
    after: Callable[[], str] | None = None  # inline call after it
    selector: str | None = None  # ' >>> ' steps into a shadow root
    head: Callable[[], str] | None = field(default=None, compare=False)  # consentkit: the snippet


def _cc_config() -> str:
    sections = [{"title": "Cookie usage", "description": "We use cookies; choose which ones."}]
    sections += [{"title": TITLE[c], "description": DESC[c], "linkedCategory": c} for c in CATS]
    en = {"consentModal": {"title": "We use cookies", "description": "We use cookies for the categories "
                           "below. You can accept all, reject all or choose.", "acceptAllBtn": "Accept all",
                           "acceptNecessaryBtn": "Reject all", "showPreferencesBtn": "Manage preferences"},
          "preferencesModal": {"title": "Cookie preferences", "acceptAllBtn": "Accept all",
                               "acceptNecessaryBtn": "Reject all", "savePreferencesBtn": "Save preferences",
                               "closeIconLabel": "Close", "sections": sections}}
    config = {"hideFromBots": False,  # headless Chromium counts as a bot: the banner would never show
              "categories": {"necessary": {"enabled": True, "readOnly": True}, "functional": {},
                             "analytics": {}, "marketing": {}},
              "language": {"default": "en", "translations": {"en": en}}}
    return f"CookieConsent.run({json.dumps(config)});"


def _klaro_config() -> str:
    services = [{"name": c, "title": TITLE[c], "purposes": [c], "cookies": [], "required": c == "necessary",
                 "default": False} for c in CATS]
    config = {"version": 1, "elementID": "klaro", "storageMethod": "cookie", "cookieName": "klaro",
              "cookieExpiresAfterDays": 365, "default": False, "mustConsent": False, "acceptAll": True,
              "hideDeclineAll": False, "groupByPurpose": True, "lang": "en", "services": services,
              "translations": {"zz": {"privacyPolicyUrl": PRIVACY}, "en": {
                  "purposes": {c: {"title": TITLE[c], "description": DESC[c]} for c in CATS},
                  **{c: {"description": DESC[c]} for c in CATS}}}}
    return f"window.klaroConfig = {json.dumps(config)};"


def _orejime_config() -> str:
    purposes = [{"id": c, "title": TITLE[c], "description": DESC[c], "cookies": [],
                 "isMandatory": c == "necessary"} for c in CATS]
    return f"window.orejimeConfig = {json.dumps({'privacyPolicyUrl': PRIVACY, 'purposes': purposes})};"


def _tarteaucitron_config() -> str:
    params = {"privacyUrl": PRIVACY, "hashtag": "#tarteaucitron", "cookieName": "tarteaucitron",
              "groupServices": True, "highPrivacy": True, "DenyAllCta": True, "AcceptAllCta": True,
              "mandatory": True, "showIcon": True, "googleConsentMode": False, "useExternalCss": False,
              "useExternalJs": False}
    js = [f"tarteaucitron.init({json.dumps(params)});"]
    for c, kind in {"functional": "support", "analytics": "analytic", "marketing": "ads"}.items():
        js.append(f"tarteaucitron.services.{c} = {{key: {json.dumps(c)}, type: {json.dumps(kind)}, "
                  f"name: {json.dumps(TITLE[c])}, uri: {json.dumps(PRIVACY)}, needConsent: true, "
                  "cookies: [], js: function () {}, fallback: function () {}};")
    js.append("(tarteaucitron.job = tarteaucitron.job || []).push('functional', 'analytics', 'marketing');")
    return "\n".join(js)


CK_SELECTOR = "[data-consentkit-root] >>> [role=dialog]"
PEERS = [
    Banner("vanilla-cookieconsent", "vanilla-cookieconsent", css=("dist/cookieconsent.css",),
           js=("dist/cookieconsent.umd.js",), after=_cc_config, selector="#cc-main .cm"),
    Banner("klaro", "klaro", js=("dist/klaro.js",), before=_klaro_config,
           selector="#klaro .cookie-notice:not(.cookie-notice-hidden)"),
    Banner("orejime", "orejime", css=("dist/orejime-standard.css",), js=("dist/orejime-standard-en.js",),
           before=_orejime_config, selector=".orejime-Banner"),
    Banner("tarteaucitron", "tarteaucitronjs", js=("tarteaucitron.min.js",), after=_tarteaucitron_config,
           selector="#tarteaucitronAlertBig"),
]


def page_html(banner: Banner) -> str:
    """The shop page with this banner embedded (no banner for the baseline)."""
    head = "".join(f'<link rel="stylesheet" href="/nm/{banner.package}/{f}">\n' for f in banner.css)
    if banner.head:
        head = banner.head() + "\n" + head
    body = []
    if banner.before:
        body.append(f"<script>{banner.before()}</script>")
    body += [f'<script src="/nm/{banner.package}/{f}"></script>' for f in banner.js]
    if banner.after:
        body.append(f"<script>{banner.after()}</script>")
    return PAGE.format(name=banner.name, head=head, paras="\n".join([PARA] * 6), body="\n".join(body))


def probe(banner: Banner) -> str:
    """The probe script for this banner's page."""
    return PROBE.replace("__SELECTOR__", json.dumps(banner.selector))


class PageServer(ThreadingHTTPServer):
    """Serves /<name>.html for every banner and the peers' files under /nm/, gzipped like nginx."""

    daemon_threads = True

    def __init__(self, node_modules: Path, pages: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), PageHandler)
        self.node_modules = node_modules.resolve()
        self.pages = pages
        self.gz: dict[str, bytes] = {}
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


class PageHandler(BaseHTTPRequestHandler):
    server: PageServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path in self.server.pages:
            return self.send(200, self.server.pages[path].encode(), "text/html; charset=utf-8", path)
        if path == PRIVACY:
            return self.send(200, b"<!doctype html><title>privacy</title>privacy", "text/html")
        if path.startswith("/nm/"):
            full = (self.server.node_modules / urllib.parse.unquote(path[4:])).resolve()
            if self.server.node_modules in full.parents and full.is_file():
                kind = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
                kind = "text/javascript" if kind.endswith("javascript") else kind
                return self.send(200, full.read_bytes(), kind, str(full))
        self.send(404, b"not found", "text/plain")

    def send(self, status: int, data: bytes, kind: str, key: str | None = None) -> None:
        gzipped = key is not None and "gzip" in self.headers.get("Accept-Encoding", "") and len(data) > 256
        if gzipped:
            data = self.server.gz.setdefault(key, gzip.compress(data, 6, mtime=0))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(data)
