"""Measured quality: per confidence level, the precision of the current matches
estimated from the reviewed sample, with a Wilson 95 % interval.

A verdict says something about the *current* match of its key only when it is
about the same answer: an `accept`/`pick` of exactly the current ids makes it
right; `not_on_aoty`, a `reject` of the ids still shown, or a `pick` that
replaced the ids still shown make it wrong; anything else (the matcher changed
its answer since the review) says nothing and is counted as stale.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass

from .sample import LEVEL_ORDER, MatchRow
from .store import Verdict

Z95 = 1.959963984540054
MIN_REVIEWS = 20


def wilson_interval(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion; (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = correct / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def review_label(v: Verdict, current: MatchRow | None) -> bool | None:
    """Is the current match of the key right, according to the verdict? None: cannot say."""
    if current is None or current.match_type == "no_match":
        return None
    cur = (current.aoty_album_id, current.aoty_track_id)
    chosen = (v.chosen_album_id, v.chosen_track_id)
    seen = (v.seen_album_id, v.seen_track_id)
    if v.verdict == "not_on_aoty":
        return False
    if v.verdict in ("accept", "pick") and chosen == cur:
        return True
    if v.verdict in ("reject", "pick") and seen == cur:
        return False
    return None


@dataclass(frozen=True)
class LevelQuality:
    confidence: str
    reviewed: int  # verdicts that decide the current match
    correct: int
    precision: float | None
    ci_low: float | None
    ci_high: float | None
    stale: int  # verdicts about an answer the matcher no longer gives
    matches: int  # current matches at this level
    world_precision: float | None = None  # the same figure measured on the generated world
    warning: str | None = None


def level_quality(matches: list[MatchRow], verdicts: list[Verdict],
                  world_precision: dict[str, float] | None = None,
                  min_reviews: int = MIN_REVIEWS) -> list[LevelQuality]:
    """One row per confidence level (high, medium, low), for the run summary."""
    by_key = {m.track_key: m for m in matches}
    counts = {lvl: [0, 0, 0] for lvl in LEVEL_ORDER}  # reviewed, correct, stale
    for v in verdicts:
        m = by_key.get(v.track_key)
        if m is None or m.confidence not in counts or m.match_type == "no_match":
            continue
        label = review_label(v, m)
        c = counts[m.confidence]
        if label is None:
            c[2] += 1
        else:
            c[0] += 1
            c[1] += int(label)
    sizes = {lvl: sum(1 for m in matches if m.confidence == lvl and m.match_type != "no_match") for lvl in LEVEL_ORDER}
    rows = []
    for lvl in LEVEL_ORDER:
        n, k, stale = counts[lvl]
        lo, hi = wilson_interval(k, n) if n else (None, None)
        warning = None
        if n < min_reviews:
            warning = (f"only {n} reviewed {lvl} match{'es' if n != 1 else ''}: too few to say much "
                       f"(review at least {min_reviews}: python -m ingest review)")
        rows.append(LevelQuality(lvl, n, k, k / n if n else None, lo, hi, stale, sizes[lvl],
                                 (world_precision or {}).get(lvl), warning))
    return rows


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def summary_lines(rows: list[LevelQuality]) -> list[str]:
    """Plain text for the run summary."""
    out = ["precision by confidence level (reviewed sample, Wilson 95 %):"]
    for r in rows:
        ci = "" if r.ci_low is None else f" [{_pct(r.ci_low)}, {_pct(r.ci_high)}]"
        world = "" if r.world_precision is None else f"; world {_pct(r.world_precision)}"
        out.append(f"  {r.confidence:<6} {_pct(r.precision)}{ci}  n={r.reviewed}/{r.matches}{world}")
    out += [f"  warning: {r.warning}" for r in rows if r.warning]
    return out


def html_fragment(rows: list[LevelQuality]) -> str:
    """A <section> for the evaluation report."""
    show_world = any(r.world_precision is not None for r in rows)
    head = "<tr><th>confidence</th><th>reviewed</th><th>correct</th><th>precision</th><th>95 % interval (Wilson)</th>"
    head += "<th>matches</th><th>stale reviews</th>" + ("<th>world precision</th>" if show_world else "") + "</tr>"
    body = []
    for r in rows:
        ci = "–" if r.ci_low is None else f"{_pct(r.ci_low)} – {_pct(r.ci_high)}"
        cells = [r.confidence, str(r.reviewed), str(r.correct), _pct(r.precision), ci, str(r.matches), str(r.stale)]
        if show_world:
            cells.append(_pct(r.world_precision))
        cls = ' class="warn"' if r.warning else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    warnings = "".join(f'<p class="warn">{html.escape(r.warning)}</p>' for r in rows if r.warning)
    return ('<section class="review-quality"><h2>Measured precision (reviewed sample)</h2>'
            f"<table>{head}{''.join(body)}</table>{warnings}</section>")


def measure(settings, world_precision: dict[str, float] | None = None,
            matcher_version: str | None = None) -> list[LevelQuality]:
    """Read the current matches and the verdicts from the warehouse and measure."""
    from ingest.config import connect

    from .sample import load_matches
    from .store import ReviewStore

    from ingest.config import RAW_MATCHING

    from .db import table_exists

    conn = connect(settings)
    try:
        verdicts = ReviewStore(settings, conn).all()
        # Before the first match stage there is nothing to measure: every level says so.
        matches = load_matches(conn, matcher_version) if table_exists(conn, RAW_MATCHING, "track_matches") else []
    finally:
        conn.close()
    return level_quality(matches, verdicts, world_precision)


def world_precision(world, thresholds=None) -> dict[str, float]:
    """Precision per confidence level of the real matcher on a generated world, from its
    ground truth: the figure the report shows next to the reviewed estimate.
    Track matches count as right when the track is an acceptable one, album matches when
    the album is the true one (or carries an acceptable track); artist matches are left
    out (the world does not say which spellings only name the artist rightly)."""
    from ingest.keys import track_key
    from ingest.match.catalog import Catalog
    from ingest.match.matcher import LastfmTrackRef, Matcher

    refs = [LastfmTrackRef(track_key(s.artist, s.album, s.track), s.artist, s.album, s.track) for s in world.spellings]
    results = Matcher(Catalog.from_world(world), thresholds).match(refs)
    n = {lvl: 0 for lvl in LEVEL_ORDER}
    k = {lvl: 0 for lvl in LEVEL_ORDER}
    for s, r in zip(world.spellings, results):
        if r.match_type == "track_match":
            right = int(r.track_id) in s.acceptable_track_ids
        elif r.match_type == "album_match":
            albums = {world.tracks[t].album_id for t in s.acceptable_track_ids} | {s.truth_album_id}
            right = int(r.album_id) in albums
        else:
            continue
        n[r.confidence] += 1
        k[r.confidence] += right
    return {lvl: k[lvl] / n[lvl] for lvl in LEVEL_ORDER if n[lvl]}
