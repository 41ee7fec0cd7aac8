{#- Incremental, delete+insert on (user_name, track_sk). A run recomputes, from all their
    scrobbles, only the pairs that are affected: pairs with scrobbles of a newer dlt load,
    pairs missing from the table, and pairs whose loved state changed. If the admission
    rule (matcher version, confidences, min score, reviews) changed, the pre_hook empties
    the table first, so every pair is rebuilt; and pairs whose stored play count no longer
    equals the count under the current resolution (a spelling re-matched, a track gone,
    scrobbles deleted) are dropped first and so rebuilt or left out (delete_stale_interactions). -#}
{{ config(
    materialized='incremental',
    unique_key=['user_name', 'track_sk'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook=["{{ reset_if_rule_changed() }}", "{{ delete_stale_interactions() }}"],
) }}
-- depends_on: {{ ref('stg_matching__track_matches') }}

with resolved as (
    select track_key, aoty_track_id
    from {{ ref('int_track_keys__resolved') }}
    where aoty_track_id is not null
),

by_source as (
    -- One pass over the scrobbles, aggregated as early as possible (1M rows -> pairs).
    select
        s.user_name,
        r.aoty_track_id,
        s.source,
        count(*) as plays,
        min(case when not s.uts_is_placeholder then s.played_at end) as first_played_at,
        max(case when not s.uts_is_placeholder then s.played_at end) as last_played_at,
        max(s.load_id) as last_load_id
    from {{ ref('stg_lastfm__scrobbles') }} as s
    inner join resolved as r on r.track_key = s.track_key
    {{ group_by(3) }}
),

pairs as (
    -- Plain aggregates only, so engines can hash-aggregate the 1M rows instead of sorting them.
    select
        user_name,
        aoty_track_id,
        {{ surrogate_key(["'aoty_track'", 'aoty_track_id']) }} as track_sk,
        sum(plays) as play_count,
        min(first_played_at) as first_played_at,
        max(last_played_at) as last_played_at,
        min(source) as source,
        count(*) as n_sources,
        max(last_load_id) as last_load_id
    from by_source
    {{ group_by(2) }}
),

multi_source as (
    -- The few pairs played from several sources (API and an import): their sources, sorted.
    select b.user_name, b.aoty_track_id, {{ string_agg_distinct('b.source') }} as sources
    from by_source as b
    inner join pairs as p
        on p.user_name = b.user_name and p.aoty_track_id = b.aoty_track_id and p.n_sources > 1
    {{ group_by(2) }}
),

loved as (
    -- Loved tracks carry no album: a pair is loved when the user loved the (artist, track)
    -- of any spelling that reaches the track.
    select
        l.user_name,
        k.aoty_track_id,
        {{ surrogate_key(["'aoty_track'", 'k.aoty_track_id']) }} as track_sk,
        max(l.loved_at) as loved_at
    from {{ ref('stg_lastfm__loved_tracks') }} as l
    inner join {{ ref('int_track_keys__resolved') }} as k
        on k.artist_name = l.artist_name and k.track_name = l.track_name
    where k.aoty_track_id is not null
    {{ group_by(2) }}, 3
)

{%- if is_incremental() %},

affected as (
    select user_name, track_sk from pairs
    where last_load_id > (select coalesce(max(last_load_id), '') from {{ this }})
    union
    select p.user_name, p.track_sk
    from pairs as p
    left join {{ this }} as t on t.user_name = p.user_name and t.track_sk = p.track_sk
    where t.user_name is null
    union
    select l.user_name, l.track_sk
    from loved as l
    inner join {{ this }} as t on t.user_name = l.user_name and t.track_sk = l.track_sk
    where t.loved_at is null or t.loved_at <> l.loved_at
    union
    select t.user_name, t.track_sk
    from {{ this }} as t
    left join loved as l on l.user_name = t.user_name and l.track_sk = t.track_sk
    where t.loved and l.user_name is null
)
{%- endif %}

select
    cast(p.user_name as text) as user_name,
    cast(p.track_sk as text) as track_sk,
    cast(p.aoty_track_id as bigint) as aoty_track_id,
    cast(p.play_count as bigint) as play_count,
    cast(lv.loved_at is not null as boolean) as loved,
    cast(lv.loved_at as timestamp with time zone) as loved_at,
    cast(p.first_played_at as timestamp with time zone) as first_played_at,
    cast(p.last_played_at as timestamp with time zone) as last_played_at,
    cast(coalesce(ms.sources, p.source) as text) as source,
    cast({{ resolution_rule_sql() }} as text) as resolution_rule,
    cast(p.last_load_id as text) as last_load_id
from pairs as p
{%- if is_incremental() %}
inner join affected as a on a.user_name = p.user_name and a.track_sk = p.track_sk
{%- endif %}
left join loved as lv on lv.user_name = p.user_name and lv.aoty_track_id = p.aoty_track_id
left join multi_source as ms on ms.user_name = p.user_name and ms.aoty_track_id = p.aoty_track_id
