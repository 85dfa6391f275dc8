{% macro drop_leftover_temp_tables() %}
  {#- dbt-duckdb builds the new rows of an incremental Python model in a table <model>__dbt_tmp<time>
      of the main schema and never drops it (SQL models use temporary tables): after each
      invocation, drop what is left. -#}
  {% if execute %}
    {% set leftovers = run_query(
        "select table_schema, table_name from information_schema.tables "
        ~ "where table_catalog = current_database() and contains(table_name, '__dbt_tmp')") %}
    {% for row in leftovers.rows %}
      {% do run_query("drop table if exists " ~ adapter.quote(row[0]) ~ "." ~ adapter.quote(row[1])) %}
    {% endfor %}
  {% endif %}
{% endmacro %}
