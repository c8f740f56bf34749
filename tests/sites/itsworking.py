"""The cookies of the Its Working seed (seeds/001): a WordPress site behind Cloudflare with Google
Analytics loaded before consent, and Meta and Google Ads loaded only after "Godta alle".

Hosts: the site, its CDN, an analytics host and two ad networks. `EXPECTED` is the exact inventory
the scanner must find: (name, domain) → (set_by, party, phases).
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from .common import THIRD_PARTY, YEAR, by_host, html, pixel, script

SITE = "https://www.itsworking.test"
START = f"{SITE}/"
CDN = "https://cdn.itsworking-cdn.test"
GTAG = "https://www.googletagmanager.test/gtag/js?id=G-TEST"
FBEVENTS = "https://connect.facebook.test/en_US/fbevents.js"
FB_PIXEL = "https://www.facebook.test/tr?id=1&ev=PageView"
GPT = "https://securepubads.g.doubleclick.test/tag/js/gpt.js"
AD_FRAME = "https://ad.doubleclick.test/ddm/adj"
HOSTS = ("www.itsworking.test", "cdn.itsworking-cdn.test", "www.googletagmanager.test",
         "www.google-analytics.test", "*.facebook.test", "*.doubleclick.test")

ALL = ["before", "accept", "reject"]
EXPECTED = {
    ("__cf_bm", ".itsworking.test"): (START, "first", ALL),
    ("lang_pref", "www.itsworking.test"): (START, "first", ALL),
    ("wp-settings-1", ".itsworking.test"): (f"{CDN}/wp-includes/js/utils.min.js", "first", ALL),
    ("wp-settings-time-1", ".itsworking.test"): (f"{CDN}/wp-includes/js/utils.min.js", "first", ALL),
    ("_ga", ".itsworking.test"): (GTAG, "first", ALL),
    ("_gid", ".itsworking.test"): (GTAG, "first", ALL),
    ("cookie_consent_status", "www.itsworking.test"): (f"{SITE}/assets/consent.js", "first",
                                                       ["accept", "reject"]),
    ("_fbp", ".itsworking.test"): (FBEVENTS, "first", ["accept"]),
    ("fr", ".facebook.test"): (FB_PIXEL, "third", ["accept"]),
    ("__gads", ".itsworking.test"): (GPT, "first", ["accept"]),
    ("IDE", ".doubleclick.test"): (AD_FRAME, "third", ["accept"]),
}

HEAD = f"""<script src="{CDN}/wp-includes/js/utils.min.js"></script>
<script async src="{GTAG}"></script>
<script src="/assets/consent.js"></script>"""

NAV = """<nav><a href="/">Hjem</a> <a href="/tjenester/">Tjenester</a> <a href="/kontakt/#skjema">Kontakt</a>
<a href="/en/?utm_source=nav">English</a> <a href="/personvern.pdf">PDF</a>
<a href="mailto:personvern@itsworking.no">E-post</a></nav>"""

BANNER = """<div id="cookie-banner" role="dialog" aria-label="Informasjonskapsler" hidden>
<p>Vi bruker informasjonskapsler.</p>
<button type="button" data-choice="accept">Godta alle</button>
<button type="button" data-choice="reject">Avvis alle</button></div>"""

CONSENT_JS = f"""
(function () {{
  function load(src) {{
    var s = document.createElement('script'); s.src = src; document.head.appendChild(s);
  }}
  function marketing() {{
    load('{FBEVENTS}'); load('{GPT}');
    var f = document.createElement('iframe'); f.src = '{AD_FRAME}'; f.width = 1; f.height = 1;
    document.body.appendChild(f);
  }}
  function choose(choice) {{
    document.cookie = 'cookie_consent_status=' + choice + '; path=/; max-age=' + {YEAR} + '; samesite=lax';
    document.getElementById('cookie-banner').hidden = true;
    if (choice === 'accept') marketing();
  }}
  document.addEventListener('DOMContentLoaded', function () {{
    var m = document.cookie.match(/cookie_consent_status=(\\w+)/);
    if (m) {{ if (m[1] === 'accept') marketing(); return; }}
    var banner = document.getElementById('cookie-banner');
    banner.hidden = false;
    banner.addEventListener('click', function (e) {{
      var c = e.target.getAttribute('data-choice'); if (c) choose(c);
    }});
  }});
}})();
"""

UTILS_JS = f"""
document.cookie = 'wp-settings-1=libraryContent%3Dbrowse; path=/; domain=itsworking.test; max-age={YEAR}';
document.cookie = 'wp-settings-time-1=' + Math.floor(Date.now() / 1000) +
  '; path=/; domain=itsworking.test; max-age={YEAR}';
