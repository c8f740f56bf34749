"""Scans as jobs on a task queue (Huey): enqueueing, the jobs' state, workers and heartbeats.

`queue` makes the Huey instance; `records` keeps each job's row; `runner` enqueues and runs a job;
`tasks` are the Huey tasks; `worker` is `consentkit worker` (and the demo's in-process worker).
"""

from .queue import get_queue, init_app

__all__ = ["get_queue", "init_app"]
