with albums as (
    select * from {{ ref('stg_aoty__albums') }}
),

credits as (
    select
        album_id,
        {{ array_agg_ordered('artist_name', 'position') }} as artist_names
    from {{ ref('stg_aoty__album_artists') }}
    {{ group_by(1) }}
),

genres as (
    select
        album_id,
        {{ array_agg_ordered('case when is_primary then genre end', 'position, genre') }} as genres,
        {{ array_agg_ordered('case when not is_primary then genre end', 'position, genre') }} as secondary_genres
    from {{ ref('stg_aoty__album_genres') }}
    {{ group_by(1) }}
),

tags as (
    select album_id, {{ array_agg_ordered('tag', 'tag') }} as tags
    from {{ ref('stg_aoty__album_tags') }}
    {{ group_by(1) }}
),

tracklists as (
    select album_id, count(*) as track_count, sum(duration_s) as tracks_length_s
    from {{ ref('stg_aoty__tracks') }}
    {{ group_by(1) }}
),

lastfm_names as (
    select
        aoty_album_id as album_id,
        {{ array_agg_ordered("nullif(album_name, '')", "nullif(album_name, '')", distinct=true) }} as lastfm_album_names
    from {{ ref('int_track_keys__resolved') }}
    where aoty_track_id is not null
    {{ group_by(1) }}
),

listening as (
    select t.album_id, count(distinct i.user_name) as listeners, sum(i.play_count) as plays
    from {{ ref('user_track_interactions') }} as i
    inner join {{ ref('stg_aoty__tracks') }} as t on t.track_id = i.aoty_track_id
    {{ group_by(1) }}
)

select
    cast({{ surrogate_key(["'aoty_album'", 'a.album_id']) }} as text) as album_sk,
    cast(a.album_id as bigint) as aoty_album_id,
    cast({{ surrogate_key(["'aoty_artist'", 'a.artist_id']) }} as text) as artist_sk,
    cast(a.artist_id as bigint) as aoty_artist_id,
    cast(a.title as text) as title,
    cast(a.artist_name as text) as artist_name,
    cast(coalesce(c.artist_names, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as artist_names,
    cast(a.release_date as date) as release_date,
    cast(coalesce(a.release_year, extract(year from a.release_date)) as bigint) as release_year,
    cast(a.format as text) as format,
    cast(a.label as text) as label,
    cast(a.critic_score as double precision) as critic_score,
    cast(a.critic_review_count as bigint) as critic_review_count,
    cast(a.user_score as double precision) as user_score,
    cast(a.user_rating_count as bigint) as user_rating_count,
    cast(coalesce(g.genres, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as genres,
    cast(coalesce(g.secondary_genres, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as secondary_genres,
    cast(coalesce(tg.tags, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as aoty_tags,
    cast(coalesce(tl.track_count, 0) as bigint) as track_count,
    cast(coalesce(a.total_length_s, tl.tracks_length_s) as bigint) as total_length_s,
    cast(a.url as text) as aoty_url,
    cast(a.fetched_at as timestamp with time zone) as aoty_fetched_at,
    cast(coalesce(ln.lastfm_album_names, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as lastfm_album_names,
    cast(coalesce(l.listeners, 0) as bigint) as lastfm_listeners,
    cast(coalesce(l.plays, 0) as bigint) as lastfm_plays
from albums as a
left join credits as c on c.album_id = a.album_id
left join genres as g on g.album_id = a.album_id
left join tags as tg on tg.album_id = a.album_id
left join tracklists as tl on tl.album_id = a.album_id
left join lastfm_names as ln on ln.album_id = a.album_id
left join listening as l on l.album_id = a.album_id
