"""Banner benchmark (issue 6): size and load cost of static/consentkit.js beside vanilla-cookieconsent 3.1.

    python bench/bench_banner.py [--runs 20]

Prints the gzip size (level 9) of our bundle (JS and CSS together, no site config) and of
vanilla-cookieconsent 3.1's JS plus CSS, installed from npm into a temporary folder (not vendored); then,
over N fresh loads each in headless Chromium, the median time from the banner script's execution to the
banner being visible, and the median main-thread time (Chromium's ScriptDuration and TaskDuration
metrics for the whole load) of the same minimal page with each banner. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scanner.browser import launch_options  # noqa: E402

# Each banner is served as one file, the way our backend serves it: `t0 = now`, the library, then its
# init call. So the time counted starts when the banner's script starts executing (network excluded),
# and a probe at the end of <body> watches, on every animation frame, for the banner's box to have a size.
T0 = "window.t0 = performance.now();\n"
WATCH = """<script>
(function poll() {
  var el = (%s);
  var r = el && el.getBoundingClientRect();
  if (r && r.width > 0 && r.height > 0) { window.visibleAt = performance.now() - window.t0; return; }
  requestAnimationFrame(poll);
})();
</script>"""
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>
<link rel="icon" href="data:,">%s</head>
<body><main><h1>Benchmark page</h1><p>Some content.</p></main>%s</body></html>"""

OURS_HEAD = '<script src="/ours.js"></script>'
OURS_INIT = "ConsentKit.init({});".format(
    json.dumps({"categories": ["analytics", "marketing"], "revision": 1})
)
OURS_FIND = (
    "document.querySelector('[data-consentkit-root]') && "
    "document.querySelector('[data-consentkit-root]').shadowRoot.querySelector('[role=dialog]')"
)
# vanilla-cookieconsent needs document.body when run() is called, so (as its docs show) it goes at the
# end of <body>; ours goes in <head>, as the one tag site owners paste.
CC_HEAD = '<link rel="stylesheet" href="/cc/cookieconsent.css">'
CC_BODY = '<script src="/cc.js"></script>'
CC_INIT = "CookieConsent.run({});".format(
    json.dumps(
        {
            "hideFromBots": False,  # headless Chromium counts as a bot: the banner would never show
            "categories": {
                "necessary": {"enabled": True, "readOnly": True},
                "analytics": {},
                "marketing": {},
            },
            "language": {
                "default": "en",
                "translations": {
                    "en": {
                        "consentModal": {
                            "title": "We use cookies",
                            "description": "Necessary cookies make the site work; others need consent.",
                            "acceptAllBtn": "Accept all",
                            "acceptNecessaryBtn": "Reject all",
                            "showPreferencesBtn": "Customize",
                        },
                        "preferencesModal": {
                            "title": "Cookie settings",
                            "acceptAllBtn": "Accept all",
                            "acceptNecessaryBtn": "Reject all",
                            "savePreferencesBtn": "Save choices",
                            "sections": [],
                        },
                    }
                },
            },
        }
    )
)
CC_FIND = "document.querySelector('#cc-main .cm')"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def install_cookieconsent(folder: Path) -> Path:
    """vanilla-cookieconsent 3.1 from npm into a temporary folder; returns its dist/ folder."""
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit("npm is needed to fetch vanilla-cookieconsent for the comparison")
    subprocess.run(
        [
            npm,
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(folder),
            "vanilla-cookieconsent@3.1",
        ],
        check=True,
    )
    return folder / "node_modules" / "vanilla-cookieconsent" / "dist"


def write_site(site: Path, dist: Path) -> None:
    shutil.copytree(dist, site / "cc")
    bundle = (ROOT / "static" / "consentkit.js").read_text(encoding="utf-8")
    (site / "ours.js").write_text(T0 + bundle + ";" + OURS_INIT, encoding="utf-8")
    cc = (dist / "cookieconsent.umd.js").read_text(encoding="utf-8")
    (site / "cc.js").write_text(T0 + cc + ";" + CC_INIT, encoding="utf-8")
    (site / "ours.html").write_text(PAGE % (OURS_HEAD, WATCH % OURS_FIND))
    (site / "cc.html").write_text(PAGE % (CC_HEAD, CC_BODY + WATCH % CC_FIND))


def serve(site: Path) -> ThreadingHTTPServer:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure(browser, url: str) -> tuple[float, float, float]:
    """One fresh load: (ms from script execution to banner visible, ScriptDuration ms, TaskDuration ms)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        page.goto(url)
        page.wait_for_function("window.visibleAt !== undefined", timeout=10000)
        visible = page.evaluate("window.visibleAt")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return visible, metrics["ScriptDuration"] * 1000, metrics["TaskDuration"] * 1000
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ck-bench-") as tmp:
        dist = install_cookieconsent(Path(tmp) / "npm")
        site = Path(tmp) / "site"
        site.mkdir()
        write_site(site, dist)
        ours = gz((ROOT / "static" / "consentkit.js").read_bytes())
        cc_js, cc_css = (
            gz((dist / "cookieconsent.umd.js").read_bytes()),
            gz((dist / "cookieconsent.css").read_bytes()),
        )
        print("gzip -9 size (JS + CSS, no site config)")
        verdict = "meets" if ours <= 9000 else "MISSES"
        print(f"  consentkit            {ours / 1000:6.2f} KB ({ours} B; {verdict} the 9 KB target)")
        print(f"  vanilla-cookieconsent {(cc_js + cc_css) / 1000:6.2f} KB (JS {cc_js} B + CSS {cc_css} B)")
        server = serve(site)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        results: dict[str, list[tuple[float, float, float]]] = {"consentkit": [], "vanilla-cookieconsent": []}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**launch_options())
            for _ in range(args.runs):  # interleaved, so both see the same machine state
                results["consentkit"].append(measure(browser, f"{base}/ours.html"))
                results["vanilla-cookieconsent"].append(measure(browser, f"{base}/cc.html"))
            browser.close()
        server.shutdown()
        print(f"\nmedian of {args.runs} fresh loads, headless Chromium")
        print(f"  {'':22} {'to visible':>11} {'script ms':>10} {'task ms':>9}")
        for name, rows in results.items():
            med = [statistics.median(col) for col in zip(*rows, strict=True)]
            print(f"  {name:22} {med[0]:8.1f} ms {med[1]:10.1f} {med[2]:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
