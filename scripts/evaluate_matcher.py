"""Score the matcher on the offline world's ground truth.

    .venv/bin/python scripts/evaluate_matcher.py                       # 25k distinct spellings
    .venv/bin/python scripts/evaluate_matcher.py --spellings 50000 --artists 3000 --out reports/m.html

Correctness: a predicted track match is correct iff its track id is one of the spelling's
acceptable track ids; a spelling with no acceptable id (artist/album not on AOTY, or a
live/demo/acoustic version) is handled correctly iff it is not predicted as a track match.
Album-level correctness (the album id of track and album matches) is reported separately.
Prints precision/recall/F1 overall, per confidence level and per noise kind, and writes an
HTML report with a score histogram of true matches vs true non-matches.
"""
from __future__ import annotations

import argparse
import html
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

from ingest.match.catalog import Catalog  # noqa: E402
from ingest.match.matcher import LastfmTrackRef, Matcher, MatchResult  # noqa: E402
from ingest.match.thresholds import Thresholds  # noqa: E402
from ingest.sandbox.model import Spelling  # noqa: E402
from ingest.sandbox.spellings import sample_spellings  # noqa: E402
from ingest.sandbox.world import World, WorldConfig, generate_world  # noqa: E402


@dataclass
class Counts:
    n: int = 0
    tp: int = 0  # predicted track match, correct
    fp: int = 0  # predicted track match, wrong
    fn: int = 0  # has a right answer, not predicted correctly
    tn: int = 0  # no right answer, not predicted as track match

    def add(self, s: Spelling, r: MatchResult) -> None:
        self.n += 1
        acceptable = set(s.acceptable_track_ids)
        if r.match_type == "track_match":
            if r.track_id in acceptable:
                self.tp += 1
            else:
                self.fp += 1
                if acceptable:
                    self.fn += 1
        elif acceptable:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.n if self.n else 1.0


def evaluate(world: World, spellings: list[Spelling], results: list[MatchResult]) -> dict:
    overall = Counts()
    by_conf: dict[str, Counts] = defaultdict(Counts)
    by_noise: dict[str, Counts] = defaultdict(Counts)
    album_ok = album_n = 0
    live_total = live_track = live_high = 0
    edition_total = edition_ok = 0
    deluxe_parents = {a.edition_of for a in world.albums.values() if a.edition_of}
    for s, r in zip(spellings, results):
        overall.add(s, r)
        if r.match_type == "track_match":
            by_conf[r.confidence].add(s, r)
        for kind in s.noise:
            by_noise[kind].add(s, r)
        # Album level: the album named or implied.
        if s.truth_album_id is not None:
            album_n += 1
            ok_albums = {s.truth_album_id} | {world.tracks[t].album_id for t in s.acceptable_track_ids}
            album_ok += r.album_id in ok_albums and r.match_type in ("track_match", "album_match")
        if "version" in s.noise:
            live_total += 1
            live_track += r.match_type == "track_match"
            live_high += r.match_type == "track_match" and r.confidence == "high"
        if s.truth_album_id is not None and s.truth_track_id is not None and len(s.acceptable_track_ids) == 1:
            album = world.albums[s.truth_album_id]
            if album.edition_of is not None or album.album_id in deluxe_parents:
                edition_total += 1
                edition_ok += r.track_id == s.truth_track_id
    hist: dict[str, Counter] = {"true match": Counter(), "true non-match": Counter()}
    for s, r in zip(spellings, results):
        hist["true match" if s.acceptable_track_ids else "true non-match"][min(int(r.score * 20), 19)] += 1
    return dict(overall=overall, by_conf=dict(by_conf), by_noise=dict(by_noise),
                album=(album_ok, album_n), live=(live_total, live_track, live_high),
                edition=(edition_total, edition_ok), hist=hist,
                types=Counter((r.match_type, r.confidence) for r in results))


def _row(name: str, c: Counts) -> str:
    return (f"{name:<22} {c.n:>7} {c.tp:>7} {c.fp:>6} {c.fn:>6} {c.tn:>6}  "
            f"{c.precision:>7.4f} {c.recall:>7.4f} {c.f1:>7.4f}")


