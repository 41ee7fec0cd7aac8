with source as (
    select * from {{ source('raw_aoty', 'album_artists') }}
)

select
    cast(album_id as bigint) as album_id,
    cast(position as bigint) as position,
    cast(artist_id as bigint) as artist_id,
    cast(artist_name as text) as artist_name
from source
