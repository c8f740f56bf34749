"""The classifier: documented cookies, precedence of the rules, domains and kinds, generic names on
tracker hosts, and the never-guess-necessary guarantee of the heuristics."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentkit.kb import heuristics
from consentkit.kb.classifier import Classifier, default_classifier
from consentkit.kb.schema import HostRecord, KbRecord

# Cookies whose vendors document them (each entry's doc_url says where).
DOCUMENTED = [
    ("__cf_bm", None, "necessary"),
    ("wordpress_logged_in_9f8e", None, "necessary"),
    ("_ga", None, "analytics"),
    ("_ga_3LK2X7QH9", None, "analytics"),
    ("_gid", None, "analytics"),
    ("_fbp", None, "marketing"),
    ("fr", ".facebook.com", "marketing"),
    ("fr", None, "marketing"),
    ("gads", None, "marketing"),
    ("__gads", None, "marketing"),
    ("_gcl_au", None, "marketing"),
    ("ai_user", None, "analytics"),
    ("ai_session", None, "analytics"),
    ("mf_8a1b2c3d", None, "analytics"),
    ("mf_user", None, "analytics"),
    ("li_fat_id", ".linkedin.com", "marketing"),
    ("bcookie", ".linkedin.com", "marketing"),
    ("UserMatchHistory", ".linkedin.com", "marketing"),
    ("_zendesk_session", "support.zendesk.com", "necessary"),
    ("__zlcmid", None, "functional"),
]


@pytest.fixture(scope="module")
def kb() -> Classifier:
    return default_classifier()


@pytest.mark.parametrize(("name", "domain", "category"), DOCUMENTED)
def test_documented_cookies(kb, name, domain, category):
    result = kb.classify(name, domain=domain)
    assert result.category == category, result.reason
    assert result.rule in ("exact", "pattern")
    assert result.provider and result.purpose_en and result.purpose_nb


COMMON = [
    ("_hjSessionUser_1234567", None, "analytics"), ("_clck", None, "analytics"),
    ("_clsk", None, "analytics"), ("MUID", ".bing.com", "marketing"),
    ("_uetsid", None, "marketing"), ("_uetvid", None, "marketing"), ("li_gc", None, "necessary"),
    ("lidc", ".linkedin.com", "marketing"), ("AnalyticsSyncHistory", None, "analytics"),
    ("test_cookie", ".doubleclick.net", "marketing"), ("IDE", ".doubleclick.net", "marketing"),
    ("NID", ".google.com", "marketing"), ("1P_JAR", ".google.com", "marketing"),
    ("VISITOR_INFO1_LIVE", ".youtube.com", "marketing"), ("YSC", ".youtube.com", "marketing"),
    ("__Secure-3PSID", ".google.com", "marketing"), ("_pin_unauth", None, "marketing"),
    ("_tt_enable_cookie", None, "marketing"), ("_ttp", None, "marketing"),
    ("_scid", None, "marketing"), ("personalization_id", ".twitter.com", "marketing"),
    ("guest_id", ".x.com", "marketing"), ("vuid", ".vimeo.com", "analytics"),
    ("__stripe_mid", None, "necessary"), ("__stripe_sid", None, "necessary"),
    ("CookieConsent", None, "necessary"), ("OptanonConsent", None, "necessary"),
    ("OptanonAlertBoxClosed", None, "necessary"), ("cookieyes-consent", None, "necessary"),
    ("AWSALB", None, "necessary"), ("AWSALBCORS", None, "necessary"),
    ("ARRAffinity", None, "necessary"), ("ARRAffinitySameSite", None, "necessary"),
    ("__hssc", None, "analytics"), ("__hssrc", None, "analytics"), ("__hstc", None, "analytics"),
    ("hubspotutk", None, "analytics"), ("intercom-id-abc123", None, "functional"),
    ("intercom-session-abc123", None, "functional"), ("_pk_id.1.1fff", None, "analytics"),
    ("_pk_ses.1.1fff", None, "analytics"), ("mp_0123abcd_mixpanel", None, "analytics"),
    ("AMP_a1b2c3d4e5", None, "analytics"), ("ajs_anonymous_id", None, "analytics"),
    ("ph_phc_AbC_posthog", None, "analytics"), ("cto_bundle", None, "marketing"),
    ("uid", ".adform.net", "marketing"), ("C", ".adform.net", "marketing"),
    ("TawkConnectionTime", None, "functional"),
    ("XSRF-TOKEN", None, "necessary"), ("laravel_session", None, "necessary"),
    ("PHPSESSID", None, "necessary"), ("JSESSIONID", None, "necessary"),
    ("ASP.NET_SessionId", None, "necessary"), ("__RequestVerificationToken", None, "necessary"),
    ("csrftoken", None, "necessary"), ("sessionid", None, "necessary"),
    ("_shopify_y", None, "analytics"), ("_shopify_s", None, "analytics"),
    ("cart", None, "necessary"), ("secure_customer_sig", None, "necessary"),
    ("form_key", None, "necessary"), ("mage-cache-sessid", None, "necessary"),
    ("woocommerce_cart_hash", None, "necessary"),
    ("wp_woocommerce_session_0a1b2c", None, "necessary"),
    ("pll_language", None, "functional"), ("wpml_browser_redirect_test", None, "functional"),
    ("__utma", None, "analytics"),
    ("__utmb", None, "analytics"), ("__utmz", None, "analytics"), ("_gat", None, "analytics"),
    ("_gat_UA-1234-1", None, "analytics"), ("_dc_gtm_UA-1234-1", None, "analytics"),
    ("_gac_UA-1234-1", None, "marketing"), ("_fbc", None, "marketing"),
    ("datr", ".facebook.com", "marketing"), ("connect.sid", None, "necessary"),
    ("wordpress_logged_in_9f8e", None, "necessary"), ("wp-settings-1", None, "functional"),
    ("cf_clearance", None, "necessary"), ("__cflb", None, "necessary"),
    ("_cfuvid", None, "necessary"), ("consentkit", None, "necessary"),
    ("_GRECAPTCHA", None, "necessary"), ("CONSENT", ".youtube.com", "necessary"),
]


@pytest.mark.parametrize(("name", "domain", "category"), COMMON)
def test_common_real_world_cookies(kb, name, domain, category):
    result = kb.classify(name, domain=domain)
    assert (result.category, result.confidence) == (category, "high"), result.reason


@pytest.mark.parametrize(("name", "kind", "category"), [
    ("_hjSession_123456", "localStorage", "analytics"), ("mf_initialDomQueue", "localStorage",
                                                          "analytics"),
    ("ai_session", "sessionStorage", "analytics"), ("AI_buffer", "sessionStorage", "analytics"),
    ("yt-remote-device-id", "localStorage", "marketing"), ("rc::a", "localStorage", "necessary"),
    ("intercom-state", "localStorage", "functional"), ("_uetsid", "localStorage", "marketing"),
])
def test_storage_keys(kb, name, kind, category):
    result = kb.classify(name, kind=kind)
    assert (result.category, result.confidence) == (category, "high"), result.reason


def test_an_entry_for_another_kind_answers_with_medium_confidence(kb):
    result = kb.classify("_fbc", kind="localStorage")
    assert result.category == "marketing" and result.confidence == "medium"
    assert "entry is for cookie" in result.reason


def test_domain_constrained_names(kb):
    # `uid` is Adform's only on adform.net; elsewhere it is someone else's cookie.
    assert kb.classify("uid", domain="track.adform.net").provider == "Adform"
    elsewhere = kb.classify("uid", domain="www.example.no")
    assert elsewhere.provider != "Adform" and elsewhere.rule == "heuristic"
    unknown = kb.classify("fr")
    assert unknown.confidence == "medium" and "domain not given" in unknown.reason
    assert kb.classify("fr", domain="www.example.fr").category != "marketing"


def test_name_case_is_forgiven_with_lower_confidence(kb):
    result = kb.classify("phpsessid")
    assert result.category == "necessary" and result.confidence == "medium"


def test_to_dict_is_json_and_complete(kb):
    data = kb.classify("_ga").to_dict()
    assert set(data) == {"category", "provider", "purpose_en", "purpose_nb", "purpose_nn",
                         "lifetime", "confidence", "reason", "rule", "needs_review", "doc_url"}
    assert json.loads(json.dumps(data)) == data
    assert data["reason"] == "exact name _ga (Google Analytics)"


def test_classify_host_matches_subdomains_and_stops_at_unknown(kb):
    match = kb.classify_host("region1.google-analytics.com")
    assert (match.provider, match.category, match.pattern) == (
        "Google Analytics", "analytics", "google-analytics.com")
    assert kb.classify_host("www.example.no") is None
    assert kb.classify_host("") is None and kb.classify_host("localhost") is None


def test_default_classifier_is_cached():
    assert default_classifier() is default_classifier()


# ---- precedence, on a small knowledge base of our own ----------------------------------------

def rec(name: str, category: str, match: str = "exact", **kw) -> KbRecord:
    return KbRecord(name=name, category=category, provider=f"{category} co", purpose_en="e",
                    purpose_nb="n", match=match, **kw)


SMALL = [
    rec("abc", "functional"),
    rec("ab", "marketing", "prefix"),
    rec("a", "analytics", "prefix"),
    rec("ab[0-9]+", "necessary", "regex"),
    rec("zz", "marketing", domain="ads.example"),
]
HOSTS = [HostRecord("tracker.example", "Tracker", "marketing")]


@pytest.fixture
def small() -> Classifier:
    return Classifier(entries=SMALL, hosts=HOSTS)


def test_precedence_override_exact_pattern_host_heuristic_none(small):
    override = {"name": "abc", "match": "exact", "kind": "cookie", "category": "necessary",
                "provider": "Me", "purpose_nb": "", "purpose_en": ""}
    assert small.classify("abc", overrides=[override]).rule == "override"
    assert small.classify("abc").rule == "exact"
    assert small.classify("abx").category == "marketing"  # longest prefix wins
    assert small.classify("ab12").category == "necessary"  # regex beats an equally long prefix
    assert small.classify("axe").category == "analytics"
    by_host = small.classify("qq", setter="https://cdn.tracker.example/t.js")
    assert (by_host.rule, by_host.category, by_host.confidence) == ("host", "marketing", "medium")
    assert small.classify("qq_session").rule == "heuristic"
    nothing = small.classify("qq")
    assert (nothing.category, nothing.rule, nothing.needs_review) == ("unclassified", "none", True)


def test_known_name_beats_tracker_host(small):
    assert small.classify("abc", setter="https://tracker.example/x.js").rule == "exact"


def test_cookie_domain_on_a_tracker_host_counts_unless_it_is_the_site(small):
    assert small.classify("qq", domain=".tracker.example").rule == "host"
    own = small.classify("qq", domain=".tracker.example", site_host="www.tracker.example")
    assert own.rule == "none"


def test_overrides_prefix_kind_and_objects(small):
    class Row:
        name, match, kind, category = "q", "prefix", "cookie", "functional"
        provider, purpose_nb, purpose_en = "Site", "Husker", "Remembers"

    assert small.classify("qq", overrides=[Row()]).category == "functional"
    assert small.classify("qq", kind="localStorage", overrides=[Row()]).rule == "none"
    exact = {"name": "qq", "match": "exact", "kind": "cookie", "category": "marketing"}
    assert small.classify("qq", overrides=[Row(), exact]).category == "marketing"


def test_user_layer_only_fills_gaps_below_the_built_in_one(small):
    layered = small.with_user_entries([
        {"name": "abc", "category": "marketing", "provider": "Mine", "source": "my.csv"},
        {"name": "ab", "match": "prefix", "category": "analytics"},
        {"name": "q", "match": "prefix", "category": "analytics", "source": "my.csv"},
    ])
    assert layered.classify("abc").category == "functional"  # built-in exact wins
    assert layered.classify("abx").category == "marketing"  # so does a built-in pattern
    gap = layered.classify("qq")
    assert (gap.category, gap.rule) == ("analytics", "imported")
    assert "imported from my.csv" in gap.reason
    assert small.classify("qq").rule == "none"  # the original is unchanged


def test_exact_name_beats_user_prefix(small):
    layered = small.with_user_entries([{"name": "a", "match": "prefix", "category": "marketing"}])
    assert layered.classify("abc").category == "functional"


def test_an_imported_entry_is_never_necessary(small):
    layered = small.with_user_entries([{"name": "qq", "category": "necessary", "source": "old"}])
    result = layered.classify("qq")
    assert (result.category, result.needs_review) == ("functional", True)
    assert "cannot make an item necessary" in result.reason


def test_imported_functional_yields_to_a_tracker_host(small):
    """The Open Cookie Database files trackers under Functional: the host table knows better."""
    layered = small.with_user_entries([
        {"name": "qq", "category": "functional", "domain": "tracker.example"},
        {"name": "zq", "category": "functional"},
    ])
    by_entry_domain = layered.classify("qq")
    assert (by_entry_domain.category, by_entry_domain.needs_review) == ("marketing", True)
    assert "tracker.example is a marketing host" in by_entry_domain.reason
    by_setter = layered.classify("zq", setter="https://px.tracker.example/p.js")
    assert (by_setter.category, by_setter.rule) == ("marketing", "host")
    elsewhere = layered.classify("zq", setter="https://www.example.no/app.js")
    assert (elsewhere.category, elsewhere.needs_review) == ("functional", True)


# ---- generic names on tracker hosts -----------------------------------------------------------

GENERIC = [rec("JSESSIONID", "necessary", generic=True, doc_url="https://jakarta.ee/x"),
           rec("_vendor_id", "analytics")]


def test_a_tracker_host_beats_a_generic_name():
    classifier = Classifier(entries=GENERIC, hosts=HOSTS + [
        HostRecord("pay.example", "Pay", "necessary")])
    plain = classifier.classify("JSESSIONID")
    assert (plain.category, plain.rule) == ("necessary", "exact")
    own = classifier.classify("JSESSIONID", domain="shop.example.no",
                              setter="https://shop.example.no/login")
    assert own.category == "necessary"
    served = classifier.classify("JSESSIONID", domain=".tracker.example")
    assert (served.category, served.rule, served.provider) == ("marketing", "host", "Tracker")
    assert "JSESSIONID" in served.reason and "generic" in served.reason
    by_setter = classifier.classify("JSESSIONID", setter="https://cdn.tracker.example/t.js")
    assert by_setter.category == "marketing"
    # a necessary host does not turn a generic name into anything else
    assert classifier.classify("JSESSIONID", domain="pay.example").category == "necessary"
    # a vendor's own (not generic) name keeps its category on any host
    assert classifier.classify("_vendor_id", domain=".tracker.example").category == "analytics"


@pytest.mark.parametrize(("name", "setter", "category", "provider"), [
    ("JSESSIONID", "https://script.hotjar.com/modules.js", "analytics", "Hotjar"),
    ("AWSALB", "https://api.amplitude.com/2/httpapi", "analytics", "Amplitude"),
    ("AWSALBCORS", "https://ib.adnxs.com/getuid", "marketing", "Xandr (Microsoft Invest)"),
    ("__cf_bm", "https://px.ads.linkedin.com/collect", "marketing", "LinkedIn Insight Tag"),
])
def test_load_balancer_cookies_served_by_trackers_take_the_host_category(kb, name, setter,
                                                                         category, provider):
    result = kb.classify(name, setter=setter)
    assert (result.category, result.provider) == (category, provider), result.reason
    assert kb.classify(name).category == "necessary"


def test_an_unknown_name_on_a_necessary_host_is_not_assumed_necessary(small):
    classifier = Classifier(entries=[], hosts=[HostRecord("pay.example", "Pay", "necessary")])
    result = classifier.classify("qq", setter="https://js.pay.example/v3")
    assert (result.category, result.needs_review, result.provider) == ("unclassified", True, "Pay")


def test_domain_bound_pattern_needs_the_domain():
    classifier = Classifier(entries=[rec("x", "necessary", "prefix", domain="pay.example"),
                                     rec("x", "marketing", "prefix")], hosts=[])
    assert classifier.classify("x1", domain="www.pay.example").category == "necessary"
    assert classifier.classify("x1").category == "marketing"
    assert classifier.classify("x1", domain="other.example").category == "marketing"


# ---- heuristics -----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "category"), [
    ("analytics_session_id_x", "analytics"), ("my_tracking_id", "analytics"),
    ("fb_pixel_seen", "marketing"), ("utm_source_keep", "marketing"),
    ("site_language", "functional"),
    # session, security, routing and consent look-alikes are left for the owner to confirm
    ("shopSessionToken", "unclassified"), ("app_csrf", "unclassified"),
    ("lb_route", "unclassified"), ("cookie_notice_ok", "unclassified"),
])
def test_heuristic_guesses(name, category):
    guess = heuristics.suggest(name)
    assert guess is not None and guess.category == category


@pytest.mark.parametrize("name", ["acme_session_9", "wp_anything", "wp_custom_sid", "mysite_token",
                                  "app_sid", "__Host-app", "0123456789abcdef0123456789abcdef"])
def test_a_name_guess_is_never_necessary_and_always_needs_review(kb, name):
    result = kb.classify(name)
    assert result.category != "necessary", result.reason
    assert result.needs_review and result.rule in ("heuristic", "none")
    assert result.confidence == "low"


def test_a_session_guess_says_what_it_looks_like_and_how_to_confirm(kb):
    result = kb.classify("acme_session_9")
    assert (result.category, result.rule) == ("unclassified", "heuristic")
    assert "looks like a session" in result.reason and "override" in result.reason


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=40))
def test_no_heuristic_answer_is_necessary(name):
    guess = heuristics.suggest(name)
    if guess is not None:
        assert guess.confidence in ("low", "medium")
        assert guess.category != "necessary"
    result = default_classifier().classify(name)
    if result.rule in ("heuristic", "none"):
        assert result.needs_review and result.category != "necessary"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["session", "csrf", "token", "sid", "auth", "lb", "route", "cart"]),
       st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", max_size=12))
def test_session_looking_names_are_never_guessed_necessary(word, suffix):
    result = default_classifier().classify(f"zq_{word}_{suffix}")
    if result.rule in ("heuristic", "none"):
        assert result.category != "necessary" and result.needs_review


# ---- SDK keys as the versions in use now write them --------------------------------------------

@pytest.mark.parametrize(("name", "kind", "provider"), [
    ("_hjSessionUser_123456", "cookie", "Hotjar"), ("_hjSession_123456", "localStorage", "Hotjar"),
    ("AMP_abc123def4", "cookie", "Amplitude"), ("AMP_MKTG_abc123def4", "cookie", "Amplitude"),
    ("amp_a1b2c3", "cookie", "Amplitude"), ("AMP_unsent_abc123def4", "localStorage", "Amplitude"),
    ("ph_phc_AbC123xyz_posthog", "cookie", "PostHog"), ("mp_0a1b2c3d_mixpanel", "cookie", "Mixpanel"),
    ("ajs_anonymous_id", "localStorage", "Segment"), ("_hp5_meta.1234567", "cookie", "Heap"),
    ("_hp2_id.1234567", "cookie", "Heap"), ("rl_anonymous_id", "cookie", "RudderStack"),
    ("utag_main_v_id", "cookie", "Tealium"), ("utag_main", "cookie", "Tealium"),
    ("ab.storage.deviceId.4f3c-api-key", "cookie", "Braze"), ("dtCookie_x1y2", "cookie", "Dynatrace"),
    ("_ga_3LK2X7QH9", "cookie", "Google Analytics"), ("_pk_id.1.1fff", "cookie", "Matomo"),
])
def test_versioned_and_suffixed_keys_classify_to_their_vendor(kb, name, kind, provider):
    result = kb.classify(name, kind=kind)
    assert provider in result.provider, result.reason
    assert result.category in ("analytics", "marketing") and result.doc_url.startswith("https://")
