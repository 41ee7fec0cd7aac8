"""Verdict storage: `ops.match_reviews` (latest verdict per key) and
`ops.match_review_log` (every verdict ever given), on DuckDB and PostgreSQL.

The contract dbt reads (`ops.match_reviews`, one row per `track_key`):

| column | type | meaning |
|---|---|---|
| `track_key` | text, primary key | the Last.fm (artist, album, track) identity, `ingest.keys.track_key` |
| `verdict` | text | `accept`, `reject`, `pick` or `not_on_aoty` |
| `chosen_album_id` | bigint | accept: the album the reviewer saw and accepted; pick: the picked candidate's album; else NULL |
| `chosen_track_id` | bigint | the same for the track; NULL for an accepted album-level match |
| `reviewer` | text | who gave the verdict |
| `reviewed_at` | timestamptz | when; the latest verdict per key wins (also across CSV imports) |
| `matcher_version_seen` | text | `raw_matching.track_matches.matcher_version` of the match shown |
| `seen_album_id`, `seen_track_id` | bigint | the matcher's answer that was shown (what a reject rejects) |
| `seen_score` | double | the matcher's score that was shown |
| `seen_confidence` | text | the matcher's confidence level that was shown |

Overrides for dbt: `accept` and `pick` admit (`chosen_album_id`, `chosen_track_id`) whatever the
score and whatever a newer matcher version says; `reject` and `not_on_aoty` send the key to
`unmatched_scrobbles` (reasons "rejected in review" / "not on AOTY (review)").
"""
from __future__ import annotations

import re
from dataclasses import astuple, dataclass, fields
from datetime import datetime, timezone
from typing import Iterable

from ingest.config import OPS, Settings, connect

VERDICTS = ("accept", "reject", "pick", "not_on_aoty")
REVIEWS_TABLE = f"{OPS}.match_reviews"
LOG_TABLE = f"{OPS}.match_review_log"
_KEY_RE = re.compile(r"^[0-9a-f]{32}$")


class ReviewError(ValueError):
    """A verdict is not valid; the message names the field and what to do."""


@dataclass(frozen=True)
class Verdict:
    track_key: str
    verdict: str
    chosen_album_id: int | None
    chosen_track_id: int | None
    reviewer: str
    reviewed_at: datetime
    matcher_version_seen: str | None
    seen_album_id: int | None = None
    seen_track_id: int | None = None
    seen_score: float | None = None
    seen_confidence: str | None = None


COLUMNS = tuple(f.name for f in fields(Verdict))


def validate(v: Verdict) -> Verdict:
    """The verdict as stored (UTC time), or ReviewError naming what is wrong."""
    if not _KEY_RE.match(v.track_key or ""):
        raise ReviewError(f"track_key {v.track_key!r} is not a 32-character hex key (ingest.keys.track_key)")
    if v.verdict not in VERDICTS:
        raise ReviewError(f"verdict {v.verdict!r} is not one of {', '.join(VERDICTS)}")
    if v.verdict == "pick" and v.chosen_album_id is None:
        raise ReviewError("verdict 'pick' needs chosen_album_id (and chosen_track_id for a track)")
    if v.verdict in ("reject", "not_on_aoty") and (v.chosen_album_id is not None or v.chosen_track_id is not None):
        raise ReviewError(f"verdict {v.verdict!r} must leave chosen_album_id and chosen_track_id empty")
    if not (v.reviewer or "").strip():
        raise ReviewError("reviewer is empty; name who gave the verdict")
    at = v.reviewed_at
    if at.tzinfo is None:
        raise ReviewError(f"reviewed_at {at.isoformat()} has no time zone; write it as e.g. 2026-01-31T12:00:00+00:00")
    return Verdict(**{**v.__dict__, "reviewed_at": at.astimezone(timezone.utc), "reviewer": v.reviewer.strip()})


