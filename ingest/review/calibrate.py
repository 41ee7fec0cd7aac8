"""Calibration: propose the matcher's score thresholds per confidence level from
labelled matches, so that each level reaches a target precision.

Labels come from the reviewed verdicts (`ops.match_reviews` against the current
`raw_matching.track_matches`), or, with `--world`/`--world-seed`, from the
generated world's ground truth: the real matcher is run over the world's
spellings with its lower floors opened up, so the curve below today's
thresholds is seen too, and the spellings are split in two by a hash of their
track_key: thresholds are fitted on one half and their precision is reported
on the other (held-out) half.

The thresholds tuned are the track-match ones in the matcher's thresholds.json
(`track_high`, `track_medium`, `track_low`): a track match is `high` when its
score reaches `track_high` *and* its title and artist similarities reach
`track_high_title` and `artist_high` (those two stay as configured), `medium`
from `track_medium`, `low` from `track_low`, and below that it is no track match.
Each level's precision is that of its own band, so "medium" means what it says.

    python -m ingest.match calibrate [--world-seed 7] [--target-high 0.99] [--apply]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from .quality import wilson_interval

LEVELS = ("high", "medium", "low")
DEFAULT_TARGETS = {"high": 0.99, "medium": 0.90, "low": 0.75}
MIN_SUPPORT = 30  # a threshold's precision is only held against the target from this many matches on
FLOOR = 0.5  # the lowest track_low ever proposed


@dataclass(frozen=True)
class Point:
    """One labelled track match."""
    track_key: str
    score: float
    correct: bool
    high_eligible: bool  # title and artist similarities allow `high`


@dataclass(frozen=True)
class Proposal:
    thresholds: dict[str, float]  # level -> score threshold
    reached: dict[str, bool]  # did the level reach its target on the fitting data
    fit_precision: dict[str, float | None]
    fit_count: dict[str, int]


def holdout(track_key: str) -> bool:
    """The held-out half: decided by the key's hash, so the split is stable across runs."""
    return int(track_key[-4:], 16) % 2 == 1


def classify(p: Point, th: dict[str, float]) -> str | None:
    if p.score >= th["high"] and p.high_eligible:
        return "high"
    if p.score >= th["medium"]:
        return "medium"
    if p.score >= th["low"]:
        return "low"
    return None


def _lowest_stable(scores_correct: list[tuple[float, bool]], target: float, upper_ok: bool = True) -> float | None:
    """The lowest threshold t such that the set {score >= t} reaches the target precision,
    and so does every smaller set above it that has MIN_SUPPORT matches (a dip in between
    would mean the target is met only by averaging over it)."""
    pts = sorted(scores_correct, key=lambda x: -x[0])
    best, n, k, i = None, 0, 0, 0
    while i < len(pts):
        t = pts[i][0]
        while i < len(pts) and pts[i][0] == t:
            n += 1
            k += pts[i][1]
            i += 1
        ok = k / n >= target
        if not ok and n >= MIN_SUPPORT:
            break
        if ok:
            best = t
    return best


def propose(points: list[Point], targets: dict[str, float], current: dict[str, float],
            floor: float = FLOOR) -> Proposal:
    """Pure: thresholds from high down, each level's band reaching its target."""
    th, reached = dict(current), {}
    # high: the best eligible matches.
    t = _lowest_stable([(p.score, p.correct) for p in points if p.high_eligible], targets["high"])
    reached["high"] = t is not None
    th["high"] = t if t is not None else max(current["high"], max((p.score for p in points), default=1.0))
    # medium: what is left above its threshold (including ineligible high scores).
    rest = [(p.score, p.correct) for p in points if not (p.high_eligible and p.score >= th["high"])]
    t = _lowest_stable(rest, targets["medium"])
    reached["medium"] = t is not None
    th["medium"] = min(t, th["high"]) if t is not None else th["high"]
    # low: the band below medium.
    band = [(s, c) for s, c in rest if s < th["medium"]]
    t = _lowest_stable(band, targets["low"]) if band else None
    reached["low"] = t is not None
    th["low"] = max(floor, min(t, th["medium"])) if t is not None else th["medium"]
    n, k = level_counts(points, th)
    return Proposal(th, reached, {lvl: (k[lvl] / n[lvl] if n[lvl] else None) for lvl in LEVELS}, n)


