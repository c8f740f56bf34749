"""The demo's host names.

`*.localhost` names resolve to this machine in Chromium, Firefox and Edge without any set-up, so
the same URLs work for the scanner and for a person's own browser. Each vendor has its own
registrable domain (`demo-analyse.localhost`, …), so it is a third party to the shop, as the real
vendors are; the consent server shares the shop's domain so it can set the consent cookie itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoHosts:
    port: int
    shop: str = "www.fjellbutikken.localhost"
    consent: str = "consent.fjellbutikken.localhost"
    analytics: str = "stats.demo-analyse.localhost"
    ads: str = "px.demo-annonser.localhost"
    heatmap: str = "cdn.demo-heatmap.localhost"

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def shop_url(self) -> str:
        return self.url(self.shop)

    @property
    def consent_url(self) -> str:
        return self.url(self.consent)

    def vendor_hosts(self) -> tuple[str, ...]:
        return (self.analytics, self.ads, self.heatmap)

    def resolve_rules(self) -> list[str]:
        """`--resolve` values for the scanner: every demo host to this server."""
        return [f"{h}:127.0.0.1:{self.port}"
                for h in (self.shop, self.consent, *self.vendor_hosts())]
