{#- popularity = ln(1 + listeners) + 0.5 * ln(1 + plays) + 0.25 * ln(1 + aoty_ratings)
    listeners: distinct users who played the track; plays: their scrobbles of it;
    aoty_ratings: AOTY track ratings + album user ratings + album critic reviews.
    Natural logs damp the long tail; listeners weigh most because one heavy user's
    repeats should not outrank many light listeners. -#}
with tracks as (
    select track_id, album_id, rating_count from {{ ref('stg_aoty__tracks') }}
),

albums as (
    select album_id, user_rating_count, critic_review_count from {{ ref('stg_aoty__albums') }}
),

listens as (
    select aoty_track_id, listeners, plays from {{ ref('int_track_listens') }}
),

inputs as (
    select
        t.track_id as aoty_track_id,
        coalesce(l.listeners, 0) as listeners,
        coalesce(l.plays, 0) as plays,
        coalesce(t.rating_count, 0) + coalesce(a.user_rating_count, 0) + coalesce(a.critic_review_count, 0)
            as aoty_rating_count
    from tracks as t
    inner join albums as a on a.album_id = t.album_id
    left join listens as l on l.aoty_track_id = t.track_id
)

select
    aoty_track_id,
    listeners,
    plays,
    aoty_rating_count,
    cast(
        ln(1 + cast(listeners as double precision))
        + 0.5 * ln(1 + cast(plays as double precision))
        + 0.25 * ln(1 + cast(aoty_rating_count as double precision))
        as double precision
    ) as popularity
from inputs
