"""What one browser context saw: cookies, storage, IndexedDB, requests — and who set each item.

HTTP cookies are attributed to the response whose `Set-Cookie` created them. Everything written
from JavaScript goes through setters that the init script wraps (`document.cookie`, `cookieStore.set`,
`Storage.setItem`, `indexedDB.open`); the wrapper reads the script URL off `new Error().stack` and
reports it through a binding, so attribution survives navigations. The wrappers call the originals
and swallow their own errors: a scanned page must behave exactly as it does for a visitor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

BINDING = "__consentkitScanReport"

INIT_SCRIPT = r"""
(() => {
  if (globalThis.__consentkitScanWrapped) return;
  const report = globalThis.__BINDING__;
  Object.defineProperty(globalThis, "__consentkitScanWrapped", {value: true});
  const send = (kind, text) => {
    try {
      report(kind, String(text).slice(0, 4096), String(new Error().stack).slice(0, 4096)).catch(() => {});
    } catch (e) {}
  };
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  if (cookie && cookie.set) {
    Object.defineProperty(Document.prototype, "cookie", {
      configurable: true, enumerable: cookie.enumerable, get: cookie.get,
      set(value) { send("cookie", value); return cookie.set.call(this, value); },
    });
  }
  if (globalThis.CookieStore && CookieStore.prototype.set) {
    const set = CookieStore.prototype.set;
    CookieStore.prototype.set = function (name, value) {
      const opts = typeof name === "object" && name ? name : {name, value};
      send("cookie", `${opts.name}=${opts.value}` + (opts.domain ? `; domain=${opts.domain}` : ""));
      return set.apply(this, arguments);
    };
  }
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    try { send(this === globalThis.sessionStorage ? "sessionStorage" : "localStorage", key); } catch (e) {}
    return setItem.apply(this, arguments);
  };
  if (globalThis.IDBFactory) {
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (name) {
      send("indexedDB", name);
      return open.apply(this, arguments);
    };
  }
})();
""".replace("__BINDING__", BINDING)

# Read in every frame after a page settles: what is in storage, however it got there.
STORAGE_SCRIPT = r"""
async () => {
  const items = [];
  for (const kind of ["localStorage", "sessionStorage"]) {
    try {
      const store = globalThis[kind];
      for (let i = 0; i < Math.min(store.length, 1000); i++) items.push([kind, store.key(i)]);
    } catch (e) {}
  }
  try {
    const dbs = await Promise.race([indexedDB.databases(), new Promise(r => setTimeout(() => r([]), 500))]);
    for (const db of dbs.slice(0, 200)) items.push(["indexedDB", db.name]);
  } catch (e) {}
  return {origin: location.origin, items};
}
"""

_STACK_URL = re.compile(r"((?:https?|blob:https?)://[^\s()]+?):\d+:\d+")


def script_from_stack(stack: str) -> str:
    """The first script URL on a JavaScript stack (the wrapper's own frame has none); '' if unknown."""
    match = _STACK_URL.search(stack or "")
    return match.group(1) if match else ""


def cookie_key(name: str, domain: str) -> tuple[str, str]:
    return name, domain.lower()


def parse_cookie_write(text: str, host: str) -> tuple[str, str] | None:
    """(name, domain as Chromium stores it) of a `Set-Cookie` value or a `document.cookie` write."""
    first, *attributes = text.split(";")
    name, sep, _ = first.partition("=")
    name = name.strip() if sep else ""
    if not name and not sep:
        name = first.strip()
    if not name:
        return None
    domain = host.lower()
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        if key.strip().lower() == "domain" and value.strip():
            domain = "." + value.strip().lstrip(".").lower()
    return cookie_key(name, domain)


@dataclass
class Setters:
    """First known setter per item, shared by all contexts of a scan (the first wins)."""

    cookies: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    storage: dict[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)

    def cookie_from_response(self, header: str, response_url: str, page_url: str) -> None:
        parsed = parse_cookie_write(header, urlsplit(response_url).hostname or "")
        if parsed:
            self.cookies.setdefault(parsed, (response_url, page_url))

    def from_script(self, kind: str, text: str, stack: str, frame_url: str, page_url: str) -> None:
        script = script_from_stack(stack) or frame_url
        parts = urlsplit(frame_url)
        if kind == "cookie":
            parsed = parse_cookie_write(text, parts.hostname or "")
            if parsed:
                self.cookies.setdefault(parsed, (script, page_url))
        elif kind in ("localStorage", "sessionStorage", "indexedDB"):
            origin = f"{parts.scheme}://{parts.netloc}"
            self.storage.setdefault((kind, text, origin), (script, page_url))

    def cookie_setter(self, name: str, domain: str) -> str:
        found = self.cookies.get(cookie_key(name, domain))
        if found is None and not domain.startswith("."):
            found = self.cookies.get(cookie_key(name, "." + domain))
        return found[0] if found else ""


def is_pixel(resource_type: str, headers: dict[str, str]) -> bool:
    """Beacons, and images small enough to be nothing but a hit counter."""
    if resource_type in ("ping", "beacon"):
        return True
    if resource_type != "image":
        return False
    length = headers.get("content-length", "")
    return length.isdigit() and int(length) <= 256


def cookie_record(raw: dict[str, Any]) -> dict[str, Any]:
    """The attributes the report keeps of a Playwright cookie dict."""
    expires = raw.get("expires", -1)
    return {
        "name": raw["name"], "value": raw.get("value", ""), "domain": raw["domain"],
        "path": raw.get("path", "/"),
        "expires": expires if expires and expires > 0 else None,
        "http_only": bool(raw.get("httpOnly")), "secure": bool(raw.get("secure")),
        "same_site": raw.get("sameSite") or "Lax",
        "size": len(raw["name"]) + len(raw.get("value", "")),
    }
