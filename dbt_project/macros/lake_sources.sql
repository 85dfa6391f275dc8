{#- A lake source as a staging model reads it. The sources read every day file of an entity with
    union_by_name, so that files of different schemas (written by an older connector) read
    together; but then DuckDB reads the schema of every file whenever a query names the view:
    about 0.06 s for a year's 366 files, at each of the some 90 places a daily build reads a lake
    view. When every file of the entity has the same columns and types (checked once, as the view
    is made), the view reads them without union_by_name. A file of another schema published later
    makes a read of the view fail (DuckDB names the file and the column) until the next build makes
    the view again, with union_by_name; escucha publishes files only in a run, before its build.
    The sources name their files relative to the data home; the view names them absolutely
    (lake_path). A single file (the lake's _meta tables) is read as it is. -#}
{% macro lake_scan(source_name, table_name) -%}
    {{- return(adapter.dispatch('lake_scan', 'escucha')(source(source_name, table_name))) -}}
{%- endmacro %}

{% macro default__lake_scan(relation) -%}
    {{- return(relation) -}}
{%- endmacro %}

{% macro duckdb__lake_scan(relation) -%}
    {%- set found = modules.re.fullmatch("read_parquet\\('([^']+)'(, union_by_name=true)?\\)", relation | string) -%}
    {%- if not (execute and found) -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set glob = lake_path(found.group(1)) -%}
    {%- if found.group(2) and not lake_files_share_a_schema(glob) -%}
        {{- return("read_parquet('" ~ glob ~ "', union_by_name=true)") -}}
    {%- endif -%}
    {{- return("read_parquet('" ~ glob ~ "')") -}}
{%- endmacro %}

{#- A path of the data home (the sources name the lake's files relative to it) as the absolute path
    a view keeps, read from ESCUCHA_HOME when models run, never while dbt parses the project: the
    parse is then the same in every home, and dbt need not parse the project again in another
    (escucha/dbt_cli.py). While parsing, the path as given. -#}
{% macro lake_path(path) -%}
    {%- if execute and not path.startswith('/') -%}
        {{- return(env_var('ESCUCHA_HOME') ~ '/' ~ path) -}}
    {%- endif -%}
    {{- return(path) -}}
{%- endmacro %}

{#- True when every Parquet file matching `glob` has the same columns, types and nesting (whether a
    column may hold nulls aside: DuckDB writes a column without nulls as required). -#}
{% macro lake_files_share_a_schema(glob) -%}
    {%- set schemas -%}
        select count(distinct file_schema) as schemas
        from (
            select
                file_name,
                string_agg(column_schema, ',' order by column_schema) as file_schema
            from (
                select
                    file_name,
                    concat_ws(':', name, type, converted_type, logical_type, num_children,
                              case when repetition_type = 'REPEATED' then 'repeated' end) as column_schema
                from parquet_schema('{{ glob }}')
            ) as columns
            group by file_name
        ) as files
    {%- endset -%}
    {{- return(run_query(schemas).columns[0].values()[0] == 1) -}}
{%- endmacro %}
