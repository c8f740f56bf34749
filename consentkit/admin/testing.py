"""Helpers for tests of the admin UI: a user, a signed-in test client, and a page's CSRF token.

Kept in the package (like `flask.testing`) so that every admin test module signs in the same way,
through the real login form.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from ..accounts import users
from ..db import get_db

USERNAME = "owner"
PASSWORD = "correct horse battery staple"

_TOKEN = re.compile(r'<input[^>]*\bname="(?:[\w-]*-)?csrf_token"[^>]*\bvalue="([^"]+)"')


def create_admin(app: Flask, username: str = USERNAME, password: str = PASSWORD, role: str = "owner") -> None:
    with app.app_context(), get_db(app).session() as session:
        users.create_user(session, username, password, role)


def csrf_token(client: FlaskClient, path: str = "/admin/login") -> str:
    """The CSRF token of the form on `path` (tokens are per session, so any form's will do)."""
    response = client.get(path)
    match = _TOKEN.search(response.get_data(as_text=True))
    if match is None:
        raise AssertionError(f"no CSRF token on {path} ({response.status_code})")
    return match.group(1)


def sign_in(client: FlaskClient, username: str = USERNAME, password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post("/admin/login", data={"username": username, "password": password,
                                             "csrf_token": token})


def signed_in_client(app: Flask, username: str = USERNAME, role: str = "owner") -> FlaskClient:
    create_admin(app, username, PASSWORD, role)
    client = app.test_client()
    response = sign_in(client, username)
    if response.status_code != 302:
        raise AssertionError(f"sign-in failed: {response.status_code}")
    return client
