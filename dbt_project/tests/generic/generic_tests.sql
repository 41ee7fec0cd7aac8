{#- Small stand-ins for dbt_utils (its hub is unreachable here). -#}

{#- Rows where the SQL expression is not true fail. -#}
{% test expression_is_true(model, expression, column_name=none, where_clause=none) %}
select * from {{ model }}
where not ({{ expression }}){% if where_clause %} and ({{ where_clause }}){% endif %}
{% endtest %}

{#- The combination of columns is unique. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as n
from {{ model }}
{{ group_by(combination_of_columns | length) }}
having count(*) > 1
{% endtest %}

{#- The model has at least min_rows rows. -#}
{% test has_rows(model, min_rows=1) %}
select n from (select count(*) as n from {{ model }}) as c where n < {{ min_rows }}
{% endtest %}

{#- A float vector column has `dims` elements and unit L2 norm (or is all zeros). -#}
{% test unit_vector(model, column_name, dims, tolerance=0.0001) %}
with v as (
    select {{ vector_length(column_name) }} as n, {{ vector_sum_squares(column_name, dims) }} as ss
    from {{ model }}
)
select * from v
where n <> {{ dims }}
   or not (abs(ss - 1) <= {{ tolerance }} or ss = 0)
{% endtest %}

{#- Two arrays in the same row have the same length. -#}
{% test arrays_same_length(model, column_name, other_column) %}
select * from {{ model }}
where {{ array_length(column_name) }} <> {{ array_length(other_column) }}
{% endtest %}
