"""The CLI skeleton: help on every subcommand, exit codes, site add/list/show/edit, admin users."""

from __future__ import annotations

import hashlib
import json
import sys

import click
import pytest
from sqlalchemy import select

from consentkit.cli import cli
from consentkit.db import get_db
from consentkit.models import Site, SiteRevision, User


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
    # The inline stub first (what must hold before the page's scripts), then the banner, async.
    assert '<script data-origin="http://consent.test" data-view=' in result.output
    assert f'<script async src="http://consent.test/v1/sites/{key}/consent.js"></script>' in result.output
    assert "script-src 'sha256-" in result.output


def test_site_show_snippet_follows_consent_mode(runner):
    key = json.loads(runner.invoke("site", "add", "--name", "CM", "--origin", "https://cm.example.no",
                                   "--consent-mode", "--json").output)["key"]
    shown = json.loads(runner.invoke("site", "show", key, "--json").output)
    assert shown["embed"].startswith('<script data-origin="http://consent.test" data-view=')
    assert " data-consent-mode>" in shown["embed"]
    assert shown["csp_script_hash"].startswith("'sha256-")


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


def _site(runner, *origins: str) -> str:
    args = [arg for origin in origins for arg in ("--origin", origin)]
    return json.loads(runner.invoke("site", "add", "--name", "S", *args, "--json").output)["key"]


def _origins(runner, key: str) -> list[str]:
    return json.loads(runner.invoke("site", "show", key, "--json").output)["origins"]


def test_origins_are_added_and_removed_one_by_one(runner):
    key = _site(runner, "https://www.example.no")
    added = runner.invoke("site", "edit", key, "--add-origin", "https://shop.example.no")
    assert added.exit_code == 0 and "allowed: https://shop.example.no" in added.output
    assert _origins(runner, key) == ["https://www.example.no", "https://shop.example.no"]
    removed = runner.invoke("site", "edit", key, "--remove-origin", "https://www.example.no")
    assert "no longer allowed: https://www.example.no" in removed.output
    assert _origins(runner, key) == ["https://shop.example.no"]
    unknown = runner.invoke("site", "edit", key, "--remove-origin", "https://nope.example.no")
    assert unknown.exit_code == 1 and "not an origin of this site" in unknown.output
    assert runner.invoke("site", "edit", key, "--origin", "https://x.no").exit_code == 2  # no silent replace


def test_removing_the_last_origin_warns_and_asks(runner):
    key = _site(runner, "https://www.example.no")
    declined = runner.invoke("site", "edit", key, "--remove-origin", "https://www.example.no", input="n\n")
    assert declined.exit_code == 1 and "leaves the site with no origin" in declined.output
    assert _origins(runner, key) == ["https://www.example.no"]
    accepted = runner.invoke("site", "edit", key, "--remove-origin", "https://www.example.no", "--yes")
    assert accepted.exit_code == 0 and _origins(runner, key) == []


def test_site_api_key_is_shown_once_and_only_its_hash_kept(runner, app):
    key = _site(runner, "https://www.example.no")
    assert "has no API key" in runner.invoke("site", "api-key", key).output
    made = runner.invoke("site", "api-key", key, "--rotate")
    secret = made.stdout.strip()
    assert made.exit_code == 0 and secret.startswith("ck_") and len(secret) > 40
    assert "has an API key" in runner.invoke("site", "api-key", key).output
    with get_db(app).session() as session:
        stored = session.scalar(select(Site.api_key_hash).where(Site.key == key))
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    assert "Revoked" in runner.invoke("site", "api-key", key, "--revoke").output


def test_db_path_names_the_instance_folder_database_and_secret(runner, app):
    result = runner.invoke("db", "path")
    assert result.exit_code == 0
    assert app.instance_path in result.output and "database" in result.output


def test_the_default_instance_folder_is_the_users_data_folder_not_the_venv(tmp_path, monkeypatch):
    monkeypatch.delenv("CONSENTKIT_INSTANCE_PATH", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from consentkit.app import create_app

    app = create_app({"SECRET_KEY": "x"})
    assert app.instance_path == str(tmp_path / "data" / "consentkit")
    assert not app.instance_path.startswith(sys.prefix)
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'data' / 'consentkit' / 'consentkit.db'}"
    get_db(app).dispose()


def test_serve_says_where_snippets_point_and_warns_when_it_is_elsewhere(app):
    from consentkit.commands.serve import startup_lines

    app.config["PUBLIC_URL"] = None
    lines = startup_lines(app, "127.0.0.1", 9000)
    assert lines[0].startswith("consentkit serving on http://127.0.0.1:9000/")
    assert "address each request comes to" in lines[1]
    assert any(app.instance_path in line for line in lines)
    app.config["PUBLIC_URL"] = "http://127.0.0.1:8000"
    assert any(line.startswith("warning:") for line in startup_lines(app, "127.0.0.1", 9000))
    app.config["PUBLIC_URL"] = "http://localhost:9000/"
    assert not any(line.startswith("warning:") for line in startup_lines(app, "127.0.0.1", 9000))


def test_admin_users_are_listed_given_new_passwords_and_deleted(runner):
    runner.invoke("admin", "create-user", "owner", input="correct horse battery\ncorrect horse battery\n")
    listed = json.loads(runner.invoke("admin", "list-users", "--json").output)
    assert [(u["username"], u["sessions"]) for u in listed] == [("owner", 0)]
    short = runner.invoke("admin", "set-password", "owner", input="too short\ntoo short\n")
    assert short.exit_code == 1 and "at least 12" in short.output
    new = "another long phrase"
    changed = runner.invoke("admin", "set-password", "owner", input=f"{new}\n{new}\n")
    assert changed.exit_code == 0 and "new password set" in changed.output
    assert runner.invoke("admin", "delete-user", "nobody", "--yes").exit_code == 1
    last = runner.invoke("admin", "delete-user", "owner", "--yes")
    assert last.exit_code == 1 and "only owner" in last.output
    runner.invoke("admin", "create-user", "reader", "--role", "viewer", input=f"{new}\n{new}\n")
    assert runner.invoke("admin", "set-role", "owner", "--role", "viewer").exit_code == 1
    assert runner.invoke("admin", "set-role", "reader", "--role", "owner").exit_code == 0
    assert runner.invoke("admin", "delete-user", "owner", "--yes").exit_code == 0
    listed = json.loads(runner.invoke("admin", "list-users", "--json", "--role", "owner").output)
    assert [(u["username"], u["role"]) for u in listed] == [("reader", "owner")]
    assert json.loads(runner.invoke("admin", "list-users", "--json", "--role", "viewer").output) == []
