"""The suites, as code: one per mart, one for the raw inputs, and the matcher's shares.

Each suite is a list of probes (SQL run in the warehouse) with GX expectations over
the probe's rows. Probes on big tables push the work down: uniqueness and orphan
probes return only the suspicious rows (zero rows when all is well), so GX never
pulls a million keys into memory; range probes return narrow columns.

Column names follow the marts of dbt_project/models/marts (schema `audit`).
"""
from __future__ import annotations

import great_expectations as gx

from ingest.config import AUDIT, RAW_AOTY, RAW_LASTFM, RAW_MATCHING

from . import dialect as D
from .spec import ROW_KEY, Probe, Suite, SuiteContext

E = gx.expectations

# Marts the gate validates and publishes, with their key columns (surrogate keys, text).
MART_KEYS: dict[str, tuple[str, ...]] = {
    "artists": ("artist_sk",),
    "albums": ("album_sk",),
    "tracks": ("track_sk",),
    "user_track_interactions": ("user_name", "track_sk"),
    "track_features": ("track_sk",),
    "unmatched_scrobbles": ("scrobble_id",),
}
# Marts that may legitimately be empty (a perfect match leaves nothing unmatched).
MAY_BE_EMPTY = {"unmatched_scrobbles"}
# unmatched_scrobbles.reason values meaning "AOTY does not have this music": they measure
# AOTY's coverage, not the matcher, so the matched share leaves them out.
ABSENT_FROM_AOTY = ("no_aoty_match", "review_not_on_aoty")

RAW_TABLES = (
    f"{RAW_LASTFM}.scrobbles",
    f"{RAW_LASTFM}.users",
    f"{RAW_AOTY}.albums",
    f"{RAW_AOTY}.tracks",
    f"{RAW_MATCHING}.track_matches",
)


def _key_expr(ctx: SuiteContext, cols: tuple[str, ...]) -> str:
    return D.concat_key(ctx.engine, *cols) if len(cols) > 1 else D.as_text(ctx.engine, cols[0])


def _between(column: str, lo: float | None, hi: float | None, note: str, **kw) -> gx.expectations.Expectation:
    return E.ExpectColumnValuesToBeBetween(column=column, min_value=lo, max_value=hi, notes=note, **kw)


def row_count_probe(ctx: SuiteContext, table: str, *, may_be_empty: bool = False) -> Probe:
    """Rows > 0, and not a sudden drop against the last published run."""
    prev = ctx.previous_counts.get(table)
    # Strictly above the floor: with ratio 0.5, halving fails.
    floor = int(prev * ctx.config.min_row_ratio) if prev else 0
    sql = (f"select '{AUDIT}.{table}' as {ROW_KEY}, count(*) as row_count, "
           f"{prev if prev is not None else 'null'} as last_published_rows, {floor} as floor_rows "
           f"from {AUDIT}.{table}")
    exps = []
    if not may_be_empty:
        exps.append(_between("row_count", 1, None, "the table must not be empty"))
    if prev:
        exps.append(E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="row_count", column_B="floor_rows", or_equal=False,
            notes=f"no sudden drop: more than {ctx.config.min_row_ratio:.0%} of the last published run ({prev} rows)"))
    return Probe("row_count", sql, tuple(exps), (f"{AUDIT}.{table}",))


def duplicate_key_probe(ctx: SuiteContext, schema: str, table: str, cols: tuple[str, ...]) -> Probe:
    """Keys present more than once (and null keys); zero rows when the key is clean."""
    key = _key_expr(ctx, cols)
    nulls = " or ".join(f"{c} is null" for c in cols)
    sql = (f"select {key} as {ROW_KEY}, count(*) as occurrences, "
           f"max(case when {nulls} then 1 else 0 end) as key_is_null "
           f"from {schema}.{table} group by {', '.join(cols)} having count(*) > 1 or max(case when {nulls} then 1 else 0 end) = 1")
    label = ", ".join(cols)
    return Probe("key", sql, (
        _between("occurrences", None, 1, f"({label}) is unique in {schema}.{table}"),
        _between("key_is_null", 0, 0, f"({label}) is never null in {schema}.{table}"),
    ), (f"{schema}.{table}",))


