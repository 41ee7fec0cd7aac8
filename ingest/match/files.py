"""The file interface: scrobbles CSV + catalog CSV in, one match row per scrobble key out.

    S: key,artist,album,track                       (album may be empty)
    C: album_id,artist,album,year,track_id,track_number,track   (album-only rows: empty track fields)
    O: key,match_type,confidence,score,album_id,track_id

UTF-8 (a BOM is tolerated), header row, standard CSV quoting. Bad rows are named by line
number; a bad scrobble row that still has a key gets a no_match row, so O has every key of S.
"""
from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .matcher import LastfmTrackRef, MatchResult

SCROBBLE_COLUMNS = ("key", "artist", "album", "track")
CATALOG_COLUMNS = ("album_id", "artist", "album", "year", "track_id", "track_number", "track")
OUTPUT_COLUMNS = ("key", "match_type", "confidence", "score", "album_id", "track_id")


class InputError(ValueError):
    """A whole input file is unusable (missing, no header, missing columns)."""


@dataclass
class BadRow:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class ScrobbleInput:
    refs: list[LastfmTrackRef] = field(default_factory=list)
    bad_keys: list[str] = field(default_factory=list)  # keys of bad rows: they get a no_match row
    bad_rows: list[BadRow] = field(default_factory=list)


def _records(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
    """(line number, row or None, error) per record; line numbers count the header as line 1."""
    if not path.exists():
        raise InputError(f"{path}: file not found")
    try:
        f = path.open(newline="", encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"{path}: cannot open ({e.strerror})") from None
    with f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(f"{path}: empty file; expected a header row {','.join(required)}") from None
        except (csv.Error, UnicodeDecodeError) as e:
            raise InputError(f"{path}:1: unreadable header ({e})") from None
        header = [h.strip().lower() for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(f"{path}:1: header lacks column(s) {', '.join(missing)}; "
                             f"expected {','.join(required)} (got {','.join(header)})")
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as e:
                yield line, None, f"not valid UTF-8 ({e.reason}); re-save the file as UTF-8"
                return
            except csv.Error as e:
                yield line, None, f"malformed CSV ({e})"
                line = reader.line_num + 1
                continue
            start, line = line, reader.line_num + 1
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(header):
                partial = dict(zip(header, row))
                yield start, partial, f"{len(row)} fields, header has {len(header)}"
                continue
            yield start, dict(zip(header, row)), None


def read_scrobbles(path: str | Path) -> ScrobbleInput:
    path = Path(path)
    out = ScrobbleInput()
    seen: dict[str, tuple[str, str, str]] = {}
    for line, row, err in _records(path, SCROBBLE_COLUMNS):
        key = (row or {}).get("key", "").strip()
        if err:
            out.bad_rows.append(BadRow(path.name, line, err))
            if key and key not in seen:
                seen[key] = ("", "", "")
                out.bad_keys.append(key)
            continue
        assert row is not None
        if not key:
            out.bad_rows.append(BadRow(path.name, line, "empty key"))
            continue
        triple = (row["artist"], row["album"], row["track"])
        if key in seen:
            if seen[key] != triple:
                out.bad_rows.append(BadRow(path.name, line, f"key {key!r} repeats with different names; first one kept"))
            continue
        seen[key] = triple
        if not row["track"].strip():
            out.bad_rows.append(BadRow(path.name, line, "empty track name"))
        out.refs.append(LastfmTrackRef(key, *triple))
    return out


def read_catalog(path: str | Path) -> tuple[list[dict], list[BadRow]]:
    path = Path(path)
    rows: list[dict] = []
    bad: list[BadRow] = []
    for line, row, err in _records(path, CATALOG_COLUMNS):
        if err:
            bad.append(BadRow(path.name, line, err + "; row skipped"))
            continue
        assert row is not None
        if not row["album_id"].strip():
            bad.append(BadRow(path.name, line, "empty album_id; row skipped"))
            continue
        problems = []
        for col in ("year", "track_number"):
            v = row[col].strip()
            if v and not v.lstrip("-").isdigit():
                problems.append(f"{col}={v!r} is not a whole number")
        if bool(row["track_id"].strip()) != bool(row["track"].strip()):
            problems.append("track_id and track must both be set or both empty")
        if problems:
            bad.append(BadRow(path.name, line, "; ".join(problems) + "; row skipped"))
            continue
        rows.append({k: (v.strip() if k in ("album_id", "track_id", "year", "track_number") else v)
                     for k, v in row.items()})
    return rows, bad


def write_output(path: str | Path, results: list[MatchResult], no_match_keys: list[str]) -> None:
    """Write O atomically: a temp file in the same folder, renamed over the target when complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(OUTPUT_COLUMNS)
            for r in results:
                w.writerow([r.track_key, r.match_type, r.confidence, f"{r.score:.4f}",
                            "" if r.album_id is None else r.album_id, "" if r.track_id is None else r.track_id])
            for key in no_match_keys:
                w.writerow([key, "no_match", "low", "0.0000", "", ""])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
