{#- pre_hook of user_track_interactions. delete+insert can update and add pairs, never remove
    them: when a spelling's resolution moves (a newly scraped album, a re-match, a review) the
    pair it used to count for keeps its old play count. So before the incremental insert,
    delete every stored pair whose play count no longer equals the count recomputed from the
    current resolution (vanished pairs included); the model then re-adds them as missing. -#}
{% macro delete_stale_interactions() %}
    {% if has_earlier_rows() %}
        delete from {{ this }} where (user_name, track_sk) in (
            select t.user_name, t.track_sk
            from {{ this }} as t
            left join (
                select s.user_name, {{ surrogate_key(["'aoty_track'", 'r.aoty_track_id']) }} as track_sk,
                       count(*) as play_count
                from {{ ref('stg_lastfm__scrobbles') }} as s
                inner join {{ ref('int_track_keys__resolved') }} as r on r.track_key = s.track_key
                where r.aoty_track_id is not null
                {{ group_by(2) }}
            ) as c on c.user_name = t.user_name and c.track_sk = t.track_sk
            where c.play_count is null or c.play_count <> t.play_count
        )
    {% else %}
        select 1
    {% endif %}
{% endmacro %}
