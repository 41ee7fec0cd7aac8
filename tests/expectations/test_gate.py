"""Write-audit-publish on both engines: a clean build publishes; each injected defect
blocks publication, names the failed expectation with sample rows, and leaves
`analytics` unchanged (checksums before and after)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from expectations.suites import MART_KEYS
from ingest.config import ANALYTICS, AUDIT, OPS
from ingest.pipeline import publish as publish_mod
from ingest.pipeline.publish import audit_and_publish

from .conftest import Warehouse, published_clean

ENGINES = [
    pytest.param("duckdb", marks=pytest.mark.slow, id="duckdb"),
    pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.slow], id="postgres"),
]


@pytest.fixture(scope="module", params=ENGINES)
def gated(request):
    wh: Warehouse = request.getfixturevalue(f"{request.param}_warehouse")
    return wh, published_clean(wh, f"clean-{request.param}")


def _publications(wh: Warehouse) -> int:
    return int(wh.scalar(f"select count(*) from {OPS}.publications"))


# --- defects ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Defect:
    name: str
    table: str  # the audit table it damages (restored afterwards)
    inject: Callable[[Warehouse], None]
    expect: tuple[str, ...]  # substrings of a failed blocking expectation's description
    sample: str | None = None  # a value that must appear among the sample rows


def _duplicate_key(wh: Warehouse) -> None:
    wh.execute(f"insert into {AUDIT}.artists select * from {AUDIT}.artists "
               f"where artist_sk = (select min(artist_sk) from {AUDIT}.artists)")


def _orphan_interaction(wh: Warehouse) -> None:
    wh.execute(f"insert into {AUDIT}.user_track_interactions (user_name, track_sk, play_count, loved, source) "
               f"values ('ghost_user', 'no-such-track', 3, false, 'api')")


def _score_150(wh: Warehouse) -> None:
    wh.execute(f"update {AUDIT}.albums set critic_score = 150 "
               f"where album_sk = (select min(album_sk) from {AUDIT}.albums where critic_score is not null)")


def _vector_127(wh: Warehouse) -> None:
    victim = f"(select min(track_sk) from {AUDIT}.track_features)"
    if wh.engine == "duckdb":
        # FLOAT[128] cannot hold 127 values: the defect is a model that changed the column to a list.
        wh.execute(f"create or replace table {AUDIT}.track_features as select * replace ("
                   f"case when track_sk = {victim} then cast(content_vector as float[])[1:127] "
                   f"else cast(content_vector as float[]) end as content_vector) from {AUDIT}.track_features")
    else:
        wh.execute(f"update {AUDIT}.track_features set content_vector = content_vector[1:127] "
                   f"where track_sk = {victim}")


def _match_rate_50(wh: Warehouse) -> None:
    """Add unmatched scrobbles until exactly half of the placeable scrobbles are matched."""
    matched = int(wh.scalar(f"select sum(play_count) from {AUDIT}.user_track_interactions"))
    placeable_unmatched = int(wh.scalar(
        f"select count(*) from {AUDIT}.unmatched_scrobbles where reason not in ('no_aoty_match', 'review_not_on_aoty')"))
    n = matched - placeable_unmatched
    assert n > 0
    series = f"range({n}) as g(i)" if wh.engine == "duckdb" else f"generate_series(0, {n - 1}) as g(i)"
    wh.execute(f"insert into {AUDIT}.unmatched_scrobbles (scrobble_id, user_name, track_key, reason) "
               f"select 'fake-' || cast(i as varchar), 'x', 'k', 'low_score' from {series}")


def _halved(wh: Warehouse) -> None:
    wh.execute(f"delete from {AUDIT}.tracks where track_sk in (select track_sk from ("
               f"select track_sk, row_number() over (order by track_sk) as rn, count(*) over () as n "
               f"from {AUDIT}.tracks) as r where rn <= n / 2 + 1)")


DEFECTS = [
    Defect("duplicate_key", "artists", _duplicate_key,
           ("mart_artists.key", "(artist_sk) is unique"), sample="occurrences"),
    Defect("orphan_interaction", "user_track_interactions", _orphan_interaction,
           ("mart_user_track_interactions.track_exists", "exists in audit.tracks"), sample="no-such-track"),
    Defect("score_150", "albums", _score_150, ("mart_albums.values", "critic_score in 0-100"), sample="150"),
    Defect("vector_127", "track_features", _vector_127,
           ("mart_track_features.values", "content_vector has length 128"), sample="127"),
    Defect("match_rate_50", "unmatched_scrobbles", _match_rate_50,
           ("matching.matched_share", "share of scrobbles matched >= 80%"), sample="0.5"),
    Defect("halved", "tracks", _halved, ("mart_tracks.row_count", "no sudden drop")),
]
# The checks are the same SQL on both engines; PostgreSQL runs the defects the issue names.
DUCKDB_ONLY = {"halved"}


# --- tests -------------------------------------------------------------------------------------
def test_clean_world_publishes(gated):
    wh, result = gated
    assert result.published, result.message
    assert not result.failed_blocking
    assert set(result.row_counts) == set(MART_KEYS)
    assert set(wh.tables(ANALYTICS)) == set(MART_KEYS)
    for table, rows in result.row_counts.items():
        assert rows == wh.scalar(f"select count(*) from {AUDIT}.{table}"), table
    assert result.row_counts["user_track_interactions"] > 0
    # What was published is exactly what was audited.
    audit = wh.checksums(AUDIT)
    assert {t: audit[t] for t in MART_KEYS} == wh.checksums(ANALYTICS)
    assert wh.scalar(f"select count(*) from {OPS}.publications where run_id = 'clean-{wh.engine}'") == 1
    last = publish_mod.last_publication(wh.settings)
    assert last["row_counts"] == result.row_counts


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda d: d.name)
def test_defect_blocks_publication(gated, defect: Defect):
    wh, clean = gated
    if defect.name in DUCKDB_ONLY and wh.engine != "duckdb":
        pytest.skip("runs on DuckDB only, to keep the suite's time down")
    assert clean.published
    before = wh.checksums(ANALYTICS)
    publications = _publications(wh)
    defect.inject(wh)
    try:
        result = audit_and_publish(wh.settings, run_id=f"defect-{defect.name}", build_docs=False, out=None)
    finally:
        wh.restore_audit(defect.table)
    assert not result.published
    hits = [f for f in result.failed_blocking if all(e in f for e in defect.expect)]
    assert hits, f"no failed expectation matching {defect.expect}: {result.failed_blocking}"
    assert "publication blocked" in result.message and defect.expect[0] in result.message
    if defect.sample:
        sample_lines = [ln for ln in result.message.splitlines() if ln.strip().startswith("e.g.")]
        assert any(defect.sample in ln for ln in sample_lines), result.message
    with pytest.raises(publish_mod.PublicationBlocked, match=defect.expect[0].replace(".", r"\.")):
        result.raise_if_blocked()
    # analytics untouched, no publication recorded
    assert wh.checksums(ANALYTICS) == before
    assert _publications(wh) == publications


def test_cli_exits_nonzero_when_blocked(gated, monkeypatch, capsys):
    wh, _ = gated
    if wh.engine != "duckdb":
        pytest.skip("the CLI is engine-agnostic; exercised on DuckDB")
    s = wh.settings
    monkeypatch.setenv("WAREHOUSE", s.warehouse)
    monkeypatch.setenv("DUCKDB_PATH", str(s.duckdb_path))
    monkeypatch.setenv("POSTGRES_DSN", s.postgres_dsn)
    monkeypatch.setenv("DATA_DIR", str(s.data_dir))
    before = wh.checksums(ANALYTICS)
    _score_150(wh)
    try:
        rc = publish_mod.main(["--run-id", "cli-blocked"])
    finally:
        wh.restore_audit("albums")
    assert rc == 1
    err = capsys.readouterr().err
    assert "publication blocked" in err and "critic_score in 0-100" in err
    assert wh.checksums(ANALYTICS) == before


def test_republish_after_fix_records_the_run(gated):
    wh, clean = gated
    result = audit_and_publish(wh.settings, run_id=f"again-{wh.engine}", build_docs=False, out=None)
    assert result.published, result.message
    assert result.row_counts == clean.row_counts
    last = publish_mod.last_publication(wh.settings)
    assert last["run_id"] == f"again-{wh.engine}"
