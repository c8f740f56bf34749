"""`consentkit declaration`: the formats, the policy section, files and errors."""

from __future__ import annotations

import json

from consentkit.db import get_db
from consentkit.models import Scan
from consentkit.sites import registry as sites


def make_site(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        site = sites.create_site(session, name="Its Working", origins=["https://itsworking.no"])
        session.add(Scan(site_id=site.id, url="https://itsworking.no/", status="done", report={
            "version": 1, "cookies": [
                {"name": "_ga", "domain": ".itsworking.no", "lifetime_seconds": 400 * 86400,
                 "party": "first"},
                {"name": "a|b`c", "domain": "itsworking.no", "lifetime_seconds": None, "party": "first"}],
            "storage": []}))
        session.flush()
        sites.refresh_revision(session, site)
        return site.key


def test_markdown_to_stdout(runner, app):
    key = make_site(app)
    result = runner.invoke("declaration", "--site", key, "--lang", "nb", "--format", "md")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Informasjonskapsler og lagring\n")
    assert "| \\_ga |" in result.output and "a\\|b\\`c" in result.output
    assert "13 måneder" in result.output


def test_json_and_html_to_a_file(runner, app, tmp_path):
    key = make_site(app)
    target = tmp_path / "cookies.json"
    result = runner.invoke("declaration", "--site", key, "--lang", "en", "--format", "json",
                           "-o", str(target))
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text())
    names = {i["name"] for s in data["sections"] for i in s["items"]}
    assert data["lang"] == "en" and names == {"_ga", "a|b`c"}
    html = runner.invoke("declaration", "--site", key, "--lang", "nn", "--format", "html").stdout
    assert html.startswith('<article class="ck-declaration" lang="nn">') and "<h2" in html


def test_policy_section(runner, app):
    key = make_site(app)
    md = runner.invoke("declaration", "--site", key, "--lang", "en", "--policy").stdout
    assert md.startswith("## Cookies\n") and "How to change or withdraw your consent" in md
    assert f"http://consent.test/v1/sites/{key}/declaration?lang=en" in md
    html = runner.invoke("declaration", "--site", key, "--policy", "--format", "html").stdout
    assert '<section class="ck-policy" lang="nb">' in html


def test_errors(runner, app):
    missing = runner.invoke("declaration", "--site", "nope")
    assert missing.exit_code == 1 and "consentkit site list" in missing.output
    key = make_site(app)
    assert runner.invoke("declaration", "--site", key, "--policy", "--format", "json").exit_code == 2
