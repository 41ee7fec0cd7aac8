from collections import Counter

import numpy as np

from ingest.sandbox.world import WorldConfig, generate_world


def _world():
    return generate_world(WorldConfig(n_artists=120, n_users=3, scrobbles_per_user=800))


def test_same_seed_same_world():
    a, b = _world(), _world()
    assert [s.track for s in a.spellings] == [s.track for s in b.spellings]
    assert all(np.array_equal(a.users[u].uts, b.users[u].uts) for u in a.users)


def test_scrobbles_sorted_and_point_at_spellings():
    w = _world()
    for user in w.users.values():
        assert user.playcount == 800
        assert np.all(np.diff(user.uts) >= 0)
        assert user.spelling_idx.max() < len(w.spellings)


def test_ground_truth_is_consistent():
    w = _world()
    for s in w.spellings:
        if s.truth_track_id is not None:
            assert s.truth_track_id in s.acceptable_track_ids or not s.acceptable_track_ids
            track = w.tracks[s.truth_track_id]
            assert track.album_id == s.truth_album_id
        if "not_on_aoty" in s.noise:
            assert s.truth_album_id is None and not s.acceptable_track_ids
        for t in s.acceptable_track_ids:
            assert w.tracks[t].recording_id == s.recording_id


def test_noise_kinds_occur_and_clean_dominates():
    w = generate_world(WorldConfig(n_artists=300, n_users=6, scrobbles_per_user=2000))
    kinds = Counter(k for s in w.spellings for k in s.noise)
    assert kinds["clean"] > len(w.spellings) * 0.3
    for kind in ("feat_in_title", "unicode", "remaster_track", "empty_album", "version", "not_on_aoty",
                 "the_prefix", "and_amp", "typo", "artist_in_title"):
        assert kinds[kind] > 0, kind


def test_live_versions_have_no_track_truth():
    w = generate_world(WorldConfig(n_artists=300, n_users=6, scrobbles_per_user=2000))
    live = [s for s in w.spellings if "version" in s.noise]
    assert live and all(s.truth_track_id is None and not s.acceptable_track_ids for s in live)


def test_off_aoty_albums_are_not_served():
    w = _world()
    served = {a.album_id for a in w.aoty_albums()}
    assert all(w.albums[i].on_aoty for i in served)
    assert len(served) < len(w.albums)


def test_append_scrobbles_adds_after_last():
    w = _world()
    user = next(iter(w.users.values()))
    last = int(user.uts.max())
    w.append_scrobbles(user.name, 50)
    assert user.playcount == 850
    assert int(user.uts[-50:].min()) > last
