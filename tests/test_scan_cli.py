"""`consentkit scan` end to end: exit codes, --json, --site storage and revisions, Ctrl-C cleanup."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from consentkit.cli import cli
from consentkit.db import get_db
from consentkit.models import Scan
from tests.conftest import ROOT, free_port
from tests.sites import generated, itsworking, serve


def resolve_args(server, hosts) -> list[str]:
    return [arg for value in server.resolve(hosts) for arg in ("--resolve", value)]


def test_invalid_url_is_a_usage_error(runner):
    result = runner.cli.invoke(cli, ["scan", "www.example.no"], obj=runner.app)
    assert result.exit_code == 2
    assert "absolute http(s) URL" in result.output


def test_malformed_resolve_is_a_usage_error(runner):
    result = runner.cli.invoke(cli, ["scan", "https://www.example.no/", "--resolve", "www.example.no"],
                               obj=runner.app)
    assert result.exit_code == 2
    assert "HOST:ADDR[:PORT]" in result.output


@pytest.mark.browser
@pytest.mark.parametrize("url, extra, reason", [
    ("https://nowhere.invalid/", [], "net::ERR_NAME_NOT_RESOLVED"),
    ("http://www.refused.test/", ["--resolve", f"www.refused.test:127.0.0.1:{free_port()}"],
     "net::ERR_CONNECTION_REFUSED"),
])
def test_unreachable_site_exits_1_with_one_line(url, extra, reason):
    done = subprocess.run([sys.executable, "-m", "consentkit", "scan", url, *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and reason in lines[0] and lines[0].startswith("Error: could not load")
    assert "Traceback" not in done.stderr


@pytest.mark.browser
def test_scan_json_site_storage_and_violation_exit(runner, tmp_path: Path):
    added = runner.invoke("site", "add", "--name", "Its Working", "--origin", itsworking.SITE, "--json")
    key = json.loads(added.output)["key"]
    out = tmp_path / "report.json"
    with serve(itsworking.app()) as server:
        args = ["scan", itsworking.START, "--ignore-https-errors", "--site", key, "--json", str(out),
                "--fail-on-violation", *resolve_args(server, itsworking.HOSTS)]
        first = runner.invoke(*args)
        second = runner.invoke(*args)
    report = json.loads(out.read_text())
    assert report["version"] == 1 and len(report["cookies"]) == len(itsworking.EXPECTED)
    assert "cookie_consent_status" in first.output and "Godta alle" in first.output, first.output
    assert f"stored scan 1 for site {key}; revision 2 (inventory changed" in first.output
    assert f"stored scan 2 for site {key}; revision 2\n" in second.output  # same inventory: no bump
    if report["violations"]:  # the classifier knows _ga is analytics, set before consent here
        assert first.exit_code == 3 and "VIOLATION" in first.output
    with runner.app.app_context(), get_db(runner.app).session() as session:
        scans = session.scalars(select(Scan).order_by(Scan.id)).all()
        assert [s.status for s in scans] == ["done", "done"]
        assert scans[0].inventory_hash == scans[1].inventory_hash
        assert scans[1].report["url"] == itsworking.START


def test_failed_site_scan_is_recorded_with_its_reason(runner):
    """The admin UI shows a `--site` scan from its start; one that cannot run ends `failed`."""
    added = runner.invoke("site", "add", "--name", "Gone", "--origin", "http://www.refused.test", "--json")
    key = json.loads(added.output)["key"]
    port = free_port()  # nothing listens there
    result = runner.invoke("scan", "http://www.refused.test/", "--site", key,
                           "--resolve", f"www.refused.test:127.0.0.1:{port}")
    assert result.exit_code == 1
    with runner.app.app_context(), get_db(runner.app).session() as session:
        (scan,) = session.scalars(select(Scan)).all()
    assert scan.status == "failed" and "ERR_CONNECTION_REFUSED" in scan.error
    assert scan.finished_at is not None and scan.report is None


@pytest.mark.browser
@pytest.mark.parametrize("sig, code, said, reason", [
    (signal.SIGINT, 130, "scan interrupted; the browser was closed", "interrupted"),
    (signal.SIGTERM, 143, "scan terminated (SIGTERM); the browser was closed", "terminated (SIGTERM)"),
])
def test_ctrl_c_and_sigterm_close_the_browser_and_fail_the_site_scan(runner, sig, code, said, reason):
    """Ctrl-C, and SIGTERM as a service manager or `docker stop` sends it, clean up the same way."""
    marker = f"consentkit-scan-test-{uuid.uuid4().hex}"
    added = runner.invoke("site", "add", "--name", "Big", "--origin", generated.SITE, "--json")
    key = json.loads(added.output)["key"]
    env = {**os.environ, "CONSENTKIT_TEST_MARKER": marker,
           "CONSENTKIT_DATABASE_URL": runner.app.config["DATABASE_URL"],
           "CONSENTKIT_INSTANCE_PATH": runner.app.instance_path}
    with serve(generated.app(200)) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "consentkit", "scan", generated.START, "--max-pages", "200", "--site", key,
             "--ignore-https-errors", *resolve_args(server, generated.HOSTS)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_until(lambda: scan_row(runner).pages_done >= 2, process)  # crawling, pages stored
            assert browsers_with(marker), "the browser is not running"
            process.send_signal(sig)
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == code, stderr
    assert said in stderr and "Traceback" not in stderr
    wait_until(lambda: not browsers_with(marker), timeout=10)
    row = scan_row(runner)
    assert (row.status, row.error) == ("failed", reason) and row.finished_at is not None


def scan_row(runner) -> Scan:
    with runner.app.app_context(), get_db(runner.app).session() as session:
        (row,) = session.scalars(select(Scan)).all()
        session.expunge(row)
        return row


def wait_until(condition, process: subprocess.Popen | None = None, timeout: float = 90) -> None:
    """Poll `condition` until it holds; fail early when `process` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the scan exited early: {process.stderr.read()[-2000:]}")
        try:
            if condition():
                return
        except ValueError:  # no scan row yet
            pass
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.mark.browser
def test_phases_before_runs_only_the_crawl_before_consent():
    with serve(itsworking.app()) as server:
        result = CliRunner().invoke(cli, ["scan", itsworking.START, "--ignore-https-errors",
                                          "--phases", "before", "--json", "-",
                                          *resolve_args(server, itsworking.HOSTS)])
    report = json.loads(result.stdout)
    assert {page["phase"] for page in report["pages"]} == {"before"}
    assert report["phases_run"] == ["before"] and report["consent_interaction"] == {}
    assert report["options"]["phases"] == ["before"]
    assert all(cookie["phases"] == ["before"] for cookie in report["cookies"])
    assert "cookie_consent_status" not in {c["name"] for c in report["cookies"]}  # only set by a click
    assert "phases checked: before consent." in result.stderr