def level_counts(points: list[Point], th: dict[str, float]) -> tuple[dict[str, int], dict[str, int]]:
    """Matches and correct matches per level under thresholds `th`."""
    n = {lvl: 0 for lvl in LEVELS}
    k = {lvl: 0 for lvl in LEVELS}
    for p in points:
        lvl = classify(p, th)
        if lvl:
            n[lvl] += 1
            k[lvl] += p.correct
    return n, k


def tradeoff(points: list[Point], steps: list[float]) -> list[dict]:
    """Precision/recall of `high` and of all admitted track matches at each threshold."""
    total_correct = sum(p.correct for p in points) or 1
    rows = []
    for t in steps:
        hi = [p for p in points if p.high_eligible and p.score >= t]
        adm = [p for p in points if p.score >= t]
        rows.append({
            "threshold": t,
            "high_n": len(hi), "high_precision": _prec(hi), "high_recall": sum(p.correct for p in hi) / total_correct,
            "admitted_n": len(adm), "admitted_precision": _prec(adm),
            "admitted_recall": sum(p.correct for p in adm) / total_correct,
        })
    return rows


def _prec(ps: list[Point]) -> float | None:
    return sum(p.correct for p in ps) / len(ps) if ps else None


def default_steps(points: list[Point], proposal: Proposal) -> list[float]:
    lo = min((p.score for p in points), default=0.8)
    grid = [round(x / 100, 2) for x in range(100, int(lo * 100) - 1, -3)]
    return sorted(set(grid + [round(v, 4) for v in proposal.thresholds.values()]), reverse=True)


# --- labelled points from the two sources -------------------------------------------

def points_from_world(world, thresholds) -> list[Point]:
    """Run the real matcher over every spelling of the world, floors opened, and label by truth."""
    from ingest.keys import track_key
    from ingest.match.catalog import Catalog
    from ingest.match.matcher import LastfmTrackRef, Matcher

    open_th = dataclasses.replace(thresholds, track_low=min(thresholds.track_low, FLOOR),
                                  track_min_title=min(thresholds.track_min_title, 0.6))
    refs = [LastfmTrackRef(track_key(s.artist, s.album, s.track), s.artist, s.album, s.track) for s in world.spellings]
    results = Matcher(Catalog.from_world(world), open_th).match(refs)
    points = []
    for s, r in zip(world.spellings, results):
        if r.match_type != "track_match":
            continue
        points.append(Point(
            r.track_key, float(r.score), int(r.track_id) in s.acceptable_track_ids,
            (r.track_score or 0) >= thresholds.track_high_title and (r.artist_score or 0) >= thresholds.artist_high))
    return points


def points_from_reviews(settings, thresholds) -> list[Point]:
    from ingest.config import connect

    from .quality import review_label
    from .sample import load_matches
    from .store import ReviewStore

    conn = connect(settings)
    try:
        verdicts = ReviewStore(settings, conn).all()
        matches = {m.track_key: m for m in load_matches(conn)}
    finally:
        conn.close()
    points = []
    for v in verdicts:
        m = matches.get(v.track_key)
        label = review_label(v, m)
        if m is None or label is None or m.match_type != "track_match" or m.score is None:
            continue
        points.append(Point(v.track_key, m.score, label,
                            (m.track_score or 0) >= thresholds.track_high_title
                            and (m.artist_score or 0) >= thresholds.artist_high))
    return points


# --- output -------------------------------------------------------------------------

def _f(x: float | None, pct: bool = True) -> str:
    if x is None:
        return "–"
    return f"{100 * x:6.2f}%" if pct else f"{x:.4f}"


def table_lines(rows: list[dict], proposal: Proposal) -> list[str]:
    marks = {round(v, 4): k for k, v in proposal.thresholds.items()}
    out = [f"{'threshold':>9}  {'high n':>6} {'high prec':>9} {'high rec':>8}   {'adm n':>6} {'adm prec':>8} {'adm rec':>8}"]
    for r in rows:
        mark = f"  <- {marks[round(r['threshold'], 4)]}" if round(r["threshold"], 4) in marks else ""
        out.append(f"{r['threshold']:>9.4f}  {r['high_n']:>6} {_f(r['high_precision']):>9} {_f(r['high_recall']):>8}"
                   f"   {r['admitted_n']:>6} {_f(r['admitted_precision']):>8} {_f(r['admitted_recall']):>8}{mark}")
    return out


