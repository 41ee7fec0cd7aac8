{%- set dims = var('vector_dims') -%}

with tracks as (
    select t.track_id, t.album_id, t.rating, a.release_year, a.critic_score, a.user_score
    from {{ ref('stg_aoty__tracks') }} as t
    inner join {{ ref('stg_aoty__albums') }} as a on a.album_id = t.album_id
),

genres as (
    select
        album_id,
        {{ array_agg_ordered('lower(trim(genre))', 'is_primary desc, position, lower(trim(genre))') }} as genres
    from {{ ref('stg_aoty__album_genres') }}
    {{ group_by(1) }}
),

tags as (
    select
        aoty_track_id,
        {{ array_agg_ordered('tag', 'weight desc, tag') }} as tags,
        {{ array_agg_ordered('weight', 'weight desc, tag') }} as tag_weights
    from {{ ref('int_track_tags__weighted') }}
    {{ group_by(1) }}
),

vectors as (
    select
        aoty_track_id,
        {{ array_agg_ordered('bucket', 'bucket') }} as buckets,
        {{ array_agg_ordered('value', 'bucket') }} as vals
    from {{ ref('int_track_vector_sparse') }}
    {{ group_by(1) }}
),

hashes as (
    -- Values rounded to 1e-6 and printed as integers so the text is the same on every engine.
    select
        aoty_track_id,
        md5({{ string_agg_ordered("feature || '=' || cast(cast(round(value * 1000000) as bigint) as text)", 'feature', ';') }}) as feature_hash
    from {{ ref('int_track_feature_terms') }}
    {{ group_by(1) }}
)

select
    cast({{ surrogate_key(["'aoty_track'", 't.track_id']) }} as text) as track_sk,
    cast(t.track_id as bigint) as aoty_track_id,
    cast(coalesce(g.genres, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as genres,
    cast(coalesce(tg.tags, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as tags,
    cast(coalesce(tg.tag_weights, {{ empty_array(type_double_array()) }}) as {{ type_double_array() }}) as tag_weights,
    cast(t.release_year - t.release_year % 10 as bigint) as decade,
    cast(case
        when t.critic_score is not null and t.user_score is not null then (t.critic_score + t.user_score) / 2
        else coalesce(t.critic_score, t.user_score)
    end as double precision) as album_rating,
    cast(t.critic_score as double precision) as critic_score,
    cast(t.user_score as double precision) as user_score,
    cast(t.rating as double precision) as track_rating,
    cast(p.listeners as bigint) as lastfm_listeners,
    cast(p.plays as bigint) as lastfm_plays,
    cast(p.aoty_rating_count as bigint) as aoty_rating_count,
    cast(p.popularity as double precision) as popularity,
    cast({{ dense_vector('v.buckets', 'v.vals', dims) }} as {{ type_vector(dims) }}) as content_vector,
    cast(h.feature_hash as text) as feature_hash
from tracks as t
inner join {{ ref('int_track_popularity') }} as p on p.aoty_track_id = t.track_id
left join genres as g on g.album_id = t.album_id
left join tags as tg on tg.aoty_track_id = t.track_id
left join vectors as v on v.aoty_track_id = t.track_id
left join hashes as h on h.aoty_track_id = t.track_id
