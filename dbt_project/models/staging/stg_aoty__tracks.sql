with source as (
    select * from {{ source('raw_aoty', 'tracks') }}
)

select
    cast(track_id as bigint) as track_id,
    cast(album_id as bigint) as album_id,
    coalesce(cast(disc as bigint), 1) as disc,
    cast(number as bigint) as number,
    cast(title as text) as title,
    cast(duration_s as bigint) as duration_s,
    cast(rating as double precision) as rating,
    coalesce(cast(rating_count as bigint), 0) as rating_count,
    nullif(cast(notes as text), '') as notes
from source
