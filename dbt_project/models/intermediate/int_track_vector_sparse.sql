{#- Feature hashing: each term goes to bucket md5_int(feature) % vector_dims with sign
    +1/-1 from other md5 bits (md5_int(feature, 9) % 2), collisions add up, then each
    track's vector is L2-normalized. md5 keeps the buckets identical on every engine. -#}
{%- set dims = var('vector_dims') -%}

with hashed as (
    select
        aoty_track_id,
        {{ md5_int('feature') }} % {{ dims }} as bucket,
        case when {{ md5_int('feature', 9) }} % 2 = 0 then 1 else -1 end * value as value
    from {{ ref('int_track_feature_terms') }}
),

buckets as (
    select aoty_track_id, bucket, sum(value) as value
    from hashed
    {{ group_by(2) }}
),

norms as (
    select aoty_track_id, sqrt(sum(value * value)) as norm
    from buckets
    {{ group_by(1) }}
)

select
    b.aoty_track_id,
    cast(b.bucket as integer) as bucket,
    cast(case when n.norm > 0 then b.value / n.norm else 0 end as double precision) as value
from buckets as b
inner join norms as n on n.aoty_track_id = b.aoty_track_id