"""

GTAG_JS = """
(function () {
  var two = 2 * 365 * 24 * 3600;
  if (!/(^|; )_ga=/.test(document.cookie))
    document.cookie = '_ga=GA1.1.123.456; path=/; domain=.itsworking.test; max-age=' + two;
  document.cookie = '_gid=GA1.1.789.456; path=/; domain=.itsworking.test; max-age=86400';
  new Image().src = 'https://www.google-analytics.test/g/collect?v=2&tid=G-TEST&en=page_view';
})();
"""

FBEVENTS_JS = f"""
document.cookie = '_fbp=fb.1.1700000000.42; path=/; domain=.itsworking.test; max-age=' + 90 * 86400;
new Image().src = '{FB_PIXEL}';
"""

GPT_JS = f"""
document.cookie = '__gads=ID=abc:T=1:S=x; path=/; domain=.itsworking.test; max-age={YEAR}';
"""


def page(title: str, cookies: tuple[str, ...] = ()) -> Response:
    cf = f"__cf_bm=cfbm.token; Domain=.itsworking.test; Max-Age=1800{THIRD_PARTY}; HttpOnly"
    return html(f"<h1>{title}</h1>{NAV}{BANNER}", HEAD, cookies=(cf, "lang_pref=nb; Path=/", *cookies))


ROBOTS = f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {SITE}/sitemap_index.xml\n"
INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{SITE}/page-sitemap.xml</loc></sitemap></sitemapindex>"""
PAGES = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{SITE}/</loc></url><url><loc>{SITE}/om-oss/</loc></url></urlset>"""


def _text(body: str, kind: str) -> Response:
    return Response(body, content_type=kind)


def app():
    """The WSGI app serving every host of the Its Working fixture."""
    third = f"Max-Age={YEAR}{THIRD_PARTY}"
    return by_host({
        "www.itsworking.test": {
            "/": lambda r: page("Its Working"),
            "/tjenester/": lambda r: page("Tjenester"),
            "/kontakt/": lambda r: page("Kontakt"),
            "/om-oss/": lambda r: page("Om oss (kun i sitemap)"),
            "/en/": lambda r: page("English", ("lang_pref=en; Path=/",)),
            "/assets/consent.js": lambda r: script(CONSENT_JS),
            "/robots.txt": lambda r: _text(ROBOTS, "text/plain"),
            "/sitemap_index.xml": lambda r: _text(INDEX, "application/xml"),
            "/page-sitemap.xml": lambda r: _text(PAGES, "application/xml"),
        },
        "cdn.itsworking-cdn.test": {"/wp-includes/js/utils.min.js": lambda r: script(UTILS_JS)},
        "www.googletagmanager.test": {"/gtag/js": lambda r: script(GTAG_JS)},
        "www.google-analytics.test": {"/g/collect": lambda r: pixel()},
        "connect.facebook.test": {"/en_US/fbevents.js": lambda r: script(FBEVENTS_JS)},
        "www.facebook.test": {
            "/tr": lambda r: pixel([f"fr=0abc.1.2; Domain=.facebook.test; {third}; HttpOnly"])},
        "securepubads.g.doubleclick.test": {"/tag/js/gpt.js": lambda r: script(GPT_JS)},
        "ad.doubleclick.test": {"/ddm/adj": lambda r: html(
            "<p>ad</p>", cookies=[f"IDE=AHWqTUk; Domain=.doubleclick.test; {third}; HttpOnly"])},
    })