def orphan_probe(ctx: SuiteContext, name: str, child: str, child_cols: tuple[str, ...],
                 parent: str, parent_cols: tuple[str, ...]) -> Probe:
    """Child rows whose reference has no parent row; zero rows when none."""
    on = " and ".join(f"p.{pc} = c.{cc}" for cc, pc in zip(child_cols, parent_cols))
    key = _key_expr(ctx, tuple(f"c.{c}" for c in child_cols))
    sql = (f"select {key} as {ROW_KEY}, 0 as parent_found from {child} c "
           f"where not exists (select 1 from {parent} p where {on}) "
           + " ".join(f"and c.{c} is not null" for c in child_cols))
    return Probe(name, sql, (
        E.ExpectColumnValuesToBeInSet(column="parent_found", value_set=[1],
                                      notes=f"every {child}({', '.join(child_cols)}) exists in {parent}"),
    ), (child, parent))


# --- raw inputs --------------------------------------------------------------------------------
def raw_inputs(ctx: SuiteContext) -> Suite:
    counts = " union all ".join(f"select '{t}' as {ROW_KEY}, count(*) as row_count from {t}" for t in RAW_TABLES)
    # Only what our loaders compute: an empty artist is real noise ("Artist - Title" scrobbled
    # with the artist in the title), which the matcher reads, and dlt loads '' as NULL on PostgreSQL.
    nulls = (f"select scrobble_id as {ROW_KEY}, 1 as required_field_missing from {RAW_LASTFM}.scrobbles "
             f"where user_name is null or uts is null or track_key is null")
    return Suite("raw_inputs", True, "The loaded raw tables: present, non-empty, keyed.", (
        Probe("row_counts", counts, (_between("row_count", 1, None, "every raw table has rows"),), RAW_TABLES),
        duplicate_key_probe(ctx, RAW_LASTFM, "scrobbles", ("scrobble_id",)),
        Probe("scrobble_fields", nulls, (
            _between("required_field_missing", 0, 0, "scrobbles carry user_name, uts and track_key"),
        ), (f"{RAW_LASTFM}.scrobbles",)),
    ))


def raw_freshness(ctx: SuiteContext) -> Suite:
    # dlt records every completed load in <dataset>._dlt_loads.
    parts = " union all ".join(
        f"select '{s}' as {ROW_KEY}, {D.age_hours(ctx.engine, 'max(inserted_at)')} as hours_since_load "
        f"from {s}._dlt_loads where status = 0" for s in (RAW_LASTFM, RAW_AOTY, RAW_MATCHING))
    hours = ctx.config.max_raw_age_hours
    return Suite("raw_freshness", False, f"Each raw schema was loaded within the last {hours:g} hours.", (
        Probe("last_load", parts, (
            E.ExpectColumnValuesToNotBeNull(column="hours_since_load", notes="each raw schema has a completed load"),
            _between("hours_since_load", None, hours, f"the latest load is at most {hours:g} hours old"),
        ), tuple(f"{s}._dlt_loads" for s in (RAW_LASTFM, RAW_AOTY, RAW_MATCHING))),
    ))


# --- marts --------------------------------------------------------------------------------------
def _mart(ctx: SuiteContext, table: str, description: str, *extra: Probe, blocking: bool = True) -> Suite:
    return Suite(f"mart_{table}", blocking, description, (
        row_count_probe(ctx, table, may_be_empty=table in MAY_BE_EMPTY),
        duplicate_key_probe(ctx, AUDIT, table, MART_KEYS[table]),
        *extra,
    ))


def _values(ctx: SuiteContext, table: str, key: str, cols: list[str], *exps) -> Probe:
    sql = f"select {D.as_text(ctx.engine, key)} as {ROW_KEY}, {', '.join(cols)} from {AUDIT}.{table}"
    return Probe("values", sql, tuple(exps), (f"{AUDIT}.{table}",))


