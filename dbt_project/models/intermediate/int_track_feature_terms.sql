{#- The content features of every AOTY track as (feature, value) terms:
      genre:<g>          1.0 primary, 0.5 secondary album genre
      tag:<t>            Last.fm tag weight (0-1)
      decade:<yyyy>      1.0
      critic_score       album critic score / 100
      user_score         album user score / 100
      track_rating       AOTY track rating / 100
    These are hashed into the content vector (int_track_vector_sparse). -#}
with tracks as (
    select t.track_id, t.album_id, t.rating, a.release_year, a.critic_score, a.user_score
    from {{ ref('stg_aoty__tracks') }} as t
    inner join {{ ref('stg_aoty__albums') }} as a on a.album_id = t.album_id
),

genres as (
    select album_id, lower(trim(genre)) as genre, is_primary from {{ ref('stg_aoty__album_genres') }}
),

terms as (
    select t.track_id, 'genre:' || g.genre as feature,
        cast(case when g.is_primary then 1.0 else 0.5 end as double precision) as value
    from tracks as t
    inner join genres as g on g.album_id = t.album_id
    union all
    select aoty_track_id, 'tag:' || tag, weight
    from {{ ref('int_track_tags__weighted') }}
    union all
    select track_id, 'decade:' || cast(release_year - release_year % 10 as text), cast(1.0 as double precision)
    from tracks where release_year is not null
    union all
    select track_id, 'critic_score', critic_score / 100 from tracks where critic_score is not null
    union all
    select track_id, 'user_score', user_score / 100 from tracks where user_score is not null
    union all
    select track_id, 'track_rating', rating / 100 from tracks where rating is not null
)

select
    track_id as aoty_track_id,
    feature,
    max(value) as value
from terms
{{ group_by(2) }}
