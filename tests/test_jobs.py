"""Jobs without a browser: the reaper, schedules with their clock given, the jobs commands, and the
webhook's signature. Real database (SQLite and PostgreSQL) and the real SQLite queue."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

from sqlalchemy import select

from consentkit.cli import cli
from consentkit.db import get_db
from consentkit.jobs import get_queue, schedules
from consentkit.jobs import records as job_records
from consentkit.jobs.runner import enqueue_scan
from consentkit.jobs.worker import default_concurrency, reap
from consentkit.models import Job, Scan, utcnow
from consentkit.scans import notify
from consentkit.sites import registry as sites

ORIGIN = "https://www.example.no"


def make_site(app, **settings) -> str:
    with get_db(app).session() as session:
        return sites.create_site(session, name="Example", origins=[ORIGIN, "https://booking.example.com"],
                                 **settings).key


def running_elsewhere(app, key: str, attempts: int, beat_ago: timedelta, trigger: str = "queue") -> int:
    """A job that a worker on another machine took, and whose heartbeat stopped `beat_ago`."""
    with get_db(app).session() as session:
        site = sites.get_site(session, key)
        job = job_records.create_job(session, site, [ORIGIN + "/"], {}, trigger=trigger,
                                     running_in="worker-7.internal:4242")
        job.attempts, job.heartbeat_at = attempts, utcnow() - beat_ago
        session.add(Scan(site_id=site.id, url=ORIGIN + "/", status="running", job_id=job.id))
        return job.id


def test_a_job_whose_remote_worker_went_silent_is_retried_once_then_failed(app):
    key = make_site(app)
    queue = get_queue(app)
    alive = running_elsewhere(app, key, 1, timedelta(seconds=5))
    silent = running_elsewhere(app, key, 1, timedelta(minutes=5))
    twice = running_elsewhere(app, key, 2, timedelta(minutes=5))
    foreground = running_elsewhere(app, key, 1, timedelta(minutes=5), trigger="cli")
    assert sorted(reap(app, queue)) == [(silent, "retry"), (twice, "failed"), (foreground, "failed")]
    with get_db(app).session() as session:
        rows = {j.id: j for j in session.scalars(select(Job))}
        assert rows[alive].status == "running"
        assert (rows[silent].status, rows[silent].worker) == ("queued", None)
        assert "queued again" in rows[silent].error
        assert rows[twice].status == "failed" and "attempt 2 of 2" in rows[twice].error
        assert rows[foreground].status == "failed" and "not retried" in rows[foreground].error
        open_scans = session.scalars(select(Scan).where(Scan.status == "running")).all()
        assert [s.job_id for s in open_scans] == [alive]
    assert queue.pending() == 1  # the retry is on the queue for a worker
    assert reap(app, queue) == []  # settled once, by one reaper


def test_due_sites_with_the_clock_given(app):
    weekly, monthly, off = make_site(app, rescan="weekly"), make_site(app, rescan="monthly"), make_site(app)
    queue = get_queue(app)
    now = utcnow()
    with get_db(app).session() as session:
        assert {s.key for s, _ in schedules.due_sites(session, now)} == {weekly, monthly}  # never scanned
    for key in (weekly, monthly, off):
        enqueue_scan(app, queue, key, (), {"max_pages": 3})
    with get_db(app).session() as session:
        assert schedules.due_sites(session, now + timedelta(days=60)) == []  # queued: not twice
        for job in session.scalars(select(Job)):
            job.status = "done"
    with get_db(app).session() as session:
        assert schedules.due_sites(session, now + timedelta(days=6)) == []
        due = schedules.due_sites(session, now + timedelta(days=7, seconds=1))
        assert [(s.key, o) for s, o in due] == [(weekly, {"max_pages": 3})]  # the last job's options
        assert {s.key for s, _ in schedules.due_sites(session, now + timedelta(days=31))} == {weekly, monthly}
    (rescan,) = schedules.enqueue_due(app, queue, now + timedelta(days=8))
    with get_db(app).session() as session:
        job = session.get(Job, rescan)
        assert (job.trigger, job.status, job.options) == ("schedule", "queued", {"max_pages": 3})
        assert job.site_id == sites.get_site(session, weekly).id


def test_a_failed_rescan_is_tried_again_after_a_day(app):
    key = make_site(app, rescan="monthly")
    job = enqueue_scan(app, get_queue(app), key)
    with get_db(app).session() as session:
        session.get(Job, job.id).status = "failed"
    with get_db(app).session() as session:
        assert schedules.due_sites(session, utcnow() + timedelta(hours=23)) == []
        assert [s.key for s, _ in schedules.due_sites(session, utcnow() + timedelta(hours=25))] == [key]


def test_jobs_commands_list_show_and_cancel(runner, app):
    key = make_site(app)
    queued = runner.invoke("scan", "--site", key, "--queue", "--max-pages", "3")
    job_id = int(queued.stdout.strip())
    assert f"queued job {job_id}: 2 origin(s)" in queued.stderr
    listed = json.loads(runner.invoke("jobs", "list", "--json").stdout)
    assert [(j["id"], j["status"], j["site"]) for j in listed] == [(job_id, "queued", key)]
    shown = json.loads(runner.invoke("jobs", "show", str(job_id), "--json").stdout)
    assert shown["urls"] == [ORIGIN + "/", "https://booking.example.com/"]
    assert shown["options"]["max_pages"] == 3
    assert "cancelled job" in runner.invoke("jobs", "cancel", str(job_id)).stdout
    again = runner.cli.invoke(cli, ["jobs", "cancel", str(job_id)], obj=app)
    assert again.exit_code == 1 and "cancelled already" in again.output
    missing = runner.cli.invoke(cli, ["jobs", "show", "999"], obj=app)
    assert missing.exit_code == 1 and "no job 999" in missing.output
    text = runner.invoke("jobs", "list", "--status", "cancelled").stdout
    assert str(job_id) in text and "cancelled" in text


def test_a_url_on_another_origin_is_refused_before_anything_is_queued(runner, app):
    key = make_site(app)
    result = runner.cli.invoke(cli, ["scan", "https://www.other.no/", "--site", key, "--queue"],
                               obj=app)
    assert result.exit_code == 1
    assert f"add it with `consentkit site edit {key} --add-origin https://www.other.no`" in result.output
    with get_db(app).session() as session:
        assert session.scalars(select(Job)).all() == []


def test_site_edit_sets_the_schedule_and_notifications_and_prints_the_webhook_secret(runner, app):
    key = make_site(app)
    result = runner.invoke("site", "edit", key, "--rescan", "weekly", "--notify-email",
                           "a@example.no, b@example.no", "--webhook-url", "https://hooks.example.no/ck")
    secret = result.stderr.split("verify the ConsentKit-Signature header with it): ")[1].strip()
    with get_db(app).session() as session:
        site = sites.get_site(session, key)
        assert (site.rescan, site.notify_emails) == ("weekly", ["a@example.no", "b@example.no"])
        assert secret == notify.webhook_secret(app.config["SECRET_KEY"], site)
        assert site.revision == 1  # nothing visitors are told
    rotated = runner.invoke("site", "edit", key, "--rotate-webhook-secret").stderr
    assert secret not in rotated and "whsec_" in rotated
    bad = runner.cli.invoke(cli, ["site", "edit", key, "--notify-email", "not-an-address"],
                            obj=app)
    assert bad.exit_code == 1 and "not an e-mail address: not-an-address" in bad.output
    plain = runner.cli.invoke(cli, ["site", "edit", key, "--webhook-url", "http://hooks.example.no"],
                              obj=app)
    assert plain.exit_code == 1 and "use https" in plain.output


def test_the_webhook_signature_is_hmac_sha256_of_time_and_body():
    body = b'{"event":"scan.changed"}'
    header = notify.signature("whsec_abc", 1764650000, body)
    expected = hmac.new(b"whsec_abc", b"1764650000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1764650000,v1={expected}"


def test_default_concurrency_fits_memory_and_cores():
    gib = 1024**3
    assert default_concurrency(memory=24 * gib, cpus=2) == 4  # two per core, memory to spare
    assert default_concurrency(memory=3 * gib, cpus=8) == 1  # 1.2 GB a scan, three quarters used
    assert default_concurrency(memory=1 * gib, cpus=8) == 1  # at least one