def mart_artists(ctx: SuiteContext) -> Suite:
    return _mart(ctx, "artists", "One row per AOTY artist.",
                 _values(ctx, "artists", "artist_sk",
                         ["aoty_critic_score", "aoty_user_score", "aoty_album_count", "lastfm_listeners", "lastfm_plays"],
                         *_scores("aoty_critic_score", "aoty_user_score"),
                         *_counts("aoty_album_count", "lastfm_listeners", "lastfm_plays")))


def _scores(*cols: str) -> list:
    return [_between(c, 0, 100, f"{c} in 0-100") for c in cols]


def _counts(*cols: str) -> list:
    return [_between(c, 0, None, f"{c} >= 0") for c in cols]


def mart_albums(ctx: SuiteContext) -> Suite:
    lo = ctx.config.min_decade
    return _mart(ctx, "albums", "One row per AOTY album, with scores and counts.",
                 _values(ctx, "albums", "album_sk",
                         ["critic_score", "user_score", "critic_review_count", "user_rating_count", "track_count",
                          "lastfm_listeners", "lastfm_plays", "release_year"],
                         *_scores("critic_score", "user_score"),
                         *_counts("critic_review_count", "user_rating_count", "track_count", "lastfm_listeners",
                                  "lastfm_plays"),
                         _between("release_year", lo, 2100, f"release year between {lo} and 2100")),
                 orphan_probe(ctx, "artist_exists", f"{AUDIT}.albums", ("artist_sk",), f"{AUDIT}.artists", ("artist_sk",)))


def mart_tracks(ctx: SuiteContext) -> Suite:
    return _mart(ctx, "tracks", "One row per AOTY track.",
                 _values(ctx, "tracks", "track_sk",
                         ["aoty_rating", "aoty_rating_count", "duration_s", "lastfm_listeners", "lastfm_plays"],
                         *_scores("aoty_rating"),
                         *_counts("aoty_rating_count", "duration_s", "lastfm_listeners", "lastfm_plays")),
                 orphan_probe(ctx, "album_exists", f"{AUDIT}.tracks", ("album_sk",), f"{AUDIT}.albums", ("album_sk",)))


def mart_user_track_interactions(ctx: SuiteContext) -> Suite:
    key = D.concat_key(ctx.engine, "user_name", "track_sk")
    plays = (f"select {key} as {ROW_KEY}, play_count from {AUDIT}.user_track_interactions "
             f"where play_count is null or play_count < 1")
    return _mart(ctx, "user_track_interactions", "One row per (user, track) listened to.",
                 # Only offenders come back: this is the biggest mart.
                 Probe("play_count", plays, (
                     E.ExpectColumnValuesToNotBeNull(column="play_count", notes="play_count is set"),
                     _between("play_count", 1, None, "play_count >= 1"),
                 ), (f"{AUDIT}.user_track_interactions",)),
                 orphan_probe(ctx, "track_exists", f"{AUDIT}.user_track_interactions", ("track_sk",),
                              f"{AUDIT}.tracks", ("track_sk",)),
                 orphan_probe(ctx, "user_exists", f"{AUDIT}.user_track_interactions", ("user_name",),
                              f"{RAW_LASTFM}.users", ("user_name",)))


def mart_track_features(ctx: SuiteContext) -> Suite:
    c = ctx.config
    vec = "content_vector"
    sql = (f"select {D.as_text(ctx.engine, 'track_sk')} as {ROW_KEY}, {D.array_length(ctx.engine, vec)} as vector_length, "
           f"{D.l2_norm(ctx.engine, vec)} as vector_norm, decade, critic_score, user_score, track_rating, "
           f"album_rating, popularity from {AUDIT}.track_features")
    lo = c.min_decade
    return _mart(ctx, "track_features", f"Content features: vectors of length {c.vector_dim} and unit norm.",
                 Probe("values", sql, (
                     _between("vector_length", c.vector_dim, c.vector_dim, f"content_vector has length {c.vector_dim}"),
                     _between("vector_norm", 1 - c.vector_norm_tolerance, 1 + c.vector_norm_tolerance,
                              "content_vector has unit norm"),
                     E.ExpectColumnValuesToBeInSet(column="decade", value_set=list(range(lo, 2101, 10)),
                                                   notes=f"decade is plausible: a multiple of 10 in {lo}-2100"),
                     *_scores("critic_score", "user_score", "track_rating", "album_rating"),
                     _between("popularity", 0, None, "popularity >= 0"),
                 ), (f"{AUDIT}.track_features",)),
                 orphan_probe(ctx, "track_exists", f"{AUDIT}.track_features", ("track_sk",),
                              f"{AUDIT}.tracks", ("track_sk",)))


