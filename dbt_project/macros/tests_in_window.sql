{#- Tests of the rows a run wrote. In a test's `where`, `__in_window__(column)` keeps the rows
    whose column falls in the run's window of UTC days, and `__relation__` names the tested
    relation (for a key test: every row that shares a key with a row of the window). The filter
    applies when the build runs incrementally over a window: ESCUCHA_TESTS_IN_WINDOW=1, which
    Dagster sets only when every incremental model already has its table and the previous build
    passed every test (assets/transform.py); the rows outside the window were tested by a build
    that passed. Any other build (the first, the one after a failure, a full refresh, a build by
    hand) drops the filter and tests every row. A `where` without these names works as dbt's own. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__in_window__' in where -%}
        {%- if not execute or flags.FULL_REFRESH or env_var('ESCUCHA_TESTS_IN_WINDOW', '') != '1' -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set first_day = "cast('" ~ run_window_bound('min_date') ~ "' as date)" -%}
        {%- set day_after = dbt.dateadd('day', 1, "cast('" ~ run_window_bound('max_date') ~ "' as date)") -%}
        {%- set where = modules.re.sub('__in_window__\\((\\w+)\\)',
                                       '(\\1 >= ' ~ first_day ~ ' and \\1 < ' ~ day_after ~ ')', where)
                        | replace('__relation__', relation | string) -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) -%}
{%- endmacro %}
