{#- Everything that differs between DuckDB and PostgreSQL lives here, dispatched on the
    adapter. Models call only these macros for types, hashing, arrays and aggregation. -#}

{#- Column types used in model contracts and casts. -#}
{% macro type_text_array() %}{{ return(adapter.dispatch('type_text_array', 'music_warehouse')()) }}{% endmacro %}
{% macro default__type_text_array() %}text[]{% endmacro %}
{% macro duckdb__type_text_array() %}varchar[]{% endmacro %}

{% macro type_double_array() %}{{ return(adapter.dispatch('type_double_array', 'music_warehouse')()) }}{% endmacro %}
{% macro default__type_double_array() %}double precision[]{% endmacro %}
{% macro duckdb__type_double_array() %}double[]{% endmacro %}

{% macro type_vector(dims) %}{{ return(adapter.dispatch('type_vector', 'music_warehouse')(dims)) }}{% endmacro %}
{% macro default__type_vector(dims) %}real[]{% endmacro %}
{% macro duckdb__type_vector(dims) %}float[{{ dims }}]{% endmacro %}

{#- The first 32 bits of md5(text) as a non-negative bigint; `start` picks other bits
    (1-based hex position). Same value on every engine (and in Python:
    int(hashlib.md5(s).hexdigest()[start-1:start+7], 16)). -#}
{% macro md5_int(expr, start=1) %}{{ return(adapter.dispatch('md5_int', 'music_warehouse')(expr, start)) }}{% endmacro %}
{% macro default__md5_int(expr, start) -%}
    (('x' || substr(md5({{ expr }}), {{ start }}, 8))::bit(32)::bigint)
{%- endmacro %}
{% macro duckdb__md5_int(expr, start) -%}
    cast('0x' || substr(md5({{ expr }}), {{ start }}, 8) as bigint)
{%- endmacro %}

{#- A stable text surrogate key: md5 of the parts joined with '|', nulls as ''. -#}
{% macro surrogate_key(parts) -%}
    md5({%- for p in parts %}coalesce(cast({{ p }} as text), ''){% if not loop.last %} || '|' || {% endif %}{%- endfor %})
{%- endmacro %}

{#- Ordered array aggregate; nulls dropped. -#}
{% macro array_agg_ordered(expr, order_by, distinct=false) %}{{ return(adapter.dispatch('array_agg_ordered', 'music_warehouse')(expr, order_by, distinct)) }}{% endmacro %}
{% macro default__array_agg_ordered(expr, order_by, distinct) -%}
    array_remove(array_agg({% if distinct %}distinct {% endif %}{{ expr }} order by {{ order_by }}), null)
{%- endmacro %}
{% macro duckdb__array_agg_ordered(expr, order_by, distinct) -%}
    list_filter(array_agg({% if distinct %}distinct {% endif %}{{ expr }} order by {{ order_by }}), lambda x: x is not null)
{%- endmacro %}

{#- An empty array of the given element type (for coalescing missing lists). -#}
{% macro empty_array(array_type) %}{{ return(adapter.dispatch('empty_array', 'music_warehouse')(array_type)) }}{% endmacro %}
{% macro default__empty_array(array_type) %}cast(array[] as {{ array_type }}){% endmacro %}
{% macro duckdb__empty_array(array_type) %}cast([] as {{ array_type }}){% endmacro %}

{#- Number of elements of an array (0 for empty). -#}
{% macro array_length(expr) %}{{ return(adapter.dispatch('array_length', 'music_warehouse')(expr)) }}{% endmacro %}
{% macro default__array_length(expr) %}coalesce(cardinality({{ expr }}), 0){% endmacro %}
{% macro duckdb__array_length(expr) %}coalesce(len({{ expr }}), 0){% endmacro %}

{#- Element i (1-based) of an array. -#}
{% macro array_element(expr, i) %}({{ expr }})[{{ i }}]{% endmacro %}

{#- Ordered, delimited string aggregate of distinct values. -#}
{% macro string_agg_distinct(expr, delimiter=',') %}{{ return(adapter.dispatch('string_agg_distinct', 'music_warehouse')(expr, delimiter)) }}{% endmacro %}
{% macro default__string_agg_distinct(expr, delimiter) -%}
    string_agg(distinct {{ expr }}, '{{ delimiter }}' order by {{ expr }})
{%- endmacro %}

{#- Ordered, delimited string aggregate (duplicates kept). -#}
{% macro string_agg_ordered(expr, order_by, delimiter=',') -%}
    string_agg({{ expr }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}

{#- `group by all` is DuckDB only: emit positional groups everywhere. -#}
{% macro group_by(n) -%}
    group by {% for i in range(1, n + 1) %}{{ i }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{#- Unix seconds to timestamptz. -#}
{% macro epoch_to_timestamp(expr) %}{{ return(adapter.dispatch('epoch_to_timestamp', 'music_warehouse')(expr)) }}{% endmacro %}
{% macro default__epoch_to_timestamp(expr) %}to_timestamp({{ expr }}){% endmacro %}
{% macro duckdb__epoch_to_timestamp(expr) %}to_timestamp({{ expr }}){% endmacro %}

{#- Dense float vector of `dims` from parallel arrays of 0-based buckets and values
    (buckets unique per row; missing buckets are 0). -#}
{% macro dense_vector(buckets, vals, dims) %}{{ return(adapter.dispatch('dense_vector', 'music_warehouse')(buckets, vals, dims)) }}{% endmacro %}
{% macro default__dense_vector(buckets, vals, dims) -%}
    array(select coalesce(({{ vals }})[array_position({{ buckets }}, g.i)], 0)::real
          from generate_series(0, {{ dims - 1 }}) as g(i) order by g.i)
{%- endmacro %}
{% macro duckdb__dense_vector(buckets, vals, dims) -%}
    cast(list_transform(range({{ dims }}), lambda i: coalesce(({{ vals }})[list_position({{ buckets }}, i)], 0)) as float[{{ dims }}])
{%- endmacro %}

{#- Element i (1-based) of a vector as double, for tests and consumers. -#}
{% macro vector_sum_squares(expr, dims) %}{{ return(adapter.dispatch('vector_sum_squares', 'music_warehouse')(expr, dims)) }}{% endmacro %}
{% macro default__vector_sum_squares(expr, dims) -%}
    (select sum(cast(v as double precision) * cast(v as double precision)) from unnest({{ expr }}) as u(v))
{%- endmacro %}
{% macro duckdb__vector_sum_squares(expr, dims) -%}
    list_sum(list_transform(cast({{ expr }} as double[]), lambda v: v * v))
{%- endmacro %}

{#- Vector length in elements. -#}
{% macro vector_length(expr) %}{{ return(adapter.dispatch('vector_length', 'music_warehouse')(expr)) }}{% endmacro %}
{% macro default__vector_length(expr) %}cardinality({{ expr }}){% endmacro %}
{% macro duckdb__vector_length(expr) %}len(cast({{ expr }} as float[])){% endmacro %}
