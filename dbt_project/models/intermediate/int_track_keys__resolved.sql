{#- One row per distinct scrobbled (artist, album, track) spelling: the AOTY track it counts
    for, or why it counts for none. Admission: a track_match whose confidence is in
    var('match_confidences') and score >= var('match_min_score'). Review verdicts override,
    whatever the matcher says: accept/pick admit chosen_track_id, reject/not_on_aoty exclude. -#}
{%- set confidences = var('match_confidences') -%}

with spellings as (
    select
        track_key,
        min(artist_name) as artist_name,
        min(album_name) as album_name,
        min(track_name) as track_name
    from {{ ref('stg_lastfm__scrobbles') }}
    {{ group_by(1) }}
),

matches as (
    select * from {{ ref('int_matches__current') }}
),

reviews as (
    select * from {{ ref('int_match_reviews') }}
),

catalog as (
    select t.track_id, t.album_id
    from {{ ref('stg_aoty__tracks') }} as t
    inner join {{ ref('stg_aoty__albums') }} as a on a.album_id = t.album_id
),

decided as (
    select
        s.track_key,
        s.artist_name,
        s.album_name,
        s.track_name,
        m.matcher_version,
        m.match_type,
        m.confidence,
        m.score,
        r.verdict as review_verdict,
        case
            when r.verdict in ('accept', 'pick') then r.chosen_track_id
            when r.verdict is not null then null
            when m.match_type = 'track_match'
                and m.confidence in ({% for c in confidences %}'{{ c }}'{% if not loop.last %}, {% endif %}{% endfor %})
                and m.score >= {{ var('match_min_score') }}
                then m.aoty_track_id
        end as candidate_track_id,
        case
            when r.verdict in ('accept', 'pick') and r.chosen_track_id is null then 'not_on_tracklist'
            when r.verdict in ('accept', 'pick') then null
            when r.verdict = 'not_on_aoty' then 'review_not_on_aoty'
            when r.verdict is not null then 'review_rejected'
            when m.track_key is null then 'not_matched_yet'
            when m.match_type = 'no_match' then 'no_aoty_match'
            when m.match_type = 'artist_match' then 'no_aoty_album'
            when m.match_type = 'album_match' then 'not_on_tracklist'
            when m.confidence is null
                or m.confidence not in ({% for c in confidences %}'{{ c }}'{% if not loop.last %}, {% endif %}{% endfor %})
                then 'low_confidence'
            when m.score is null or m.score < {{ var('match_min_score') }} then 'low_score'
            when m.aoty_track_id is null then 'no_aoty_track'
        end as rejection
    from spellings as s
    left join matches as m on m.track_key = s.track_key
    left join reviews as r on r.track_key = s.track_key
)

select
    d.track_key,
    d.artist_name,
    d.album_name,
    d.track_name,
    d.matcher_version,
    d.match_type,
    d.confidence,
    d.score,
    d.review_verdict,
    c.track_id as aoty_track_id,
    c.album_id as aoty_album_id,
    case
        when d.rejection is not null then d.rejection
        when c.track_id is null then 'track_not_loaded'
    end as unmatched_reason
from decided as d
left join catalog as c
    on c.track_id = d.candidate_track_id
    and d.rejection is null
