"""The one registrable-domain (eTLD+1) function: what "the same site" means to the scanner's first-
and third-party split, the crawl's scope, the banner's own-host list and the consent cookie's Domain.

tldextract with its bundled public-suffix snapshot only: nothing here ever fetches the list from
the internet (a scan, a request or a test must not depend on the network).
"""

from __future__ import annotations

from functools import lru_cache

import tldextract


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=8192)
def registrable_domain(host: str, *, strict: bool = False) -> str:
    """`www.example.co.uk` → `example.co.uk`, by the public-suffix list.

    A host the list does not place (an IP, `localhost`, `shop.test`, a bare suffix) gives "" with
    `strict` (what a cookie Domain needs: none may be set there), else a stand-in: the IP itself,
    or the host's last two labels, so a fixture site on `.test` still has a first party.
    """
    host = host.lower().strip(".")
    parts = _extractor()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    if strict:
        return ""
    if parts.ipv4 or parts.ipv6 or ":" in host:
        return host
    return ".".join(host.split(".")[-2:])
