"""End to end on DuckDB: raw tables, the real match stage, verdicts given through a review
session, then dbt: a rejected key's scrobbles are in unmatched_scrobbles with the review
reason, a picked key resolves to the picked track (the one its interactions count for)."""
import pytest

from ingest.config import Settings, connect
from ingest.match.table import write_matches
from ingest.review.session import ReviewSession
from ingest.sandbox.raw_fixture import load_world_raw
from ingest.transform import run_dbt

pytestmark = [pytest.mark.slow]


def _one(conn, sql, params=()):
    return conn.execute(sql, list(params)).fetchall()


def test_dbt_applies_review_overrides(tmp_path, world):
    settings = Settings(duckdb_path=tmp_path / "warehouse.duckdb", data_dir=tmp_path)
    load_world_raw(world, settings)
    write_matches(settings)
    session = ReviewSession.load(settings, size=60, reviewer="e2e")
    tracks = [it for it in session.items if it["match"]["match_type"] == "track_match"
              and any(c["track_id"] not in (None, it["match"]["track_id"]) for c in it["candidates"])]
    tracks.sort(key=lambda it: it["match"]["confidence"] != "high")  # reject one the matcher would admit
    assert len(tracks) >= 3 and tracks[0]["match"]["confidence"] == "high"
    rejected, picked, gone = tracks[0], tracks[1], tracks[2]
    pick_rank = next(i for i, c in enumerate(picked["candidates"], 1)
                     if c["track_id"] not in (None, picked["match"]["track_id"]))
    session.record([session.verdict_for(rejected["key"], "reject"),
                    session.verdict_for(picked["key"], "pick", pick_rank),
                    session.verdict_for(gone["key"], "not_on_aoty")])

    # Only what decides admission (interactions are built from int_track_keys__resolved).
    run_dbt(settings, ["run", "--select", "+unmatched_scrobbles"])
    conn = connect(settings)
    try:
        reasons = dict(_one(conn, "select track_key, min(reason) from audit.unmatched_scrobbles "
                                  "where track_key in (?, ?, ?) group by track_key",
                            [rejected["key"], picked["key"], gone["key"]]))
        assert reasons == {rejected["key"]: "review_rejected", gone["key"]: "review_not_on_aoty"}
        resolved = dict(_one(conn, "select track_key, aoty_track_id from intermediate.int_track_keys__resolved "
                                   "where track_key in (?, ?)", [picked["key"], rejected["key"]]))
        assert resolved[picked["key"]] == picked["candidates"][pick_rank - 1]["track_id"]
        assert resolved[rejected["key"]] is None
    finally:
        conn.close()
