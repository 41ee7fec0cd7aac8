"""The file interface, run as users run it: `python -m ingest.match` in a subprocess."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from .catalog_rows import catalog_rows

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest.match", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def write_catalog(path: Path) -> Path:
    cols = ["album_id", "artist", "album", "year", "track_id", "track_number", "track"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(catalog_rows())
    return path


def read_out(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return {r["key"]: r for r in csv.DictReader(f)}


@pytest.fixture
def catalog_csv(tmp_path):
    return write_catalog(tmp_path / "catalog.csv")


def test_matches_every_key(tmp_path, catalog_csv):
    s = tmp_path / "scrobbles.csv"
    s.write_text(
        "key,artist,album,track\n"
        "a,The National,Boxer,Fake Empire\n"
        'b,"Simon & Garfunkel","",Cecilia\n'
        'c,The National,"Boxer (Deluxe Edition)","Fake Empire"\n'
        "d,Nobody,Nothing,Nowhere\n"
        'e,The National,Boxer,"Fake Empire, ""Live"" (Live)"\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    p = run("--scrobbles", str(s), "--catalog", str(catalog_csv), "--out", str(out))
    assert p.returncode == 0, p.stderr
    rows = read_out(out)
    assert list(rows) == ["a", "b", "c", "d", "e"]
    assert list(rows["a"]) == ["key", "match_type", "confidence", "score", "album_id", "track_id"]
    assert (rows["a"]["match_type"], rows["a"]["confidence"], rows["a"]["album_id"], rows["a"]["track_id"]) == \
        ("track_match", "high", "1", "11")
    assert rows["b"]["track_id"] == "52"
    assert rows["c"]["track_id"] == "21"
    assert (rows["d"]["match_type"], rows["d"]["album_id"], rows["d"]["track_id"]) == ("no_match", "", "")
    assert rows["e"]["match_type"] == "album_match" and rows["e"]["track_id"] == ""
    assert 0.99 <= float(rows["a"]["score"]) <= 1.0


def test_bad_rows_are_named_by_line_and_keys_still_answered(tmp_path, catalog_csv):
    s = tmp_path / "scrobbles.csv"
    s.write_text(
        "key,artist,album,track\n"
        "a,The National,Boxer,Fake Empire\n"
        "b,too,few\n"
        ",The National,Boxer,Slow Show\n"
        'c,"The National","Boxer","Multi\nline title"\n'
        "d,The National,Boxer,Slow Show,extra\n"
        "a,Other,Names,Here\n", encoding="utf-8")
    bad_catalog = tmp_path / "bad_catalog.csv"
    bad_catalog.write_text(catalog_csv.read_text(encoding="utf-8") + "9,X,Y,19x9,91,1,Z\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    p = run("--scrobbles", str(s), "--catalog", str(bad_catalog), "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert "scrobbles.csv:3: 3 fields, header has 4" in p.stderr
    assert "scrobbles.csv:4: empty key" in p.stderr
    assert "scrobbles.csv:7: 5 fields" in p.stderr  # line numbers count the quoted newline on line 5-6
    assert "scrobbles.csv:8: key 'a' repeats" in p.stderr
    assert "bad_catalog.csv:" in p.stderr and "year='19x9'" in p.stderr
    rows = read_out(out)
    assert set(rows) == {"a", "b", "c", "d"}
    assert rows["b"]["match_type"] == "no_match" and rows["d"]["match_type"] == "no_match"
    assert rows["a"]["track_id"] == "11"  # the first spelling of a repeated key wins
    strict = run("--scrobbles", str(s), "--catalog", str(bad_catalog), "--out", str(out), "--strict")
    assert strict.returncode == 1


def test_missing_columns_fail_before_writing(tmp_path, catalog_csv):
    s = tmp_path / "scrobbles.csv"
    s.write_text("key,artist,track\na,The National,Fake Empire\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    p = run("--scrobbles", str(s), "--catalog", str(catalog_csv), "--out", str(out))
    assert p.returncode == 2
    assert "scrobbles.csv:1: header lacks column(s) album" in p.stderr
    assert not out.exists()


def test_missing_file_is_a_clear_error(tmp_path, catalog_csv):
    p = run("--scrobbles", str(tmp_path / "nope.csv"), "--catalog", str(catalog_csv), "--out", str(tmp_path / "o.csv"))
    assert p.returncode == 2 and "nope.csv: file not found" in p.stderr


def test_utf8_bom_and_subcommand_form(tmp_path, catalog_csv):
    s = tmp_path / "scrobbles.csv"
    s.write_bytes("\ufeffkey,artist,album,track\nx,Sigur Rós,Ágætis byrjun,Starálfur\n".encode("utf-8"))
    out = tmp_path / "out.csv"
    p = run("files", "--scrobbles", str(s), "--catalog", str(catalog_csv), "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert read_out(out)["x"]["track_id"] == "82"
