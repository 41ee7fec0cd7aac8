{#- Review overrides from ops.match_reviews (ingest/review; one row per track_key, the latest
    verdict). The table is optional: before anyone reviews, this model is empty. -#}
{%- set reviews = optional_relation(var('match_reviews_schema'), var('match_reviews_table')) -%}

{%- if reviews is not none %}
select
    cast(track_key as text) as track_key,
    lower(cast(verdict as text)) as verdict,
    cast(chosen_album_id as bigint) as chosen_album_id,
    cast(chosen_track_id as bigint) as chosen_track_id
from {{ reviews }}
{%- else %}
select
    cast(null as text) as track_key,
    cast(null as text) as verdict,
    cast(null as bigint) as chosen_album_id,
    cast(null as bigint) as chosen_track_id
where 1 = 0
{%- endif %}
