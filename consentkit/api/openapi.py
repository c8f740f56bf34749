"""`GET /v1/openapi.json`: the OpenAPI 3.1 description of the public API.

Written by hand next to the routes it describes; `tests/test_api_openapi.py` fails when a route is
missing here or an answer does not match its documented schema (schemathesis).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from .. import __version__, public_url
from ..models import CATEGORIES
from .blueprint import bp
from .validation import METHODS

ERROR = {
    "type": "object", "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
}
ERROR_STATUS = {
    "400": "Malformed JSON or invalid fields (`fields` names each one and why)",
    "401": "No Origin header (not a browser) and no valid `Authorization: Bearer <site API key>`",
    "403": "The page's Origin is not allowed for this site, or (history) not the ID's latest receipt",
    "404": "No site with this key",
    "413": "The body is larger than 4 KB",
    "415": "Content-Type is not application/json",
    "429": "Too many requests from this client (see Retry-After)",
    "503": "The database did not answer in time; send the same request again after Retry-After",
}
CONSENT = {
    "type": "object", "additionalProperties": False,
    "required": ["consent_id", "choices", "method", "revision", "language"],
    "properties": {
        "consent_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$",
                       "description": "Random ID the banner keeps in its cookie (a UUID4)"},
        "choices": {"type": "object", "description": "Every optional category the site asks for",
                    "propertyNames": {"enum": list(CATEGORIES)},
                    "additionalProperties": {"type": "boolean"}},
        "method": {"enum": list(METHODS)},
        "revision": {"type": "integer", "minimum": 1,
                     "description": "The site revision the visitor was shown (≤ the current one)"},
        "language": {"type": "string", "maxLength": 8},
        "page_url": {"type": "string", "maxLength": 2048, "format": "uri",
                     "description": "Stored without query and fragment"},
        "banner_version": {"type": "string", "maxLength": 32},
        "gpc": {"type": "boolean"},
        "receipt": {"type": ["string", "null"], "maxLength": 2048,
                    "description": "The consent ID's latest receipt; without it a known ID gets a new one"},
        "record_id": {"type": ["string", "null"], "pattern": "^[A-Za-z0-9_-]{16,64}$",
                      "description": "A random ID of this record, the same on each retry of it"},
    },
}
RECORDED = {
    "type": "object", "required": ["consent_id", "seq", "recorded_at", "revision", "receipt", "new_id"],
    "properties": {"consent_id": {"type": "string", "description": "A new ID when `new_id` is true"},
                   "seq": {"type": "integer", "minimum": 1,
                           "description": "The record's number in its consent ID's history"},
                   "recorded_at": {"type": "string"}, "revision": {"type": "integer"},
                   "receipt": {"type": "string",
                               "description": "JWS (EdDSA) of the record; see docs/receipts.md"},
                   "new_id": {"type": "boolean",
                              "description": "The server started a new consent ID (no latest receipt)"}},
}
KEYS = {
    "type": "object", "required": ["site", "algorithm", "keys"],
    "properties": {"site": {"type": "string"}, "algorithm": {"const": "EdDSA"},
                   "keys": {"type": "array", "items": {
                       "type": "object", "required": ["kty", "crv", "x", "kid"],
                       "properties": {"kty": {"const": "OKP"}, "crv": {"const": "Ed25519"},
                                      "x": {"type": "string"}, "kid": {"type": "string"}}}}},
}
HISTORY = {
    "type": "object", "required": ["consent_id", "records"],
    "properties": {"consent_id": {"type": "string"}, "records": {"type": "array", "items": {
        "type": "object",
        "required": ["seq", "recorded_at", "choices", "method", "revision", "revision_hash", "language"],
        "properties": {
            "seq": {"type": "integer"}, "recorded_at": {"type": "string"},
            "choices": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "method": {"enum": list(METHODS)}, "revision": {"type": "integer"},
            "revision_hash": {"type": "string"}, "language": {"type": "string"},
            "page_url": {"type": "string"}, "banner_version": {"type": "string"},
            "gpc": {"type": "boolean"}}}}},
}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: {"description": ERROR_STATUS[code],
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for code in codes}


def _key(name: str = "key", description: str = "The site's key") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "maxLength": 64}}


RECEIPT_HEADER = {"name": "Consent-Receipt", "in": "header", "required": True,
                  "description": "The consent ID's latest receipt", "schema": {"type": "string"}}


def _paths() -> dict[str, Any]:
    json_of = lambda ref: {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}  # noqa: E731
    return {
        "/v1/sites/{key}/consent.js": {"get": {
            "operationId": "consent_script", "summary": "The banner with the site's configuration",
            "parameters": [_key()],
            "responses": {"200": {"description": "JavaScript (gzip or br by Accept-Encoding; strong ETag)",
                                  "content": {"text/javascript": {"schema": {"type": "string"}}}},
                          "304": {"description": "Not modified (If-None-Match matched the ETag)"},
                          **_errors("404")}}},
        "/v1/banner/{digest}/consentkit-ui.js": {"get": {
            "operationId": "view_script", "summary": "The banner's view, which consent.js loads",
            "parameters": [_key("digest", "The first 16 hex digits of the file's SHA-256")],
            "responses": {"200": {"description": "JavaScript; immutable under its current digest",
                                  "content": {"text/javascript": {"schema": {"type": "string"}}}},
                          "304": {"description": "Not modified"}}}},
        "/v1/sites/{key}/consents": {
            "post": {"operationId": "record_consent", "summary": "Record a visitor's choice",
                     "parameters": [_key()],
                     "requestBody": {"required": True, "content": json_of("Consent")},
                     "responses": {"201": {"description": "Committed", "content": json_of("Recorded")},
                                   **_errors("400", "401", "403", "404", "413", "415", "429", "503")}},
            "options": {"operationId": "consents_preflight", "summary": "CORS preflight",
                        "parameters": [_key()],
                        "responses": {"204": {"description": "The Origin may POST"},
                                      **_errors("403", "404", "429")}}},
        "/v1/sites/{key}/consents/{consent_id}": {
            "get": {"operationId": "consent_history", "summary": "One consent ID's own history",
                    "parameters": [_key(), _key("consent_id", "The visitor's consent ID"), RECEIPT_HEADER],
                    "responses": {"200": {"description": "Records, oldest first",
                                          "content": json_of("History")},
                                  **_errors("401", "403", "404", "429", "503")}},
            "options": {"operationId": "consents_preflight_history", "summary": "CORS preflight",
                        "parameters": [_key(), _key("consent_id", "The visitor's consent ID")],
                        "responses": {"204": {"description": "The Origin may read the history"},
                                      **_errors("403", "404", "429")}}},
        "/v1/sites/{key}/cookies.json": {"get": {
            "operationId": "cookie_details", "summary": "Provider, purpose, lifetime of each cookie",
            "parameters": [_key()],
            "responses": {"200": {"description": "The banner's cookie details",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "304": {"description": "Not modified"}, **_errors("404", "503")}}},
        "/v1/sites/{key}/receipt-key": {"get": {
            "operationId": "receipt_key", "summary": "The site's public keys that verify its receipts",
            "parameters": [_key()],
            "responses": {"200": {"description": "A JWK set, newest first", "content": json_of("Keys")},
                          **_errors("404", "503")}}},
        "/v1/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This description",
            "responses": {"200": {"description": "OpenAPI 3.1",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    }


def describe(server_url: str) -> dict[str, Any]:
    """The OpenAPI document, with `server_url` (PUBLIC_URL, or the host asked) as the server."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "consentkit public API", "version": __version__,
                 "description": "The banner script and the consent log. A browser's Origin must be one "
                                "of the site's origins (or this server's); a request without an Origin "
                                "(server to server) needs the site's API key as a Bearer token. Adding to "
                                "a consent ID's history, or reading it, needs its latest receipt."},
        "servers": [{"url": server_url.rstrip("/") or "/"}],
        "paths": _paths(),
        "components": {"schemas": {"Error": ERROR, "Consent": CONSENT, "Recorded": RECORDED,
                                   "History": HISTORY, "Keys": KEYS},
                       "securitySchemes": {"siteApiKey": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(describe(public_url.for_request(current_app, request)))
