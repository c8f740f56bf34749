"""Watching a loaded page until its storage has gone quiet, so a tracker that writes late is seen.

After the load event the scanner acts like a visitor (mouse move, wheel, a key press, focus, a scroll
to the bottom: what "delay until interaction" loaders wait for), then watches. Nothing is polled: the
init script reports every storage write (`collect.INIT_SCRIPT`) and, per frame, whether timers are
pending (`PENDING_SCRIPT`); requests and `Set-Cookie` responses arrive as Playwright events. Each of
them wakes `watch()`, which ends at the first of:

- *idle*: no request in flight, no timer or idle callback pending in any frame, and no write, for
  `idle_ms`, confirmed by a round trip to the page (nothing is left that could write, so waiting
  longer only costs time);
- *quiet*: no write for `quiet_ms`, and no one-shot timer due before the cap (a tracker that waits
  3 s keeps the page watched until it has fired; intervals and timer chains do not, or every page
  with a carousel would be held to the cap);
- *cap*: `cap_ms` after the watch began, or the page timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page, Request

# Timers, intervals and idle callbacks, counted per frame and reported through the scan binding
# when the frame goes from idle to busy or back, or when a one-shot timer due later than the last
# report is added. `__HOLD_MS__` is the watch cap: a timer due later cannot be waited for anyway.
# Timers made inside timer callbacks (polling loops, re-armed timeouts) count as pending but do not
# hold the watch. The wrappers call the originals with the same arguments and return their ids.
PENDING_SCRIPT = r"""
(() => {
  const report = globalThis.__BINDING__;
  if (typeof report !== "function" || globalThis.__consentkitScanTimers) return;
  Object.defineProperty(globalThis, "__consentkitScanTimers", {value: true});
  const st = globalThis.setTimeout, ct = globalThis.clearTimeout;
  const si = globalThis.setInterval, ci = globalThis.clearInterval;
  const now = () => performance.now();
  const pending = new Map();  // id -> due time that holds the watch, or 0
  let nested = 0, queued = false, busy = 0, held = 0;
  const flush = () => {
    queued = false;
    let hold = 0;
    for (const due of pending.values()) if (due > hold) hold = due;
    const nowBusy = pending.size ? 1 : 0;
    if (nowBusy === busy && hold <= held + 250) return;
    busy = nowBusy;
    held = hold;
    try { report("pending", busy + ":" + Math.max(0, Math.round(hold - now())), "").catch(() => {}); }
    catch (e) {}
  };
  const changed = () => { if (!queued) { queued = true; queueMicrotask(flush); } };
  const track = (key, due) => { pending.set(key, due); changed(); };
  const untrack = (key) => { if (pending.delete(key)) changed(); };
  const wrap = (callback, key) => function () {
    pending.delete(key());
    nested++;
    try { return callback.apply(this, arguments); } finally { nested--; changed(); }
  };
  globalThis.setTimeout = function setTimeout(callback, delay, ...rest) {
    if (typeof callback !== "function") return st(callback, delay, ...rest);
    let id;
    id = st(wrap(callback, () => id), delay, ...rest);
    const wait = Number(delay) || 0;
    track(id, !nested && wait <= __HOLD_MS__ ? now() + wait : 0);
    return id;
  };
  globalThis.setInterval = function setInterval(callback, delay, ...rest) {
    if (typeof callback !== "function") return si(callback, delay, ...rest);
    const run = callback;
    let id;
    id = si(function () {
      nested++;
      try { return run.apply(this, arguments); } finally { nested--; changed(); }
    }, delay, ...rest);
    track(id, 0);
    return id;
  };
  globalThis.clearTimeout = function clearTimeout(id) { untrack(id); return ct(id); };
  globalThis.clearInterval = function clearInterval(id) { untrack(id); return ci(id); };
  if (typeof globalThis.requestIdleCallback === "function") {
    const ric = globalThis.requestIdleCallback, cic = globalThis.cancelIdleCallback;
    globalThis.requestIdleCallback = function requestIdleCallback(callback, options) {
      if (typeof callback !== "function") return ric(callback, options);
      let id;
      id = ric(wrap(callback, () => "idle" + id), options);
      track("idle" + id, 0);
      return id;
    };
    globalThis.cancelIdleCallback = function cancelIdleCallback(id) { untrack("idle" + id); return cic(id); };
  }
})();
"""

# Focus and visibility events, then a scroll to the bottom to wake lazy-loaded tags.
FOCUS_AND_SCROLL = """() => {
  try { window.dispatchEvent(new FocusEvent("focus")); } catch (e) {}
  try { document.dispatchEvent(new Event("visibilitychange")); } catch (e) {}
  const h = document.documentElement ? document.documentElement.scrollHeight : 0;
  window.scrollTo(0, h);
  return h;
}"""

# Long-lived requests that never "finish" and say nothing about pending writes.
STREAMING = frozenset({"eventsource", "websocket", "media"})


def pending_script(binding: str, hold_ms: int) -> str:
    return PENDING_SCRIPT.replace("__BINDING__", binding).replace("__HOLD_MS__", str(int(hold_ms)))


@dataclass
class Activity:
    """What can still write on a tab's page: requests in flight, per-frame timers, the last write.

    Updated from Playwright's event callbacks (one thread, the event loop's); `wake` is set on every
    change so `watch()` re-checks only when something happened."""

    last_write: float = field(default_factory=time.monotonic)
    inflight: set[Request] = field(default_factory=set)
    frames: dict[Frame, tuple[bool, float]] = field(default_factory=dict)
    written: set[tuple[str, str]] = field(default_factory=set)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    idle_since: float | None = None

    def reset(self) -> None:
        """A new page load: what the previous document had pending is gone with it."""
        self.inflight.clear()
        self.frames.clear()
        self.written.clear()
        self.idle_since = None
        self.changed()

    def wrote(self, kind: str, name: str) -> None:
        """A storage write. Only the first write of an item in a page visit counts: a heartbeat that
        re-sets the same cookie every second adds nothing to the inventory and must not hold every
        page to the cap."""
        if (kind, name) in self.written:
            return
        self.written.add((kind, name))
        self.last_write = time.monotonic()
        self.changed()

    def request(self, request: Request, done: bool) -> None:
        if done:
            self.inflight.discard(request)
        elif request.resource_type not in STREAMING:
            self.inflight.add(request)
        self.changed()

    def frame_state(self, frame: Frame | None, text: str) -> None:
        """A frame's `pending` report, "busy:ms until its latest holding timer is due"."""
        if frame is None:
            return
        busy, _, hold_ms = text.partition(":")
        hold = time.monotonic() + int(hold_ms) / 1000 if hold_ms.isdigit() and int(hold_ms) else 0.0
        self.frames[frame] = (busy == "1", hold)
        self.changed()

    def forget_frame(self, frame: Frame) -> None:
        if self.frames.pop(frame, None) is not None:
            self.changed()

    def changed(self) -> None:
        busy = bool(self.inflight) or any(b for b, _ in self.frames.values())
        if busy:
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = time.monotonic()
        self.wake.set()

    def held_until(self) -> float:
        return max((hold for _, hold in self.frames.values()), default=0.0)


