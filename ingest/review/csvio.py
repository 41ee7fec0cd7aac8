"""Verdicts as CSV, so a team can share them: one header line with the
`ops.match_reviews` column names, then one verdict per line. Parsing is pure:
every bad row is named by its line number, and nothing is written unless asked."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, TextIO

from .store import COLUMNS, ReviewError, Verdict, validate

REQUIRED = ("track_key", "verdict", "reviewer", "reviewed_at")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def write_csv(verdicts: Iterable[Verdict], out: TextIO) -> int:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    n = 0
    for v in verdicts:
        w.writerow(["" if x is None else (x.isoformat() if isinstance(x, datetime) else x)
                    for x in (getattr(v, c) for c in COLUMNS)])
        n += 1
    return n


def _int(value: str, name: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ReviewError(f"{name} {value!r} is not a whole number") from None


def _float(value: str, name: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ReviewError(f"{name} {value!r} is not a number") from None


def _time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise ReviewError(f"reviewed_at {value!r} is not an ISO 8601 time such as 2026-01-31T12:00:00+00:00") from None


def parse_row(row: dict[str, str]) -> Verdict:
    get = lambda c: (row.get(c) or "")  # noqa: E731 - missing optional columns read as empty
    return validate(Verdict(
        track_key=get("track_key").strip().lower(),
        verdict=get("verdict").strip().lower(),
        chosen_album_id=_int(get("chosen_album_id"), "chosen_album_id"),
        chosen_track_id=_int(get("chosen_track_id"), "chosen_track_id"),
        reviewer=get("reviewer"),
        reviewed_at=_time(get("reviewed_at")),
        matcher_version_seen=get("matcher_version_seen").strip() or None,
        seen_album_id=_int(get("seen_album_id"), "seen_album_id"),
        seen_track_id=_int(get("seen_track_id"), "seen_track_id"),
        seen_score=_float(get("seen_score"), "seen_score"),
        seen_confidence=get("seen_confidence").strip() or None,
    ))


def read_csv(src: TextIO | str) -> tuple[list[Verdict], list[RowError]]:
    """Good verdicts and the bad rows (line numbers as an editor shows them; line 1 is the header)."""
    text = src if isinstance(src, str) else src.read()
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [RowError(1, f"header lacks column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")]
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        return [], [RowError(1, f"unknown column(s) {', '.join(unknown)}; expected {','.join(COLUMNS)}")]
    good: list[Verdict] = []
    bad: list[RowError] = []
    for row in reader:
        line = reader.line_num  # physical line the row ended on
        if None in row:
            bad.append(RowError(line, f"{len(header) + len(row[None])} fields, the header has {len(header)}"))
            continue
        try:
            good.append(parse_row(row))
        except ReviewError as e:
            bad.append(RowError(line, str(e)))
    return good, bad
