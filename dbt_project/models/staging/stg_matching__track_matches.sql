with source as (
    select * from {{ source('raw_matching', 'track_matches') }}
)

select
    cast(track_key as text) as track_key,
    cast(matcher_version as text) as matcher_version,
    coalesce(cast(artist_name as text), '') as artist_name,
    coalesce(cast(album_name as text), '') as album_name,
    coalesce(cast(track_name as text), '') as track_name,
    cast(match_type as text) as match_type,
    cast(confidence as text) as confidence,
    cast(score as double precision) as score,
    cast(artist_score as double precision) as artist_score,
    cast(album_score as double precision) as album_score,
    cast(track_score as double precision) as track_score,
    cast(aoty_album_id as bigint) as aoty_album_id,
    cast(aoty_track_id as bigint) as aoty_track_id,
    cast(reason as text) as reason,
    cast(matched_at as timestamp with time zone) as matched_at
from source