def mart_unmatched_scrobbles(ctx: SuiteContext) -> Suite:
    return _mart(ctx, "unmatched_scrobbles", "Scrobbles that reach no AOTY track, with the reason.")


# --- matching ------------------------------------------------------------------------------------
def _shares_sql(ctx: SuiteContext) -> str:
    """Scrobble-weighted: interactions count matched plays, unmatched_scrobbles one row per scrobble.
    (No CTE: GX query assets must start with SELECT.)"""
    absent = ", ".join(f"'{r}'" for r in ABSENT_FROM_AOTY)
    counts = (
        f"select (select coalesce(sum(play_count), 0) from {AUDIT}.user_track_interactions) as matched, "
        f"(select count(*) from {AUDIT}.unmatched_scrobbles) as unmatched, "
        f"(select count(*) from {AUDIT}.unmatched_scrobbles where reason in ({absent})) as absent_from_aoty")
    return (
        f"select 'scrobbles' as {ROW_KEY}, c.matched, c.unmatched, c.absent_from_aoty, "
        f"case when c.matched + c.unmatched - c.absent_from_aoty = 0 then 0.0 "
        f"else 1.0 * c.matched / (c.matched + c.unmatched - c.absent_from_aoty) end as matched_share, "
        f"case when c.matched + c.unmatched = 0 then 0.0 "
        f"else 1.0 * c.matched / (c.matched + c.unmatched) end as overall_share "
        f"from ({counts}) as c")


def matching(ctx: SuiteContext) -> Suite:
    floor = ctx.config.match_share_floor
    return Suite("matching", True,
                 f"At least {floor:.0%} of the scrobbles of music AOTY lists reach an AOTY track.", (
        Probe("matched_share", _shares_sql(ctx), (
            _between("matched_share", floor, 1,
                     f"share of scrobbles matched >= {floor:.0%} (scrobbles AOTY does not list left out)"),
        ), (f"{AUDIT}.user_track_interactions", f"{AUDIT}.unmatched_scrobbles")),
    ))


def matching_quality(ctx: SuiteContext) -> Suite:
    c = ctx.config
    # The current matcher version: the one that wrote the latest match row.
    sql = (f"select 'track_matches' as {ROW_KEY}, "
           f"1.0 * sum(case when confidence = 'high' then 1 else 0 end) / nullif(count(*), 0) as high_confidence_share "
           f"from {RAW_MATCHING}.track_matches where match_type <> 'no_match' and matcher_version = "
           f"(select matcher_version from {RAW_MATCHING}.track_matches order by matched_at desc limit 1)")
    return Suite("matching_quality", False,
                 f"High-confidence matches >= {c.high_confidence_floor:.0%}; overall coverage >= {c.coverage_floor:.0%}.", (
        Probe("high_confidence_share", sql, (
            _between("high_confidence_share", c.high_confidence_floor, 1,
                     f"share of high-confidence matches >= {c.high_confidence_floor:.0%}"),
        ), (f"{RAW_MATCHING}.track_matches",)),
        Probe("coverage", _shares_sql(ctx), (
            _between("overall_share", c.coverage_floor, 1,
                     f"share of all scrobbles reaching an AOTY track >= {c.coverage_floor:.0%}"),
        ), (f"{AUDIT}.user_track_interactions", f"{AUDIT}.unmatched_scrobbles")),
    ))


SUITES = (raw_inputs, raw_freshness, mart_artists, mart_albums, mart_tracks, mart_user_track_interactions,
          mart_track_features, mart_unmatched_scrobbles, matching, matching_quality)


def build_suites(ctx: SuiteContext) -> list[Suite]:
    return [make(ctx) for make in SUITES]
