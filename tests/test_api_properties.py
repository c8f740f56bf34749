"""Property tests over the consent payload: malformed bodies get a 4xx with a message and write nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from consentkit.api.validation import FIELDS, REQUIRED
from consentkit.db import get_db
from consentkit.models import ConsentRecord
from consentkit.sites.registry import create_site

ORIGIN = "https://www.example.no"
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
WRONG_TYPES: dict[str, Any] = {
    "consent_id": st.integers() | st.text(max_size=15) | st.none(),
    "choices": st.lists(st.booleans()) | st.text() | st.integers(),
    "method": st.integers() | st.text().filter(lambda t: t not in ("accept_all", "reject_all", "custom",
                                                                   "gpc", "withdraw")),
    "revision": st.text() | st.floats() | st.integers(max_value=0) | st.integers(min_value=2),
    "language": st.integers() | st.text().filter(lambda t: t not in ("nb", "nn", "en")),
    "page_url": st.integers() | st.text(alphabet="abc :/\x00").filter(lambda t: "://" not in t and t),
    "banner_version": st.integers() | st.text(min_size=33),
    "gpc": st.integers() | st.text() | st.none(),
    "receipt": st.integers(min_value=1) | st.booleans() | st.lists(st.text()) | st.text(min_size=2049),
    "record_id": st.integers() | st.text(max_size=15) | st.booleans(),
}


def valid() -> dict[str, Any]:
    return {"consent_id": str(uuid.uuid4()), "choices": {"functional": True, "analytics": False,
                                                         "marketing": False},
            "method": "custom", "revision": 1, "language": "nb",
            "page_url": "https://www.example.no/", "banner_version": "0.1.0", "gpc": False}


@st.composite
def malformed(draw: st.DrawFn) -> bytes:
    """A body that breaks the contract in at least one way the validator must catch."""
    payload = valid()
    how = draw(st.sampled_from(["drop", "wrong", "unknown", "not_object", "bytes"]))
    if how == "drop":
        del payload[draw(st.sampled_from(REQUIRED))]
    elif how == "wrong":
        field = draw(st.sampled_from(FIELDS))
        payload[field] = draw(WRONG_TYPES[field])
    elif how == "unknown":
        payload[draw(st.text(min_size=1).filter(lambda k: k not in FIELDS))] = draw(json_values)
    elif how == "not_object":
        return json.dumps(draw(json_values.filter(lambda v: not isinstance(v, dict)))).encode()
    else:
        return draw(st.binary(max_size=200).filter(lambda b: not b.strip().startswith(b"{")))
    return json.dumps(payload).encode()


@pytest.fixture
def app(db_url, tmp_path):
    """The test app with a rate limit no example reaches: these tests are about validation, not 429."""
    from consentkit.app import create_app

    application = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "k",
                              "CONSENT_RATE_LIMIT": "1000000 per minute"},
                             instance_path=str(tmp_path / "instance"))
    yield application
    get_db(application).dispose()


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        return create_site(session, name="Example", origins=[ORIGIN]).key


def count(app) -> int:
    with app.app_context(), get_db(app).session() as session:
        return session.scalar(select(func.count()).select_from(ConsentRecord)) or 0


def send(client, key: str, data: bytes):
    return client.post(f"/v1/sites/{key}/consents", data=data, content_type="application/json",
                       headers={"Origin": ORIGIN})


@SETTINGS
@given(data=malformed())
def test_every_malformed_body_is_a_4xx_with_a_message_and_writes_nothing(app, client, site_key, data):
    before = count(app)
    response = send(client, site_key, data)
    assert response.status_code in (400, 413, 415), (data, response.data)
    assert response.json["message"] and response.json["error"]
    assert count(app) == before


@SETTINGS
@given(field=st.sampled_from(FIELDS), value=json_values)
def test_any_value_in_any_field_is_201_with_one_row_or_4xx_with_none(app, client, site_key, field, value):
    payload = valid()
    payload[field] = value
    before = count(app)
    response = send(client, site_key, json.dumps(payload).encode())
    assert response.status_code in (201, 400, 413), response.data
    assert count(app) == before + (1 if response.status_code == 201 else 0)
