with source as (
    select * from {{ source('raw_lastfm', 'users') }}
)

select
    cast(user_name as text) as user_name,
    nullif(cast(realname as text), '') as realname,
    nullif(nullif(cast(country as text), ''), 'None') as country,
    cast(playcount as bigint) as playcount,
    cast(registered_uts as bigint) as registered_uts,
    {{ epoch_to_timestamp('cast(registered_uts as bigint)') }} as registered_at
from source
