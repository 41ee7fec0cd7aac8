with source as (
    select * from {{ source('raw_aoty', 'albums') }}
)

select
    cast(album_id as bigint) as album_id,
    cast(url as text) as url,
    cast(title as text) as title,
    cast(artist_id as bigint) as artist_id,
    cast(artist_name as text) as artist_name,
    cast(release_date as date) as release_date,
    cast(release_year as bigint) as release_year,
    cast(format as text) as format,
    cast(label as text) as label,
    cast(critic_score as double precision) as critic_score,
    coalesce(cast(critic_review_count as bigint), 0) as critic_review_count,
    cast(user_score as double precision) as user_score,
    coalesce(cast(user_rating_count as bigint), 0) as user_rating_count,
    cast(total_length_s as bigint) as total_length_s,
    cast(fetched_at as timestamp with time zone) as fetched_at,
    cast(parser_version as text) as parser_version
from source