def text_report(ev: dict, meta: dict) -> str:
    head = f"{'':<22} {'n':>7} {'tp':>7} {'fp':>6} {'fn':>6} {'tn':>6}  {'prec':>7} {'recall':>7} {'f1':>7}"
    lines = [f"world seed {meta['seed']}, {meta['artists']} artists, catalog {meta['catalog_tracks']} tracks; "
             f"{meta['n']} distinct spellings matched in {meta['seconds']:.1f} s", "", head,
             _row("overall", ev["overall"]), ""]
    lines.append("predicted track matches per confidence (precision is the figure that matters):")
    for conf in ("high", "medium", "low"):
        if conf in ev["by_conf"]:
            lines.append(_row(f"  {conf}", ev["by_conf"][conf]))
    lines += ["", "per noise kind (a spelling counts under every kind applied to it):"]
    for kind, c in sorted(ev["by_noise"].items(), key=lambda kv: kv[1].accuracy):
        lines.append(_row(f"  {kind}", c) + f"  acc {c.accuracy:.4f}")
    ok, n = ev["album"]
    lines += ["", f"album level: {ok}/{n} = {ok / max(n, 1):.4f} of spellings with a true album get that album"]
    lt, ltr, lh = ev["live"]
    lines.append(f"live/demo/acoustic/remix: {lt} spellings, {ltr} predicted track_match ({lh} high)")
    et, eo = ev["edition"]
    lines.append(f"deluxe/standard: {eo}/{et} = {eo / max(et, 1):.4f} spellings naming an album with editions "
                 f"get the track of the named edition")
    lines += ["", "match types: " + ", ".join(f"{t}/{c} {n}" for (t, c), n in sorted(ev["types"].items()))]
    return "\n".join(lines)


def _svg_histogram(hist: dict[str, Counter]) -> str:
    w, h, pad = 640, 220, 30
    bins = 20
    peak = max([v for c in hist.values() for v in c.values()] or [1])
    bw = (w - 2 * pad) / bins
    colors = {"true match": "#2b8a3e", "true non-match": "#c92a2a"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 40}" role="img">']
    for k, (name, counter) in enumerate(hist.items()):
        for b in range(bins):
            v = counter.get(b, 0)
            bh = (h - pad) * (v ** 0.5) / (peak ** 0.5)  # sqrt scale: the small bars matter most
            x = pad + b * bw + k * bw / 2
            parts.append(f'<rect x="{x:.1f}" y="{h - bh:.1f}" width="{bw / 2 - 1:.1f}" height="{bh:.1f}" '
                         f'fill="{colors[name]}"><title>{name} score {b / bins:.2f}-{(b + 1) / bins:.2f}: {v}</title></rect>')
    for t in range(0, 11, 2):
        x = pad + t / 10 * (w - 2 * pad)
        parts.append(f'<text x="{x:.0f}" y="{h + 15}" font-size="11" text-anchor="middle">{t / 10:.1f}</text>')
    for k, (name, color) in enumerate(colors.items()):
        parts.append(f'<rect x="{pad + k * 150}" y="{h + 24}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{pad + k * 150 + 14}" y="{h + 33}" font-size="11">{name}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html_report(ev: dict, meta: dict, text: str) -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Matcher report</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:60em}}pre{{background:#f6f6f6;padding:1em}}</style>
</head><body><h1>Matcher evaluation</h1>
<p>matcher {html.escape(meta['version'])}, world seed {meta['seed']}, {meta['n']} distinct spellings.
Precision/recall over track matches; a spelling with no AOTY track is right when not matched to a track.</p>
<pre>{html.escape(text)}</pre>
<h2>Score histogram (sqrt scale)</h2><p>score of each spelling's result, by whether an AOTY track is the truth</p>
{_svg_histogram(ev['hist'])}
</body></html>"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spellings", type=int, default=25_000, help="distinct spellings to evaluate (default 25000)")
    ap.add_argument("--artists", type=int, default=1500, help="artists in the generated world (default 1500)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sample-seed", type=int, default=0)
    ap.add_argument("--thresholds", help="thresholds JSON (default: ingest/match/thresholds.json)")
    ap.add_argument("--out", default="reports/matcher_report.html", help="HTML report path")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    world = generate_world(WorldConfig(seed=args.seed, n_artists=args.artists, n_users=3, scrobbles_per_user=500))
    spellings = sample_spellings(world, args.spellings, seed=args.sample_seed)
    catalog = Catalog.from_world(world)
    print(f"world and catalog ready in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    matcher = Matcher(catalog, Thresholds.load(args.thresholds))
    refs = [LastfmTrackRef(str(s.spelling_id), s.artist, s.album, s.track) for s in spellings]
    t1 = time.perf_counter()
    results = matcher.match(refs)
    seconds = time.perf_counter() - t1
    ev = evaluate(world, spellings, results)
    meta = dict(seed=args.seed, artists=args.artists, catalog_tracks=len(catalog), n=len(spellings),
                seconds=seconds, version=matcher.version)
    text = text_report(ev, meta)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html_report(ev, meta, text), encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
