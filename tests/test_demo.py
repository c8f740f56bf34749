"""`consentkit demo`: set-up, real scan, and the served shop with the banner, end to end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from consentkit.app import create_app
from consentkit.db import get_db
from consentkit.scans.inventory import latest_scans
from consentkit.sites.registry import list_sites
from tests.conftest import ROOT, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXPECTED = {"sessionid": "necessary", "csrftoken": "necessary", "lang_pref": "functional",
            "_ga": "analytics", "_gid": "analytics", "mf_user": "analytics", "_fbp": "marketing"}


def demo_env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "CONSENTKIT_INSTANCE_PATH": str(data_dir),
            "CONSENTKIT_DATABASE_URL": f"sqlite:///{data_dir / 'demo.db'}"}


def test_demo_no_serve_scans_and_stores_the_inventory(tmp_path: Path):
    data = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "consentkit", "demo", "--no-serve",
                             "--port", str(free_port()), "--data-dir", str(data)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"ready in \d+\.\d s", result.stdout)
    assert "VIOLATION cookie mf_user" in result.stdout  # the untagged tag is caught by the scan
    app = create_app({"DATABASE_URL": f"sqlite:///{data / 'demo.db'}"}, instance_path=str(data))
    with get_db(app).session() as session:
        site = list_sites(session)[0]
        report = latest_scans(session, site)[0].report
    found = {c["name"]: c["category"] for c in report["cookies"]}
    assert {name: found.get(name) for name in EXPECTED} == EXPECTED
    assert found["fr"] in ("marketing", "unclassified")  # third-party pixel cookie
    assert report["consent_interaction"]["accept"]["method"] == "consentkit_api"
    get_db(app).dispose()


@pytest.fixture(scope="module")
def served_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data = tmp_path_factory.mktemp("served-demo")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "consentkit", "demo", "--port", str(port),
                                "--data-dir", str(data)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 240
    try:
        for line in process.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("ready in") or time.monotonic() > deadline:
                break
        output = "".join(lines)
        assert "ready in" in output, output[-3000:]
        key = re.search(r"/v1/sites/([A-Za-z0-9]+)/declaration", output.replace("\n", "")).group(1)
        yield {"port": port, "key": key, "data": data, "output": output,
               "shop": f"http://www.fjellbutikken.localhost:{port}/",
               "consent": f"http://consent.fjellbutikken.localhost:{port}"}
    finally:
        process.terminate()
        process.wait(15)
        process.stdout.close()  # type: ignore[union-attr]


def test_visitor_rejects_and_the_choice_is_logged(served_demo: dict, page: Page):
    page.goto(served_demo["shop"])
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.get_by_role("button", name="Avvis alle").click()
    expect(dialog).to_be_hidden()
    page.reload()
    page.wait_for_load_state("networkidle")
    names = {c["name"] for c in page.context.cookies()}
    assert not names & {"_ga", "_gid", "_fbp", "fr", "mf_user", "lang_pref"}, names
    assert "sessionid" in names and "consentkit" in names
    listed = subprocess.run([sys.executable, "-m", "consentkit", "consents", "list", "--site",
                             served_demo["key"], "--json"], cwd=ROOT, capture_output=True, text=True,
                            env=demo_env(served_demo["data"]), timeout=60)
    assert listed.returncode == 0, listed.stderr
    records = json.loads(listed.stdout)
    assert [r["method"] for r in records] == ["reject_all"]


def test_declaration_lists_the_scanned_cookies(served_demo: dict, page: Page):
    page.goto(f"{served_demo['consent']}/v1/sites/{served_demo['key']}/declaration?lang=en")
    text = page.locator("main").inner_text()
    for name in EXPECTED:
        assert name in text, f"{name} missing from the declaration"
