{#- Last.fm listening per AOTY track, counted once from the interactions mart. -#}
select
    aoty_track_id,
    count(*) as listeners,
    sum(play_count) as plays
from {{ ref('user_track_interactions') }}
{{ group_by(1) }}
