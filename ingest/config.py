"""The one settings object, read from the environment (and dlt secrets for the API key).

Names are part of the product: users and scripts set WAREHOUSE, DUCKDB_PATH,
POSTGRES_DSN, LASTFM_API_KEY, LASTFM_BASE_URL, AOTY_BASE_URL.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_LASTFM_BASE_URL = "https://ws.audioscrobbler.com/2.0/"
DEFAULT_AOTY_BASE_URL = "https://www.albumoftheyear.org"
DEFAULT_POSTGRES_DSN = "postgresql://postgres:postgres@127.0.0.1:5432/test"
WAREHOUSES = ("duckdb", "postgres")

# Schema names users, dbt and the checks rely on.
RAW_LASTFM = "raw_lastfm"
RAW_AOTY = "raw_aoty"
RAW_MATCHING = "raw_matching"
AUDIT = "audit"
ANALYTICS = "analytics"
OPS = "ops"


class ConfigError(ValueError):
    """A setting is missing or wrong; the message says which and what to do."""


def _float_env(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number; set it to e.g. {default}") from None


@dataclass(frozen=True)
class Settings:
    warehouse: str = "duckdb"
    duckdb_path: Path = Path("data/warehouse.duckdb")
    postgres_dsn: str = DEFAULT_POSTGRES_DSN
    lastfm_api_key: str | None = field(default=None, repr=False)
    lastfm_base_url: str = DEFAULT_LASTFM_BASE_URL
    aoty_base_url: str = DEFAULT_AOTY_BASE_URL
    lastfm_requests_per_second: float = 5.0
    aoty_requests_per_second: float = 1.0
    aoty_max_concurrent: int = 3
    aoty_cache_dir: Path = Path("data/cache/aoty")
    aoty_cache_ttl_days: float = 30.0
    data_dir: Path = Path("data")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        warehouse = env.get("WAREHOUSE", "duckdb").strip().lower() or "duckdb"
        if warehouse not in WAREHOUSES:
            raise ConfigError(f"WAREHOUSE={warehouse!r} is not supported; use one of {', '.join(WAREHOUSES)}")
        data_dir = Path(env.get("DATA_DIR", "data"))
        return cls(
            warehouse=warehouse,
            duckdb_path=Path(env.get("DUCKDB_PATH") or data_dir / "warehouse.duckdb"),
            postgres_dsn=env.get("POSTGRES_DSN") or DEFAULT_POSTGRES_DSN,
            lastfm_api_key=env.get("LASTFM_API_KEY") or _dlt_secret("LASTFM_API_KEY"),
            lastfm_base_url=env.get("LASTFM_BASE_URL") or DEFAULT_LASTFM_BASE_URL,
            aoty_base_url=(env.get("AOTY_BASE_URL") or DEFAULT_AOTY_BASE_URL).rstrip("/"),
            lastfm_requests_per_second=_float_env(env, "LASTFM_RPS", 5.0),
            aoty_requests_per_second=_float_env(env, "AOTY_RPS", 1.0),
            aoty_max_concurrent=int(_float_env(env, "AOTY_MAX_CONCURRENT", 3)),
            aoty_cache_dir=Path(env.get("AOTY_CACHE_DIR") or data_dir / "cache" / "aoty"),
            aoty_cache_ttl_days=_float_env(env, "AOTY_CACHE_TTL_DAYS", 30.0),
            data_dir=data_dir,
        )

    def with_(self, **changes: object) -> "Settings":
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def pipelines_dir(self) -> Path:
        """dlt's local working state, one folder per warehouse so that a new
        warehouse file never inherits another's incremental cursors."""
        if self.warehouse == "duckdb":
            return self.duckdb_path.parent / f".dlt-{self.duckdb_path.stem}"
        digest = hashlib.md5(self.postgres_dsn.encode()).hexdigest()[:10]
        return self.data_dir / f".dlt-postgres-{digest}"

    def dlt_destination(self):  # -> dlt destination; imported lazily to keep CLI start fast
        import dlt

        if self.warehouse == "duckdb":
            self.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
            return dlt.destinations.duckdb(credentials=str(self.duckdb_path.resolve()))
        return dlt.destinations.postgres(credentials=self.postgres_dsn)

    def postgres_parts(self) -> dict[str, str | int]:
        """The DSN split for dbt's profile and psycopg2."""
        u = urlparse(self.postgres_dsn)
        return {
            "host": u.hostname or "127.0.0.1",
            "port": u.port or 5432,
            "user": u.username or "postgres",
            "password": u.password or "postgres",  # dlt insists on one even with trust auth
            "dbname": (u.path or "/test").lstrip("/") or "test",
        }

    def require_api_key(self) -> str:
        if not self.lastfm_api_key:
            raise ConfigError(
                "LASTFM_API_KEY is not set: export LASTFM_API_KEY=<your key> (https://www.last.fm/api/account/create) "
                "or put it in .dlt/secrets.toml; to try the pipeline offline run `make demo`"
            )
        return self.lastfm_api_key


def _dlt_secret(name: str) -> str | None:
    path = Path(".dlt/secrets.toml")
    if not path.exists():
        return None
    try:
        import tomllib

        data = tomllib.loads(path.read_text())
    except (OSError, ValueError):
        return None
    value = data.get(name) or data.get(name.lower()) or data.get("sources", {}).get("lastfm", {}).get("api_key")
    return str(value) if value else None


def connect(settings: Settings):
    """A DB-API connection to the warehouse (duckdb or psycopg2)."""
    if settings.warehouse == "duckdb":
        import duckdb

        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(settings.duckdb_path))
    import psycopg2

    return psycopg2.connect(settings.postgres_dsn)
