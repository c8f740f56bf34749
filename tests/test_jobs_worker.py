"""Scans as jobs, end to end: real `consentkit worker` processes, the real queue (Huey on SQLite,
and on Redis when CONSENTKIT_TEST_REDIS_URL is set), real Chromium, fixture sites on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from consentkit.db import get_db
from consentkit.jobs import get_queue
from consentkit.jobs import records as job_records
from consentkit.jobs.runner import enqueue_scan
from consentkit.models import Job, Scan, Site
from consentkit.scans import notify
from consentkit.sites import registry as sites
from tests.conftest import free_port
from tests.sites import generated, serve
from tests.sites.tiny import TinySites
from tests.workers import WorkerProcess, job, make_stack, stack_kinds, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(params=stack_kinds())
def stack(request, tmp_path: Path):
    made = make_stack(request.param, request, tmp_path)
    yield made
    made.dispose()


@pytest.fixture
def tiny() -> Iterator[tuple[TinySites, object]]:
    sites_ = TinySites()
    with serve(sites_.app()) as server:
        yield sites_, server


def options_for(server, *hosts: str, **more) -> dict:
    return {"resolve": list(server.resolve(TinySites.hosts(*hosts))), "ignore_https_errors": True,
            "max_pages": 2, "phases": ["before"], "page_timeout": 10, **more}


def add_site(app, host: str, **settings) -> str:
    with get_db(app).session() as session:
        return sites.create_site(session, name=host, origins=[TinySites.origin(host)], **settings).key


def finished(app, job_id: int) -> bool:
    return job(app, job_id).status in ("done", "failed", "cancelled")


def test_two_workers_take_four_sites(stack, tiny):
    """Two worker processes (one running two scans at once in its threads) share four sites."""
    sites_, server = tiny
    app = stack.app()
    hosts = [f"www.site{i}.test" for i in range(4)]
    jobs = [enqueue_scan(app, get_queue(app), add_site(app, host), (), options_for(server, host)).id
            for host in hosts]
    workers = [WorkerProcess(stack, concurrency=2 - i, name=f"w{i}").start() for i in range(2)]
    try:
        wait_until(lambda: all(finished(app, j) for j in jobs), workers[0], what="all four jobs finished")
    finally:
        for worker in workers:
            worker.stop()
    rows = [job(app, j) for j in jobs]
    assert [r.status for r in rows] == ["done"] * 4, [r.error for r in rows]
    assert {r.worker.rsplit(":", 1)[1] for r in rows} == {str(w.pid) for w in workers}  # both worked
    with get_db(app).session() as session:
        for host, row in zip(hosts, rows, strict=True):
            (scan,) = session.scalars(select(Scan).where(Scan.job_id == row.id))
            names = {c["name"] for c in scan.report["cookies"]}
            assert scan.status == "done" and TinySites.cookie_name(host) in names


def test_a_killed_worker_s_job_is_retried_once_then_failed_never_stuck(stack, tmp_path: Path):
    """SIGKILL mid-scan: the next worker takes the job again (attempt 2); killed again, it fails."""
    app = stack.app()
    with serve(generated.app(200)) as server:
        job_id = big_site_job(app, server)
        for attempt in (1, 2):
            worker = WorkerProcess(stack, name=f"doomed{attempt}").start()
            try:
                wait_until(lambda: (j := job(app, job_id)).attempts == attempt  # noqa: B023
                           and (j.progress or {}).get("pages_done", 0) >= 2, worker, what="scanning")
            finally:
                worker.kill()
        survivor = WorkerProcess(stack, name="survivor").start()
        try:
            wait_until(lambda: finished(app, job_id), survivor, timeout=60, what="job settled")
        finally:
            survivor.stop()
    final = job(app, job_id)
    assert final.status == "failed" and final.attempts == 2, final.error
    assert "stopped while running it (attempt 2 of 2); not retried" in final.error
    with get_db(app).session() as session:
        scans = session.scalars(select(Scan).where(Scan.job_id == job_id)).all()
    assert len(scans) == 2 and {s.status for s in scans} == {"failed"}  # one per attempt, none running


def test_a_weekly_schedule_fires_when_the_last_scan_is_a_week_old(stack, tiny):
    sites_, server = tiny
    app = stack.app()
    host = "www.weekly.test"
    key = add_site(app, host, rescan="weekly")
    first = enqueue_scan(app, get_queue(app), key, (), options_for(server, host)).id
    worker = WorkerProcess(stack).start()
    try:
        wait_until(lambda: finished(app, first), worker)
        assert job(app, first).status == "done"
        with get_db(app).session() as session:  # a week goes by
            row = session.get(Job, first)
            row.created_at -= timedelta(days=7, minutes=1)
        wait_until(lambda: len(site_jobs(app, key)) == 2 and finished(app, site_jobs(app, key)[-1].id),
                   worker, what="the scheduled rescan ran")
    finally:
        worker.stop()
    rescan = site_jobs(app, key)[-1]
    assert (rescan.trigger, rescan.status) == ("schedule", "done"), rescan.error
    assert rescan.options == job(app, first).options  # --resolve and all, as the last scan had
    assert len(site_jobs(app, key)) == 2  # and not again until next week


def site_jobs(app, key: str) -> list[Job]:
    with get_db(app).session() as session:
        site = sites.get_site(session, key)
        rows = session.scalars(select(Job).where(Job.site_id == site.id).order_by(Job.id)).all()
        session.expunge_all()
        return list(rows)


class Mailbox:
    """aiosmtpd's handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


