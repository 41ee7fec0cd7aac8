{#- Incremental, delete+insert on (user_name, track_sk). A run recomputes, from all their
    scrobbles, only the pairs that are affected: pairs with scrobbles of a newer dlt load,
    pairs missing from the table, and pairs whose loved state changed. If the admission
    rule (matcher version, confidences, min score) changed, the pre_hook empties the table
    first, so every pair is rebuilt. -#}
{{ config(
    materialized='incremental',
    unique_key=['user_name', 'track_sk'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ reset_if_rule_changed() }}",
) }}
-- depends_on: {{ ref('stg_matching__track_matches') }}

with resolved as (
    select track_key, aoty_track_id
    from {{ ref('int_track_keys__resolved') }}
    where aoty_track_id is not null
),

matched as (
    select
        s.user_name,
        {{ surrogate_key(["'aoty_track'", 'r.aoty_track_id']) }} as track_sk,
        r.aoty_track_id,
        s.played_at,
        s.uts_is_placeholder,
        s.source,
        s.load_id
    from {{ ref('stg_lastfm__scrobbles') }} as s
    inner join resolved as r on r.track_key = s.track_key
),

loved as (
    -- Loved tracks carry no album: a pair is loved when the user loved the (artist, track)
    -- of any spelling that reaches the track.
    select l.user_name, {{ surrogate_key(["'aoty_track'", 'k.aoty_track_id']) }} as track_sk, max(l.loved_at) as loved_at
    from {{ ref('stg_lastfm__loved_tracks') }} as l
    inner join {{ ref('int_track_keys__resolved') }} as k
        on k.artist_name = l.artist_name and k.track_name = l.track_name
    where k.aoty_track_id is not null
    {{ group_by(2) }}
)

{%- if is_incremental() %},

affected as (
    select user_name, track_sk from matched
    where load_id > (select coalesce(max(last_load_id), '') from {{ this }})
    union
    select m.user_name, m.track_sk
    from matched as m
    left join {{ this }} as t on t.user_name = m.user_name and t.track_sk = m.track_sk
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
    cast(m.user_name as text) as user_name,
    cast(m.track_sk as text) as track_sk,
    cast(m.aoty_track_id as bigint) as aoty_track_id,
    cast(count(*) as bigint) as play_count,
    cast(max(lv.loved_at) is not null as boolean) as loved,
    cast(max(lv.loved_at) as timestamp with time zone) as loved_at,
    cast(min(case when not m.uts_is_placeholder then m.played_at end) as timestamp with time zone) as first_played_at,
    cast(max(case when not m.uts_is_placeholder then m.played_at end) as timestamp with time zone) as last_played_at,
    cast({{ string_agg_distinct('m.source') }} as text) as source,
    cast({{ resolution_rule_sql() }} as text) as resolution_rule,
    cast(max(m.load_id) as text) as last_load_id
from matched as m
{%- if is_incremental() %}
inner join affected as a on a.user_name = m.user_name and a.track_sk = m.track_sk
{%- endif %}
left join loved as lv on lv.user_name = m.user_name and lv.track_sk = m.track_sk
{{ group_by(3) }}
