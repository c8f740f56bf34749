"""Banner benchmark (issue 20): what visitors see, from navigation start, beside four peers and no banner.

    .venv/bin/python bench/bench_banner.py [--runs 10] [--profiles desktop,mobile] [--json out.json]

consent.js comes from a real `consentkit serve` (a subprocess on its own SQLite file) on another
origin, http://consent.test:PORT, as users deploy it; the pages are on http://www.shop.test:PORT
(Chromium maps *.test to 127.0.0.1). The peers (vanilla-cookieconsent, klaro, orejime,
tarteaucitron) are pinned in bench/peers/package.json and installed there with `npm ci` when
missing. Rows: no banner (the baseline, measured in the same run), consentkit as `site show`
prints it (inline stub, consent.js async), consentkit's former one-tag blocking embed, each peer.

Each load is a fresh browser context (a first visit: empty cache and cookies), the rows interleaved
in a shuffled order per run. Profiles: desktop (1280×800) and mobile (390×844, CPU slowed 4× and
150 ms latency, 1.6 Mbit/s down, through the DevTools protocol). Figures are medians, in ms from
navigation start: the page's first contentful paint (PerformanceObserver 'paint') and its largest
(LCP: a banner bigger than the page's own first content becomes it), the banner's
first layer first visible and fully shown (opacity ≥ 0.99, so fade-ins count), and how many
animation frames after the page's heading first had a box the banner was fully shown. A second
table has consentkit's repeat visit (same context, after a choice): FCP, what it fetched from
the consent server and whether from the browser's cache. Not a test: figures vary by machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from banner_pages import CK_SELECTOR, PEERS, Banner, PageServer, page_html, probe  # noqa: E402

from consentkit import migrate, snippet  # noqa: E402
from consentkit.app import create_app  # noqa: E402
from consentkit.db import get_db  # noqa: E402
from consentkit.sites.registry import create_site  # noqa: E402
from scanner.browser import launch_options  # noqa: E402

PEERS_DIR = ROOT / "bench" / "peers"
PROFILES = {
    "desktop": {"viewport": (1280, 800), "cpu": 1, "network": None},
    "mobile": {"viewport": (390, 844), "cpu": 4,
               "network": {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8,
                           "uploadThroughput": 750e3 / 8}},
}
FRAME_MS = 1000 / 60


def install_peers() -> Path:
    """The pinned peers, installed with `npm ci` into bench/peers when they are not there yet."""
    modules = PEERS_DIR / "node_modules"
    if not modules.is_dir():
        npm = shutil.which("npm")
        if not npm:
            raise SystemExit("npm is needed to install the peers (bench/peers/package.json)")
        subprocess.run([npm, "ci", "--silent", "--no-audit", "--no-fund"], cwd=PEERS_DIR, check=True)
    return modules


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ConsentServer:
    """`consentkit serve` in a subprocess, with one site whose origin is the bench's page server."""

    def __init__(self, folder: Path, page_origin: str) -> None:
        self.port = free_port()
        self.url = f"http://consent.test:{self.port}"
        db_url = f"sqlite:///{folder / 'consentkit.db'}"
        migrate.upgrade(db_url)
        app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "bench"}, instance_path=str(folder / "app"))
        with app.app_context(), get_db(app).session() as session:
            site = create_site(session, name="Bench shop", origins=[page_origin])
            self.key = site.key
            self.snippet = snippet.for_site(self.url, site)
        get_db(app).dispose()
        env = dict(os.environ, CONSENTKIT_DATABASE_URL=db_url, CONSENTKIT_SECRET_KEY="bench",
                   CONSENTKIT_INSTANCE_PATH=str(folder / "instance"), CONSENTKIT_PUBLIC_URL=self.url)
        command = [sys.executable, "-m", "consentkit", "serve", "--port", str(self.port), "--workers", "1"]
        with open(folder / "serve.log", "wb") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        self.wait()

    def wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"consentkit serve exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("consentkit serve did not answer")

    def script_url(self) -> str:
        return f"{self.url}/v1/sites/{self.key}/consent.js"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def banners(server: ConsentServer) -> list[Banner]:
    """Every row: the baseline, consentkit's snippet and its former blocking tag, the peers."""
    blocking = f'<script src="{server.script_url()}"></script>'
    return [Banner("no banner"),
            Banner("consentkit", head=lambda: server.snippet, selector=CK_SELECTOR),
            Banner("consentkit (blocking tag)", head=lambda: blocking, selector=CK_SELECTOR), *PEERS]


def slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name).strip("-")


def new_context(browser, banner: Banner, profile: str):
    """A fresh context with the probe, the profile's viewport, CPU and network, and a CDP session."""
    spec = PROFILES[profile]
    width, height = spec["viewport"]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    context.add_init_script(probe(banner))
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if spec["network"]:
        cdp.send("Network.emulateNetworkConditions", spec["network"])
    if spec["cpu"] > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": spec["cpu"]})
    return context, page, cdp


