"""The review sample: stratified, play-count ordered, never re-showing reviewed keys."""
from collections import Counter

from ingest.review.items import aoty_url
from ingest.review.sample import MatchRow, draw_sample, score_band
from ingest.review.session import ReviewSession


def _rows() -> list[MatchRow]:
    rows = []
    for i in range(300):
        level = ("high", "medium", "low")[i % 3] if i < 240 else "low"
        score = {"high": 0.85, "medium": 0.70, "low": 0.55}[level] + (i % 15) / 100
        rows.append(MatchRow(f"{i:032x}", "m1", "A", "B", f"T{i}", "track_match", level, score, 1.0, 1.0, score,
                             1, i, None, plays=(i * 37) % 50))
    return rows


def test_stratified_weighted_and_deterministic():
    rows = _rows()
    sample = draw_sample(rows, 30, seed=1)
    assert len(sample) == 30 and len({r.track_key for r in sample}) == 30
    assert Counter(r.confidence for r in sample) == {"high": 10, "medium": 10, "low": 10}
    assert [r.plays for r in sample] == sorted((r.plays for r in sample), reverse=True)  # most played first
    assert len({score_band(r.score, 1.0) for r in sample if r.confidence == "high"}) >= 3  # bands take turns
    assert draw_sample(list(reversed(rows)), 30, seed=1) == sample  # input order does not matter
    # Weighted by plays: the drawn keys carry more plays than the level average.
    mean_all = sum(r.plays for r in rows) / len(rows)
    assert sum(r.plays for r in sample) / len(sample) > mean_all


def test_small_level_gives_its_share_to_the_others():
    rows = [r for r in _rows() if r.confidence != "medium"][:100] + [r for r in _rows() if r.confidence == "medium"][:3]
    sample = draw_sample(rows, 30, seed=0)
    counts = Counter(r.confidence for r in sample)
    assert counts["medium"] == 3 and len(sample) == 30


def test_reviewed_keys_are_never_reshown_unless_asked():
    rows = _rows()
    reviewed = {r.track_key for r in draw_sample(rows, 50, seed=3)}
    for seed in range(5):
        again = draw_sample(rows, 250, reviewed=reviewed, seed=seed)
        assert not reviewed & {r.track_key for r in again}
    assert len(draw_sample(rows, 300, reviewed=reviewed)) == 250
    assert reviewed <= {r.track_key for r in draw_sample(rows, 300, reviewed=reviewed, include_reviewed=True)}


def test_session_on_the_warehouse_skips_reviewed_keys(warehouse):
    first = ReviewSession.load(warehouse, size=20, reviewer="ann")
    assert len(first.items) == 20
    item = first.items[0]
    assert item["lastfm"]["plays"] >= first.items[-1]["lastfm"]["plays"] > 0
    assert len(item["lastfm"]["recent"]) == min(3, item["lastfm"]["plays"])
    tracked = [it for it in first.items if it["match"]["track_id"] is not None]
    assert tracked
    for it in tracked:
        album = it["match"]["album"]
        assert album["title"] and album["url"].startswith("http://127.0.0.1:9/aoty/album/")
        assert [t["id"] for t in album["tracks"] if t["matched"]] == [it["match"]["track_id"]]
        assert it["match"]["track_title"] in [t["title"] for t in album["tracks"]]
    first.record([first.verdict_for(it["key"], "accept") for it in first.items[:12]])
    done = {it["key"] for it in first.items[:12]}
    second = ReviewSession.load(warehouse, size=40, reviewer="ann")
    assert not done & {it["key"] for it in second.items}
    third = ReviewSession.load(warehouse, size=40, reviewer="ann", include_reviewed=True)
    shown = {it["key"]: it for it in third.items}
    assert any(k in shown for k in done)
    assert all(shown[k]["verdict"]["verdict"] == "accept" for k in done if k in shown)


def test_aoty_url_uses_the_configured_site():
    assert aoty_url("http://127.0.0.1:8000/", 12, None) == "http://127.0.0.1:8000/album/12.php"
    assert aoty_url("http://x", 4092, "https://www.albumoftheyear.org/album/4092-revolver.php") == \
        "http://x/album/4092-revolver.php"
    assert aoty_url("http://x", None) is None


def test_unmatched_keys_form_their_own_stratum(warehouse):
    plain = ReviewSession.load(warehouse, size=30)
    assert all(it["match"]["match_type"] != "no_match" for it in plain.items)
    wide = ReviewSession.load(warehouse, size=40, include_unmatched=True)
    kinds = Counter(it["match"]["match_type"] for it in wide.items)
    # At most four strata (high, medium, low, no_match) share 40: no_match gets at least its quarter.
    assert 10 <= kinds["no_match"] < 40 and len(wide.items) == 40
