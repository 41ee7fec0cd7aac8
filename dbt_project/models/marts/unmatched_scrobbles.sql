{#- Incremental, delete+insert on scrobble_id: each run adds scrobbles that are unmatched
    and not yet listed (or listed with another reason); scrobbles that now reach a track are
    removed by the pre_hook, and a changed admission rule empties the table first. -#}
{{ config(
    materialized='incremental',
    unique_key='scrobble_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook=[
        "{{ reset_if_rule_changed() }}",
        "{% if is_incremental() %}delete from {{ this }} where track_key in (select track_key from {{ ref('int_track_keys__resolved') }} where aoty_track_id is not null){% else %}select 1{% endif %}",
    ],
) }}
-- depends_on: {{ ref('stg_matching__track_matches') }}

with unresolved as (
    select track_key, unmatched_reason, matcher_version, match_type, confidence, score
    from {{ ref('int_track_keys__resolved') }}
    where aoty_track_id is null
),

unmatched as (
    select
        s.scrobble_id,
        s.user_name,
        s.played_at,
        s.uts_is_placeholder,
        s.artist_name,
        s.album_name,
        s.track_name,
        s.track_key,
        s.source,
        u.unmatched_reason as reason,
        u.matcher_version,
        u.match_type,
        u.confidence,
        u.score,
        s.load_id
    from {{ ref('stg_lastfm__scrobbles') }} as s
    inner join unresolved as u on u.track_key = s.track_key
)

select
    cast(u.scrobble_id as text) as scrobble_id,
    cast(u.user_name as text) as user_name,
    cast(u.played_at as timestamp with time zone) as played_at,
    cast(u.uts_is_placeholder as boolean) as uts_is_placeholder,
    cast(u.artist_name as text) as artist_name,
    cast(u.album_name as text) as album_name,
    cast(u.track_name as text) as track_name,
    cast(u.track_key as text) as track_key,
    cast(u.source as text) as source,
    cast(u.reason as text) as reason,
    cast(u.matcher_version as text) as matcher_version,
    cast(u.match_type as text) as match_type,
    cast(u.confidence as text) as confidence,
    cast(u.score as double precision) as score,
    cast({{ resolution_rule_sql() }} as text) as resolution_rule,
    cast(u.load_id as text) as load_id
from unmatched as u
{%- if is_incremental() %}
left join {{ this }} as t on t.scrobble_id = u.scrobble_id
where t.scrobble_id is null or t.reason <> u.reason
{%- endif %}