async def watch(activity: Activity, idle_ms: int, quiet_ms: int, end: float,
                confirm: Callable[[], Awaitable[Any]] | None = None) -> str:
    """Wait until the page is idle or quiet (see the module docstring) or `end`; returns which.

    Before ending "idle", `confirm()` makes one round trip to the page: the page's reports travel
    the same channel, so any sent before its answer (a timer set just now, on a busy machine) has
    arrived by then, and `idle_ms` need not be long enough to cover the worst delay."""
    started = time.monotonic()
    idle, quiet = idle_ms / 1000, quiet_ms / 1000
    while True:
        now = time.monotonic()
        calm_since = max(started, activity.last_write)
        idle_since = activity.idle_since
        if idle_since is not None and now - max(calm_since, idle_since) >= idle:
            if confirm is None:
                return "idle"
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(confirm(), max(0.1, end - now))
            if activity.idle_since == idle_since and activity.last_write <= calm_since:
                return "idle"
            continue
        held = activity.held_until()
        if now - calm_since >= quiet and now >= held:
            return "quiet"
        if now >= end:
            return "cap"
        wakes = [end, max(calm_since + quiet, held)]
        if activity.idle_since is not None:
            wakes.append(max(calm_since, activity.idle_since) + idle)
        activity.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(activity.wake.wait(), max(0.005, min(wakes) - now))


async def interact(page: Page) -> bool:
    """Act like a visitor arriving: move the mouse, turn the wheel, press Tab, focus, scroll down.

    Input goes through the browser (trusted events, as a person's would be); no click, so nothing
    navigates. False when the page no longer answers."""
    try:
        await page.mouse.move(640, 450)
        await page.mouse.wheel(0, 400)
        await page.keyboard.press("Tab")
        await page.evaluate(FOCUS_AND_SCROLL)
    except PlaywrightError:
        return False
    return True

