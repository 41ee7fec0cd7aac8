"""The matcher on a small hand-written catalog: each match type and confidence, the edition and
version distinctions, messy player fields; and a sanity check on the demo world."""
import pytest

from ingest.match.catalog import Catalog
from ingest.match.matcher import MATCHER_VERSION, LastfmTrackRef, Matcher

from .catalog_rows import catalog_rows


@pytest.fixture(scope="module")
def matcher():
    return Matcher(Catalog.from_rows(catalog_rows()))


def match(matcher, artist, album, track):
    return matcher.match([LastfmTrackRef("k", artist, album, track)])[0]


def test_clean_scrobble_is_a_high_track_match(matcher):
    r = match(matcher, "The National", "Boxer", "Fake Empire")
    assert (r.match_type, r.confidence, r.album_id, r.track_id) == ("track_match", "high", 1, 11)
    assert r.score == pytest.approx(1.0) and r.artist_score == 1.0 and r.album_score == 1.0 and r.track_score == 1.0
    assert r.matcher_version == MATCHER_VERSION and r.reason is None


def test_album_match_when_the_track_is_not_on_the_tracklist(matcher):
    r = match(matcher, "The National", "Boxer", "Completely Different Song")
    assert (r.match_type, r.album_id, r.track_id) == ("album_match", 1, None)
    assert r.confidence == "high" and "tracklist" in r.reason


def test_album_match_on_an_album_without_tracklist(matcher):
    r = match(matcher, "Foo Band", "Late Songs", "Anything")
    assert (r.match_type, r.album_id) == ("album_match", 7)


def test_artist_match_when_neither_album_nor_track_is_known(matcher):
    r = match(matcher, "The National", "Trouble Will Find Me", "Sea of Love")
    assert (r.match_type, r.album_id, r.track_id) == ("artist_match", None, None)
    assert r.reason and r.score < 0.5


def test_no_match_for_an_unknown_artist(matcher):
    r = match(matcher, "Nobody We Know", "Some Album", "Some Song")
    assert (r.match_type, r.confidence, r.score) == ("no_match", "low", 0.0)
    assert r.reason == "artist not in the AOTY catalog"


def test_no_match_for_placeholder_fields(matcher):
    r = match(matcher, "unknown", "null", "Fake Empire")
    assert r.match_type == "no_match" and "placeholder" in r.reason
    r = match(matcher, "The National", "Boxer", "")
    assert r.match_type == "no_match" and "track name" in r.reason


def test_typo_in_the_artist_gives_a_medium_track_match(matcher):
    r = match(matcher, "The Natoinal", "Boxer", "Fake Empire")
    assert (r.match_type, r.confidence, r.track_id) == ("track_match", "medium", 11)
    assert r.artist_score < 1.0


def test_named_album_that_disagrees_gives_a_low_track_match(matcher):
    r = match(matcher, "The National", "Greatest Hits Collection", "Mistaken for Strangers")
    assert (r.match_type, r.confidence, r.track_id) == ("track_match", "low", 12)


def test_truncated_title_is_never_high(matcher):
    r = match(matcher, "Foo Band", "Songs", "A Very Long Title That Players Li…")
    assert (r.match_type, r.confidence, r.track_id) == ("track_match", "medium", 62)


def test_cut_suffix_that_may_name_a_version_is_low(matcher):
    r = match(matcher, "The National", "Boxer", "Mistaken for Strangers (Li…")
    assert (r.match_type, r.confidence) == ("track_match", "low")


@pytest.mark.parametrize("track", ["Fake Empire (Live)", "Fake Empire - Live at Glastonbury", "Fake Empire (Demo)",
                                   "Fake Empire - Acoustic Version", "Fake Empire (Club Remix)"])
def test_other_versions_are_not_matched_to_the_studio_track(matcher, track):
    r = match(matcher, "The National", "Boxer", track)
    assert r.match_type == "album_match" and r.album_id == 1 and r.track_id is None
    assert "version" in r.reason


