-- A scrobble listed as unmatched must not reach a track (no double counting).
select u.scrobble_id, u.reason
from {{ ref('unmatched_scrobbles') }} as u
inner join {{ ref('int_track_keys__resolved') }} as r on r.track_key = u.track_key
where r.aoty_track_id is not null
