"""Ten sampled matches reviewed on the local page with the keyboard alone (Debian Chromium)."""
import pytest

from ingest.review.server import serve_in_thread
from ingest.review.session import ReviewSession
from ingest.review.store import ReviewStore

pytestmark = [pytest.mark.browser]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
KEYS = ["a", "r", "1", "n", "a", "2", "a", "r", "a", "3"]
MEANS = {"a": "accept", "r": "reject", "n": "not_on_aoty", "1": "pick", "2": "pick", "3": "pick"}


def _shown(key: str) -> str:
    return f"pick {key}" if key.isdigit() else MEANS[key]


@pytest.fixture
def browser_page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_keyboard_review_lands_in_the_warehouse(warehouse, browser_page):
    session = ReviewSession.load(warehouse, size=10, reviewer="kb-tester")
    items = session.items
    assert len(items) == 10
    # The wished key per item; a pick the item has no candidate for becomes a reject.
    keys = [k if not k.isdigit() or int(k) <= len(it["candidates"]) else "r" for k, it in zip(KEYS, items)]
    assert any(k.isdigit() for k in keys) and len(set(keys)) >= 3
    server, url = serve_in_thread(session)
    requests: list[str] = []
    page = browser_page
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    try:
        page.goto(url)
        page.wait_for_selector("#item[data-key]")
        assert page.inner_text("#pos") == "1 / 10"
        assert items[0]["lastfm"]["track"] in page.inner_text("#item")
        # Navigation without a verdict, then back.
        page.keyboard.press("j")
        assert page.inner_text("#pos") == "2 / 10"
        page.keyboard.press("ArrowLeft")
        assert page.get_attribute("#item", "data-key") == items[0]["key"]
        for i, key in enumerate(keys):
            assert page.get_attribute("#item", "data-key") == items[i]["key"]
            page.keyboard.press(key)
        page.wait_for_function("document.getElementById('status').dataset.pending === '0' && window.__review.saved() === 10")
        assert "10 reviewed" in page.inner_text("#status")
        assert page.inner_text("#pos") == "10 / 10"  # the last item stays, showing its verdict
        assert page.inner_text("#verdict") == _shown(keys[-1])
        page.keyboard.press("ArrowLeft")
        assert page.inner_text("#verdict") == _shown(keys[-2])
    finally:
        server.shutdown()
        server.server_close()
    posts = [r for r in requests if r.startswith("POST")]
    assert 1 <= len(posts) <= 4  # batched: far fewer requests than verdicts
    assert len(requests) <= 1 + len(posts)  # the page carried the sample itself: no other fetch
    with ReviewStore(warehouse) as store:
        stored = {v.track_key: v for v in store.all()}
    assert len(stored) == 10
    for it, key in zip(items, keys):
        v = stored[it["key"]]
        assert v.verdict == MEANS[key] and v.reviewer == "kb-tester"
        assert v.matcher_version_seen == it["match"]["matcher_version"]
        assert (v.seen_album_id, v.seen_track_id) == (it["match"]["album_id"], it["match"]["track_id"])
        if key == "a":
            assert (v.chosen_album_id, v.chosen_track_id) == (it["match"]["album_id"], it["match"]["track_id"])
        elif key.isdigit():
            cand = it["candidates"][int(key) - 1]
            assert (v.chosen_album_id, v.chosen_track_id) == (cand["album_id"], cand["track_id"])
        else:
            assert v.chosen_album_id is None and v.chosen_track_id is None