def _ddl(table: str, log: bool) -> str:
    key = "PRIMARY KEY (track_key, reviewed_at, verdict)" if log else "PRIMARY KEY (track_key)"
    return f"""
    CREATE TABLE IF NOT EXISTS {table} (
        track_key VARCHAR NOT NULL,
        verdict VARCHAR NOT NULL CHECK (verdict IN ('accept', 'reject', 'pick', 'not_on_aoty')),
        chosen_album_id BIGINT,
        chosen_track_id BIGINT,
        reviewer VARCHAR NOT NULL,
        reviewed_at TIMESTAMPTZ NOT NULL,
        matcher_version_seen VARCHAR,
        seen_album_id BIGINT,
        seen_track_id BIGINT,
        seen_score DOUBLE PRECISION,
        seen_confidence VARCHAR,
        {key}
    )"""


class ReviewStore:
    """Reads and writes verdicts through one warehouse connection."""

    def __init__(self, settings: Settings, conn=None):
        self.settings = settings
        self._own = conn is None
        self.conn = conn if conn is not None else connect(settings)
        self._ph = "?" if settings.warehouse == "duckdb" else "%s"
        self.ensure_tables()

    def _cursor(self):
        # A DuckDB cursor is a connection of its own, outside this connection's
        # transaction: write through the connection itself there.
        return self.conn if self.settings.warehouse == "duckdb" else self.conn.cursor()

    def close(self) -> None:
        if self._own:
            self.conn.close()

    def __enter__(self) -> "ReviewStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def ensure_tables(self) -> None:
        cur = self._cursor()
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {OPS}")
        cur.execute(_ddl(REVIEWS_TABLE, log=False))
        cur.execute(_ddl(LOG_TABLE, log=True))
        self.conn.commit()

    def save(self, verdicts: Iterable[Verdict]) -> int:
        """Store verdicts in one transaction: all or none. The latest `reviewed_at`
        per key wins in `match_reviews`; the log keeps every distinct verdict, so
        importing the same file twice changes nothing."""
        rows = [astuple(validate(v)) for v in verdicts]
        if not rows:
            return 0
        cols = ", ".join(COLUMNS)
        marks = ", ".join([self._ph] * len(COLUMNS))
        updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "track_key")
        upsert = (f"INSERT INTO {REVIEWS_TABLE} AS r ({cols}) VALUES ({marks}) "
                  f"ON CONFLICT (track_key) DO UPDATE SET {updates} WHERE excluded.reviewed_at >= r.reviewed_at")
        append = f"INSERT INTO {LOG_TABLE} ({cols}) VALUES ({marks}) ON CONFLICT DO NOTHING"
        cur = self._cursor()
        try:
            if self.settings.warehouse == "duckdb":
                cur.execute("BEGIN TRANSACTION")
            # Oldest first, so that within one batch the newest verdict for a key lands last.
            rows.sort(key=lambda r: r[COLUMNS.index("reviewed_at")])
            cur.executemany(upsert, rows)
            cur.executemany(append, rows)
            self.conn.commit()
        except Exception:
            self.conn.rollback()
            raise
        return len(rows)

    def all(self) -> list[Verdict]:
        cur = self._cursor()
        cur.execute(f"SELECT {', '.join(COLUMNS)} FROM {REVIEWS_TABLE} ORDER BY reviewed_at, track_key")
        return [_verdict_from_row(r) for r in cur.fetchall()]

    def history(self, track_key: str) -> list[Verdict]:
        cur = self._cursor()
        cur.execute(f"SELECT {', '.join(COLUMNS)} FROM {LOG_TABLE} WHERE track_key = {self._ph} "
                    "ORDER BY reviewed_at", [track_key])
        return [_verdict_from_row(r) for r in cur.fetchall()]

    def reviewed_keys(self) -> set[str]:
        cur = self._cursor()
        cur.execute(f"SELECT track_key FROM {REVIEWS_TABLE}")
        return {r[0] for r in cur.fetchall()}


def _verdict_from_row(row: tuple) -> Verdict:
    d = dict(zip(COLUMNS, row))
    for k in ("chosen_album_id", "chosen_track_id", "seen_album_id", "seen_track_id"):
        d[k] = None if d[k] is None else int(d[k])
    d["seen_score"] = None if d["seen_score"] is None else float(d["seen_score"])
    d["reviewed_at"] = d["reviewed_at"].astimezone(timezone.utc)
    return Verdict(**d)


def now() -> datetime:
    return datetime.now(timezone.utc)
