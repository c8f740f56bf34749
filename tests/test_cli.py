"""The CLI skeleton: help on every subcommand, exit codes, site add/list/show/edit, admin users."""

from __future__ import annotations

import json

import click
import pytest
from sqlalchemy import select

from consentkit.cli import cli
from consentkit.db import get_db
from consentkit.models import SiteRevision, User


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", list(all_commands(cli)), ids=" ".join)
def test_every_subcommand_has_help(path):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command = cli
    for part in path:
        command = command.commands[part]
    assert command.help, f"consentkit {' '.join(path)} has no help text"


def test_usage_error_exits_2(runner):
    assert runner.invoke("site", "add", "--name", "x").exit_code == 2
    assert runner.invoke("no-such-command").exit_code == 2


def test_site_add_prints_key_and_snippet(runner):
    result = runner.invoke("site", "add", "--name", "Its Working",
                           "--origin", "https://www.itsworking.no", "--lang", "nb")
    assert result.exit_code == 0, result.output
    key = result.output.split("with key ")[1].split()[0]
    assert f'<script src="http://consent.test/v1/sites/{key}/consent.js"></script>' in result.output


def test_site_json_roundtrip_and_edit_bumps_revision(runner, app):
    out = runner.invoke("site", "add", "--name", "A", "--origin", "https://a.example.no/",
                        "--json")
    data = json.loads(out.output)
    assert data["origins"] == ["https://a.example.no"] and data["revision"] == 1
    key = data["key"]
    listed = json.loads(runner.invoke("site", "list", "--json").output)
    assert [s["key"] for s in listed] == [key]
    edited = runner.invoke("site", "edit", key, "--texts", '{"nb": {"title": "Kaker"}}')
    assert "revision now 2" in edited.output
    unchanged = runner.invoke("site", "edit", key, "--retention-days", "400")
    assert "revision" not in unchanged.output  # retention is not shown to visitors
    shown = json.loads(runner.invoke("site", "show", key, "--json").output)
    assert shown["revision"] == 2 and shown["retention_days"] == 400
    with get_db(app).session() as session:
        revs = session.scalars(select(SiteRevision.revision)).all()
    assert sorted(revs) == [1, 2]


@pytest.mark.parametrize("args,message", [
    (["--origin", "ftp://x.no"], "must look like https://"),
    (["--origin", "https://x.no/path"], "must not have a path"),
    (["--origin", "https://x.no", "--languages", "nb,de"], "languages must be among"),
])
def test_site_add_rejects_bad_settings_with_exit_1(runner, args, message):
    result = runner.invoke("site", "add", "--name", "x", *args)
    assert result.exit_code == 1
    assert message in result.output


def test_unknown_site_is_a_clear_error(runner):
    result = runner.invoke("site", "show", "nope")
    assert result.exit_code == 1 and "no site with key 'nope'" in result.output


def test_admin_create_user_hashes_password(runner, app):
    result = runner.invoke("admin", "create-user", "owner", input="correct horse\ncorrect horse\n")
    assert result.exit_code == 0, result.output
    with get_db(app).session() as session:
        user = session.scalar(select(User))
    assert user.username == "owner" and user.password_hash.startswith("scrypt:")
    again = runner.invoke("admin", "create-user", "owner", input="correct horse\ncorrect horse\n")
    assert again.exit_code == 1 and "exists already" in again.output
