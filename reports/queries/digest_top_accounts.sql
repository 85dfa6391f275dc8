-- digest_top_accounts: per topic of programme $programme_id, the $top_n accounts whose relevant
-- posts of the week $week_start..$week_end drew most engagement, with their posts that week.
-- Ties are broken by posts, then author_key.
with topics as (
    select t.topic_id
    from marts.dim_topics as t
    where t.programme_id = $programme_id
),

week_posts as (
    select
        pt.topic_id,
        p.author_key,
        p.network,
        coalesce(p.engagement, 0) as engagement
    from marts.fct_post_topics as pt
    inner join topics
        on topics.topic_id = pt.topic_id
    inner join marts.fct_posts as p
        on p.post_key = pt.post_key
    where pt.is_relevant
      and pt.created_date_lima >= $week_start
      and pt.created_date_lima <= $week_end
      and p.author_key is not null
),

by_account as (
    select
        topic_id,
        author_key,
        min(network) as network,
        count(*) as posts,
        cast(sum(engagement) as bigint) as engagement
    from week_posts
    group by topic_id, author_key
),

ranked as (
    select
        *,
        row_number() over (
            partition by topic_id order by engagement desc, posts desc, author_key
        ) as account_rank
    from by_account
)

select
    r.topic_id,
    r.account_rank,
    r.author_key,
    r.network,
    a.handle,
    a.display_name,
    a.followers,
    r.posts,
    r.engagement
from ranked as r
left join marts.dim_authors as a
    on a.author_key = r.author_key
where r.account_rank <= $top_n
order by r.topic_id, r.account_rank
