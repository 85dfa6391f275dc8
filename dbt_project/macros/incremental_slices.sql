{#- A mart that mirrors a table rebuilt by slices (the graph tables: a topic and a period) need
    not write the year again in every build: incremental with the delete+insert strategy, its
    unique_key the slice columns, it selects only the slices whose rows differ from its own, and a
    post-hook deletes the slices its source no longer has. A slice's rows are compared by their
    count and the bitwise xor of their row hashes (engine_functions.row_hash): an unchanged slice
    is neither read into the build's temporary table nor written again. -#}

{#- A `where` condition on `relation` (a CTE of the model, with the mart's columns): true for the
    rows of a slice whose rows the built mart (`this`) does not hold exactly. -#}
{% macro in_changed_slice(relation, slice_columns) -%}
    {%- set columns = [] -%}
    {%- for column in adapter.get_columns_in_relation(this) -%}
        {%- do columns.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {%- set slice = slice_columns | join(', ') -%}
    exists (
        select 1
        from (
            select {{ slice }}, count(*) as slice_rows, bit_xor({{ row_hash(columns) }}) as slice_hash
            from {{ relation }}
            group by {{ slice }}
            except
            select {{ slice }}, count(*) as slice_rows, bit_xor({{ row_hash(columns) }}) as slice_hash
            from {{ this }}
            group by {{ slice }}
        ) as changed
        where {% for column in slice_columns %}changed.{{ column }} = {{ relation }}.{{ column }}{{ ' and ' if not loop.last }}{% endfor %}
    )
{%- endmacro %}

{#- Post-hook: delete the mart's slices that `source` no longer has. `slice_columns` maps each of
    the mart's slice columns to the source's column. -#}
{% macro delete_slices_gone(source, slice_columns) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as built
    where not exists (
        select 1
        from {{ source }} as source
        where {% for mart_column, source_column in slice_columns.items() %}source.{{ source_column }} = built.{{ mart_column }}{{ ' and ' if not loop.last }}{% endfor %}
    )
    {%- endif -%}
{%- endmacro %}
