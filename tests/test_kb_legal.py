"""Vendor files' `legal` object: who a vendor is in law, checked as strictly as the entries."""

from __future__ import annotations

import json

import pytest

from consentkit.kb.legal import EEA, legal_problems
from consentkit.kb.loader import load_folder, load_kb
from consentkit.kb.schema import KbSchemaError

GOOD = {"company": "Example Inc.", "country": "US", "transfer": ["dpf"],
        "privacy_url": "https://example.com/privacy", "doc_url": "https://example.com/dpf"}
ENTRY = {"name": "_x", "category": "analytics", "provider": "Example Analytics", "purpose_en": "Counts.",
         "purpose_nb": "Teller."}


@pytest.mark.parametrize(("change", "expected"), [
    ({"transfer": []}, "US is outside the EEA: name the transfer basis"),
    ({"transfer": ["shield"]}, "'transfer' must be a list of adequacy, dpf, scc, bcr"),
    ({"country": "usa"}, "must be an ISO 3166-1 code"),
    ({"doc_url": None}, "needs a doc_url"),
    ({"privacy_url": "http://example.com"}, "'privacy_url' must be an https:// link"),
    ({"dpo": "x"}, "unknown field 'dpo'"),
    ({"company": ""}, "needs 'company'"),
])
def test_legal_problems_are_named(change, expected):
    raw = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    problems = legal_problems(raw, "x.json")
    assert any(expected in problem for problem in problems), problems


def test_an_eea_vendor_needs_no_transfer_basis():
    assert legal_problems({**GOOD, "country": "NO", "transfer": []}, "x.json") == []
    assert {"NO", "IS", "LI", "IE", "SE"} <= EEA and "GB" not in EEA and "CH" not in EEA


def test_the_loader_indexes_legal_facts_by_every_provider_name_of_the_vendor(tmp_path):
    (tmp_path / "example.json").write_text(json.dumps({
        "vendor": "Example", "legal": GOOD, "entries": [ENTRY],
        "hosts": [{"host": "t.example.com", "category": "analytics", "provider": "Example Pixel"}]}))
    kb = load_folder(tmp_path)
    assert set(kb.legal) == {"Example", "Example Analytics", "Example Pixel"}
    assert kb.legal["Example Pixel"].company == "Example Inc." and kb.legal["Example"].outside_eea
    (tmp_path / "bad.json").write_text(json.dumps({"vendor": "Bad", "entries": [],
                                                   "legal": {**GOOD, "transfer": []}}))
    with pytest.raises(KbSchemaError, match="name the transfer basis"):
        load_folder(tmp_path)


def test_the_main_non_eea_vendors_cite_their_own_pages():
    legal = load_kb().legal
    for provider in ("Google Analytics", "Google Ads", "YouTube", "Meta (Facebook)", "Microsoft Clarity",
                     "LinkedIn Insight Tag"):
        record = legal[provider]
        assert record.outside_eea and record.transfer and record.doc_url.startswith("https://")
