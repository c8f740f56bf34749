"""Consent receipts: signed by the server, published keys, verified offline by anyone.

The first test checks a receipt with nothing but `cryptography` and the steps of docs/receipts.md,
so the format cannot drift from what an auditor would implement.
"""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, update

from consentkit.app import create_app
from consentkit.db import get_db
from consentkit.models import ConsentRecord
from consentkit.sites.registry import create_site

ORIGIN = "https://www.example.no"


@pytest.fixture
def site_key(app) -> str:
    with app.app_context(), get_db(app).session() as session:
        return create_site(session, name="Example", origins=[ORIGIN]).key


def post(client, key: str, **changes) -> dict:
    body = {"consent_id": str(uuid.uuid4()), "choices": {"functional": True, "analytics": False,
                                                         "marketing": False},
            "method": "custom", "revision": 1, "language": "nn", "page_url": f"{ORIGIN}/",
            "banner_version": "0.1.0", "gpc": False, **changes}
    response = client.post(f"/v1/sites/{key}/consents", data=json.dumps(body),
                           content_type="application/json", headers={"Origin": ORIGIN})
    assert response.status_code == 201, response.json
    return response.json


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_receipt_verifies_with_only_the_published_key_and_the_documented_steps(client, site_key):
    answer = post(client, site_key)
    keys = client.get(f"/v1/sites/{site_key}/receipt-key")
    assert keys.status_code == 200 and keys.headers["Access-Control-Allow-Origin"] == "*"
    head, payload, signature = answer["receipt"].split(".")
    header = json.loads(unb64(head))
    assert header["alg"] == "EdDSA"
    [jwk] = [k for k in keys.json["keys"] if k["kid"] == header["kid"]]
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    public = Ed25519PublicKey.from_public_bytes(unb64(jwk["x"]))
    public.verify(unb64(signature), f"{head}.{payload}".encode("ascii"))  # raises if not valid
    claims = json.loads(unb64(payload))
    assert claims == {"v": 1, "site": site_key, "id": answer["consent_id"], "seq": 1,
                      "at": answer["recorded_at"], "choices": {"functional": True, "analytics": False,
                                                               "marketing": False},
                      "method": "custom", "rev": 1, "rh": claims["rh"], "lang": "nn", "gpc": False}
    assert len(claims["rh"]) == 64
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "method": "accept_all"}).encode()).rstrip(b"=")
    with pytest.raises(InvalidSignature):
        public.verify(unb64(signature), head.encode() + b"." + forged)


def test_verify_receipt_checks_the_signature_and_the_log(runner, app, client, site_key):
    answer = post(client, site_key)
    result = runner.invoke("consents", "verify-receipt", answer["receipt"])
    assert result.exit_code == 0, result.output
    assert f"consent ID {answer['consent_id']}, record #1" in result.output
    assert "the consent log holds exactly this record" in result.output
    with app.app_context(), get_db(app).session() as session:
        session.execute(update(ConsentRecord).values(method="accept_all", marketing=True))
    changed = runner.invoke("consents", "verify-receipt", answer["receipt"])
    assert changed.exit_code == 1 and "differs from the receipt in: choices, method" in changed.output
    with app.app_context(), get_db(app).session() as session:
        session.execute(delete(ConsentRecord))  # as retention purges it one day
    gone = runner.invoke("consents", "verify-receipt", answer["receipt"])
    assert gone.exit_code == 0 and "no longer holds this record" in gone.output


@pytest.mark.parametrize("receipt", ["", "a.b", "x.y.z", "e30.e30.AAAA"])
def test_a_malformed_receipt_is_one_clear_error(runner, receipt):
    result = runner.invoke("consents", "verify-receipt", receipt)
    assert result.exit_code == 1 and "not a valid receipt" in result.output


def test_verify_receipt_offline_with_the_key_set_only(runner, client, site_key, tmp_path):
    answer = post(client, site_key)
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(client.get(f"/v1/sites/{site_key}/receipt-key").json))
    result = runner.invoke("consents", "verify-receipt", "-", "--keys", str(keys), "--json",
                           input=answer["receipt"] + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["log"] == "offline"
    head, payload, signature = answer["receipt"].split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    refused = runner.invoke("consents", "verify-receipt", tampered, "--keys", str(keys))
    assert refused.exit_code == 1 and "signature does not match" in refused.output


def test_a_new_secret_key_makes_a_new_signing_key_and_old_receipts_still_verify(db_url, tmp_path, site_key,
                                                                                 client):
    before = post(client, site_key)
    other = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "rotated secret"},
                       instance_path=str(tmp_path / "other"))
    after = other.test_client().post(
        f"/v1/sites/{site_key}/consents", headers={"Origin": ORIGIN}, content_type="application/json",
        data=json.dumps({"consent_id": before["consent_id"], "receipt": before["receipt"],
                         "choices": {"functional": False, "analytics": False, "marketing": False},
                         "method": "reject_all", "revision": 1, "language": "nb"}))
    assert after.status_code == 201 and after.json["seq"] == 2  # the old receipt still counts
    keys = other.test_client().get(f"/v1/sites/{site_key}/receipt-key").json["keys"]
    assert len(keys) == 2 and "retired_at" in keys[1] and "retired_at" not in keys[0]
    kid = json.loads(unb64(after.json["receipt"].split(".")[0]))["kid"]
    assert kid == keys[0]["kid"]
    get_db(other).dispose()
