"""Giving and refusing consent, the way a visitor would, so the scan can compare the three phases.

In order, until one works: consentkit's own banner through `ConsentKit.acceptAll()` / `rejectAll()`
(the contract in docs/contracts.md); a known consent manager's own button (scanner.banners), then
its JavaScript API; the best-ranked visible button whose whole text is a known "accept all" /
"reject all" wording. Buttons are looked for in every frame and in open shadow roots (consent
tools put their banners in both), for up to BANNER_WAIT seconds, and clicked through the browser
like a person's click. The outcome says what was clicked (its text, a CSS selector, the frame), or
in plain words that nothing was found.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, JSHandle, Page

from .banners import CONSENT_MANAGERS, labels, selectors

BANNER_WAIT = 5.0  # seconds to look for a first-layer button before reporting "not done"
API_AFTER = 1.5  # seconds of looking for a manager's button before its API is used instead
MAX_FRAMES = 20

CONSENTKIT_SCRIPT = """
async (method) => {
  const ck = window.ConsentKit;
  if (!ck || typeof ck[method] !== "function") return false;
  await ck[method]();
  return true;
}
"""

# The best visible candidate of one frame: a known manager's button (by selector), else a button
# whose normalised text is a wanted label (the lower its index, the better). Returns
# {info: {rank, text, selector, cmp}, element} or {info: null}. Text is normalised as
# banners.normalise does; the selector is for the report, not for clicking.
FIND_SCRIPT = r"""
({known, wanted}) => {
  const edges = /^[\s.!?:·›»«→✓✔×*\-]+|[\s.!?:·›»«→✓✔×*\-]+$/g;
  const norm = (t) => String(t || "").replace(/[’`]/g, "'").toLowerCase().split(/\s+/).join(" ")
    .trim().replace(edges, "");
  const rankOf = new Map(wanted.map((label, i) => [label, i]));
  const clickable = "button, a, [role=button], input[type=button], input[type=submit]";
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none" && Number(style.opacity) > 0.05;
  };
  const label = (el) => (el.innerText || el.value || el.getAttribute("aria-label") || el.title || "");
  const selectorOf = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 5; node = node.parentElement) {
      if (node.id) { parts.unshift("#" + CSS.escape(node.id)); break; }
      const testid = node.getAttribute("data-testid");
      if (testid) { parts.unshift(`${node.localName}[data-testid="${CSS.escape(testid)}"]`); break; }
      let part = node.localName;
      if (node.classList.length) part += "." + [...node.classList].slice(0, 2).map(CSS.escape).join(".");
      const parent = node.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.localName === node.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
      }
      parts.unshift(part);
    }
    const root = el.getRootNode();
    const inner = parts.join(" > ");
    return root instanceof ShadowRoot ? selectorOf(root.host) + " >>> " + inner : inner;
  };
  const roots = [document];
  for (let i = 0; i < roots.length && roots.length < 50; i++) {
    for (const el of roots[i].querySelectorAll("*")) if (el.shadowRoot) roots.push(el.shadowRoot);
  }
  let best = null;
  known.forEach(([cmp, selector], i) => {
    if (best) return;
    for (const root of roots) {
      const el = root.querySelector(selector);
      if (el && visible(el)) { best = {rank: i - known.length, el, cmp, text: label(el)}; return; }
    }
  });
  for (const root of best ? [] : roots) {
    for (const el of root.querySelectorAll(clickable)) {
      const text = label(el);
      if (text.length > 80) continue;
      const rank = rankOf.get(norm(text));
      if (rank === undefined || (best && best.rank <= rank) || !visible(el)) continue;
      best = {rank, el, cmp: "", text};
    }
  }
  if (!best) return {info: null};
  const text = String(best.text).split(/\s+/).join(" ").trim();
  return {info: {rank: best.rank, text, cmp: best.cmp, selector: selectorOf(best.el)}, element: best.el};
}
"""


async def give_consent(page: Page, choice: str) -> dict[str, Any]:
    """Accept or reject all on the open page. Returns {method, ok, detail, cmp, text, selector,
    frame}; `method` is consentkit_api, cmp_button, cmp_api, button or none."""
    method = "acceptAll" if choice == "accept" else "rejectAll"
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_function("() => !!window.ConsentKit", timeout=300)
    try:
        if await asyncio.wait_for(page.evaluate(CONSENTKIT_SCRIPT, method), 5):
            return outcome("consentkit_api", True, f"ConsentKit.{method}()", cmp="ConsentKit")
    except (TimeoutError, PlaywrightError):
        pass
    started = time.monotonic()
    # Consent tools often show their banner a moment after the page settles (an async script, an
    # animation, a busy machine): look again until BANNER_WAIT has passed before giving up.
    while True:
        clicked = await click_best(page, choice)
        if clicked is not None:
            return clicked
        waited = time.monotonic() - started
        if waited >= API_AFTER and (called := await call_manager_api(page, choice)) is not None:
            return called
        if waited >= BANNER_WAIT:
            return not_found(page, choice)
        await asyncio.sleep(0.25)


def outcome(method: str, ok: bool, detail: str, cmp: str = "", text: str = "", selector: str = "",
            frame: str = "") -> dict[str, Any]:
    return {"method": method, "ok": ok, "detail": detail, "cmp": cmp, "text": text, "selector": selector,
            "frame": frame}


def not_found(page: Page, choice: str) -> dict[str, Any]:
    examples = "'Godta alle', 'Accept all'" if choice == "accept" else "'Avvis alle', 'Reject all'"
    managers = ", ".join(["ConsentKit", *(cmp.name for cmp in CONSENT_MANAGERS)])
    frames = min(len(page.frames), MAX_FRAMES)
    return outcome("none", False, f"no {choice}-all button found: no known consent manager ({managers}) "
                   f"and no visible button labelled like {examples} in {frames} frame(s) "
                   f"within {BANNER_WAIT:g}s")


async def click_best(page: Page, choice: str) -> dict[str, Any] | None:
    """Click the best candidate over all frames (a manager's button beats any wording; the main
    frame wins ties); its outcome, or None when no frame has one or every click failed."""
    args = {"known": selectors(choice), "wanted": list(labels(choice))}
    found: list[tuple[int, int, Frame, dict[str, Any], JSHandle]] = []
    for order, frame in enumerate(page.frames[:MAX_FRAMES]):
        try:
            handle = await asyncio.wait_for(frame.evaluate_handle(FIND_SCRIPT, args), 3)
            info = await (await handle.get_property("info")).json_value()
        except (TimeoutError, PlaywrightError):
            continue
        if info:
            found.append((info["rank"], order, frame, info, handle))
        else:
            await _dispose(handle)
    result = None
    for _rank, _order, frame, info, handle in sorted(found, key=lambda c: c[:2]):
        if result is None:
            result = await _click(page, frame, info, handle)
        await _dispose(handle)
    return result


async def _click(page: Page, frame: Frame, info: dict[str, Any], handle: JSHandle) -> dict[str, Any] | None:
    try:
        element = (await handle.get_property("element")).as_element()
        if element is None:
            return None
        await element.click(timeout=3000)
    except PlaywrightError:
        return None
    where = "" if frame == page.main_frame else frame.url
    shown = f"clicked {info['text']!r} ({info['selector']})" + (f" in frame {where}" if where else "")
    if info["cmp"]:
        return outcome("cmp_button", True, f"{info['cmp']}: {shown}", info["cmp"], info["text"],
                       info["selector"], where)
    return outcome("button", True, shown, "", info["text"], info["selector"], where)


def api_script(choice: str) -> str:
    """One function trying every manager's API for `choice` in turn: the name of the one called, or
    "" (a manager whose API throws is skipped: the page stays as it was)."""
    tries = []
    for cmp in CONSENT_MANAGERS:
        call = cmp.accept_api if choice == "accept" else cmp.reject_api
        if call:
            tries.append(f"try {{ if ({cmp.ready}) {{ await ({call}); return {json.dumps(cmp.name)}; }} }}"
                         " catch (e) {}")
    return "async () => { " + " ".join(tries) + ' return ""; }'


async def call_manager_api(page: Page, choice: str) -> dict[str, Any] | None:
    """A known manager's own JavaScript call, in the frame where it is loaded; None when none is."""
    script = api_script(choice)
    for frame in page.frames[:MAX_FRAMES]:
        try:
            name = await asyncio.wait_for(frame.evaluate(script), 5)
        except (TimeoutError, PlaywrightError):
            continue
        cmp = next((cmp for cmp in CONSENT_MANAGERS if cmp.name == name), None)
        if cmp is not None:
            call = cmp.accept_api if choice == "accept" else cmp.reject_api
            where = "" if frame == page.main_frame else frame.url
            return outcome("cmp_api", True, f"{cmp.name}: called {call}", cmp.name, frame=where)
    return None


async def _dispose(handle: JSHandle) -> None:
    with contextlib.suppress(PlaywrightError):
        await handle.dispose()
