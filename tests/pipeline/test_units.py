import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from ingest.config import ConfigError, Settings
from ingest.pipeline.export import time_split
from ingest.pipeline.lock import WarehouseBusy, warehouse_lock
from ingest.pipeline.progress import Progress


def test_time_split_holds_out_latest_tracks_per_user():
    df = pd.DataFrame({
        "user_name": ["a"] * 5 + ["b"],
        "track_sk": [1, 2, 3, 4, 5, 9],
        "first_played_at": pd.to_datetime(["2020-01-05", "2020-01-01", "2020-01-03", "2020-01-02", "2020-01-04",
                                           "2021-01-01"]),
    })
    train, valid = time_split(df, 0.4)
    assert sorted(valid["track_sk"]) == [1, 5]  # a's two latest first plays
    assert sorted(train["track_sk"]) == [2, 3, 4, 9]  # b has one track: all training
    assert len(train) + len(valid) == len(df)


def test_time_split_rejects_bad_share():
    with pytest.raises(ConfigError, match="validation-share"):
        time_split(pd.DataFrame(columns=["user_name", "track_sk", "first_played_at"]), 1.5)


def test_second_run_on_same_duckdb_is_refused(tmp_path):
    settings = Settings(duckdb_path=tmp_path / "w.duckdb")
    holder = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from ingest.config import Settings
        from ingest.pipeline.lock import warehouse_lock
        with warehouse_lock(Settings(duckdb_path=Path({str(tmp_path / 'w.duckdb')!r}))):
            print("locked", flush=True)
            time.sleep(30)
    """)
    proc = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseBusy, match="in use by another run"):
            with warehouse_lock(settings):
                pass
    finally:
        proc.kill()
        proc.wait()
    with warehouse_lock(settings):  # a killed holder leaves no stale lock
        pass


@pytest.mark.postgres
def test_postgres_lock_is_exclusive():
    settings = Settings(warehouse="postgres")
    with warehouse_lock(settings):
        with pytest.raises(WarehouseBusy):
            with warehouse_lock(settings):
                pass
    with warehouse_lock(settings):
        pass


def test_progress_is_quiet_off_terminal(capsys):
    import io

    stream = io.StringIO()
    p = Progress("pages", stream)
    p(5, 10)
    p.close()
    assert stream.getvalue() == ""
    loud = io.StringIO()
    p = Progress("pages", loud, enabled=True)
    p(10, 10)
    p.close()
    assert "pages: 10/10" in loud.getvalue()


def test_cli_without_api_key_points_to_demo(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DUCKDB_PATH": str(tmp_path / "w.duckdb"), "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "ingest", "run", "--user", "rj"], capture_output=True, text=True,
                       env=env, cwd=tmp_path)
    assert r.returncode == 2
    assert "LASTFM_API_KEY" in r.stderr and "make demo" in r.stderr


def test_bad_warehouse_setting_is_named():
    with pytest.raises(ConfigError, match="WAREHOUSE='oracle'"):
        Settings.from_env({"WAREHOUSE": "oracle"})


def test_progress_accepts_a_phase():
    import io

    loud = io.StringIO()
    p = Progress("match", loud, enabled=True)
    p("catalog", 3, 3)
    assert "match catalog: 3/3" in loud.getvalue()


def test_cli_import_of_a_missing_file_is_one_clear_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DUCKDB_PATH": str(tmp_path / "w.duckdb"), "HOME": str(tmp_path),
           "RUNTIME__DLTHUB_TELEMETRY": "false"}
    r = subprocess.run([sys.executable, "-m", "ingest", "import", str(tmp_path / "nope.csv"), "--user", "rj"],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("error:") and "nope.csv" in r.stderr and "Traceback" not in r.stderr
