"""The banner never sends a record the server calls invalid: every record it can produce (each method ×
GPC policy × category set × language, with Global Privacy Control on and off) is stored (201).

Real Chromium and the real banner against `consentkit serve` on SQLite and PostgreSQL: each visitor's
decisions, as the banner reports them (`consentkit:change`), must all be in the log, in order, under
one consent ID.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from e2e import CONSENT_HOST, GPC_ON, PAGE_HOST, RESOLVER_RULES, Log, Visitor
from sites import FixtureServer
from sites.embedding import embedding_site

from consentkit.db import get_db
from consentkit.sites.registry import GPC_POLICIES, LANGUAGES, create_site
from scanner.browser import launch_options
from tests.conftest import LiveServer, free_port

pytestmark = pytest.mark.browser

CATEGORY_SETS = (["functional", "analytics", "marketing"], ["analytics", "marketing"], ["marketing"],
                 ["functional"])
CONFIGS = list(itertools.product(GPC_POLICIES, range(len(CATEGORY_SETS)), LANGUAGES))


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = playwright.chromium.launch(**launch_options(extra_args=[RESOLVER_RULES]))
    yield chromium
    chromium.close()


@pytest.fixture
def matrix(app, db_url, tmp_path) -> Iterator[tuple[dict, int, Log]]:
    """One site per (GPC policy, category set, language), the embedding site and the server."""
    port = free_port()
    pages = FixtureServer(embedding_site(lambda: f"http://{CONSENT_HOST}:{port}"), tls=False).start()
    keys = {}
    with app.app_context(), get_db(app).session() as session:
        for policy, cats, lang in CONFIGS:
            site = create_site(session, name=f"{policy}-{cats}-{lang}", gpc_policy=policy,
                               categories=CATEGORY_SETS[cats], default_language=lang,
                               origins=[f"http://{PAGE_HOST}:{pages.port}"])
            keys[(policy, cats, lang)] = site.key
    # Hundreds of visitors share 127.0.0.1 here; the per-address limit (tested in test_proof_paths)
    # would only make the banner wait out Retry-After and the test outlast its timeouts.
    server = LiveServer(db_url, tmp_path / "instance", public_url=None, port=port,
                        settings={"CONSENT_RATE_LIMIT": "100000 per minute"}).start()
    log = Log(db_url)
    try:
        yield keys, pages.port, log
    finally:
        server.stop()
        pages.stop()
        log.close()


def decide_everything(visitor: Visitor, key: str, lang: str) -> None:
    """Every way a visitor decides: the buttons' actions, a custom save in the settings, withdrawal."""
    visitor.open(key, lang=lang)
    visitor.call("acceptAll")
    visitor.page.evaluate("ConsentKit.show('settings')")
    switches = visitor.page.locator("[data-consentkit-root] input[data-category]:not([disabled])")
    if switches.count():
        switches.first.click()
    visitor.page.locator("[data-consentkit-root] [data-ck=save]").click()
    visitor.call("rejectAll")
    visitor.call("withdraw")


def test_every_record_the_banner_can_produce_is_stored(matrix, browser):
    keys, port, log = matrix
    visitors = []
    for (_policy, _cats, lang), key in keys.items():
        with_gpc = Visitor(browser, port, gpc=True)  # GPC from the first visit: may decide by itself
        decide_everything(with_gpc, key, lang)
        later_gpc = Visitor(browser, port)  # accepts, then turns GPC on: the banner records "gpc"
        later_gpc.open(key, lang=lang)
        later_gpc.call("acceptAll")
        later_gpc.context.add_init_script(GPC_ON)
        later_gpc.open(key, lang=lang, path="/p/later")
        later_gpc.call("acceptAll")
        visitors += [with_gpc, later_gpc]
    expected = sum(len(v.changes) for v in visitors)
    methods = {method for v in visitors for method, _ in v.changes}
    assert methods == {"accept_all", "reject_all", "custom", "gpc", "withdraw"}
    log.wait_for(expected, timeout=60)
    for visitor in visitors:
        ids = {consent_id for _, consent_id in visitor.changes}
        assert len(ids) == 1, visitor.changes  # one history per visitor: no record refused, no new ID
        assert log.methods(ids.pop()) == [method for method, _ in visitor.changes], visitor.page.url
        visitor.close()
