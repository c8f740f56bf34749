"""The OpenAPI description stays true: every API route is in it, and schemathesis finds no server error."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from consentkit.db import get_db
from consentkit.sites.registry import create_site

ORIGIN = "https://www.example.no"


def test_every_api_route_and_method_is_described(app, client):
    spec = client.get("/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    described = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            automatic = {"HEAD", "OPTIONS"} if rule.provide_automatic_options else {"HEAD"}
            routed |= {(path, m) for m in rule.methods or () if m not in automatic}
    assert routed == described
    for item in spec["paths"].values():
        for operation in item.values():
            assert operation["responses"], operation["operationId"]


@pytest.fixture
def site_app(app):
    """The app with a real site (its key goes into half of the generated paths) and no 429s."""
    with app.app_context(), get_db(app).session() as session:
        app.config["SCHEMATHESIS_SITE_KEY"] = create_site(session, name="S", origins=[ORIGIN]).key
    app.config["CONSENT_RATE_LIMIT"] = "1000000 per minute"
    return app


def test_schemathesis_finds_no_server_error(site_app):
    """Every operation, with generated and then schema-breaking requests, against the WSGI app.

    Only `not_a_server_error` and the response-schema check are demanded: schema-valid bodies are
    often refused on purpose (a revision the site does not have), so positive acceptance is no rule.
    """
    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", site_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4  # schemathesis skips the description's own path
    for operation in operations:
        for mode in schemathesis.GenerationMode:
            _fuzz(operation, mode, site_app.config["SCHEMATHESIS_SITE_KEY"])


def _fuzz(operation, mode: schemathesis.GenerationMode, site_key: str) -> None:
    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode), real_key=st.booleans())
    def run(case, real_key: bool) -> None:
        if real_key and "key" in (case.path_parameters or {}):
            case.path_parameters["key"] = site_key
        case.headers = {**(case.headers or {}), "Origin": ORIGIN}
        case.call_and_validate(checks=[checks.not_a_server_error, checks.response_schema_conformance,
                                       checks.status_code_conformance])

    run()
