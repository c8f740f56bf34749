"""The `consentkit` command: one entry point, a subcommand per job.

Each area keeps its commands in `consentkit/commands/<area>.py`; this module only assembles them.
"""

from __future__ import annotations

import click

from . import __version__
from .commands import (
    admin,
    classify,
    db,
    declaration,
    demo,
    jobs,
    scan,
    serve,
    site,
    worker,
)
from .commands import (
    consent_log as consents,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="consentkit")
def cli() -> None:
    """consentkit: scan a site's cookies, ask visitors for consent, and prove what they chose.

    Configuration comes from CONSENTKIT_* environment variables (CONSENTKIT_DATABASE_URL,
    CONSENTKIT_SECRET_KEY, CONSENTKIT_INSTANCE_PATH, …) and an optional config.py in the
    instance folder.
    """


for command in (db.db, serve.serve, site.site, admin.admin, declaration.declaration, consents.consents,
                scan.scan, jobs.jobs, worker.worker, classify.classify, classify.kb, demo.demo):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="consentkit")
