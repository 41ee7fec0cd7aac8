with tracks as (
    select t.*
    from {{ ref('stg_aoty__tracks') }} as t
    inner join {{ ref('stg_aoty__albums') }} as a on a.album_id = t.album_id
),

featured as (
    select
        track_id,
        {{ array_agg_ordered(surrogate_key(["'aoty_artist'", 'artist_id']), 'position') }} as featured_artist_sks,
        {{ array_agg_ordered('artist_name', 'position') }} as featured_artist_names
    from {{ ref('stg_aoty__track_featured_artists') }}
    {{ group_by(1) }}
),

lastfm_names as (
    select
        aoty_track_id,
        {{ array_agg_ordered('track_name', 'track_name', distinct=true) }} as lastfm_track_names,
        count(*) as lastfm_spellings
    from {{ ref('int_track_keys__resolved') }}
    where aoty_track_id is not null
    {{ group_by(1) }}
)

select
    cast({{ surrogate_key(["'aoty_track'", 't.track_id']) }} as text) as track_sk,
    cast(t.track_id as bigint) as aoty_track_id,
    cast({{ surrogate_key(["'aoty_album'", 't.album_id']) }} as text) as album_sk,
    cast(t.album_id as bigint) as aoty_album_id,
    cast(t.disc as bigint) as disc,
    cast(t.number as bigint) as number,
    cast(t.title as text) as title,
    cast(t.duration_s as bigint) as duration_s,
    cast(t.rating as double precision) as aoty_rating,
    cast(t.rating_count as bigint) as aoty_rating_count,
    cast(t.notes as text) as notes,
    cast(coalesce(f.featured_artist_sks, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as featured_artist_sks,
    cast(coalesce(f.featured_artist_names, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as featured_artist_names,
    cast(coalesce(n.lastfm_track_names, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as lastfm_track_names,
    cast(coalesce(n.lastfm_spellings, 0) as bigint) as lastfm_spellings,
    cast(coalesce(l.listeners, 0) as bigint) as lastfm_listeners,
    cast(coalesce(l.plays, 0) as bigint) as lastfm_plays
from tracks as t
left join featured as f on f.track_id = t.track_id
left join lastfm_names as n on n.aoty_track_id = t.track_id
left join {{ ref('int_track_listens') }} as l on l.aoty_track_id = t.track_id
