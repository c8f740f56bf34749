"""Consent banners for the scanner's "accept all" / "reject all" step: look-alikes of the known
consent managers (their documented button ids and APIs, with wordings the generic matcher does not
know, so only the manager's own selector can find them), generic banners in many languages, one
in an iframe, one in a shadow root, and a page with none.

Every choice is recorded in the `choice` cookie (`<banner>:<accept|reject>`), so a test can check
that the right button was clicked, not only that one was.
"""

from __future__ import annotations

import html as markup
import json

from werkzeug.wrappers import Request, Response

from .common import by_host, html

SITE = "https://www.banners.test"
HOSTS = ("www.banners.test",)

RECORD = """<script>
function record(choice) { document.cookie = 'choice=' + encodeURIComponent(choice) + '; path=/'; }
</script>"""

CMPS = {
    # manager: (container, accept id or attribute, reject id or attribute)
    "cookiebot": ('<div id="CybotCookiebotDialog">',
                  'id="CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll"',
                  'id="CybotCookiebotDialogBodyButtonDecline"'),
    "onetrust": ('<div id="onetrust-banner-sdk">', 'id="onetrust-accept-btn-handler"',
                 'id="onetrust-reject-all-handler"'),
    "cookieyes": ('<div class="cky-consent-container">', 'data-cky-tag="accept-button"',
                  'data-cky-tag="reject-button"'),
    "didomi": ('<div id="didomi-host">', 'id="didomi-notice-agree-button"',
               'id="didomi-notice-disagree-button"'),
}


def cmp_page(name: str) -> Response:
    """A manager's banner whose buttons say "Greit" / "Nix": known only by their selectors."""
    container, accept, reject = CMPS[name]
    body = (f'{container}<p>Cookies</p>'
            f'<button class="b" {accept} onclick="record(\'{name}:accept\')">Greit</button>'
            f'<button class="b" {reject} onclick="record(\'{name}:reject\')">Nix</button></div>')
    return html(body, RECORD)


def usercentrics(request: Request) -> Response:
    """Usercentrics draws its banner in an open shadow root."""
    script = """<script>
    const host = document.getElementById('usercentrics-root');
    const root = host.attachShadow({mode: 'open'});
    root.innerHTML = '<div><button data-testid="uc-accept-all-button">Greit</button>' +
                     '<button data-testid="uc-deny-all-button">Nix</button></div>';
    root.querySelector('[data-testid=uc-accept-all-button]').onclick = () => record('usercentrics:accept');
    root.querySelector('[data-testid=uc-deny-all-button]').onclick = () => record('usercentrics:reject');
    </script>"""
    return html(f'<div id="usercentrics-root"></div>{script}', RECORD)


def cookiebot_api(request: Request) -> Response:
    """Cookiebot loaded with its dialog hidden (a custom design): only the API can answer."""
    script = """<script>
    window.Cookiebot = {
      submitCustomConsent(p, s, m) { record('cookiebot-api:' + (m ? 'accept' : 'reject')); },
    };
    </script>"""
    return html('<div id="CybotCookiebotDialog" style="display:none"></div>' + script, RECORD)


def labelled(request: Request) -> Response:
    """A generic banner: a settings decoy, then the button labelled `?label=` for `?choice=`.
    `?late=1` shows the banner 800 ms after load, as consent tools loaded async do."""
    label, choice = request.args.get("label", ""), request.args.get("choice", "accept")
    tag = request.args.get("tag", "button")
    record = markup.escape(f"record({json.dumps('label:' + choice)})")
    text = markup.escape(label)
    button = (f'<input type="submit" value="{text}" onclick="{record}">' if tag == "input"
              else f'<{tag} href="#" role="button" onclick="{record}; return false">{text}</{tag}>')
    banner = f'<div id="banner"><p>Cookies.</p><button>Innstillinger</button>{button}</div>'
    if request.args.get("late"):
        banner = banner.replace('<div id="banner">', '<div id="banner" hidden>')
        banner += "<script>setTimeout(() => document.getElementById('banner').hidden = false, 800)</script>"
    return html(banner, RECORD)


def both(request: Request) -> Response:
    """Settings, "Godta alle" and "Avvis alle" side by side; a hidden "Avvis" must not win."""
    return html('<div id="banner"><button onclick="record(\'both:settings\')">Innstillinger</button>'
                '<button style="display:none" onclick="record(\'both:hidden\')">Avvis</button>'
                '<button onclick="record(\'both:accept\')">Godta alle</button>'
                '<button onclick="record(\'both:reject\')">Avvis alle</button></div>', RECORD)


def framed(request: Request) -> Response:
    return html('<iframe src="/frame-banner" width="600" height="200"></iframe>')


def frame_banner(request: Request) -> Response:
    return html('<button onclick="record(\'frame:reject\')">Neka alla</button>'
                '<button onclick="record(\'frame:accept\')">Acceptera alla</button>', RECORD)


def app():
    """The WSGI app of the banner fixtures."""
    routes = {f"/cmp/{name}": (lambda r, n=name: cmp_page(n)) for name in CMPS}
    routes.update({"/cmp/usercentrics": usercentrics, "/api/cookiebot": cookiebot_api, "/label": labelled,
                   "/both": both, "/framed": framed, "/frame-banner": frame_banner,
                   "/none": lambda r: html("<h1>No banner here</h1><button>Les mer</button>")})
    return by_host({"www.banners.test": routes})
