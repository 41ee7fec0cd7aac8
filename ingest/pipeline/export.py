"""`make export`: Parquet files of the published tables, ready for training.

Writes, from schema analytics only (what passed the gate):
    interactions.parquet        all user-track interactions
    track_features.parquet      content features with the 128-d vector
    train.parquet / validation.parquet
                                a per-user time-based split: of each user's tracks,
                                ordered by first play, the latest share is held out,
                                so validation asks "which new tracks will this user
                                play next" and never leaks the future into training.
    MANIFEST.md                 row counts, the split rule and the published run id.
"""
from __future__ import annotations

import math
import os
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ingest.config import ANALYTICS, OPS, ConfigError, Settings, connect


def _read(settings: Settings, sql: str) -> pd.DataFrame:
    conn = connect(settings)
    try:
        cur = conn.cursor()
        cur.execute(sql)
        cols = [d[0] for d in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=cols)
    finally:
        conn.close()


def _published_run_id(settings: Settings) -> str:
    for sql in (f"select run_id from {OPS}.publications order by published_at desc limit 1",
                f"select run_id from {OPS}.runs where status = 'published' order by finished_at desc limit 1"):
        try:
            df = _read(settings, sql)
        except Exception:  # noqa: BLE001 - older warehouses lack one of the tables
            continue
        if len(df):
            return str(df.iloc[0, 0])
    return "unknown"


def time_split(interactions: pd.DataFrame, validation_share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per user, the last `validation_share` of tracks by first play go to validation.

    Users with a single track stay wholly in training (nothing to predict from)."""
    if not 0 < validation_share < 1:
        raise ConfigError(f"--validation-share={validation_share} must be between 0 and 1 (e.g. 0.2)")
    df = interactions.sort_values(["user_name", "first_played_at", "track_sk"], kind="stable").copy()
    rank = df.groupby("user_name").cumcount()
    size = df.groupby("user_name")["track_sk"].transform("size")
    held = size.map(lambda n: math.floor(n * validation_share) if n > 1 else 0)
    is_validation = rank >= (size - held)
    return df[~is_validation].reset_index(drop=True), df[is_validation].reset_index(drop=True)


def export_training_set(settings: Settings, out: Path, *, validation_share: float = 0.2) -> Path:
    try:
        interactions = _read(settings, f"select * from {ANALYTICS}.user_track_interactions")
        features = _read(settings, f"select * from {ANALYTICS}.track_features")
    except Exception as exc:  # noqa: BLE001
        raise ConfigError(f"nothing published yet in schema {ANALYTICS} ({exc}); run `make demo` or "
                          "`make ingest USER=x` first") from None
    train, validation = time_split(interactions, validation_share)
    out.mkdir(parents=True, exist_ok=True)
    files = {"interactions.parquet": interactions, "track_features.parquet": features,
             "train.parquet": train, "validation.parquet": validation}
    for name, df in files.items():
        tmp = out / f".{name}.tmp"
        df.to_parquet(tmp, index=False)
        os.replace(tmp, out / name)  # a reader never sees a half-written file
    run_id = _published_run_id(settings)
    lines = [
        "# Training export", "",
        f"- published run: `{run_id}`",
        f"- exported at: {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC",
        f"- warehouse: {settings.warehouse}",
        f"- split: per user, the last {validation_share:.0%} of tracks by first play are validation", "",
        "| file | rows |", "|---|---|",
        *[f"| {name} | {len(df):,} |" for name, df in files.items()],
        "", f"users: {interactions['user_name'].nunique() if len(interactions) else 0}", "",
    ]
    manifest = out / "MANIFEST.md"
    manifest.write_text("\n".join(lines))
    return manifest
