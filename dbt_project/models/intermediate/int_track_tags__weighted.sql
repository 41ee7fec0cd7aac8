{#- Last.fm tags per AOTY track, weight = tag_count / 100 (Last.fm counts are relative,
    100 = the track's top tag), the highest over the spellings that reach the track. -#}
select
    r.aoty_track_id,
    t.tag,
    max(cast(least(t.tag_count, 100) as double precision) / 100) as weight
from {{ ref('int_track_keys__resolved') }} as r
inner join {{ ref('stg_lastfm__track_tags') }} as t
    on t.artist_name = r.artist_name
    and t.track_name = r.track_name
where r.aoty_track_id is not null
    and t.tag_count > 0
    and t.tag <> ''
{{ group_by(2) }}
