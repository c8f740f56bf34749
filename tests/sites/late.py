"""A site whose trackers write late: after a timer, after the visitor's first move, after a choice.

Every page loads `/late.js`, which sets `_ga` 1.5 s after the load event (the case that used to pass
`--fail-on-violation`), writes a localStorage key and opens an IndexedDB database 1.2 s after it,
sets Clarity's `_clck` 3.5 s after it (longer than the 2 s quiet period: a pending timer holds
the watch), and loads a Google Ads tag only once the visitor moves the mouse, turns the wheel or
presses a key (the events "delay JavaScript until interaction" plugins wait for; a scroll alone
is not one).
The banner's "Godta alle" makes Meta's pixel write `_fbp` 1.5 s after the click; its "Avvis alle"
still writes `_gid` 1.5 s after the click, a leak a scan must catch after rejection too.
"""

from __future__ import annotations

from .common import YEAR, by_host, html, script

SITE = "https://www.late.test"
START = f"{SITE}/"
HOSTS = ("www.late.test",)
PAGES = ("/", "/a/", "/b/", "/busy/")
# /a/ runs a carousel interval (never idle, but it writes nothing); /busy/ writes a new
# sessionStorage key every 400 ms for ever, so its watch can only end at the cap
EXTRA = {"/a/": "<script>setInterval(function () {}, 300);</script>",
         "/busy/": "<script>var n = 0; setInterval(function () { "
                   "sessionStorage.setItem('lw_tick_' + n++, '1'); }, 400);</script>"}

LATE_JS = f"""
window.addEventListener('load', function () {{
  setTimeout(function () {{
    document.cookie = '_ga=GA1.1.42.1700000000; path=/; max-age={YEAR}';
  }}, 1500);
  setTimeout(function () {{
    localStorage.setItem('lw_k9', 'v-42');
    indexedDB.open('lw-k9-db', 1);
  }}, 1200);
  setTimeout(function () {{
    document.cookie = '_clck=42|2|f|0|1700000000; path=/; max-age={YEAR}';
  }}, 3500);
}});
var loaded = false;
function onFirstMove() {{
  if (loaded) return;
  loaded = true;
  var s = document.createElement('script'); s.src = '/gtag-ads.js'; document.head.appendChild(s);
}}
['keydown', 'mousedown', 'mousemove', 'touchstart', 'wheel'].forEach(function (name) {{
  window.addEventListener(name, onFirstMove, {{passive: true}});
}});
"""
ADS_JS = f"document.cookie = '_gcl_au=1.1.42.1700000000; path=/; max-age={YEAR}';"

BANNER = """<div id="consent" role="dialog" aria-label="Informasjonskapsler" hidden>
<p>Vi bruker informasjonskapsler.</p>
<button type="button" data-choice="accept">Godta alle</button>
<button type="button" data-choice="reject">Avvis alle</button></div>"""

BANNER_JS = f"""
(function () {{
  function later(cookie) {{ setTimeout(function () {{ document.cookie = cookie; }}, 1500); }}
  function choose(choice) {{
    document.cookie = 'late_consent=' + choice + '; path=/; max-age={YEAR}';
    document.getElementById('consent').hidden = true;
    if (choice === 'accept') later('_fbp=fb.1.1700000000.42; path=/; max-age={YEAR}');
    else later('_gid=GA1.1.7.1700000000; path=/; max-age=86400');
  }}
  document.addEventListener('DOMContentLoaded', function () {{
    if (/late_consent=/.test(document.cookie)) return;
    var banner = document.getElementById('consent');
    banner.hidden = false;
    banner.addEventListener('click', function (e) {{
      var c = e.target.getAttribute('data-choice'); if (c) choose(c);
    }});
  }});
}})();
"""


def page(path: str):
    nav = " ".join(f'<a href="{link}">{link}</a>' for link in PAGES)
    head = '<script src="/banner.js"></script><script src="/late.js"></script>' + EXTRA.get(path, "")
    return html(f"<h1>Side {path}</h1><nav>{nav}</nav>{BANNER}<p style='height:3000px'>…</p>", head)


def app():
    """The WSGI app of the late-writing site."""
    routes = {path: (lambda r, p=path: page(p)) for path in PAGES}
    routes.update({"/late.js": lambda r: script(LATE_JS), "/gtag-ads.js": lambda r: script(ADS_JS),
                   "/banner.js": lambda r: script(BANNER_JS)})
    return by_host({"www.late.test": routes})