class Hooks(BaseHTTPRequestHandler):
    """A webhook receiver that checks the signature the way the README tells receivers to."""

    secret = ""
    received: list[tuple[bool, dict]] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        fields = dict(part.split("=", 1) for part in self.headers["ConsentKit-Signature"].split(","))
        expected = hmac.new(self.secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
        fresh = abs(time.time() - int(fields["t"])) < 300
        self.received.append((hmac.compare_digest(expected.hexdigest(), fields["v1"]) and fresh,
                              json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_rescan_that_finds_a_new_cookie_sends_the_email_and_the_signed_webhook(stack, tiny):
    sites_, server = tiny
    mailbox, smtp_port = Mailbox(), free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    hooks = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    Hooks.received = []
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    stack.settings.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SECURITY": "none",
                           "SMTP_FROM": "scans@consent.test", "PUBLIC_URL": "https://consent.test"})
    app = stack.app()
    host = "www.shop.test"
    key = add_site(app, host, notify_emails=["owner@shop.test"],
                   webhook_url=f"http://127.0.0.1:{hooks.server_port}/hook")
    with get_db(app).session() as session:
        site = sites.get_site(session, key)
        notify.rotate_webhook_secret(site)
        Hooks.secret = notify.webhook_secret(app.config["SECRET_KEY"], site)
    worker = WorkerProcess(stack).start()
    try:
        first = enqueue_scan(app, get_queue(app), key, (), options_for(server, host)).id
        wait_until(lambda: finished(app, first) and len(Hooks.received) == 1, worker, what="first scan")
        sites_.extra[host] = ["_newtracker"]  # the site adds a tracker
        again = enqueue_scan(app, get_queue(app), key, (), options_for(server, host)).id
        wait_until(lambda: finished(app, again) and len(mailbox.messages) == 2 and len(Hooks.received) == 2,
                   worker, what="rescan notified")
    finally:
        worker.stop()
        smtp.stop()
        hooks.shutdown()
        hooks.server_close()
    assert job(app, again).status == "done"
    mail = mailbox.messages[-1]
    assert mail["To"] == "owner@shop.test" and mail["From"] == "scans@consent.test"
    assert "1 new" in mail["Subject"]
    text = mail.get_content()
    assert "new: cookie _newtracker on www.shop.test" in text
    assert "https://consent.test/admin/sites/" in text
    signed, body = Hooks.received[-1]
    assert signed, "the webhook's signature does not verify"
    (scan,) = body["scans"]
    assert body["event"] == "scan.changed" and body["site"]["key"] == key
    assert [item["name"] for item in scan["diff"]["new"]] == ["_newtracker"]
    assert scan["diff"]["previous_scan_id"] is not None and scan["diff"]["gone"] == []


def big_site_job(app, server) -> int:
    with get_db(app).session() as session:
        key = sites.create_site(session, name="Big", origins=[generated.SITE]).key
    options = {"resolve": list(server.resolve(generated.HOSTS)), "ignore_https_errors": True,
               "max_pages": 200, "phases": ["before"]}
    return enqueue_scan(app, get_queue(app), key, (), options).id


def scanning(app, job_id: int) -> bool:
    row = job(app, job_id)
    return row.status == "running" and (row.progress or {}).get("pages_done", 0) >= 2


def test_sigterm_puts_the_scan_back_on_the_queue_and_cancel_stops_a_running_one(stack):
    """A worker stopped by its service manager hands its scan back (not an attempt); a job
    cancelled while running stops within a heartbeat, and the worker goes on."""
    app = stack.app()
    with serve(generated.app(200)) as server:
        job_id = big_site_job(app, server)
        worker = WorkerProcess(stack, name="stopped").start()
        wait_until(lambda: scanning(app, job_id), worker, what="scanning")
        assert worker.stop() == 0  # SIGTERM
        assert "worker stopped" in worker.log()
        row = job(app, job_id)
        assert (row.status, row.attempts, row.worker) == ("queued", 0, None), row.error
        with get_db(app).session() as session:
            (scan,) = session.scalars(select(Scan).where(Scan.job_id == job_id))
            assert (scan.status, scan.error) == ("failed", "the worker is shutting down")

        worker = WorkerProcess(stack, name="next").start()  # it takes the job again
        try:
            wait_until(lambda: scanning(app, job_id) and job(app, job_id).attempts == 1, worker)
            with get_db(app).session() as session:
                job_records.cancel(session, job_id)
            assert cancelled_scans(app, job_id) == 2  # the row says so at once
            follow = enqueue_scan(app, get_queue(app), site_key(app, job_id), (),
                                  {**job(app, job_id).options, "max_pages": 1}).id
            # One scan at a time: the next job runs only once the cancelled scan has stopped, long
            # before its 200 pages could have been crawled.
            wait_until(lambda: finished(app, follow), worker, timeout=45, what="the next job ran")
        finally:
            worker.stop()
    assert job(app, job_id).status == "cancelled" and job(app, follow).status == "done"


def cancelled_scans(app, job_id: int) -> int:
    with get_db(app).session() as session:
        return len(session.scalars(select(Scan).where(Scan.job_id == job_id, Scan.status == "failed")).all())


def site_key(app, job_id: int) -> str:
    with get_db(app).session() as session:
        return session.get(Site, session.get(Job, job_id).site_id).key