def svg_plot(rows: list[dict], proposal: Proposal, title: str) -> str:
    """Precision and recall against the threshold, proposed thresholds as vertical lines."""
    w, h, m = 640, 360, 50
    xs = [r["threshold"] for r in rows] or [0.0, 1.0]
    x0, x1 = min(xs), max(xs)
    x1 = x1 if x1 > x0 else x0 + 1e-6
    series = [("high_precision", "#c0392b", "precision (high)"), ("high_recall", "#e67e22", "recall (high)"),
              ("admitted_precision", "#2c3e50", "precision (admitted)"), ("admitted_recall", "#27ae60", "recall (admitted)")]
    # Zoom the y axis on where the curves are: a precision of 0.99 vs 0.995 matters.
    values = [r[k] for r in rows for k, _, _ in series if r[k] is not None] or [0.0]
    y0 = max(0.0, math.floor(min(values) * 20) / 20 - 0.05)
    px = lambda x: m + (x - x0) / (x1 - x0) * (w - 2 * m)  # noqa: E731
    py = lambda y: h - m - (y - y0) / (1 - y0) * (h - 2 * m)  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<text x="{m}" y="20" font-size="13">{_esc(title)}</text>',
             f'<line x1="{m}" y1="{py(y0)}" x2="{w - m}" y2="{py(y0)}" stroke="#888"/>',
             f'<line x1="{m}" y1="{py(y0)}" x2="{m}" y2="{py(1)}" stroke="#888"/>']
    for i in range(6):
        y = y0 + (1 - y0) * i / 5
        parts.append(f'<text x="{m - 6}" y="{py(y) + 4}" text-anchor="end">{y:.2f}</text>'
                     f'<line x1="{m}" y1="{py(y)}" x2="{w - m}" y2="{py(y)}" stroke="#eee"/>')
    for x in sorted({xs[0], xs[-1], *(xs[:: max(1, len(xs) // 6)])}):
        parts.append(f'<text x="{px(x)}" y="{h - m + 16}" text-anchor="middle">{x:.2f}</text>')
    parts.append(f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">score threshold</text>')
    at: dict[float, list[str]] = {}
    for level, t in proposal.thresholds.items():
        at.setdefault(round(t, 4), []).append(level)
    for t, levels in at.items():
        if x0 <= t <= x1:
            parts.append(f'<line x1="{px(t)}" y1="{py(y0)}" x2="{px(t)}" y2="{py(1)}" stroke="#999" stroke-dasharray="4 3"/>'
                         f'<text x="{px(t) + 3}" y="{py(1) - 4}">{"/".join(levels)} {t:g}</text>')
    for i, (key, colour, label) in enumerate(series):
        pts = " ".join(f"{px(r['threshold']):.1f},{py(r[key]):.1f}" for r in rows if r[key] is not None)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<text x="{m + 10}" y="{py(y0) - 60 + 14 * i}" fill="{colour}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;")


# --- CLI ---------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ingest.match calibrate", description=(
        "Propose the matcher's score thresholds per confidence level from reviewed verdicts "
        "(or the generated world's ground truth) and optionally write them to its thresholds file."))
    p.add_argument("--world-seed", type=int, default=None, help="label with the ground truth of the world of this seed")
    p.add_argument("--world", choices=("demo", "bench"), default=None,
                   help="size of that world (default demo; implies --world-seed 7 when no seed is given)")
    p.add_argument("--target-high", type=float, default=DEFAULT_TARGETS["high"])
    p.add_argument("--target-medium", type=float, default=DEFAULT_TARGETS["medium"])
    p.add_argument("--target-low", type=float, default=DEFAULT_TARGETS["low"])
    p.add_argument("--thresholds", type=Path, default=None,
                   help="the matcher's thresholds file (default ingest/match/thresholds.json)")
    p.add_argument("--report-dir", type=Path, default=None, help="where the plot and JSON go (default DATA_DIR/reports)")
    p.add_argument("--apply", action="store_true", help="write the proposed thresholds to the thresholds file")
    return p


def main(argv: list[str] | None = None) -> int:
    from ingest.config import ConfigError, Settings
    from ingest.match.thresholds import Thresholds

    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    targets = {"high": args.target_high, "medium": args.target_medium, "low": args.target_low}
    for level, t in targets.items():
        if not 0 < t <= 1:
            print(f"error: --target-{level} {t} must be a precision in (0, 1], e.g. 0.99", file=sys.stderr)
            return 2
    try:
        settings = Settings.from_env()
        thresholds = Thresholds.load(args.thresholds)
    except (ConfigError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    current = {"high": thresholds.track_high, "medium": thresholds.track_medium, "low": thresholds.track_low}
    use_world = args.world_seed is not None or args.world is not None
    if use_world:
        from ingest.sandbox.world import WorldConfig, generate_world

        seed = 7 if args.world_seed is None else args.world_seed
        cfg = WorldConfig.bench(seed=seed) if args.world == "bench" else WorldConfig.demo(seed=seed)
        print(f"matching the generated world ({args.world or 'demo'}, seed {seed}) ...", file=sys.stderr)
        points = points_from_world(generate_world(cfg), thresholds)
        source = f"world {args.world or 'demo'} seed {seed}"
        fit = [p for p in points if not holdout(p.track_key)]
        held = [p for p in points if holdout(p.track_key)]
    else:
        try:
            points = points_from_reviews(settings, thresholds)
        except Exception as e:  # no match table yet, or the warehouse is unreachable
            print(f"error: cannot read reviews and matches from the warehouse ({type(e).__name__}: {e}); "
                  "run the pipeline and review some matches first (python -m ingest review), "
                  "or calibrate on the generated world with --world-seed 7", file=sys.stderr)
            return 1
        source = "reviewed verdicts"
        fit, held = points, []
    if not fit:
        print(f"error: no labelled track matches from {source}; review some matches first "
              "(python -m ingest review) or use --world-seed 7", file=sys.stderr)
        return 1
    # From reviews there is no evidence below what the matcher admits today: never propose lower.
    proposal = propose(fit, targets, current, floor=FLOOR if use_world else current["low"])
    rows = tradeoff(fit, default_steps(fit, proposal))
    print(f"calibration on {source}: {len(fit)} labelled track matches for fitting"
          + (f", {len(held)} held out" if held else ""))
    print("\n".join(table_lines(rows, proposal)))
    print(f"\n{'level':<7}{'current':>9}{'proposed':>10}{'target':>8}{'fit precision':>15}{'n':>7}"
          + (f"{'held-out precision (Wilson 95 %)':>36}{'n':>7}" if held else ""))
    held_n, held_k = level_counts(held, proposal.thresholds)
    summary = {"source": source, "targets": targets, "current": current, "proposed": proposal.thresholds,
               "fit": {}, "held_out": {}}
    for lvl in LEVELS:
        line = (f"{lvl:<7}{current[lvl]:>9.4f}{proposal.thresholds[lvl]:>10.4f}{targets[lvl]:>8.2f}"
                f"{_f(proposal.fit_precision[lvl]):>15}{proposal.fit_count[lvl]:>7}")
        summary["fit"][lvl] = {"precision": proposal.fit_precision[lvl], "n": proposal.fit_count[lvl],
                               "reached": proposal.reached[lvl]}
        if held:
            n, k = held_n[lvl], held_k[lvl]
            prec = k / n if n else None
            lo, hi = wilson_interval(k, n)
            line += f"{_f(prec):>14} [{_f(lo)}, {_f(hi)}]{n:>7}"
            summary["held_out"][lvl] = {"precision": prec, "n": n, "correct": k, "wilson_low": lo, "wilson_high": hi,
                                        "reaches_target": prec is not None and prec >= targets[lvl]}
        if not proposal.reached[lvl]:
            line += "   (target not reached: kept as strict as the data allows)"
        print(line)
    report_dir = args.report_dir or settings.data_dir / "reports"
    report_dir.mkdir(parents=True, exist_ok=True)
    svg = report_dir / "calibration.svg"
    svg.write_text(svg_plot(rows, proposal, f"Matcher calibration ({source})"))
    (report_dir / "calibration.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nplot: {svg}\nfigures: {report_dir / 'calibration.json'}")
    if args.apply:
        new = dataclasses.replace(thresholds, track_high=round(proposal.thresholds["high"], 4),
                                  track_medium=round(proposal.thresholds["medium"], 4),
                                  track_low=round(proposal.thresholds["low"], 4))
        path = new.save(args.thresholds)
        print(f"applied: {path} now has track_high={new.track_high}, track_medium={new.track_medium}, "
              f"track_low={new.track_low}; re-run the match stage (no re-fetching) to re-classify")
    else:
        print("dry run: pass --apply to write these thresholds to the matcher's configuration")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
