{#- The match rows of the current matcher version (var matcher_version, default the
    version of the newest match row). -#}
select
    track_key,
    matcher_version,
    artist_name,
    album_name,
    track_name,
    match_type,
    confidence,
    score,
    aoty_album_id,
    aoty_track_id
from {{ ref('stg_matching__track_matches') }}
where matcher_version = {{ current_matcher_version_sql() }}
