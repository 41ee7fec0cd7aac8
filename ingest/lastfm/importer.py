"""Load a scrobble export file into `raw_lastfm.scrobbles`, with the API's key and
`source='import:<format>'`. The format is detected from the content:

| format           | shape                                                                            |
|------------------|----------------------------------------------------------------------------------|
| `lastfm-to-csv`  | no header; artist,album,track,date ("20 Nov 2020 09:35"); now-playing rows empty  |
| `ghan`           | lastfm.ghan.nl: header uts,utc_time,artist,artist_mbid,album,album_mbid,track,...|
| `lastfm-1k`      | the Last.fm-1K research set: TSV userid, ISO time, artist mbid/name, track mbid/name |
| `lastfmstats`    | lastfmstats.com JSON {"username", "scrobbles": [{track, artist, album, date ms}]} |
| `api-csv`        | header artist,artist_mbid,album,album_mbid,track,track_mbid,timestamp,datetime   |
| `csv`            | artist,album,track,timestamp with or without header; unix seconds or date text   |

Bad rows (no track name, an unreadable or future timestamp, a wrong number of fields) are
counted with their line numbers and skipped; good rows load. An empty artist is kept, as the
API delivers such scrobbles too. Timestamps of 0 and
placeholder dates that many rows share are kept and flagged `uts_is_placeholder`.

    python -m ingest.lastfm.importer PATH --user NAME
"""
from __future__ import annotations

import csv
import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from ingest.config import Settings, connect

from .helpers import validate_usernames
from .rows import SCROBBLE_COLUMNS, USER_COLUMNS, make_scrobble, scrobbles_table

BATCH = 10_000
MAX_REPORTED_BAD_ROWS = 50
# A timestamp shared by this many rows of one file is an import placeholder, not a listen.
PLACEHOLDER_MIN_SHARED = 10
# Scrobbles cannot be from the future; allow a day of clock skew.
FUTURE_SLACK_S = 86_400

GHAN_HEADER = ["uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid"]
API_CSV_HEADER = ["artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid", "timestamp", "datetime"]
_GENERIC_NAMES = {
    "artist": ("artist", "artist_name", "artistname"),
    "album": ("album", "album_name", "albumname", "release"),
    "track": ("track", "track_name", "trackname", "title", "song", "name"),
    "time": ("timestamp", "uts", "date", "time", "played_at", "datetime", "scrobbled_at", "utc_time"),
}
_LASTFM_TO_CSV_DATE = re.compile(r"^\d{1,2} [A-Za-z]{3} \d{4},? \d{1,2}:\d{2}$")
_DATE_FORMATS = ("%d %b %Y %H:%M", "%d %b %Y, %H:%M", "%d %B %Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                 "%Y/%m/%d %H:%M:%S", "%Y-%m-%d")


class ImportFileError(ValueError):
    """The file cannot be imported at all (missing, unreadable, unknown format); names the file."""


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    path: str
    user: str
    format: str
    rows_read: int = 0
    rows_loaded: int = 0
    bad_row_count: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)  # the first MAX_REPORTED_BAD_ROWS
    now_playing_skipped: int = 0
    placeholder_rows: int = 0
    other_users_skipped: int = 0
    seconds: float = 0.0
    load_ids: list[str] = field(default_factory=list)

    def line(self) -> str:
        bad = f"{self.bad_row_count} bad rows skipped"
        if self.bad_rows:
            bad += " (" + "; ".join(f"line {b.line}: {b.reason}" for b in self.bad_rows[:5])
            bad += ", …)" if self.bad_row_count > 5 else ")"
        return (f"import {self.path} ({self.format}) for {self.user}: {self.rows_loaded} scrobbles loaded of "
                f"{self.rows_read} rows; {bad}; {self.placeholder_rows} with placeholder timestamps; "
                f"{self.now_playing_skipped} now-playing rows skipped; {self.seconds:.1f}s")


    def describe(self) -> str:
        """The summary line, then one line per reported bad row (what `python -m ingest import` prints)."""
        lines = [self.line()] + [f"  line {b.line}: {b.reason}" for b in self.bad_rows]
        if self.bad_row_count > len(self.bad_rows):
            lines.append(f"  … and {self.bad_row_count - len(self.bad_rows)} more bad rows")
        return "\n".join(lines)


# --- parsing (pure) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """One scrobble read from a file, before keys are computed."""

    line: int
    uts: int
    artist: str
    album: str
    track: str
    artist_mbid: str = ""
    album_mbid: str = ""
    track_mbid: str = ""
    user: str | None = None


