{#- Collection completeness: for every network with data and every Lima day of the warehouse's span
    (of the network's own span for networks that only arrive as samples), how many rows were collected
    and how many distinct posts landed. A day with no collection is a gap in collection, not a quiet
    day of conversation. -#}
{% set bounds = none %}
{% if execute %}
    {% set bounds = run_query("select min(day) - 1, max(day) + 2 from " ~ ref('int_collected_rows_counted')).rows[0] %}
{% endif %}
{% set first_day = bounds[0] if bounds and bounds[0] else '2000-01-01' %}
{% set last_day = bounds[1] if bounds and bounds[1] else '2000-01-02' %}

with collected as (
    select
        network,
        day,
        sum(rows_collected) as rows_collected,
        sum(posts) as posts,
        count(*) as files
    from {{ ref('int_collected_rows_counted') }}
    group by network, day
),

warehouse_span as (
    select min(day) as first_day, max(day) as last_day from collected
),

network_spans as (
    select
        collected.network,
        case when networks.collection = 'sample' then min(collected.day)
             else (select first_day from warehouse_span) end as first_day,
        case when networks.collection = 'sample' then max(collected.day)
             else (select last_day from warehouse_span) end as last_day
    from collected
    left join {{ ref('networks') }} as networks on networks.network = collected.network
    group by collected.network, networks.collection
),

days as (
    {{ dbt.date_spine('day', "cast('" ~ first_day ~ "' as date)", "cast('" ~ last_day ~ "' as date)") }}
),

spine as (
    select network_spans.network, cast(days.date_day as date) as day
    from network_spans
    inner join days on days.date_day between network_spans.first_day and network_spans.last_day
),

final as (
    select
        spine.day,
        spine.network,
        cast(coalesce(collected.files, 0) as bigint) as files,
        cast(coalesce(collected.rows_collected, 0) as bigint) as rows_collected,
        cast(coalesce(collected.posts, 0) as bigint) as posts,
        collected.network is not null as has_collection
    from spine
    left join collected
        on collected.network = spine.network and collected.day = spine.day
)

select * from final
