with source as (
    select * from {{ source('raw_aoty', 'album_genres') }}
)

select
    cast(album_id as bigint) as album_id,
    cast(genre as text) as genre,
    coalesce(cast(is_primary as boolean), false) as is_primary,
    cast(position as bigint) as position
from source
