"""Export files of every supported shape load into raw_lastfm.scrobbles with the API's key."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ingest.config import Settings
from ingest.keys import scrobble_id
from ingest.lastfm.importer import ImportFileError, detect_format, import_file, parse_timestamp

from .conftest import query

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse="duckdb", duckdb_path=tmp_path / "wh.duckdb", data_dir=tmp_path)


@pytest.fixture
def plays(world) -> list[tuple[int, str, str, str]]:
    """(uts, artist, album, track) of 40 scrobbles of the world, with non-empty artist and track."""
    u = world.users["rj"]
    out = []
    for t, i in zip(u.uts.tolist(), u.spelling_idx.tolist()):
        s = world.spellings[i]
        if s.artist and s.track:
            out.append((int(t), s.artist, s.album, s.track))
    return out[:40]


def _fmt(uts: int, pattern: str) -> str:
    return datetime.fromtimestamp(uts, timezone.utc).strftime(pattern)


def write_lastfm_to_csv(path: Path, plays) -> None:
    strip = lambda s: s.replace(",", "").replace('"', "")  # noqa: E731  (the tool deletes them)
    lines = []
    for n, (uts, artist, album, track) in enumerate(reversed(plays)):
        if n % 20 == 0:  # the now-playing row repeats at the top of every page
            lines.append(f"{strip(plays[-1][1])},{strip(plays[-1][2])},{strip(plays[-1][3])},")
        lines.append(f"{strip(artist)},{strip(album)},{strip(track)},{_fmt(uts, '%d %b %Y %H:%M')}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_ghan(path: Path, plays) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(["uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid"])
    for uts, artist, album, track in plays:
        w.writerow([uts, _fmt(uts, "%d %b %Y, %H:%M"), artist, "", album, "", track, ""])
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_1k(path: Path, plays) -> None:
    lines = [f"user_000007\t{_fmt(u, '%Y-%m-%dT%H:%M:%SZ')}\t\t{a}\t\t{t}" for u, a, _, t in plays]
    lines.insert(3, f"user_000002\t{_fmt(plays[0][0], '%Y-%m-%dT%H:%M:%SZ')}\t\tSomeone Else\t\tA Song")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_lastfmstats(path: Path, plays) -> None:
    data = {"username": "rj", "scrobbles": [
        {"track": t, "artist": a, "album": al, "albumId": "", "date": u * 1000} for u, a, al, t in plays]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def write_api_csv(path: Path, plays) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid", "timestamp", "datetime"])
    for uts, artist, album, track in plays:
        w.writerow([artist, "", album, "", track, "", uts, _fmt(uts, "%Y-%m-%d %H:%M:%S")])
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_generic(path: Path, plays, header: bool, dates: bool) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(["artist", "album", "track", "timestamp"])
    for uts, artist, album, track in plays:
        w.writerow([artist, album, track, _fmt(uts, "%Y-%m-%d %H:%M:%S") if dates else uts])
    path.write_text(buf.getvalue(), encoding="utf-8")


CASES = {
    "lastfm-to-csv": (write_lastfm_to_csv, "rj"),
    "ghan": (write_ghan, "rj"),
    "lastfm-1k": (write_1k, "user_000007"),
    "lastfmstats": (write_lastfmstats, "rj"),
    "api-csv": (write_api_csv, "rj"),
    "csv": (lambda p, plays: write_generic(p, plays, header=False, dates=False), "rj"),
}


@pytest.mark.parametrize("fmt", list(CASES))
def test_each_format_is_detected_and_read(fmt, plays, tmp_path):
    from ingest.lastfm.importer import Record, read_records

    writer, user = CASES[fmt]
    path = tmp_path / f"export.{fmt}"
    writer(path, plays)
    detected, stream = read_records(path)
    records = list(stream())
    assert detected == fmt
    got = [(r.uts, r.artist, r.album, r.track) for r in records if isinstance(r, Record) and r.user in (None, user)]
    if fmt == "lastfm-to-csv":  # minute dates, and commas and quotes deleted by the tool
        strip = lambda x: x.replace(",", "").replace('"', "")  # noqa: E731
        expected = [(u - u % 60, strip(a), strip(al), strip(t)) for u, a, al, t in plays]
        assert sum(1 for r in records if not isinstance(r, Record)) == 2  # the repeated now-playing rows
    else:
        expected = [(u, a, "" if fmt == "lastfm-1k" else al, t) for u, a, al, t in plays]  # 1K has no albums
    assert sorted(got) == sorted(expected)


@pytest.mark.parametrize("fmt", ["ghan", "lastfm-1k"])
def test_import_loads_with_the_api_key_and_is_idempotent(fmt, plays, settings, tmp_path):
    writer, user = CASES[fmt]
    path = tmp_path / f"export.{fmt}"
    writer(path, plays)
    report = import_file(path, user, settings)
    assert report.format == fmt and report.bad_row_count == 0 and report.rows_loaded == len(plays)
    distinct = {(u, a, t) for u, a, _, t in plays}
    rows = query(settings, "select user_name, uts, artist_name, track_name, source, scrobble_id, album_name "
                           "from raw_lastfm.scrobbles")
    assert len(rows) == len(distinct) and {r[0] for r in rows} == {user} and {r[4] for r in rows} == {f"import:{fmt}"}
    # names arrive byte for byte, and the key is the API's key
    assert {(r[1], r[2], r[3]) for r in rows} == distinct
    assert all(r[5] == scrobble_id(user, r[1], r[2], r[3]) for r in rows)
    # the interactions' user must exist: an import creates a bare profile row
    assert query(settings, "select user_name, playcount from raw_lastfm.users") == [(user, None)]
    if fmt == "lastfm-1k":
        assert report.other_users_skipped == 1 and all(r[6] is None for r in rows)
    else:  # idempotent: a second import of the same file adds nothing
        import_file(path, user, settings)
        assert query(settings, "select count(*) from raw_lastfm.scrobbles")[0][0] == len(distinct)


def test_generic_csv_with_header_dates_bad_rows_and_placeholders(plays, settings, tmp_path):
    path = tmp_path / "mine.csv"
    write_generic(path, plays[:10], header=True, dates=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("Only Two,Fields\n")  # line 12
        fh.write("Artist,Album,,1600000000\n")  # line 13: no track
        fh.write("Artist,Album,Track,not a date\n")  # line 14
        fh.write('"Quote, ""Inc""",Album,Song,2015-03-01 10:00:00\n')  # line 15: fine
        fh.write("Epoch Band,Album,Zero Song,0\n")  # line 16: kept, flagged
        for n in range(12):  # lines 17-28: a shared import date, kept and flagged
            fh.write(f"Bulk Artist,Bulk Album,Track {n},2010-01-01 00:00:00\n")
        fh.write("Future,Album,Track,2999-01-01\n")  # line 29
    report = import_file(path, "rj", settings)
    assert report.format == "csv"
    assert report.bad_row_count == 4
    assert [(b.line, b.reason.split(" ")[0]) for b in report.bad_rows] == [
        (12, "expected"), (13, "empty"), (14, "unreadable"), (29, "timestamp")]
    assert report.rows_loaded == 10 + 1 + 1 + 12 and report.placeholder_rows == 13
    flagged = query(settings, "select count(*) from raw_lastfm.scrobbles where uts_is_placeholder")[0][0]
    assert flagged == 13
    assert query(settings, "select count(*) from raw_lastfm.scrobbles where artist_name = 'Quote, \"Inc\"'")[0][0] == 1
    assert "line 12" in report.line() and "4 bad rows" in report.line()