def poll(cdp, expression: str, timeout: float = 30) -> object:
    """The value of `expression` once it is truthy, polled every 50 ms through the DevTools protocol.

    Not `page.wait_for_function`: Playwright's first evaluation in a page compiles its injected script
    (~7 ms on the main thread on desktop, ~30 ms at 4× CPU), which would land inside the measured
    load, before or after the first paint by chance. A bare Runtime.evaluate costs microseconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        value = result.get("result", {}).get("value")
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout:.0f} s: {expression}")
        time.sleep(0.05)


def settle(cdp, banner: Banner) -> dict:
    """Waits for the page's FCP and the banner fully shown (the probe's frames done), then reads it
    after 150 ms more: LCP entries arrive after the frame they describe."""
    shown = "B.opaqueAt !== null" if banner.selector else "B.done"
    poll(cdp, f"(() => {{ const B = window.__bench; return B && B.fcp !== null && {shown}; }})()")
    time.sleep(0.15)
    return poll(cdp, "({...window.__bench})")


def watch_requests(cdp) -> dict[str, dict]:
    """Every request of the page by id: its URL and whether the browser's cache answered it."""
    seen: dict[str, dict] = {}
    cdp.on("Network.requestWillBeSent", lambda e: seen.setdefault(e["requestId"], {"url": e["request"]["url"],
                                                                                   "cache": False}))
    cdp.on("Network.requestServedFromCache", lambda e: seen.get(e["requestId"], {}).update(cache=True))
    cdp.on("Network.responseReceived", lambda e: e["response"].get("fromDiskCache") and
           seen.get(e["requestId"], {}).update(cache=True))
    return seen


