{#- The match rows of the current matcher version, with review overrides when the
    optional ops.match_reviews table exists (track_key, verdict, chosen_album_id, chosen_track_id). -#}
{%- set reviews = optional_relation(var('match_reviews_schema'), var('match_reviews_table')) -%}

with matches as (
    select *
    from {{ ref('stg_matching__track_matches') }}
    where matcher_version = {{ current_matcher_version_sql() }}
)

{%- if reviews is not none %},

reviews as (
    select
        cast(track_key as text) as track_key,
        lower(cast(verdict as text)) as verdict,
        cast(chosen_album_id as bigint) as chosen_album_id,
        cast(chosen_track_id as bigint) as chosen_track_id
    from {{ reviews }}
)
{%- endif %}

select
    m.track_key,
    m.matcher_version,
    m.artist_name,
    m.album_name,
    m.track_name,
    m.match_type,
    m.confidence,
    m.score,
    m.aoty_album_id,
    m.aoty_track_id,
{%- if reviews is not none %}
    r.verdict as review_verdict,
    r.chosen_track_id as review_track_id
{%- else %}
    cast(null as text) as review_verdict,
    cast(null as bigint) as review_track_id
{%- endif %}
from matches as m
{%- if reviews is not none %}
left join reviews as r on r.track_key = m.track_key
{%- endif %}
