"""The demo shop "Fjellbutikken" and its three vendors, as one WSGI app that routes by host.

What it sets, so the scan has something true to find:
- first-party, necessary: `sessionid` (HttpOnly, from the response) and `csrftoken`;
- functional: `lang_pref`, written by a script tagged `data-consentkit="functional"`;
- analytics: `_ga` and `_gid`, written by a script from the analytics vendor (tagged);
- marketing: `_fbp` from the ad vendor's script (tagged) and `fr` from its pixel (third party);
- one untagged tag: the shop's own loader inserts a heat-map script (`mf_user`) the way a tag
  manager does, which only the banner's auto-blocking can hold back.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, abort, render_template, request, url_for
from markupsafe import Markup

from .. import snippet
from .hosts import DemoHosts

PRODUCTS = [
    {"slug": "ullgenser", "name": "Ullgenser Nordkapp", "price": 1299,
     "text": "Varm genser i norsk ull, strikket i Setesdal-mønster."},
    {"slug": "tursekk", "name": "Tursekk Rondane 40 l", "price": 1890,
     "text": "Lett sekk med regntrekk og god bæresele for lange dagsturer."},
    {"slug": "termos", "name": "Termos Jotunheimen", "price": 449,
     "text": "Holder kaffen varm i tolv timer, også på vidda i januar."},
    {"slug": "fjellsko", "name": "Fjellsko Trollstigen", "price": 2490,
     "text": "Vanntette sko med godt grep på våt stein og steinur."},
]

PAGES = ["/", "/produkter", "/om-oss", "/personvern", "/handlekurv"] + [
    f"/produkt/{p['slug']}" for p in PRODUCTS]


def create_shop(hosts: DemoHosts, site_key: str, untagged_tag: bool = True) -> Flask:
    """The shop, with the consent banner of `site_key` embedded and vendors on their own hosts.

    `untagged_tag=False` leaves out the untagged heat-map loader: every tag is then tagged for
    prior blocking, and a scan must find no violation.
    """
    app = Flask(__name__, template_folder="../templates", static_folder=None)
    app.config.update(DEMO_HOSTS=hosts, SITE_KEY=site_key)

    @app.before_request
    def route_vendors():
        host = request.host.split(":")[0]
        if host == hosts.analytics:
            return _script(ANALYTICS_JS)
        if host == hosts.ads:
            return _ads(request.path)
        if host == hosts.heatmap:
            return _script(HEATMAP_JS)
        return None

    @app.after_request
    def session_cookies(response: Response) -> Response:
        if request.host.split(":")[0] == hosts.shop and "sessionid" not in request.cookies:
            response.set_cookie("sessionid", secrets.token_hex(16), httponly=True, samesite="Lax")
            response.set_cookie("csrftoken", secrets.token_hex(16), samesite="Lax",
                                max_age=365 * 86400)
        return response

    @app.context_processor
    def demo_urls():
        return {"hosts": hosts, "site_key": site_key, "products": PRODUCTS, "untagged_tag": untagged_tag,
                # The snippet an owner pastes (the demo's site has Consent Mode on: demo/setup.py).
                "banner_snippet": Markup(snippet.embed(hosts.url(hosts.consent, ""), site_key, True)),
                "declaration_src": hosts.url(hosts.consent, f"/v1/sites/{site_key}/declaration.js")}

    _add_pages(app)
    return app


def _add_pages(app: Flask) -> None:
    @app.get("/")
    def home():
        return render_template("demo/home.html")

    @app.get("/produkter")
    def products():
        return render_template("demo/products.html")

    @app.get("/produkt/<slug>")
    def product(slug: str):
        item = next((p for p in PRODUCTS if p["slug"] == slug), None)
        if item is None:
            abort(404)
        return render_template("demo/product.html", product=item)

    @app.get("/om-oss")
    def about():
        return render_template("demo/about.html")

    @app.get("/personvern")
    def privacy():
        return render_template("demo/privacy.html")

    @app.get("/handlekurv")
    def cart():
        return render_template("demo/cart.html")

    @app.get("/robots.txt")
    def robots():
        sitemap = url_for("sitemap", _external=True)
        return Response(f"User-agent: *\nAllow: /\nSitemap: {sitemap}\n", mimetype="text/plain")

    @app.get("/sitemap.xml")
    def sitemap():
        base = request.host_url.rstrip("/")
        urls = "".join(f"<url><loc>{base}{path}</loc></url>" for path in PAGES)
        return Response('<?xml version="1.0" encoding="UTF-8"?>'
                        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        f"{urls}</urlset>", mimetype="application/xml")


def _script(body: str) -> Response:
    return Response(body, mimetype="text/javascript", headers={"Cache-Control": "no-store"})


def _ads(path: str) -> Response:
    if path.startswith("/tr"):
        # A 1x1 GIF that sets the ad network's own cookie, as a tracking pixel does.
        response = Response(PIXEL_GIF, mimetype="image/gif", headers={"Cache-Control": "no-store"})
        response.set_cookie("fr", secrets.token_hex(12), max_age=90 * 86400, samesite="None",
                            secure=True, httponly=True)
        return response
    return _script(ADS_JS)


PIXEL_GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000"
                          "010001000002024401003b")

ANALYTICS_JS = """(function () {
  var two = 63072000, id = Math.floor(Math.random() * 1e9) + '.' + Math.floor(Date.now() / 1000);
  document.cookie = '_ga=GA1.1.' + id + '; max-age=' + two + '; path=/; SameSite=Lax';
  document.cookie = '_gid=GA1.1.' + id + '; max-age=86400; path=/; SameSite=Lax';
  window.demoAnalyticsRan = (window.demoAnalyticsRan || 0) + 1;
})();
"""

ADS_JS = """(function () {
  var id = 'fb.1.' + Date.now() + '.' + Math.floor(Math.random() * 1e9);
  document.cookie = '_fbp=' + id + '; max-age=7776000; path=/; SameSite=Lax';
  var px = new Image(1, 1);
  px.src = document.currentScript.src.replace(/\\/[^/]*$/, '/tr?ev=PageView&t=' + Date.now());
  window.demoAdsRan = (window.demoAdsRan || 0) + 1;
})();
"""

HEATMAP_JS = """(function () {
  document.cookie = 'mf_user=' + Math.random().toString(16).slice(2) + '; max-age=7776000; path=/';
  window.demoHeatmapRan = (window.demoHeatmapRan || 0) + 1;
})();
"""
