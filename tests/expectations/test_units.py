"""Pure parts of the gate: thresholds from the environment, the suites' SQL per engine, the
failure message, the docs index's latest-run lookup."""
from __future__ import annotations

import pytest

from expectations.report import failure_message, markdown_summary
from expectations.results import ExpectationOutcome, SuiteOutcome, ValidationReport
from expectations.spec import GateConfig, SuiteContext
from expectations.suites import MART_KEYS, build_suites
from ingest.config import ConfigError
from ingest.docs_site import latest_validations


def test_gate_config_from_env_reads_floors_and_names_bad_values():
    cfg = GateConfig.from_env({"GX_MATCH_SHARE_FLOOR": "0.9", "GX_MIN_ROW_RATIO": "0.25"})
    assert cfg.match_share_floor == 0.9 and cfg.min_row_ratio == 0.25
    assert GateConfig.from_env({}).match_share_floor == 0.80
    with pytest.raises(ConfigError, match="GX_MATCH_SHARE_FLOOR='lots'"):
        GateConfig.from_env({"GX_MATCH_SHARE_FLOOR": "lots"})


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_every_mart_has_a_suite_with_key_and_row_count_probes(engine):
    suites = {s.name: s for s in build_suites(SuiteContext(engine=engine, previous_counts={"tracks": 1000}))}
    for mart in MART_KEYS:
        probes = {p.name for p in suites[f"mart_{mart}"].probes}
        assert {"row_count", "key"} <= probes
    tracks_rows = next(p for p in suites["mart_tracks"].probes if p.name == "row_count")
    # the "no sudden drop" floor comes from the last published count
    assert "500 as floor_rows" in tracks_rows.sql
    assert {s.name for s in suites.values() if not s.blocking} == {"raw_freshness", "matching_quality"}
    vec = next(p for p in suites["mart_track_features"].probes if p.name == "values").sql
    assert ("list_transform" in vec) == (engine == "duckdb") and ("unnest" in vec) == (engine == "postgres")


def test_failure_message_names_expectations_and_samples():
    bad = ExpectationOutcome(suite="mart_albums", probe="values", expectation="expect_column_values_to_be_between",
                             column="critic_score", check="critic_score in 0-100", success=False,
                             element_count=10, unexpected_count=1, samples=[{"row_key": "a1", "critic_score": 150}])
    warn = ExpectationOutcome(suite="raw_freshness", probe="last_load", expectation="x", column=None, check="fresh",
                              success=False)
    report = ValidationReport("r1", "duckdb", [SuiteOutcome("mart_albums", True, "", [bad]),
                                               SuiteOutcome("raw_freshness", False, "", [warn])])
    msg = failure_message(report)
    assert "mart_albums.values: expect_column_values_to_be_between(critic_score) [critic_score in 0-100]" in msg
    assert '"critic_score": 150' in msg and "1 offending row(s) of 10" in msg
    assert "raw_freshness" not in msg  # warnings do not block
    md = markdown_summary(report, published=False)
    assert "| mart_albums | blocking | FAIL | 0 | 1 |" in md and "| raw_freshness | warning | warn | 0 | 1 |" in md


def test_latest_validations_picks_the_newest_run(tmp_path):
    for suite, run, ts in [("s1", "old", "20260101T000000Z"), ("s1", "new", "20260102T000000Z"),
                           ("s2", "new", "20260102T000000Z")]:
        d = tmp_path / "validations" / suite / run / ts
        d.mkdir(parents=True)
        (d / "batch.html").write_text("x")
    run, pages = latest_validations(tmp_path)
    assert run == "new"
    assert [s for s, _ in pages] == ["s1", "s2"]
    assert pages[0][1] == "validations/s1/new/20260102T000000Z/batch.html"
