"""Calibration: a hand-built case for the threshold rule, the generated world with a
held-out half, and the reviewed verdicts as the source."""
import json

import pytest

from ingest.match.thresholds import Thresholds
from ingest.review import calibrate
from ingest.review.calibrate import Point, holdout, propose
from ingest.review.session import ReviewSession


def _pts(prefix: int, n: int, score: float, wrong: int, eligible: bool = True) -> list[Point]:
    return [Point(f"{prefix:04x}{i:028x}", score, i >= wrong, eligible) for i in range(n)]


def test_propose_hand_built_case():
    points = (_pts(1, 200, 1.00, 1)           # high: 199/200
              + _pts(2, 100, 0.95, 0)         # high: 299/300 = 99.7 %
              + _pts(3, 100, 0.90, 10)        # would bring high to 389/400 = 97.3 %: stop at 0.95
              + _pts(4, 40, 0.97, 0, eligible=False)  # ineligible for high whatever the score: medium
              + _pts(5, 40, 0.85, 10)         # medium with it: 160/180 = 88.9 % < 90 %; alone 75 %: low
              + _pts(6, 50, 0.80, 20))        # low with it: 60/90 = 66.7 %: stop at 0.85
    p = propose(points, {"high": 0.99, "medium": 0.90, "low": 0.75}, {"high": 0.93, "medium": 0.85, "low": 0.75})
    assert p.thresholds == {"high": 0.95, "medium": 0.90, "low": 0.85}
    assert p.reached == {"high": True, "medium": True, "low": True}
    assert p.fit_count == {"high": 300, "medium": 140, "low": 40}
    assert p.fit_precision["high"] == pytest.approx(299 / 300)
    assert p.fit_precision["medium"] == pytest.approx(130 / 140)
    assert p.fit_precision["low"] == pytest.approx(0.75)


def test_unreachable_target_is_reported_not_invented():
    p = propose(_pts(1, 100, 0.99, 20), {"high": 0.99, "medium": 0.9, "low": 0.75},
                {"high": 0.93, "medium": 0.85, "low": 0.75})
    assert p.reached["high"] is False and p.thresholds["high"] >= 0.99


def test_world_calibration_reaches_target_on_held_out_half(tmp_path, env_for, warehouse, capsys):
    env_for(warehouse)
    th_file = tmp_path / "thresholds.json"
    Thresholds().save(th_file)
    assert calibrate.main(["--world-seed", "7", "--thresholds", str(th_file), "--report-dir", str(tmp_path),
                           "--apply"]) == 0
    out = capsys.readouterr().out
    assert "held out" in out and "<- high" in out
    figures = json.loads((tmp_path / "calibration.json").read_text())
    held = figures["held_out"]["high"]
    assert held["n"] > 300 and held["precision"] >= 0.99 and held["reaches_target"]
    applied = Thresholds.load(th_file)
    assert applied.track_high == pytest.approx(figures["proposed"]["high"], abs=1e-4)
    assert applied.track_medium == pytest.approx(figures["proposed"]["medium"], abs=1e-4)
    assert applied.track_high_title == Thresholds().track_high_title  # untouched settings stay
    svg = (tmp_path / "calibration.svg").read_text()
    assert svg.startswith("<svg") and "precision (high)" in svg


def test_holdout_split_is_about_half():
    keys = [f"{i * 7919:032x}" for i in range(2000)]
    assert 900 < sum(holdout(k) for k in keys) < 1100


def test_calibration_from_reviews(tmp_path, env_for, warehouse, capsys):
    env_for(warehouse)
    th_file = tmp_path / "thresholds.json"
    Thresholds().save(th_file)
    assert calibrate.main(["--thresholds", str(th_file), "--report-dir", str(tmp_path)]) == 1
    assert "no labelled track matches" in capsys.readouterr().err
    session = ReviewSession.load(warehouse, size=40, reviewer="ann")
    tracks = [it for it in session.items if it["match"]["match_type"] == "track_match"]
    session.record([session.verdict_for(it["key"], "accept" if i % 10 else "reject") for i, it in enumerate(tracks)])
    assert calibrate.main(["--thresholds", str(th_file), "--report-dir", str(tmp_path)]) == 0
    figures = json.loads((tmp_path / "calibration.json").read_text())
    assert figures["source"] == "reviewed verdicts"
    assert sum(f["n"] for f in figures["fit"].values()) <= len(tracks)
    assert "dry run" in capsys.readouterr().out
    assert Thresholds.load(th_file) == Thresholds()  # no --apply, nothing written
