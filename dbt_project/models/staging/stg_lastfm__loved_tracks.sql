with source as (
    select * from {{ source('raw_lastfm', 'loved_tracks') }}
)

select
    cast(user_name as text) as user_name,
    coalesce(cast(artist_name as text), '') as artist_name,
    coalesce(cast(track_name as text), '') as track_name,
    cast(loved_uts as bigint) as loved_uts,
    {{ epoch_to_timestamp('cast(loved_uts as bigint)') }} as loved_at,
    nullif(cast(artist_mbid as text), '') as artist_mbid,
    nullif(cast(track_mbid as text), '') as track_mbid
from source
