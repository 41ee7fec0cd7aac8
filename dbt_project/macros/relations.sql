{#- The relation if it exists in the warehouse, else none. Used for optional inputs
    (ops.match_reviews) so the build works before they exist. At parse time returns none. -#}
{% macro optional_relation(schema, identifier) %}
    {% if not execute %}{{ return(none) }}{% endif %}
    {{ return(adapter.get_relation(database=target.database, schema=schema, identifier=identifier)) }}
{% endmacro %}

{#- The matcher version the build reads (var matcher_version, or the latest by matched_at). -#}
{% macro current_matcher_version_sql() -%}
    {%- if var('matcher_version', none) is not none -%}
        '{{ var("matcher_version") }}'
    {%- else -%}
        (select matcher_version from {{ ref('stg_matching__track_matches') }}
         order by matched_at desc, matcher_version desc limit 1)
    {%- endif -%}
{%- endmacro %}

{#- The admission rule as one string, stored with incremental rows: when the rule changes
    (matcher version, confidences, minimum score, the review overrides' content), earlier rows are stale. -#}
{% macro resolution_rule_sql() -%}
    {%- set reviews = optional_relation(var('match_reviews_schema'), var('match_reviews_table')) -%}
    ({{ current_matcher_version_sql() }} || '|{{ var("match_confidences") | join(",") }}|{{ var("match_min_score") }}'
    {%- if reviews is not none %}
     || '|reviews:' || (select coalesce(md5({{ string_agg_ordered(
            "cast(track_key as text) || ':' || coalesce(cast(verdict as text), '') || ':' || coalesce(cast(chosen_track_id as text), '')",
            'track_key', ',') }}), '') from {{ reviews }})
    {%- endif %})
{%- endmacro %}

{#- True while an incremental mart's hook runs against rows built earlier (the table
    exists and this is not a --full-refresh): only then is there anything to clean up. -#}
{% macro has_earlier_rows() %}
    {% if not execute or flags.FULL_REFRESH %}{{ return(false) }}{% endif %}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) is not none) }}
{% endmacro %}

{#- pre_hook of the incremental marts: if the admission rule changed since the rows were
    built, drop them all so the model rebuilds every row (it re-adds rows missing from it). -#}
{% macro reset_if_rule_changed() %}
    {% if has_earlier_rows() %}
        delete from {{ this }} where resolution_rule <> {{ resolution_rule_sql() }}
    {% else %}
        select 1
    {% endif %}
{% endmacro %}

{#- post-hook of built tables: fresh planner statistics, so downstream joins (and the next
    incremental run's joins against the table) are planned from real row counts; PostgreSQL
    does not analyze new tables until autovacuum gets to them. -#}
{% macro analyze_relation(relation) %}{{ return(adapter.dispatch('analyze_relation', 'music_warehouse')(relation)) }}{% endmacro %}
{% macro default__analyze_relation(relation) %}analyze {{ relation }}{% endmacro %}
{% macro duckdb__analyze_relation(relation) %}select 1{% endmacro %}

{#- on-run-start: planner statistics for the raw tables dlt just loaded (PostgreSQL does not
    analyze them until autovacuum runs, and a build right after a load would plan 1M-row joins
    from guesses: merge joins with external sorts instead of hash joins). -#}
{% macro analyze_sources() %}{{ return(adapter.dispatch('analyze_sources', 'music_warehouse')()) }}{% endmacro %}
{% macro duckdb__analyze_sources() %}select 1{% endmacro %}
{% macro default__analyze_sources() %}
    {%- set statements = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- set rel = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.identifier) -%}
            {%- if rel is not none %}{% do statements.append('analyze ' ~ rel) %}{% endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ (statements | join('; ')) if statements else 'select 1' }}
{% endmacro %}

{#- pre-hook of built models: memory for the 1M-row aggregations and no JIT (its compile time
    dominates these short queries) on PostgreSQL. -#}
{% macro session_tuning() %}{{ return(adapter.dispatch('session_tuning', 'music_warehouse')()) }}{% endmacro %}
{% macro duckdb__session_tuning() %}select 1{% endmacro %}
{% macro default__session_tuning() %}set work_mem = '256MB'; set jit = off{% endmacro %}
