"""Giving and refusing consent, the way a visitor would, so the scan can compare the three phases.

On a site with consentkit's banner the scanner calls `ConsentKit.acceptAll()` / `rejectAll()` (the
contract in docs/contracts.md). Elsewhere it clicks the first visible first-layer button whose text
is a known "accept all" / "reject all" label in Norwegian or English, in any frame (many consent
tools put their banner in an iframe), and says in the report whether it managed.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

ACCEPT_LABELS = (
    "godta alle", "godta alle informasjonskapsler", "aksepter alle", "aksepter", "godta", "tillat alle",
    "tillat alle informasjonskapsler", "jeg godtar", "ok, jeg godtar", "samtykk til alle",
    "godkjenn alle", "accept all", "accept all cookies", "allow all", "allow all cookies", "accept",
    "i accept", "agree", "i agree", "accept cookies", "ok",
)
REJECT_LABELS = (
    "avvis alle", "avvis", "avslå", "avslå alle", "kun nødvendige", "bare nødvendige",
    "kun nødvendige informasjonskapsler", "godta kun nødvendige", "nei takk", "reject all", "reject",
    "decline", "decline all", "deny", "deny all", "only necessary", "necessary only",
    "use necessary cookies only", "refuse all",
)
CLICKABLE = "button, a, [role=button], input[type=button], input[type=submit]"
BANNER_WAIT = 5.0  # seconds to look for a first-layer button before reporting "not done"

API_SCRIPT = """
async (method) => {
  const ck = window.ConsentKit;
  if (!ck || typeof ck[method] !== "function") return false;
  await ck[method]();
  return true;
}
"""


def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(label) for label in labels)
    return re.compile(rf"^\s*({alternatives})\s*[.!]?\s*$", re.I)


async def give_consent(page: Page, choice: str) -> dict[str, Any]:
    """Accept or reject all on the open page; returns how (`consentkit_api`, `button`, `none`) and ok."""
    method = "acceptAll" if choice == "accept" else "rejectAll"
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_function("() => !!window.ConsentKit", timeout=300)
    try:
        if await asyncio.wait_for(page.evaluate(API_SCRIPT, method), 5):
            return {"method": "consentkit_api", "ok": True, "detail": f"ConsentKit.{method}()"}
    except (TimeoutError, PlaywrightError):
        pass
    labels = ACCEPT_LABELS if choice == "accept" else REJECT_LABELS
    deadline = time.monotonic() + BANNER_WAIT
    # Consent tools often show their banner a moment after the page settles (an async script, an
    # animation, a busy machine): look again until BANNER_WAIT has passed before giving up.
    while (clicked := await _click_label(page, labels)) is None and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
    if clicked:
        return {"method": "button", "ok": True, "detail": f"clicked {clicked!r}"}
    return {"method": "none", "ok": False,
            "detail": f"no ConsentKit API and no visible {choice}-all button found"}


async def _click_label(page: Page, labels: tuple[str, ...]) -> str | None:
    """Click the best-ranked visible label (the order of `labels`) in any frame; its text or None."""
    pattern = _label_pattern(labels)
    candidates: list[tuple[int, Any, str]] = []
    for frame in page.frames[:20]:
        try:
            elements = await asyncio.wait_for(frame.locator(CLICKABLE).filter(has_text=pattern).all(), 3)
        except (TimeoutError, PlaywrightError):
            continue
        for element in elements[:20]:
            try:
                text = " ".join((await element.inner_text(timeout=1000)).split())
                if not await element.is_visible():
                    continue
            except PlaywrightError:
                continue
            rank = labels.index(text.lower().rstrip(".!")) if text.lower().rstrip(".!") in labels \
                else len(labels)
            candidates.append((rank, element, text))
    for _rank, element, text in sorted(candidates, key=lambda c: c[0]):
        try:
            await element.click(timeout=3000)
            return text
        except PlaywrightError:
            continue
    return None