def first_visit(browser, base: str, banner: Banner, profile: str) -> dict:
    context, page, cdp = new_context(browser, banner, profile)
    try:
        page.goto(f"{base}/{slug(banner.name)}.html", wait_until="commit")
        return settle(cdp, banner)
    except Exception as error:  # a failed load is reported, the others go on
        return {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"}
    finally:
        context.close()


def repeat_visit(browser, base: str, banner: Banner, profile: str, consent_origin: str) -> dict:
    """A choice, then the same page again in the same context: what a returning visitor costs."""
    context, page, cdp = new_context(browser, banner, profile)
    try:
        page.goto(f"{base}/{slug(banner.name)}.html", wait_until="commit")
        settle(cdp, banner)
        poll(cdp, "ConsentKit.rejectAll(), true")
        poll(cdp, "!localStorage.getItem('consentkit:queue')")
        seen = watch_requests(cdp)
        page.goto(f"{base}/{slug(banner.name)}.html", wait_until="commit")
        fcp = poll(cdp, "window.__bench && window.__bench.fcp !== null && "
                   "document.querySelector('[data-consentkit-root]') && window.__bench.fcp")
        ours = [r for r in seen.values() if r["url"].startswith(consent_origin)]
        return {"fcp": fcp, "requests": len(ours),
                "cached": sum(r["cache"] for r in ours),
                "view": any("consentkit-ui" in r["url"] for r in ours)}
    except Exception as error:
        return {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"}
    finally:
        context.close()


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value: float | None, spec: str = "{:.0f}") -> str:
    return "-" if value is None else spec.format(value)


def summary(rows: list[dict]) -> dict:
    ok = [r for r in rows if "error" not in r]
    frames = [r["opaqueFrame"] - r["h1Frame"] for r in ok if r.get("opaqueFrame") and r.get("h1Frame")]
    return {"fcp": median([r["fcp"] for r in ok]), "lcp": median([r.get("lcp") for r in ok]),
            "visible": median([r.get("visibleAt") for r in ok]),
            "shown": median([r.get("opaqueAt") for r in ok]),
            "after": median([r["opaqueAt"] - r["fcp"] for r in ok if r.get("opaqueAt") is not None]),
            "frames": median(frames), "ok": len(ok), "n": len(rows),
            "errors": [r["error"] for r in rows if "error" in r][:2]}


def print_profile(profile: str, results: dict[str, list[dict]], runs: int) -> None:
    none = summary(results["no banner"])
    base = none["fcp"]
    print(f"\n== {profile}: medians of {runs} fresh loads, ms from navigation start")
    print("| banner | FCP | FCP vs no banner | LCP vs no banner | first layer visible | fully shown | "
          "shown − FCP | frames after first content | ok |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, rows in results.items():
        s = summary(rows)
        delta = None if s["fcp"] is None or base is None else s["fcp"] - base
        pct = "" if delta is None or not base else f" ({100 * delta / base:+.0f}%)"
        lcp = None if s["lcp"] is None or none["lcp"] is None else s["lcp"] - none["lcp"]
        print(f"| {name} | {fmt(s['fcp'])} | {fmt(delta, '{:+.0f}')}{pct} | {fmt(lcp, '{:+.0f}')} | "
              f"{fmt(s['visible'])} | {fmt(s['shown'])} | {fmt(s['after'], '{:+.0f}')} | "
              f"{fmt(s['frames'], '{:+.1f}')} | {s['ok']}/{s['n']} |")
        for error in s["errors"]:
            print(f"    error: {error}")
    ours = summary(results["consentkit"])
    if ours["fcp"] is not None and base:
        aim = FRAME_MS if profile == "desktop" else 0.05 * base
        verdict = "meets" if ours["fcp"] - base <= aim else "MISSES"
        print(f"  consentkit's FCP delay {ours['fcp'] - base:+.0f} ms {verdict} the aim (≤ {aim:.0f} ms); "
              f"fully shown {fmt(ours['frames'], '{:+.1f}')} frames after the page's first content (aim ≤ 1)")


def print_repeat(profile: str, rows: list[dict], base_fcp: float | None) -> None:
    ok = [r for r in rows if "error" not in r]
    if not ok:
        print(f"  repeat visit ({profile}): every run failed: {rows[0].get('error') if rows else '-'}")
        return
    fcp = median([r["fcp"] for r in ok])
    delta = "" if fcp is None or not base_fcp else f" ({fcp - base_fcp:+.0f} ms vs a first visit, no banner)"
    views = sum(r["view"] for r in ok)
    print(f"  repeat visit ({profile}, after a choice): FCP {fmt(fcp)} ms{delta}; requests to the consent "
          f"server {fmt(median([r['requests'] for r in ok]))}, from the browser's cache "
          f"{fmt(median([r['cached'] for r in ok]))}; view fetched in {views}/{len(ok)} runs")


def gz_size(data: bytes) -> int:
    return len(gzip.compress(data, 9, mtime=0))


def print_sizes(server: ConsentServer, modules: Path) -> None:
    """What each banner costs on the wire (gzip -9), consentkit's as its server sends it."""
    request = urllib.request.Request(server.script_url().replace("consent.test", "127.0.0.1"),
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        core = len(response.read())
    stub = gz_size(snippet.stub_source().encode())
    view = gz_size((ROOT / "static" / "consentkit-ui.js").read_bytes())
    print("== gzip sizes (bytes)")
    print(f"  consentkit: inline stub {stub} (in the page's HTML), consent.js with config {core}, "
          f"view {view} (only when the banner must show)")
    for peer in PEERS:
        total = sum(gz_size((modules / peer.package / f).read_bytes()) for f in peer.js + peer.css)
        print(f"  {peer.name}: JS + CSS {total}")


def run(args: argparse.Namespace, folder: Path) -> dict:
    modules = install_peers()
    pages: dict[str, str] = {}
    page_server = PageServer(modules, pages)
    base = f"http://www.shop.test:{page_server.port}"
    server = ConsentServer(folder, base)
    rows = banners(server)
    pages.update({f"/{slug(b.name)}.html": page_html(b) for b in rows})
    out: dict = {}
    try:
        print_sizes(server, modules)
        with sync_playwright() as pw:
            hosts = "--host-resolver-rules=MAP *.test 127.0.0.1"
            browser = pw.chromium.launch(**launch_options(extra_args=[hosts]))
            for profile in args.profiles.split(","):
                out[profile] = measure_profile(browser, base, rows, profile, args, server.url)
            browser.close()
    finally:
        server.stop()
        page_server.shutdown()
    return out


def measure_profile(browser, base: str, rows: list[Banner], profile: str, args: argparse.Namespace,
                    consent_origin: str) -> dict:
    rng = random.Random(args.seed)
    results: dict[str, list[dict]] = {b.name: [] for b in rows}
    repeats: list[dict] = []
    first_visit(browser, base, rows[1], profile)  # warm-up: the server renders consent.js once
    for i in range(args.runs):
        order = rows[:]
        rng.shuffle(order)
        for banner in order:
            results[banner.name].append(first_visit(browser, base, banner, profile))
        repeats.append(repeat_visit(browser, base, rows[1], profile, consent_origin))
        print(f"  {profile}: run {i + 1}/{args.runs}", file=sys.stderr, flush=True)
    print_profile(profile, results, args.runs)
    print_repeat(profile, repeats, summary(results["no banner"])["fcp"])
    return {"first": results, "repeat": repeats}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profiles", default="desktop,mobile")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="write every load's figures here")
    args = parser.parse_args()
    if args.runs < 1 or not set(args.profiles.split(",")) <= set(PROFILES):
        parser.error(f"--runs must be ≥ 1 and --profiles a comma-separated subset of {', '.join(PROFILES)}")
    with tempfile.TemporaryDirectory(prefix="ck-bench-banner-") as tmp:
        out = run(args, Path(tmp))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
