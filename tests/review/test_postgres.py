"""Verdict storage and the review sample on the real PostgreSQL server, in a database
of its own (created for this test session and dropped after)."""
import uuid
from datetime import datetime, timedelta, timezone

import psycopg2
import pytest

from ingest.config import DEFAULT_POSTGRES_DSN, Settings
from ingest.review import cli
from ingest.review.session import ReviewSession
from ingest.review.store import ReviewStore, Verdict

from .fixtures import load_review_warehouse

pytestmark = [pytest.mark.postgres]


@pytest.fixture(scope="module")
def pg(tmp_path_factory, world, match_results):
    name = f"review_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(DEFAULT_POSTGRES_DSN.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    root = tmp_path_factory.mktemp("review_pg")
    settings = Settings(warehouse="postgres", postgres_dsn=DEFAULT_POSTGRES_DSN.rsplit("/", 1)[0] + f"/{name}",
                        data_dir=root, duckdb_path=root / "unused.duckdb", aoty_base_url="http://127.0.0.1:9/aoty")
    try:
        load_review_warehouse(world, settings, match_results)
        yield settings
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def test_store_on_postgres(pg):
    t0 = datetime(2026, 5, 1, tzinfo=timezone.utc)
    key = "ab" * 16
    with ReviewStore(pg) as store:
        store.save([Verdict(key, "accept", 1, 2, "ann", t0, "match-1.0", 1, 2, 0.99, "high")])
        store.save([Verdict(key, "reject", None, None, "bob", t0 + timedelta(minutes=5), "match-1.0", 1, 2, 0.99, "high")])
        store.save([Verdict(key, "pick", 3, 4, "cy", t0 - timedelta(days=1), "match-0.9", 1, 2, 0.99, "high")])
        (latest,) = [v for v in store.all() if v.track_key == key]
        assert (latest.verdict, latest.reviewer, latest.reviewed_at) == ("reject", "bob", t0 + timedelta(minutes=5))
        assert [v.verdict for v in store.history(key)] == ["pick", "accept", "reject"]
    with ReviewStore(pg) as store:  # tables exist already: creating them again is a no-op
        assert key in store.reviewed_keys()


def test_review_session_and_csv_on_postgres(pg, env_for, tmp_path):
    env_for(pg)
    session = ReviewSession.load(pg, size=12, reviewer="pg-tester")
    assert len(session.items) == 12
    with_album = [it for it in session.items if it["match"]["album_id"] is not None]
    assert with_album and all(it["match"]["album"]["title"] for it in with_album)
    assert all(it["lastfm"]["recent"] for it in session.items)
    picked = [it for it in session.items if it["candidates"]][:4]
    assert len(picked) == 4
    session.record([session.verdict_for(it["key"], "pick", 1) for it in picked])
    again = ReviewSession.load(pg, size=200, reviewer="pg-tester")
    assert not {it["key"] for it in picked} & {it["key"] for it in again.items}
    out = tmp_path / "pg.csv"
    assert cli.main(["export", str(out)]) == 0
    text = out.read_text()
    for it in picked:
        cand = it["candidates"][0]
        assert f"{it['key']},pick,{cand['album_id']},{cand['track_id']},pg-tester," in text
    assert cli.main(["import", str(out)]) == 0  # its own export imports cleanly, changing nothing
    with ReviewStore(pg) as store:
        assert len([v for v in store.all() if v.reviewer == "pg-tester"]) == 4
