"""Precision estimates checked against hand-computed Wilson intervals."""
from datetime import datetime, timezone

import pytest

from ingest.review.quality import html_fragment, level_quality, review_label, summary_lines, wilson_interval
from ingest.review.sample import MatchRow
from ingest.review.store import Verdict


def test_wilson_interval_hand_computed():
    # 18 of 20, z = 1.96: centre (0.9 + 0.0960365) / 1.1920729 = 0.835553,
    # half-width 1.959964 * sqrt(0.0045 + 0.0024009) / 1.1920729 = 0.136584.
    lo, hi = wilson_interval(18, 20)
    assert lo == pytest.approx(0.698969, abs=1e-5)
    assert hi == pytest.approx(0.972137, abs=1e-5)
    # 0 of 10: the interval starts at 0 and reaches 2 * (z²/2n) / (1 + z²/n) = 0.277532.
    lo, hi = wilson_interval(0, 10)
    assert lo == pytest.approx(0.0, abs=1e-12)
    assert hi == pytest.approx(0.277532, abs=1e-5)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def _match(i: int, confidence: str, album: int = 1, track: int | None = 10) -> MatchRow:
    return MatchRow(f"{i:032x}", "m1", "A", "B", "C", "track_match", confidence, 0.95, 1.0, 1.0, 0.9,
                    album, track, None, plays=3)


def _verdict(i: int, verdict: str, chosen=(None, None), seen=(1, 10)) -> Verdict:
    return Verdict(f"{i:032x}", verdict, chosen[0], chosen[1], "ann", datetime(2026, 1, 1, tzinfo=timezone.utc), "m1",
                   seen[0], seen[1], 0.95, "high")


def test_review_labels():
    m = _match(1, "high")
    assert review_label(_verdict(1, "accept", (1, 10)), m) is True
    assert review_label(_verdict(1, "pick", (1, 10), seen=(2, 20)), m) is True  # the new matcher found the pick
    assert review_label(_verdict(1, "pick", (2, 20)), m) is False
    assert review_label(_verdict(1, "reject"), m) is False
    assert review_label(_verdict(1, "reject", seen=(2, 20)), m) is None  # rejected another answer: stale
    assert review_label(_verdict(1, "accept", (2, 20), seen=(2, 20)), m) is None
    assert review_label(_verdict(1, "not_on_aoty"), m) is False


def test_level_quality_hand_computed_case():
    # high: 20 reviewed, 18 right -> 90 % [69.90 %, 97.21 %]; medium: 3 of 4 with a stale one; low: none.
    matches = [_match(i, "high") for i in range(30)] + [_match(100 + i, "medium") for i in range(5)]
    verdicts = [_verdict(i, "accept", (1, 10)) for i in range(18)] + [_verdict(18, "reject"), _verdict(19, "not_on_aoty")]
    verdicts += [_verdict(100 + i, "accept", (1, 10)) for i in range(3)] + [_verdict(103, "pick", (3, 30))]
    verdicts += [_verdict(104, "reject", seen=(9, 90))]
    rows = {r.confidence: r for r in level_quality(matches, verdicts, world_precision={"high": 0.997})}
    high, medium, low = rows["high"], rows["medium"], rows["low"]
    assert (high.reviewed, high.correct, high.matches) == (20, 18, 30)
    assert high.precision == pytest.approx(0.9)
    assert (high.ci_low, high.ci_high) == (pytest.approx(0.698969, abs=1e-5), pytest.approx(0.972137, abs=1e-5))
    assert high.warning is None
    assert (medium.reviewed, medium.correct, medium.stale) == (4, 3, 1)
    assert "too few" in medium.warning
    assert low.reviewed == 0 and low.precision is None and "too few" in low.warning
    text = "\n".join(summary_lines(list(rows.values())))
    assert "90.0 % [69.9 %, 97.2 %]  n=20/30; world 99.7 %" in text
    fragment = html_fragment(list(rows.values()))
    assert "<td>69.9 % – 97.2 %</td>" in fragment and "world precision" in fragment
    assert fragment.count('class="warn"') == 4  # two rows and their two warnings


def test_world_precision_per_level(world):
    from ingest.review.quality import world_precision

    figures = world_precision(world)
    assert set(figures) <= {"high", "medium", "low"} and "high" in figures
    assert 0.95 <= figures["high"] <= 1.0


def test_measure_on_an_empty_warehouse_warns_every_level(tmp_path):
    from ingest.config import Settings
    from ingest.review.quality import measure

    rows = measure(Settings(duckdb_path=tmp_path / "empty.duckdb", data_dir=tmp_path))
    assert [r.confidence for r in rows] == ["high", "medium", "low"]
    assert all(r.reviewed == 0 and r.warning for r in rows)