class _Bad(ValueError):
    pass


class _NowPlaying(Exception):
    pass


def parse_timestamp(text: str) -> int:
    """Unix seconds (or milliseconds) or a date string (UTC) as unix seconds."""
    value = text.strip()
    if not value:
        raise _Bad("empty timestamp")
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        number = float(value)
        uts = int(number / 1000) if abs(number) >= 100_000_000_000 else int(number)  # ms exports
    else:
        uts = _parse_date(value)
    if uts < 0:
        raise _Bad(f"negative timestamp {value!r}")
    if uts > time.time() + FUTURE_SLACK_S:
        raise _Bad(f"timestamp {value!r} is in the future")
    return uts


def _parse_date(value: str) -> int:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                dt = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        else:
            raise _Bad(f"unreadable date {value!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def _need(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise _Bad(f"empty {what}")
    return value


def _rows_from_csv(lines: Iterator[str], delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(first line number of the record, fields), blank lines skipped."""
    reader = csv.reader(lines, delimiter=delimiter)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield start, [f"\x00csv error: {e}"]
            start = reader.line_num + 1
            continue
        if any(f.strip() for f in fields):
            yield start, fields
        start = reader.line_num + 1


def _header(fields: list[str]) -> list[str]:
    return [f.strip().strip('"').lower() for f in fields]


def detect_format(head: str) -> str:
    """The export format from the first few KB of the file."""
    text = head.lstrip("\ufeff").lstrip()
    if not text:
        raise ImportFileError("the file is empty")
    if text.startswith("{") or text.startswith("["):
        return "lastfmstats"
    first = text.splitlines()[0]
    if "\t" in first:
        parts = first.split("\t")
        if len(parts) == 6 and re.match(r"^\d{4}-\d{2}-\d{2}T", parts[1]):
            return "lastfm-1k"
        raise ImportFileError("a tab-separated file that is not the Last.fm-1K layout "
                              "(userid, ISO time, artist mbid, artist, track mbid, track)")
    header = _header(next(csv.reader([first])))
    if header == GHAN_HEADER:
        return "ghan"
    if header == API_CSV_HEADER:
        return "api-csv"
    if _generic_columns(header) is not None:
        return "csv"
    # No header: lastfm-to-csv writes "20 Nov 2020 09:35" dates (and empty ones for now-playing).
    sample = [r for r in csv.reader(text.splitlines()[:20]) if r]
    if sample and all(len(r) == 4 for r in sample):
        dates = [r[3].strip() for r in sample]
        if all(d == "" or _LASTFM_TO_CSV_DATE.match(d) for d in dates) and any(dates):
            return "lastfm-to-csv"
        return "csv"
    raise ImportFileError(
        "unknown export format: expected one of lastfm-to-csv, lastfm.ghan.nl CSV, Last.fm-1K TSV, "
        "lastfmstats.com JSON, an API CSV, or a CSV of artist,album,track,timestamp"
    )


def _generic_columns(header: list[str]) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    for role, names in _GENERIC_NAMES.items():
        for i, h in enumerate(header):
            if h in names and i not in cols.values():
                cols[role] = i
                break
    if {"artist", "track", "time"} <= cols.keys():
        return cols
    return None


def _records_csv(lines: Iterator[str], fmt: str) -> Iterator[Record | BadRow | type[_NowPlaying]]:
    rows = _rows_from_csv(lines)
    if fmt in ("ghan", "api-csv"):
        next(rows, None)
        expected = GHAN_HEADER if fmt == "ghan" else API_CSV_HEADER
        idx = {name: i for i, name in enumerate(expected)}
        time_col = "uts" if fmt == "ghan" else "timestamp"
    else:
        idx = {}
        time_col = "time"
    for line, fields in rows:
        if fields and fields[0].startswith("\x00"):
            yield BadRow(line, fields[0][1:])
            continue
        try:
            if fmt == "csv" and not idx:
                # The first record decides: a header names the columns, else artist,album,track,timestamp.
                cols = _generic_columns(_header(fields))
                if cols is not None:
                    idx = cols
                    continue
                idx = {"artist": 0, "album": 1, "track": 2, "time": 3}
            if fmt == "lastfm-to-csv":
                idx = {"artist": 0, "album": 1, "track": 2, "time": 3}
            if fmt == "csv":  # a generic CSV may carry extra columns
                if len(fields) <= max(idx.values()):
                    raise _Bad(f"expected at least {max(idx.values()) + 1} fields, found {len(fields)}")
            elif len(fields) != len(idx):
                raise _Bad(f"expected {len(idx)} fields, found {len(fields)}")
            get = lambda name: fields[idx[name]] if name in idx else ""  # noqa: E731
            if fmt == "lastfm-to-csv" and not get("time").strip():
                yield _NowPlaying
                continue
            yield Record(
                line=line, uts=parse_timestamp(get(time_col)), artist=get("artist"),
                album=get("album"), track=_need(get("track"), "track"), artist_mbid=get("artist_mbid"),
                album_mbid=get("album_mbid"), track_mbid=get("track_mbid"),
            )
        except _Bad as e:
            yield BadRow(line, str(e))


def _records_1k(lines: Iterator[str]) -> Iterator[Record | BadRow]:
    for line_no, raw in enumerate(lines, start=1):
        raw = raw.rstrip("\r\n")
        if not raw.strip():
            continue
        fields = raw.split("\t")
        try:
            if len(fields) != 6:
                raise _Bad(f"expected 6 tab-separated fields, found {len(fields)}")
            user, ts, artist_mbid, artist, track_mbid, track = fields
            yield Record(line=line_no, uts=parse_timestamp(ts), artist=artist, album="",
                         track=_need(track, "track"), artist_mbid=artist_mbid, track_mbid=track_mbid,
                         user=user)
        except _Bad as e:
            yield BadRow(line_no, str(e))


def _records_lastfmstats(text: str) -> Iterator[Record | BadRow]:
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ImportFileError(f"not valid JSON ({e})") from None
    items = data.get("scrobbles") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ImportFileError('a JSON file without a "scrobbles" list (lastfmstats.com format expected)')
    # JSON has no useful line numbers: report the 1-based position in the scrobbles list.
    for pos, item in enumerate(items, start=1):
        try:
            if not isinstance(item, dict):
                raise _Bad("not an object")
            date = item.get("date")
            if date is None:
                raise _Bad("no date")
            ms = float(date)
            uts = int(ms / 1000)
            if uts < 0 or uts > time.time() + FUTURE_SLACK_S:
                raise _Bad(f"date {date!r} out of range")
            yield Record(line=pos, uts=uts, artist=str(item.get("artist") or ""),
                         album=str(item.get("album") or ""), track=_need(item.get("track"), "track"))
        except (_Bad, TypeError, ValueError) as e:
            yield BadRow(pos, str(e) if isinstance(e, _Bad) else f"unreadable date {item.get('date')!r}")


def read_records(path: Path) -> tuple[str, Callable[[], Iterator[Record | BadRow | type[_NowPlaying]]]]:
    """(format, a function that streams the file's records; callable again for a second pass)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(16_384).decode("utf-8-sig", errors="replace")
    except FileNotFoundError:
        raise ImportFileError(f"cannot import {str(path)!r}: no such file; check the path") from None
    except IsADirectoryError:
        raise ImportFileError(f"cannot import {str(path)!r}: it is a directory, not an export file") from None
    except OSError as e:
        raise ImportFileError(f"cannot import {str(path)!r}: {e.strerror or e}") from None
    if "\x00" in head:
        raise ImportFileError(f"cannot import {str(path)!r}: a binary file, not a CSV/TSV/JSON export")
    try:
        fmt = detect_format(head)
    except ImportFileError as e:
        raise ImportFileError(f"cannot import {str(path)!r}: {e}") from None

    def stream() -> Iterator[Record | BadRow | type[_NowPlaying]]:
        try:
            with path.open("r", encoding="utf-8-sig", newline="") as fh:
                if fmt == "lastfmstats":
                    yield from _records_lastfmstats(fh.read())
                elif fmt == "lastfm-1k":
                    yield from _records_1k(fh)
                else:
                    yield from _records_csv(fh, fmt)
        except UnicodeDecodeError as e:
            raise ImportFileError(f"cannot import {str(path)!r}: not UTF-8 text ({e.reason} at byte {e.start}); "
                                  "re-save the export as UTF-8") from None

    return fmt, stream


# --- loading -----------------------------------------------------------------------------------
def _has_profile(settings: Settings, user: str) -> bool:
    try:
        conn = connect(settings)
    except Exception:  # noqa: BLE001 - no warehouse yet: no profile either
        return False
    try:
        cur = conn.cursor()
        cur.execute(f"select count(*) from raw_lastfm.users where user_name = {'?' if settings.warehouse == 'duckdb' else '%s'}",
                    (user,))
        return cur.fetchone()[0] > 0
    except Exception:  # noqa: BLE001 - the table does not exist yet
        return False
    finally:
        conn.close()


def import_file(path: str | os.PathLike[str], user: str, settings: Settings) -> ImportReport:
    """Load an export file into raw_lastfm.scrobbles for `user`. Raises ImportFileError when the
    file cannot be used at all (nothing is written then)."""
    import dlt

    from . import settings as S

    (user,) = validate_usernames([user])
    p = Path(path)
    t0 = time.monotonic()
    fmt, stream = read_records(p)
    report = ImportReport(path=str(p), user=user, format=fmt)

    # Pass 1: which timestamps are shared placeholders, and for the 1K set which users the file holds.
    uts_counts: Counter[int] = Counter()
    file_users: Counter[str] = Counter()
    for rec in stream():
        if isinstance(rec, Record):
            uts_counts[rec.uts] += 1
            if rec.user is not None:
                file_users[rec.user] += 1
    if file_users and user not in file_users:
        some = ", ".join(u for u, _ in file_users.most_common(5))
        raise ImportFileError(f"{str(p)!r} holds scrobbles of {len(file_users)} other users ({some}, …), "
                              f"none of {user!r}: pass one of them as --user")
    placeholders = {u for u, n in uts_counts.items() if n >= PLACEHOLDER_MIN_SHARED} | {0}

    def rows() -> Iterator[Any]:
        batch: list[dict[str, Any]] = []
        for rec in stream():
            if rec is _NowPlaying:
                report.now_playing_skipped += 1
                continue
            if isinstance(rec, Record) and rec.user is not None and rec.user != user:
                report.other_users_skipped += 1
                continue
            report.rows_read += 1
            if isinstance(rec, BadRow):
                report.bad_row_count += 1
                if len(report.bad_rows) < MAX_REPORTED_BAD_ROWS:
                    report.bad_rows.append(rec)
                continue
            assert isinstance(rec, Record)
            placeholder = rec.uts in placeholders
            report.placeholder_rows += placeholder
            batch.append(make_scrobble(
                user, rec.uts, rec.artist, rec.album, rec.track, source=f"import:{fmt}",
                artist_mbid=rec.artist_mbid, album_mbid=rec.album_mbid, track_mbid=rec.track_mbid,
                placeholder=placeholder))
            report.rows_loaded += 1
            if len(batch) >= BATCH:
                yield scrobbles_table(batch)
                batch = []
        if batch:
            yield scrobbles_table(batch)

    resource = dlt.resource(rows, name="scrobbles", write_disposition="merge", primary_key="scrobble_id",
                            columns=SCROBBLE_COLUMNS)
    resources = [resource]
    if not _has_profile(settings, user):
        # Interactions need their user to exist; an API run later fills in the profile
        # (a merge on user_name), while an import never overwrites one already loaded.
        resources.append(dlt.resource([{"user_name": user, "realname": None, "country": None, "playcount": None,
                                        "registered_uts": None}], name="users", write_disposition="merge",
                                      primary_key="user_name", columns=USER_COLUMNS))
    # Arrow tables get no load ids from dlt unless asked; the raw table contract wants them.
    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID", "true")
    settings.pipelines_dir.mkdir(parents=True, exist_ok=True)
    pipeline = dlt.pipeline(pipeline_name=f"{S.PIPELINE_NAME}_import", destination=settings.dlt_destination(),
                            dataset_name=S.DATASET, pipelines_dir=str(settings.pipelines_dir))
    try:
        info = pipeline.run(resources)
    except Exception as e:
        cause: BaseException | None = e
        while cause is not None and not isinstance(cause, ImportFileError):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:  # failed while extracting: dlt discarded the package
            raise cause from None
        raise
    report.load_ids = list(info.loads_ids)
    report.seconds = time.monotonic() - t0
    return report


def main(argv: list[str] | None = None) -> int:
    import argparse
    import logging

    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    ap = argparse.ArgumentParser(prog="python -m ingest.lastfm.importer",
                                 description="Load a Last.fm scrobble export file into raw_lastfm.scrobbles")
    ap.add_argument("path", help="the export file (format detected from its content)")
    ap.add_argument("--user", required=True, help="the Last.fm username the scrobbles belong to")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from ingest.config import ConfigError

    try:
        report = import_file(args.path, args.user, Settings.from_env())
    except (ImportFileError, ConfigError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(report.line())
    for bad in report.bad_rows[:20]:
        print(f"  line {bad.line}: {bad.reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
