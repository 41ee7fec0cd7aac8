with source as (
    select * from {{ source('raw_aoty', 'album_tags') }}
)

select
    cast(album_id as bigint) as album_id,
    cast(tag as text) as tag
from source
