"""Late writers are seen: after a timer, after the visitor's first move, after accept and after reject.

One `consentkit scan --fail-on-violation --json -` of the late-writing fixture site; every test reads
the report it printed.
"""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from rich.console import Console

from consentkit.cli import cli
from consentkit.commands.scan import render_report
from tests.sites import late, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def result():
    with serve(late.app()) as server:
        args = ["scan", late.START, "--ignore-https-errors", "--fail-on-violation", "--json", "-",
                *[arg for value in server.resolve(late.HOSTS) for arg in ("--resolve", value)]]
        return CliRunner().invoke(cli, args, catch_exceptions=False)


@pytest.fixture(scope="module")
def report(result):
    return json.loads(result.stdout)


def report_text(report) -> str:
    out = io.StringIO()
    render_report(report, Console(file=out, width=300))
    return out.getvalue()


def violations(report) -> set[tuple[str, str]]:
    return {(v["name"], v["phase"]) for v in report["violations"]}


def phases(report, name: str) -> list[str]:
    (item,) = [i for i in [*report["cookies"], *report["storage"]] if i["name"] == name]
    return item["phases"]


def test_a_cookie_set_after_load_fails_the_ci_gate(result, report):
    assert ("_ga", "before") in violations(report)
    assert result.exit_code == 3, result.stderr


def test_storage_written_late_is_seen_before_consent(report):
    assert "before" in phases(report, "lw_k9")
    assert "before" in phases(report, "lw-k9-db")


def test_unclassified_items_before_consent_are_violations(report):
    """Nobody knows what `lw_k9` is: unknown means consent, so it fails the gate too."""
    found = {(v["name"], v["phase"]): v for v in report["violations"]}
    assert found[("lw_k9", "before")]["category"] == "unclassified"
    assert (found[("lw-k9-db", "before")]["kind"], found[("lw-k9-db", "before")]["category"]) == (
        "indexedDB", "unclassified")
    line = "VIOLATION localStorage lw_k9 (unclassified) present before consent"
    assert line in report_text(report)


def test_a_timer_longer_than_the_quiet_period_holds_the_watch(report):
    assert ("_clck", "before") in violations(report)


def test_the_watch_ends_early_when_nothing_is_pending_and_at_the_cap_when_writes_never_stop(report):
    watched = {page["url"].removeprefix(late.SITE): page["watch"] for page in report["pages"]
               if page["phase"] == "before"}
    # Pages with nothing pending end early: "idle" as a rule, "quiet" when a loaded machine
    # delays the page's reports past the quiet period; either way before the cap, no write missed.
    assert watched["/"] in {"idle", "quiet"} and watched["/b/"] in {"idle", "quiet"}, watched
    assert (watched["/a/"], watched["/busy/"]) == ("quiet", "cap")  # an interval: never idle


def test_a_tracker_loaded_on_the_first_interaction_is_seen(report):
    assert ("_gcl_au", "before") in violations(report)


def test_a_late_write_after_accept_is_seen(report):
    assert report["consent_interaction"]["accept"]["ok"] is True
    assert "accept" in phases(report, "_fbp")
    assert "before" not in phases(report, "_fbp")


def test_a_late_write_after_reject_is_a_violation(report):
    assert report["consent_interaction"]["reject"]["ok"] is True
    assert ("_gid", "reject") in violations(report)
    assert phases(report, "_gid") == ["reject"]
