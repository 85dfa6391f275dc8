{#- Who takes part, only as aggregates: per topic, Lima calendar month and demographic dimension
    (account type, and for persons gender and age band; region for everyone), the authors, posts and
    engagement of each value. A cell with fewer than 10 authors is suppressed (null), and so are enough
    other cells of its group that no suppressed value follows by subtraction from the group's total;
    a group of fewer than 10 authors publishes nothing, not even its rows. share_known says what the figures rest on. -#}
with posts as (
    select topic_id, author_key, created_date_lima, engagement
    from {{ ref('fct_post_topics') }}
    where is_relevant
),

profiles as (
    select * from {{ ref('author_profiles') }}
),

by_author as (
    select
        posts.topic_id,
        {{ dbt.date_trunc('month', 'posts.created_date_lima') }} as month,
        posts.author_key,
        count(*) as posts,
        sum(posts.engagement) as engagement
    from posts
    group by posts.topic_id, {{ dbt.date_trunc('month', 'posts.created_date_lima') }}, posts.author_key
),

described as (
    select
        by_author.*,
        coalesce(profiles.account_type, 'unknown') as account_type,
        coalesce(profiles.gender, 'unknown') as gender,
        coalesce(profiles.age_band, 'unknown') as age_band,
        case
            when profiles.country = 'PE' and profiles.department is not null then profiles.department
            when profiles.country is not null and profiles.country <> 'PE' then 'abroad'
            else 'unknown'
        end as region
    from by_author
    left join profiles on profiles.author_key = by_author.author_key
),

long as (
    select topic_id, month, 'account_type' as dimension, account_type as value, author_key, posts, engagement
    from described
    union all
    select topic_id, month, 'gender', gender, author_key, posts, engagement
    from described where account_type = 'person'
    union all
    select topic_id, month, 'age_band', age_band, author_key, posts, engagement
    from described where account_type = 'person'
    union all
    select topic_id, month, 'region', region, author_key, posts, engagement
    from described
),

cells as (
    select
        topic_id, month, dimension, value,
        count(*) as authors,
        sum(posts) as posts,
        sum(engagement) as engagement
    from long
    group by topic_id, month, dimension, value
),

flagged as (
    select
        cells.*,
        authors < 10 as primary_suppressed,
        sum(authors) over (partition by topic_id, month, dimension) as group_authors,
        sum(case when value <> 'unknown' then authors else 0 end) over (partition by topic_id, month, dimension)
            as group_known,
        count(case when authors < 10 then 1 end) over (partition by topic_id, month, dimension) as n_primary,
        sum(case when authors < 10 then authors else 0 end) over (partition by topic_id, month, dimension)
            as primary_authors,
        row_number() over (partition by topic_id, month, dimension, authors < 10 order by authors, value)
            as rank_in_kind
    from cells
),

suppressed as (
    select
        flagged.*,
        group_authors < 10
            or primary_suppressed
            {# one complementary cell (the smallest publishable one) when a lone suppressed cell, or
               suppressed cells that could only be ones, would follow from the group's total #}
            or (not primary_suppressed and rank_in_kind = 1 and n_primary > 0
                and (n_primary = 1 or primary_authors = n_primary))
            as cell_suppressed
    from flagged
),

persons_published as (
    {# gender and age band describe the persons: their group total equals the account_type
       'person' cell, so they are published only when that cell is #}
    select topic_id, month
    from suppressed
    where dimension = 'account_type' and value = 'person' and not cell_suppressed
),

gated as (
    select
        suppressed.topic_id, suppressed.month, suppressed.dimension, suppressed.value,
        suppressed.authors, suppressed.posts, suppressed.engagement, suppressed.group_authors,
        suppressed.group_known,
        cell_suppressed
            or (suppressed.dimension in ('gender', 'age_band') and persons_published.topic_id is null)
            as is_suppressed,
        group_authors >= 10
            and (suppressed.dimension not in ('gender', 'age_band') or persons_published.topic_id is not null)
            as group_published
    from suppressed
    left join persons_published
        on persons_published.topic_id = suppressed.topic_id and persons_published.month = suppressed.month
),

with_unknown as (
    select
        gated.*,
        {# share_known would reveal a suppressed 'unknown' cell: it is published only when that cell is #}
        max(case when value = 'unknown' and is_suppressed then 1 else 0 end)
            over (partition by topic_id, month, dimension) = 1 as unknown_suppressed
    from gated
),

final as (
    select
        topic_id,
        cast(month as date) as month,
        dimension,
        value,
        cast(case when not is_suppressed then authors end as bigint) as authors,
        cast(case when not is_suppressed then posts end as bigint) as posts,
        cast(case when not is_suppressed then engagement end as bigint) as engagement,
        is_suppressed,
        cast(case when group_published then group_authors end as bigint) as group_authors,
        case when group_published and not unknown_suppressed then cast(group_known as double) / group_authors end
            as share_known
    from with_unknown
    {# a group that publishes nothing shows no rows at all: its rows alone would say which values
       its few authors have, and with fct_topic_daily's totals, how many #}
    where group_published
)

select * from final
