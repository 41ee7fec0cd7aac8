"""Fatal errors end the CLI with one line naming the user or the key problem, exit code 2 and
nothing written; the API key shows up nowhere: not in logs, tables, files or exception text."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from ingest.lastfm import LastfmUnavailableError, load_lastfm
from ingest.lastfm.helpers import LastfmClient
from ingest.sandbox.lastfm_server import LastfmFaults

from .conftest import API_KEY, duckdb_settings, fast_client, query, table_exists

REPO = Path(__file__).resolve().parents[2]


def assert_nothing_written(workdir: Path, server) -> None:
    settings = duckdb_settings(workdir, server)
    for table in ("scrobbles", "users", "loved_tracks"):
        assert not table_exists(settings, table) or query(settings, f"select count(*) from raw_lastfm.{table}") == [(0,)]


def start_cli(server, workdir: Path, users: str, key: str = API_KEY) -> subprocess.Popen:
    workdir.mkdir(parents=True, exist_ok=True)
    environ = {
        **os.environ, "LASTFM_API_KEY": key, "LASTFM_BASE_URL": server.base_url, "LASTFM_RPS": "0",
        "WAREHOUSE": "duckdb", "DUCKDB_PATH": str(workdir / "warehouse.duckdb"), "DATA_DIR": str(workdir),
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }
    return subprocess.Popen([sys.executable, "-m", "ingest.lastfm", "--user", users, "--no-tags"], cwd=REPO,
                            env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_each_fatal_error_is_one_line_exit_2_and_writes_nothing(world, server, tmp_path):
    good, other = list(world.users)
    world.users[other].private = True
    cases = {
        # name: (users, key, what the one line must say)
        "unknown": ("no_such_user", API_KEY, ["'no_such_user'", "not found", "error 6"]),
        "private": (f"{good},{other}", API_KEY, [f"'{other}'", "private", "error 17"]),
        "bad_key": (good, "wrong-key-0000", ["API key", "invalid", "error 10", "LASTFM_API_KEY"]),
        "suspended": (good, "suspended-key-0000", ["API key", "suspended", "error 26"]),
        "bad_name": ("bad user!", API_KEY, ["invalid Last.fm username", "'bad user!'"]),
    }
    # Interpreter start-up dominates: run the CLIs side by side, each with a warehouse of its own.
    procs = {name: start_cli(server, tmp_path / name, users, key) for name, (users, key, _) in cases.items()}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        users, key, needles = cases[name]
        assert proc.returncode == 2, (name, err)
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        for needle in needles:
            assert needle in lines[0], (needle, lines[0])
        assert key not in err + out and out == ""
        assert_nothing_written(tmp_path / name, server)
    # the bad username was rejected before any request: every request came from the other four
    assert server.requests["user.getInfo"] == 1 + 2 + 1 + 1

    # After the private user failed mid-run, nothing of that run leaks into the next one.
    world.users[other].private = False
    proc = start_cli(server, tmp_path / "private", good)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert out.startswith("Last.fm: ") and len(out.strip().splitlines()) == 1
    settings = duckdb_settings(tmp_path / "private", server)
    assert query(settings, "select user_name, count(*) from raw_lastfm.scrobbles group by 1") == [
        (good, world.users[good].playcount)]


def test_key_is_in_no_log_line_table_file_or_exception(world, server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    server.faults = LastfmFaults(http_500_share=0.3, malformed_share=0.1, seed=5)
    settings = duckdb_settings(tmp_path, server)
    user = list(world.users)[0]
    summary = load_lastfm([user], settings, client=fast_client(server), with_tags=False)
    assert summary.retries > 0  # the retry path (which logs) ran

    log_text = caplog.text
    assert "127.0.0.1" in log_text and "***" in log_text  # urllib3's request lines were logged, redacted
    assert API_KEY not in log_text

    for (table,) in query(settings, "select table_name from information_schema.tables where table_schema = 'raw_lastfm'"):
        assert API_KEY not in repr(query(settings, f'select * from raw_lastfm."{table}"'))
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "warehouse.duckdb":
            assert API_KEY.encode() not in path.read_bytes(), path
    assert API_KEY.encode() not in (tmp_path / "warehouse.duckdb").read_bytes()

    # requests' own exceptions carry the full URL: ours must not
    dead = LastfmClient(API_KEY, "http://127.0.0.1:9/2.0/", 0, max_retries=1, backoff_base=0.01)
    with pytest.raises(LastfmUnavailableError) as info:
        dead.call("user.getInfo", user=user)
    text = "".join(traceback.format_exception(info.value))
    assert "ConnectionError" in text and API_KEY not in text
    assert API_KEY not in repr(dead) and API_KEY not in repr(settings)
