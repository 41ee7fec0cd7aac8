"""The review sample: stratified by confidence level and score band, weighted by
play count, never re-showing a reviewed key unless asked.

Every confidence level present gets an equal share of the sample (a level with
fewer matches than its share gives the rest to the others), so each level soon
has enough reviews for a precision estimate. Inside a level the score bands take
turns, and inside a band keys are drawn with probability proportional to their
play count (Efraimidis-Spirakis keys), so the estimate is one of interaction
precision and the matches that carry most plays are seen first.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ingest.config import RAW_LASTFM, RAW_MATCHING

from .db import placeholder

LEVEL_ORDER = ("high", "medium", "low")
UNMATCHED = "no_match"  # the stratum of keys the matcher left unmatched (with --include-unmatched)


@dataclass(frozen=True)
class MatchRow:
    track_key: str
    matcher_version: str
    artist_name: str | None
    album_name: str | None
    track_name: str | None
    match_type: str
    confidence: str | None
    score: float | None
    artist_score: float | None
    album_score: float | None
    track_score: float | None
    aoty_album_id: int | None
    aoty_track_id: int | None
    reason: str | None
    plays: int = 0


def as_int(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_float(value) -> float | None:
    return None if value is None else float(value)


def score_band(score: float | None, scale_max: float) -> str:
    """Bands of 5 % of the score scale ('0.85-0.90' on a 0-1 scale, '85-90' on 0-100)."""
    if score is None:
        return "none"
    width = scale_max / 20
    lo = min(math.floor(score / width + 1e-9), 19) * width  # 0.95 / 0.05 is 18.999...
    fmt = "{:.2f}" if scale_max <= 1.0 else "{:g}"
    return f"{fmt.format(lo)}-{fmt.format(lo + width)}"


def scale_of(rows: list[MatchRow]) -> float:
    top = max((r.score for r in rows if r.score is not None), default=1.0)
    return 1.0 if top <= 1.0 + 1e-9 else 100.0


def _level_rank(level: str | None) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def stratum(r: MatchRow) -> str | None:
    return UNMATCHED if r.match_type == "no_match" else r.confidence


def draw_sample(rows: list[MatchRow], size: int, *, reviewed: set[str] = frozenset(),
                include_reviewed: bool = False, seed: int = 0) -> list[MatchRow]:
    """Pure: the sample, most played first."""
    rng = random.Random(seed)
    pool = [r for r in rows if include_reviewed or r.track_key not in reviewed]
    scale = scale_of(pool) if pool else 1.0
    # One queue per level: bands take turns, each band in weighted-random order.
    by_level: dict[str | None, dict[str, list[tuple[float, MatchRow]]]] = {}
    for r in sorted(pool, key=lambda r: r.track_key):  # input order must not change the draw
        u = rng.random() or 1e-12
        prio = math.log(u) / max(r.plays, 1)  # larger is drawn first
        by_level.setdefault(stratum(r), {}).setdefault(score_band(r.score, scale), []).append((prio, r))
    queues: dict[str | None, list[MatchRow]] = {}
    for level, bands in by_level.items():
        ordered = [[r for _, r in sorted(b, key=lambda p: -p[0])] for _, b in sorted(bands.items(), reverse=True)]
        queue: list[MatchRow] = []
        for i in range(max(len(b) for b in ordered)):
            queue.extend(b[i] for b in ordered if i < len(b))
        queues[level] = queue
    # Equal shares per level; what a small level cannot use goes to the others.
    quotas = {lvl: 0 for lvl in queues}
    left = size
    open_levels = sorted(queues, key=_level_rank)
    while left > 0 and open_levels:
        share, extra = divmod(left, len(open_levels))
        for i, lvl in enumerate(list(open_levels)):
            want = share + (1 if i < extra else 0)
            take = min(want, len(queues[lvl]) - quotas[lvl])
            quotas[lvl] += take
            left -= take
            if quotas[lvl] >= len(queues[lvl]):
                open_levels.remove(lvl)
    chosen = [r for lvl, q in queues.items() for r in q[: quotas[lvl]]]
    return sorted(chosen, key=lambda r: (-r.plays, _level_rank(stratum(r)), r.track_key))


# --- reading the warehouse ---------------------------------------------------------

def current_matcher_version(conn) -> str | None:
    """The matcher version of the newest match row: the one dbt builds from."""
    cur = conn.cursor()
    cur.execute(f"SELECT matcher_version FROM {RAW_MATCHING}.track_matches "
                "ORDER BY matched_at DESC, matcher_version DESC LIMIT 1")
    row = cur.fetchone()
    return None if row is None else str(row[0])


def load_matches(conn, matcher_version: str | None = None, *, matched_only: bool = True) -> list[MatchRow]:
    """The match table of one matcher version with play counts from raw_lastfm.scrobbles."""
    version = matcher_version or current_matcher_version(conn)
    if version is None:
        return []
    where = "AND m.match_type <> 'no_match'" if matched_only else ""
    cur = conn.cursor()
    cur.execute(f"""
        SELECT m.track_key, CAST(m.matcher_version AS VARCHAR), m.artist_name, m.album_name, m.track_name,
               m.match_type, m.confidence, m.score, m.artist_score, m.album_score, m.track_score,
               m.aoty_album_id, m.aoty_track_id, m.reason, COALESCE(p.plays, 0)
        FROM {RAW_MATCHING}.track_matches m
        LEFT JOIN (SELECT track_key, COUNT(*) AS plays FROM {RAW_LASTFM}.scrobbles GROUP BY track_key) p
          ON p.track_key = m.track_key
        WHERE CAST(m.matcher_version AS VARCHAR) = {placeholder(conn)} {where}""", [version])
    return [MatchRow(
        track_key=r[0], matcher_version=r[1], artist_name=r[2], album_name=r[3], track_name=r[4],
        match_type=r[5], confidence=r[6], score=as_float(r[7]), artist_score=as_float(r[8]),
        album_score=as_float(r[9]), track_score=as_float(r[10]), aoty_album_id=as_int(r[11]),
        aoty_track_id=as_int(r[12]), reason=r[13], plays=int(r[14]),
    ) for r in cur.fetchall()]