def test_import_and_api_share_the_key(world, server, tmp_path):
    from ingest.lastfm import load_lastfm

    from .conftest import duckdb_settings

    settings = duckdb_settings(tmp_path, server)
    load_lastfm(["rj"], settings, with_tags=False)
    n = query(settings, "select count(*) from raw_lastfm.scrobbles")[0][0]
    u = world.users["rj"]
    plays = [(int(t), world.spellings[i].artist, world.spellings[i].album, world.spellings[i].track)
             for t, i in zip(u.uts.tolist(), u.spelling_idx.tolist())]
    write_ghan(tmp_path / "ghan.csv", plays)
    report = import_file(tmp_path / "ghan.csv", "rj", settings)
    assert report.bad_row_count == 0
    assert query(settings, "select count(*) from raw_lastfm.scrobbles")[0][0] == n
    assert query(settings, "select count(distinct source) from raw_lastfm.scrobbles")[0][0] == 1
    # the profile the API loaded is not overwritten by the import
    assert query(settings, "select playcount from raw_lastfm.users where user_name = 'rj'")[0][0] == u.playcount


def test_unusable_files_give_clear_errors(tmp_path, settings):
    with pytest.raises(ImportFileError, match="no such file"):
        import_file(tmp_path / "missing.csv", "rj", settings)
    with pytest.raises(ImportFileError, match="directory"):
        import_file(tmp_path, "rj", settings)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ImportFileError, match="empty"):
        import_file(tmp_path / "empty.csv", "rj", settings)
    (tmp_path / "odd.csv").write_text("a;b\nc;d\n")
    with pytest.raises(ImportFileError, match="unknown export format"):
        import_file(tmp_path / "odd.csv", "rj", settings)
    (tmp_path / "k.tsv").write_text("user_000001\t2009-05-04T23:08:57Z\t\tA\t\tB\n")
    with pytest.raises(ImportFileError, match="user_000001"):
        import_file(tmp_path / "k.tsv", "rj", settings)
    assert not settings.duckdb_path.exists()


def test_detection_and_timestamps():
    assert detect_format("Radiohead,OK Computer,Airbag,14 Nov 2023 22:13\n") == "lastfm-to-csv"
    assert detect_format("Radiohead,OK Computer,Airbag,1700000000\n") == "csv"
    assert detect_format('"uts","utc_time","artist","artist_mbid","album","album_mbid","track","track_mbid"\n') == "ghan"
    assert parse_timestamp("1700000000") == parse_timestamp("1700000000000") == 1_700_000_000
    assert parse_timestamp("14 Nov 2023, 22:13") == parse_timestamp("2023-11-14T22:13:00Z") == 1_699_999_980


def test_cli(plays, tmp_path, monkeypatch, capsys):
    path = tmp_path / "x.csv"
    write_generic(path, plays[:5], header=False, dates=False)
    env = {**os.environ, "WAREHOUSE": "duckdb", "DUCKDB_PATH": str(tmp_path / "cli.duckdb"), "DATA_DIR": str(tmp_path)}
    ok = subprocess.run([sys.executable, "-m", "ingest.lastfm.importer", str(path), "--user", "rj"],
                        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert "5 scrobbles loaded" in ok.stdout and "(csv)" in ok.stdout
    # the failing path in-process: same main(), no second interpreter start
    from ingest.lastfm.importer import main

    for name in ("WAREHOUSE", "DUCKDB_PATH", "DATA_DIR"):
        monkeypatch.setenv(name, env[name])
    assert main([str(tmp_path / "nope.csv"), "--user", "rj"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "nope.csv" in err and "no such file" in err
