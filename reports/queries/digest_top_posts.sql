-- digest_top_posts: the $top_n relevant posts with most engagement (likes + shares + comments)
-- per topic of programme $programme_id in the week $week_start..$week_end (Lima days),
-- with the author's handle. Ties are broken by post_key.
with topics as (
    select t.topic_id
    from marts.dim_topics as t
    where t.programme_id = $programme_id
),

week_posts as (
    select
        pt.topic_id,
        p.post_key,
        p.network,
        p.created_date_lima as day,
        p.author_key,
        p.text,
        coalesce(p.engagement, 0) as engagement
    from marts.fct_post_topics as pt
    inner join topics
        on topics.topic_id = pt.topic_id
    inner join marts.fct_posts as p
        on p.post_key = pt.post_key
    where pt.is_relevant
      and pt.created_date_lima >= $week_start
      and pt.created_date_lima <= $week_end
),

ranked as (
    select
        *,
        row_number() over (partition by topic_id order by engagement desc, post_key) as post_rank
    from week_posts
)

select
    r.topic_id,
    r.post_rank,
    r.post_key,
    r.day,
    r.network,
    a.handle,
    a.display_name,
    r.text,
    r.engagement
from ranked as r
left join marts.dim_authors as a
    on a.author_key = r.author_key
where r.post_rank <= $top_n
order by r.topic_id, r.post_rank
