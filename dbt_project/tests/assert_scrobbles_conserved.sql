-- Every raw scrobble is either counted in an interaction or listed as unmatched, exactly once.
with raw as (
    select count(*) as n from {{ source('raw_lastfm', 'scrobbles') }}
),

counted as (
    select coalesce(sum(play_count), 0) as n from {{ ref('user_track_interactions') }}
),

unmatched as (
    select count(*) as n from {{ ref('unmatched_scrobbles') }}
)

select raw.n as raw_scrobbles, counted.n as counted_in_interactions, unmatched.n as unmatched
from raw, counted, unmatched
where raw.n <> counted.n + unmatched.n
