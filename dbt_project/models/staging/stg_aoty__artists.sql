with source as (
    select * from {{ source('raw_aoty', 'artists') }}
)

select
    cast(artist_id as bigint) as artist_id,
    cast(name as text) as name,
    cast(url as text) as url,
    cast(critic_score as double precision) as critic_score,
    cast(user_score as double precision) as user_score
from source
