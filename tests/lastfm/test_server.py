"""The local Last.fm server answers with the real API's shapes and quirks."""
from __future__ import annotations

import json

import requests

from ingest.sandbox.lastfm_server import LastfmFaults, LastfmServer
from ingest.sandbox.world import WorldConfig, generate_world

from .conftest import API_KEY


def get(srv: LastfmServer, method: str, key: str = API_KEY, **params):
    resp = requests.get(srv.base_url, params={"method": method, "api_key": key, "format": "json", **params}, timeout=10)
    return resp.status_code, resp.content


def body(content: bytes) -> dict:
    return json.loads(content.decode("utf-8-sig"))


def test_recent_tracks_paging_now_playing_and_bounds(world, server):
    user = "rj"
    u = world.users[user]
    status, raw = get(server, "user.getRecentTracks", user=user, limit=200, page=1, to=int(u.uts[-5]))
    page = body(raw)["recenttracks"]
    attr = page["@attr"]
    assert status == 200 and attr["total"] == str(u.playcount - 4) and attr["perPage"] == "200"
    assert attr["totalPages"] == str(-(-(u.playcount - 4) // 200)) and isinstance(attr["page"], str)
    # now-playing first even though `to` is in the past, then newest first, 200 + 1 rows
    assert page["track"][0]["@attr"] == {"nowplaying": "true"} and "date" not in page["track"][0]
    dated = [int(t["date"]["uts"]) for t in page["track"][1:]]
    assert len(dated) == 200 and dated == sorted(dated, reverse=True) and dated[0] == int(u.uts[-5])
    # from/to inclusive; a single result is an object, not a list
    t = int(u.uts[10])
    u.now_playing = None
    one = body(get(server, "user.getRecentTracks", user=user, page=1, limit=1, **{"from": t, "to": t})[1])
    assert isinstance(one["recenttracks"]["track"], dict) and one["recenttracks"]["track"]["date"]["uts"] == str(t)
    # extended=1: artist has a name, and a loved flag appears
    ext = body(get(server, "user.getRecentTracks", user=user, limit=3, page=2, extended=1)[1])["recenttracks"]["track"]
    assert all("name" in r["artist"] and r["loved"] in ("0", "1") for r in ext)


def test_both_empty_history_shapes():
    world = generate_world(WorldConfig(n_artists=5, n_users=1, scrobbles_per_user=10))
    user = next(iter(world.users))
    world.users[user].now_playing = None
    with LastfmServer(world, api_key=API_KEY) as srv:
        new = body(get(srv, "user.getRecentTracks", user=user, **{"from": 2_000_000_000})[1])
        assert new["recenttracks"]["track"] == [] and new["recenttracks"]["@attr"]["total"] == "0"
    with LastfmServer(world, api_key=API_KEY, legacy_empty_history=True) as srv:
        old = body(get(srv, "user.getRecentTracks", user=user, **{"from": 2_000_000_000})[1])
        assert old["recenttracks"]["#text"] == "\n" and "@attr" not in old["recenttracks"]


def test_error_codes_statuses_and_bodies(world, server):
    world.users["mira_listens"].private = True
    seen = {}
    for method, key, params in [
        ("user.getInfo", API_KEY, {"user": "nobody_here"}),
        ("user.getInfo", "bad-key", {"user": "rj"}),
        ("user.getInfo", "suspended-key-0000", {"user": "rj"}),
        ("user.getRecentTracks", API_KEY, {"user": "mira_listens"}),
        ("user.getRecentTracks", API_KEY, {}),
    ]:
        status, raw = get(server, method, key, **params)
        err = body(raw)
        seen[err["error"]] = status
        assert set(err) <= {"error", "message", "links"} and err["message"]
    assert seen == {6: 400, 10: 403, 26: 403, 17: 403}
    # some error bodies carry a BOM and "links": []
    raws = [get(server, "user.getInfo", "bad-key", user="rj")[1] for _ in range(3)]
    assert any(r.startswith(b"\xef\xbb\xbf") for r in raws) and any(b'"links": []' in r for r in raws)


def test_faults_and_request_counts(world, server):
    server.faults = LastfmFaults(http_500_share=1.0, seed=1)
    statuses = {get(server, "user.getInfo", user="rj")[0] for _ in range(8)}
    assert statuses <= {500, 503} and 500 in statuses
    server.faults = LastfmFaults(rate_limit_per_second=3)
    answers = [get(server, "user.getInfo", user="rj") for _ in range(6)]
    assert [s for s, _ in answers[:3]] == [200] * 3
    assert any(s == 429 and body(b)["error"] == 29 for s, b in answers[3:])
    server.faults = LastfmFaults(malformed_share=1.0)
    status, raw = get(server, "user.getInfo", user="rj")
    try:
        json.loads(raw)
        parsed = True
    except ValueError:
        parsed = False
    assert status == 200 and not parsed
    assert server.requests["user.getInfo"] == 8 + 6 + 1


def test_live_appends_and_tags(world, server):
    before = body(get(server, "user.getInfo", user="rj")[1])["user"]["playcount"]
    world.append_scrobbles("rj", 7)
    after = body(get(server, "user.getInfo", user="rj")[1])["user"]
    assert int(after["playcount"]) == int(before) + 7 and isinstance(after["registered"]["#text"], int)
    newest = body(get(server, "user.getRecentTracks", user="rj", limit=1, page=1)[1])["recenttracks"]["track"]
    assert newest[1]["date"]["uts"] == str(int(world.users["rj"].uts.max()))
    s = world.spellings[int(world.users["rj"].spelling_idx[-1])]
    tags = body(get(server, "track.getTopTags", artist=s.artist, track=s.track)[1])["toptags"]["tag"]
    assert {(t["name"], t["count"]) for t in tags} == set(world.track_tags(s))
    assert body(get(server, "artist.getTopTags", artist="No Such Artist Anywhere")[1])["error"] == 6
