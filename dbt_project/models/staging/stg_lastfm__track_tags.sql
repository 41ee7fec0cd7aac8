with source as (
    select * from {{ source('raw_lastfm', 'track_tags') }}
)

select
    coalesce(cast(artist_name as text), '') as artist_name,
    coalesce(cast(track_name as text), '') as track_name,
    lower(trim(cast(tag as text))) as tag,
    cast(tag_count as bigint) as tag_count
from source
