with source as (
    select * from {{ source('raw_aoty', 'track_featured_artists') }}
)

select
    cast(track_id as bigint) as track_id,
    cast(position as bigint) as position,
    cast(artist_id as bigint) as artist_id,
    cast(artist_name as text) as artist_name
from source
