"""Verdict storage on DuckDB and the CSV round trip, bad rows named by line number."""
from datetime import datetime, timedelta, timezone

import pytest

from ingest.config import Settings
from ingest.review import cli
from ingest.review.csvio import read_csv
from ingest.review.store import ReviewError, ReviewStore, Verdict

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def v(i: int, verdict: str = "accept", at: datetime = T0, who: str = "ann", **kw) -> Verdict:
    chosen = kw.pop("chosen", (1000 + i, 5000 + i) if verdict in ("accept", "pick") else (None, None))
    return Verdict(f"{i:032x}", verdict, chosen[0], chosen[1], who, at, "match-1.0",
                   kw.get("seen_album", 1000 + i), kw.get("seen_track", 5000 + i), 0.97, "high")


@pytest.fixture
def duck(tmp_path, env_for):
    s = Settings(duckdb_path=tmp_path / "wh.duckdb", data_dir=tmp_path)
    env_for(s)
    return s


def test_latest_verdict_wins_and_history_is_kept(duck):
    with ReviewStore(duck) as store:
        store.save([v(1, "accept", T0), v(2, "reject", T0)])
        store.save([v(1, "reject", T0 + timedelta(hours=1), who="bob")])
        store.save([v(1, "pick", T0 - timedelta(days=1), chosen=(7, 8))])  # older: must not win
        by_key = {x.track_key: x for x in store.all()}
        assert by_key[f"{1:032x}"].verdict == "reject" and by_key[f"{1:032x}"].reviewer == "bob"
        assert by_key[f"{1:032x}"].chosen_album_id is None
        assert [h.verdict for h in store.history(f"{1:032x}")] == ["pick", "accept", "reject"]
        store.save([v(2, "reject", T0)])  # the same verdict again changes nothing
        assert len(store.history(f"{2:032x}")) == 1


def test_invalid_verdicts_are_refused_whole(duck):
    with ReviewStore(duck) as store:
        with pytest.raises(ReviewError, match="pick.*needs chosen_album_id"):
            store.save([v(1), v(2, "pick", chosen=(None, None))])
        assert store.all() == []  # validation happens before anything is written


def test_csv_roundtrip_with_a_bad_row(duck, tmp_path, capsys):
    with ReviewStore(duck) as store:
        store.save([v(1, "accept"), v(2, "pick", chosen=(42, 43)), v(3, "not_on_aoty"), v(4, "reject")])
        before = store.all()
    out = tmp_path / "verdicts.csv"
    assert cli.main(["export", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("track_key,verdict,chosen_album_id,chosen_track_id,reviewer,reviewed_at")
    assert len(lines) == 5

    # Into a fresh warehouse: identical verdicts.
    other = Settings(duckdb_path=tmp_path / "other.duckdb", data_dir=tmp_path)
    good, bad = read_csv(out.read_text())
    assert bad == []
    with ReviewStore(other) as store:
        store.save(good)
        assert store.all() == before

    # A file with a bad verdict on line 3 and a bad time on line 5: named, nothing imported.
    broken = lines[:2] + [lines[2].replace(",pick,", ",maybe,")] + [lines[3]] + [lines[4].replace("2026-03-01T", "1 March ")]
    broken.append(f"{5:032x},accept,1,2,ann,2026-03-02T00:00:00+00:00,match-1.0,1,2,0.9,high")
    bad_csv = tmp_path / "shared.csv"
    bad_csv.write_text("\n".join(broken) + "\n")
    assert cli.main(["import", str(bad_csv)]) == 1
    err = capsys.readouterr().err
    assert f"{bad_csv}:line 3: verdict 'maybe' is not one of accept, reject, pick, not_on_aoty" in err
    assert f"{bad_csv}:line 5: reviewed_at" in err and "nothing imported" in err
    with ReviewStore(duck) as store:
        assert f"{5:032x}" not in store.reviewed_keys()

    # --skip-bad imports the good rows, twice without changing anything the second time.
    assert cli.main(["import", str(bad_csv), "--skip-bad"]) == 0
    assert cli.main(["import", str(bad_csv), "--skip-bad"]) == 0
    with ReviewStore(duck) as store:
        assert f"{5:032x}" in store.reviewed_keys()
        assert len(store.all()) == 5
        assert len(store.history(f"{5:032x}")) == 1


def test_csv_header_and_field_count_errors():
    good, bad = read_csv("track_key,verdict\nabc,accept\n")
    assert good == [] and str(bad[0]).startswith("line 1: header lacks column(s) reviewer, reviewed_at")
    text = ("track_key,verdict,reviewer,reviewed_at\n"
            f"{1:032x},reject,ann,2026-01-01T00:00:00+00:00\n"
            f"{2:032x},reject,ann,2026-01-01T00:00:00+00:00,extra\n"
            f"XYZ,reject,ann,2026-01-01T00:00:00+00:00\n"
            f"{3:032x},reject,ann,2026-01-01T00:00:00\n")
    good, bad = read_csv(text)
    assert [g.track_key for g in good] == [f"{1:032x}"]
    assert [str(b).split(":")[0] for b in bad] == ["line 3", "line 4", "line 5"]
    assert "5 fields, the header has 4" in str(bad[0])
    assert "32-character hex" in str(bad[1]) and "no time zone" in str(bad[2])
