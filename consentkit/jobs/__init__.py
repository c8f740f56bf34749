"""Scans as jobs on a task queue (Huey): enqueueing, the jobs' state, workers and heartbeats.

`queue` makes the Huey instance; `records` keeps each job's row; `runner` enqueues and runs a job;
`tasks` are the Huey tasks; `worker` is `consentkit worker` (and the demo's in-process worker).
The imports go one way: tasks → runner → queue; `init_app` hands the queue its tasks.
"""

from flask import Flask

from . import tasks
from .queue import EXTENSION, JobQueue, get_queue


def init_app(app: Flask) -> None:
    """Give the app its queue; the Huey instance behind it is made on first use."""
    app.extensions[EXTENSION] = JobQueue(app, tasks.register)


__all__ = ["get_queue", "init_app"]
