"""Scanner throughput and memory on a generated local site, against a naive baseline in the same run.

    .venv/bin/python bench/bench_scan.py [--pages 200] [--concurrency 1,2,4,8] [--baseline-pages 40]

Prints pages per minute (the "before consent" crawl plus the accept/reject phases, all collectors on,
the late-write watch on, default settings otherwise) and the peak memory (PSS) of this process plus
the Playwright driver and every Chromium process. Every generated page writes a cookie one second
after load, so the watch has to wait on every page; the `watch` column says how each page's watch
ended (idle/quiet/cap, see scanner.watch) and `late seen` on how many pages that write was seen
(the page's own `_trk_engaged:<path>` sessionStorage key, written with the cookie). One more row at
the default concurrency runs without the watch (quiet_cap_ms=0): what the watch costs. The fixture
server runs in its own process so it does not compete with the scanner for the GIL. The load average
is printed too: on a shared 2-core machine it moves the figures more than anything the scanner does.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from consentkit.kb.classifier import default_classifier  # noqa: E402
from scanner.engine import launch  # noqa: E402
from scanner.run import ScanOptions, scan  # noqa: E402
from tests.sites import generated  # noqa: E402

SERVER = ("import sys, time\nfrom tests.sites import serve, generated\n"
          "with serve(generated.app(int(sys.argv[1]))) as s:\n"
          "    print(s.port, flush=True)\n    time.sleep(86400)\n")


def tree_rss_kb(root: int) -> int:
    """Proportional resident memory (PSS: shared pages split between sharers, so Chromium's many
    processes are not counted several times) of `root` and all its descendants, from /proc.

    Only the tree's own smaps_rollup files are read: the kernel walks a process's page tables to
    write one, and reading every process on the machine cost as much CPU as the scan it measured."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(proc.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kb(pid)
        todo.extend(children.get(pid, []))
    return total


def _pss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


class PeakMemory:
    """Samples the process tree's PSS every `period` seconds in the `with` block (one sample costs
    ~0.15 s of CPU with Chromium running, so sampling often would slow the scan it measures)."""

    def __init__(self, period: float = 5.0) -> None:
        self.period = period

    def __enter__(self) -> PeakMemory:
        self.peak, self.running = 0, True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, tree_rss_kb(os.getpid()))
            time.sleep(self.period)

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()


async def naive(resolve: tuple[str, ...], urls: list[str]) -> None:
    """What a first attempt looks like: a fresh context per page, networkidle, a fixed 1 s sleep."""
    async with async_playwright() as pw, launch(pw, resolve) as browser:
        for url in urls:
            context = await browser.new_context(ignore_https_errors=True)
            page = await context.new_page()
            await page.goto(url, wait_until="networkidle")
            await page.wait_for_timeout(1000)
            await context.cookies()
            await page.evaluate("Object.keys(localStorage)")
            await context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--concurrency", default="1,2,4,8")
    parser.add_argument("--baseline-pages", type=int, default=40)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(args.pages)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        resolve = tuple(f"{host}:127.0.0.1:{port}" for host in generated.HOSTS)
        print(f"generated site: {args.pages} pages; {os.cpu_count()} CPUs; "
              f"load average {os.getloadavg()[0]:.1f} at start")
        print(f"{'run':<32}{'pages':>7}{'seconds':>9}{'pages/min':>11}{'peak PSS MB':>13}{'load':>7}"
              f"  {'watch idle/quiet/cap':<22}late seen")
        runs = [(f"scanner, concurrency {c}", c, {}) for c in (int(c) for c in args.concurrency.split(","))]
        default = ScanOptions().concurrency
        runs.append((f"  same, no watch (c={default})", default, {"quiet_cap_ms": 0}))
        for name, concurrency, extra in runs:
            options = ScanOptions(max_pages=args.pages, concurrency=concurrency, resolve=resolve,
                                  ignore_https_errors=True, **extra)
            with PeakMemory() as memory:
                started = time.monotonic()
                report = scan(generated.START, options, classifier=default_classifier())
                seconds = time.monotonic() - started
            row(name, len(report["pages"]), seconds, memory.peak, watch_summary(report))
        urls = [generated.START] + [f"{generated.SITE}/p/{i}/" for i in range(1, args.baseline_pages)]
        with PeakMemory() as memory:
            started = time.monotonic()
            asyncio.run(naive(resolve, urls))
            seconds = time.monotonic() - started
        row("naive baseline", len(urls), seconds, memory.peak)
    finally:
        server.terminate()
        server.wait()


def watch_summary(report: dict) -> str:
    """How the pages' late-write watches ended, and whether the generated late cookie was seen."""
    ends = collections.Counter(page.get("watch") for page in report["pages"])
    crawled = {urlsplit(page["url"]).path for page in report["pages"] if page["phase"] == "before"}
    seen = {item["name"].partition(":")[2] for item in report["storage"]
            if item["name"].startswith("_trk_engaged:")}
    watched = f"{ends['idle']}/{ends['quiet']}/{ends['cap']}"
    return f"{watched:<22}{len(seen & crawled)}/{len(crawled)}"


def row(name: str, pages: int, seconds: float, peak_kb: int, watch: str = "") -> None:
    print(f"{name:<32}{pages:>7}{seconds:>9.1f}{pages / seconds * 60:>11.0f}{peak_kb / 1024:>13.0f}"
          f"{os.getloadavg()[0]:>7.1f}  {watch}", flush=True)


if __name__ == "__main__":
    main()
