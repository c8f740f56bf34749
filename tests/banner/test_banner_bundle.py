"""The bundle itself: a fresh esbuild build of banner/src, inert until init() is called."""

from __future__ import annotations

import subprocess

import pytest
from banner_support import ROOT


def test_committed_bundle_is_a_fresh_build():
    """esbuild from the lockfile (`npm ci`) rebuilds exactly the committed static/consentkit.js."""
    assert (ROOT / "node_modules" / "esbuild").is_dir(), "run `npm ci` first: it installs esbuild"
    result = subprocess.run(["node", str(ROOT / "banner" / "build.mjs"), "--check"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


@pytest.mark.browser
def test_bundle_does_not_start_by_itself(visit):
    page = visit.open("/p/frame.html")
    page.add_script_tag(url="/static/consentkit.js")
    assert page.evaluate("typeof ConsentKit.init") == "function"
    assert page.evaluate("ConsentKit.getConsent()") is None
    assert page.locator("[data-consentkit-root]").count() == 0