@pytest.mark.parametrize("album,track,track_id", [
    ("Live in Paris", "Song Pt. 2 (Live)", 91), ("", "Song Pt. 2 - Live", 91),
    ("", "Song Pt. 2", 61), ("Live in Paris", "Song Pt. 2", 91),
])
def test_live_albums_hold_the_live_versions(matcher, album, track, track_id):
    r = match(matcher, "Foo Band", album, track)
    assert (r.match_type, r.track_id) == ("track_match", track_id)


def test_other_version_without_album_is_an_artist_match(matcher):
    r = match(matcher, "The National", "", "Fake Empire (Live)")
    assert r.match_type == "artist_match"


@pytest.mark.parametrize("album,track_id", [
    ("Boxer", 11), ("Boxer (Deluxe Edition)", 21), ("Boxer (Deluxe)", 21),
    ("Boxer (Remastered)", 11),  # an edition AOTY does not have: the original
    ("", 11), ("[unknown]", 11),  # no album: the original, not the deluxe
])
def test_editions(matcher, album, track_id):
    r = match(matcher, "The National", album, "Fake Empire")
    assert (r.match_type, r.track_id) == ("track_match", track_id)


def test_bonus_track_only_on_the_deluxe(matcher):
    r = match(matcher, "The National", "Boxer", "Rest of the Night")
    assert (r.match_type, r.track_id) == ("track_match", 24)


@pytest.mark.parametrize("artist,album,track,track_id", [
    ("Beyonce", "Lemonade", "Formation (feat. Someone) [Explicit]", 41),
    ("Beyoncé feat. Jack White", "Lemonade", "Hold Up", 42),
    ("Simon and Garfunkel", "Bridge Over Troubled Water (Remastered)", "Cecilia - 2001 Remaster", 52),
    ("National", "Boxer", "FAKE EMPIRE", 11),
    ("The National", "Boxer (2007)", "03. Slow Show", 13),
    ("The National", "Boxer", "Slow Show (Boxer)", 13),
    ("Topic", "", "The National - Fake Empire (Official Video)", 11),
    ("", "Boxer", "The National - Slow Show", 13),
    ("Foo Band", "Songs", "Song, Part II", 61),
    ("Foo Band", "Songs", "A Very Long Title That Players Li…", 62),
    ("Foo Band", "Songs", "A Very Long Title That Players Like To", 62),
    ("Sigur Ros", "Agaetis byrjun", "Staralfur", 82),
    ("!!!", "Myth Takes", "Heart Of Hearts", 101),
    ("ＳＩＧＵＲ ＲＯ\u0301Ｓ", "", "Svefn-g-englar", 81),
])
def test_messy_player_fields_still_match(matcher, artist, album, track, track_id):
    r = match(matcher, artist, album, track)
    assert (r.match_type, r.track_id) == ("track_match", track_id), r


def test_results_keep_input_order_and_candidates(matcher):
    refs = [LastfmTrackRef(str(i), "The National", "", t) for i, t in enumerate(["Slow Show", "Day I Die", "Nope"])]
    out = matcher.match(refs)
    assert [r.track_key for r in out] == ["0", "1", "2"]
    assert out[0].track_id == 13
    assert len(out[0].candidates) >= 1 and all(c.track_id != 13 for c in out[0].candidates)


def test_demo_world_quality():
    """A quick end-to-end check on the demo world's ground truth (the full figures come from
    scripts/evaluate_matcher.py)."""
    from ingest.sandbox.world import WorldConfig, generate_world

    world = generate_world(WorldConfig.demo())
    res = Matcher(Catalog.from_world(world)).match(
        [LastfmTrackRef(str(s.spelling_id), s.artist, s.album, s.track) for s in world.spellings])
    tp = fp = fn = high = high_ok = 0
    for s, r in zip(world.spellings, res):
        if r.match_type == "track_match":
            ok = r.track_id in s.acceptable_track_ids
            tp += ok
            fp += not ok
            fn += (not ok) and bool(s.acceptable_track_ids)
            high += r.confidence == "high"
            high_ok += r.confidence == "high" and ok
        elif s.acceptable_track_ids:
            fn += 1
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert 2 * precision * recall / (precision + recall) >= 0.97
    assert high_ok / high >= 0.99
