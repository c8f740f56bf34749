"""Configuration layers and the generated secret key."""

from __future__ import annotations

import stat

from consentkit.app import create_app


def test_secret_key_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("CONSENTKIT_SECRET_KEY", raising=False)
    instance = tmp_path / "inst"
    first = create_app(instance_path=str(instance))
    key_file = instance / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 48
    second = create_app(instance_path=str(instance))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert create_app(instance_path=str(tmp_path / "other")).config["SECRET_KEY"] != first.config[
        "SECRET_KEY"]


def test_environment_overrides_instance_file(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text('PUBLIC_URL = "https://from-file.example"\nPROXY_COUNT = 1\n')
    monkeypatch.setenv("CONSENTKIT_PUBLIC_URL", "https://from-env.example")
    monkeypatch.setenv("CONSENTKIT_SECRET_KEY", "from-env")
    app = create_app(instance_path=str(instance))
    assert app.config["PUBLIC_URL"] == "https://from-env.example"
    assert app.config["PROXY_COUNT"] == 1
    assert app.config["SECRET_KEY"] == "from-env"
    assert not (instance / "secret_key").exists()
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'consentkit.db'}"


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path):
    from sqlalchemy import text

    from consentkit.db import get_db

    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    with get_db(app).engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
