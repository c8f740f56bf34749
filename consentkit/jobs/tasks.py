"""The Huey tasks, registered on each app's Huey instance: run a job, look for sites due for a
rescan (a periodic task), and send a notification again after it failed.

Each task is a closure over the app, so a worker process runs it against the configuration it was
started with; the message on the queue only names the task and its arguments (a job ID).
"""

from __future__ import annotations

import logging
from typing import Any

from huey import Huey

from ..db import get_db
from ..scans import notify
from ..sites import registry as sites
from . import runner, schedules
from .queue import JobQueue, Tasks

log = logging.getLogger(__name__)
# Higher runs first: the schedule check and notifications never wait behind a queue of scans.
PRIORITY = {"schedule_check": 20, "notification": 10, "job": 0}
NOTIFY_RETRIES = 5


def every_check(_timestamp: Any) -> bool:
    """Huey asks periodic tasks each scheduler period (SCHEDULE_CHECK_SECONDS, see worker)."""
    return True


def register(huey: Huey, queue: JobQueue) -> Tasks:
    app = queue.app
    period = float(app.config.get("SCHEDULE_CHECK_SECONDS") or 60)
    retry = float(app.config.get("NOTIFY_RETRY_SECONDS") or 60)

    @huey.task(name="run_job", priority=PRIORITY["job"])
    def run_job(job_id: int) -> None:
        """Run one job (its state lives in the jobs table)."""
        runner.run_job(app, queue, job_id)

    # Expires after one period: a check that waited behind busy workers is dropped, not piled up.
    @huey.periodic_task(every_check, name="check_schedules", priority=PRIORITY["schedule_check"],
                        expires=period)
    def check_schedules() -> None:
        """Queue a rescan of every site that is due (consentkit.jobs.schedules)."""
        schedules.enqueue_due(app, queue)

    @huey.task(name="send_notification", priority=PRIORITY["notification"], retries=NOTIFY_RETRIES,
               retry_delay=retry, retry_backoff=2)
    def send_notification(site_key: str, scan_ids: list[int], channel: str) -> None:
        """One channel's notification again; raising makes Huey retry it with backoff."""
        with get_db(app).session() as session:
            site = sites.get_site(session, site_key)
            failed = notify.deliver(app, session, site, scan_ids, channels=(channel,))
        if failed:
            raise notify.NotificationFailed(failed[channel])

    return Tasks(run_job, check_schedules, send_notification)
