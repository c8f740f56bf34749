"""The embed snippet: the inline stub, then consent.js async; safe to inline, clear about bad input."""

from __future__ import annotations

import base64
import hashlib

import pytest

from consentkit import snippet


def test_the_stub_is_inlined_before_the_async_core():
    html = snippet.embed("https://consent.example.no/", "KEY", consent_mode=False)
    stub, core = html.rsplit("\n", 1)
    assert stub.startswith('<script data-origin="https://consent.example.no" '
                           'data-view="https://consent.example.no/v1/banner/current/consentkit-ui.js">')
    assert stub.endswith("</script>")
    assert snippet.stub_source() in stub
    assert core == '<script async src="https://consent.example.no/v1/sites/KEY/consent.js"></script>'


def test_consent_mode_is_a_flag_of_the_stub():
    assert " data-consent-mode>" in snippet.embed("https://c.example.no", "K", consent_mode=True)


def test_a_proxied_path_keeps_its_prefix_and_the_sites_origin():
    html = snippet.embed("https://www.example.no/consentkit", "K", consent_mode=False)
    assert 'data-origin="https://www.example.no"' in html
    assert 'src="https://www.example.no/consentkit/v1/sites/K/consent.js"' in html


def test_csp_hash_is_of_the_exact_inline_text():
    digest = base64.b64encode(hashlib.sha256(snippet.stub_source().encode()).digest()).decode()
    assert snippet.csp_hash() == f"'sha256-{digest}'"


@pytest.mark.parametrize("bad", ["consent.example.no", "javascript:alert(1)", "ftp://x.example"])
def test_a_base_url_that_is_not_http_is_a_clear_error(bad):
    with pytest.raises(snippet.SnippetError, match="http"):
        snippet.embed(bad, "K", consent_mode=False)


def test_a_cookie_name_of_its_own_is_given_to_the_stub():
    """The stub fetches the view early only without a consent cookie: it must know the cookie's name."""
    own = snippet.embed("https://c.example.no", "K", False, cookie_name="shop_consent")
    assert ' data-cookie="shop_consent"' in own
    assert " data-cookie=" not in snippet.embed("https://c.example.no", "K", False)
