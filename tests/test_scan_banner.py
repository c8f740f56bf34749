"""The scanner drives consentkit's own banner: a correctly tagged site has no violation, and an
untagged tracker on the same site is found (issue 6's scanner test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentkit.demo.hosts import DemoHosts
from consentkit.demo.server import BackgroundServer, HostDispatcher
from consentkit.demo.setup import set_up
from consentkit.demo.shop import create_shop
from consentkit.kb.classifier import default_classifier
from scanner.run import ScanOptions, scan
from tests.conftest import free_port

pytestmark = pytest.mark.browser


def scan_shop(tmp_path: Path, untagged_tag: bool) -> dict:
    """Scan the demo shop, served with the consentkit backend, the way `consentkit demo` does."""
    hosts = DemoHosts(port=free_port())
    setup = set_up(tmp_path / "data", hosts)
    shop = create_shop(hosts, setup.site_key, untagged_tag=untagged_tag)
    dispatcher = HostDispatcher(setup.app, shop, (hosts.shop, *hosts.vendor_hosts()))
    server = BackgroundServer(dispatcher, hosts.port).start()
    try:
        options = ScanOptions(max_pages=4, concurrency=2, resolve=tuple(hosts.resolve_rules()))
        return scan(hosts.shop_url, options, classifier=default_classifier())
    finally:
        server.stop()


def test_correctly_tagged_site_has_no_violation(tmp_path: Path):
    report = scan_shop(tmp_path, untagged_tag=False)
    assert report["consent_interaction"]["accept"]["method"] == "consentkit_api"
    assert report["consent_interaction"]["reject"]["ok"] is True
    assert report["violations"] == []
    phases = {c["name"]: c["phases"] for c in report["cookies"]}
    assert "before" not in phases["_ga"] and "accept" in phases["_ga"]
    assert "reject" not in phases["_fbp"]


def test_untagged_tracker_is_a_violation(tmp_path: Path):
    report = scan_shop(tmp_path, untagged_tag=True)
    found = {(v["name"], v["phase"]) for v in report["violations"]}
    assert ("mf_user", "before") in found
    assert all(name == "mf_user" for name, _ in found)
