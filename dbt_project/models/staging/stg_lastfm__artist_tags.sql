with source as (
    select * from {{ source('raw_lastfm', 'artist_tags') }}
)

select
    coalesce(cast(artist_name as text), '') as artist_name,
    lower(trim(cast(tag as text))) as tag,
    cast(tag_count as bigint) as tag_count
from source
