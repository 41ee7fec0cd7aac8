with aoty_artists as (
    select artist_id, name, url, critic_score, user_score from {{ ref('stg_aoty__artists') }}
),

credited as (
    select artist_id, artist_name from {{ ref('stg_aoty__album_artists') }}
    union all
    select artist_id, artist_name from {{ ref('stg_aoty__track_featured_artists') }}
),

all_ids as (
    select artist_id, min(artist_name) as credited_name
    from (
        select artist_id, name as artist_name from aoty_artists
        union all
        select artist_id, artist_name from credited
    ) as ids
    where artist_id is not null
    {{ group_by(1) }}
),

album_counts as (
    select artist_id, count(*) as album_count
    from {{ ref('stg_aoty__albums') }}
    {{ group_by(1) }}
),

lastfm as (
    -- Last.fm spellings and listening of the artist's own albums (main credit).
    select
        a.artist_id,
        {{ array_agg_ordered('r.artist_name', 'r.artist_name', distinct=true) }} as lastfm_artist_names,
        count(distinct i.user_name) as lastfm_listeners
    from {{ ref('int_track_keys__resolved') }} as r
    inner join {{ ref('stg_aoty__albums') }} as a on a.album_id = r.aoty_album_id
    left join {{ ref('user_track_interactions') }} as i on i.aoty_track_id = r.aoty_track_id
    where r.aoty_track_id is not null
    {{ group_by(1) }}
),

plays as (
    select a.artist_id, sum(l.plays) as lastfm_plays
    from {{ ref('int_track_listens') }} as l
    inner join {{ ref('stg_aoty__tracks') }} as t on t.track_id = l.aoty_track_id
    inner join {{ ref('stg_aoty__albums') }} as a on a.album_id = t.album_id
    {{ group_by(1) }}
)

select
    cast({{ surrogate_key(["'aoty_artist'", 'ids.artist_id']) }} as text) as artist_sk,
    cast(ids.artist_id as bigint) as aoty_artist_id,
    cast(coalesce(aa.name, ids.credited_name) as text) as name,
    cast(aa.url as text) as aoty_url,
    cast(aa.critic_score as double precision) as aoty_critic_score,
    cast(aa.user_score as double precision) as aoty_user_score,
    cast(coalesce(ac.album_count, 0) as bigint) as aoty_album_count,
    cast(coalesce(lf.lastfm_artist_names, {{ empty_array(type_text_array()) }}) as {{ type_text_array() }}) as lastfm_artist_names,
    cast(coalesce(lf.lastfm_listeners, 0) as bigint) as lastfm_listeners,
    cast(coalesce(p.lastfm_plays, 0) as bigint) as lastfm_plays
from all_ids as ids
left join aoty_artists as aa on aa.artist_id = ids.artist_id
left join album_counts as ac on ac.artist_id = ids.artist_id
left join lastfm as lf on lf.artist_id = ids.artist_id
left join plays as p on p.artist_id = ids.artist_id