@pytest.mark.browser
def test_phases_before_and_accept_never_mention_reject():
    with serve(itsworking.app()) as server:
        result = CliRunner().invoke(cli, ["scan", itsworking.START, "--ignore-https-errors",
                                          "--phases", "before,accept", "--json", "-",
                                          *resolve_args(server, itsworking.HOSTS)])
    report = json.loads(result.stdout)
    assert {page["phase"] for page in report["pages"]} == {"before", "accept"}
    assert report["phases_run"] == ["before", "accept"] and set(report["consent_interaction"]) == {"accept"}
    assert not any("reject" in item["phases"] for item in [*report["cookies"], *report["storage"]])
    assert {c["name"]: c["phases"] for c in report["cookies"]}["_fbp"] == ["accept"]
    assert {v["phase"] for v in report["violations"]} == {"before"}


def test_unknown_phase_is_a_usage_error(runner):
    result = runner.cli.invoke(cli, ["scan", "https://www.example.no/", "--phases", "before,after"],
                               obj=runner.app)
    assert result.exit_code == 2
    assert "give one or more of before, accept, reject" in result.output


def browsers_with(marker: str) -> list[int]:
    """Chromium processes whose environment carries the marker (inherited from the scan process)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if "chrom" not in (proc / "cmdline").read_bytes().decode(errors="replace"):
                continue
            if marker.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found
