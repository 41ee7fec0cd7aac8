-- Names: Last.fm sends "" for a missing artist/album; loaders on some engines store NULL.
-- Both become "" here so joins on names behave the same everywhere.
with source as (
    select * from {{ source('raw_lastfm', 'scrobbles') }}
)

select
    cast(scrobble_id as text) as scrobble_id,
    cast(user_name as text) as user_name,
    cast(uts as bigint) as uts,
    cast(played_at as timestamp with time zone) as played_at,
    coalesce(cast(artist_name as text), '') as artist_name,
    nullif(cast(artist_mbid as text), '') as artist_mbid,
    coalesce(cast(album_name as text), '') as album_name,
    nullif(cast(album_mbid as text), '') as album_mbid,
    coalesce(cast(track_name as text), '') as track_name,
    nullif(cast(track_mbid as text), '') as track_mbid,
    cast(track_key as text) as track_key,
    cast(source as text) as source,
    coalesce(cast(uts_is_placeholder as boolean), false) as uts_is_placeholder,
    cast(_dlt_load_id as text) as load_id
from source
