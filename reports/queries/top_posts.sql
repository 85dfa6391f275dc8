-- top_posts: the $top_n posts with most engagement (likes + shares + comments),
-- with the author's handle and display name. Ties are broken by post_key.
with posts as (
    select
        p.post_key,
        p.network,
        p.created_date_lima,
        p.author_key,
        p.text,
        p.post_type,
        coalesce(p.engagement, 0) as engagement
    from marts.fct_posts as p
    where ($start is null or p.created_date_lima >= $start)
      and ($end is null or p.created_date_lima <= $end)
),

top_ranked as (
    select *
    from posts
    order by engagement desc, post_key
    limit $top_n
)

select
    tp.post_key,
    tp.created_date_lima as day,
    tp.network,
    a.handle,
    a.display_name,
    tp.text,
    tp.post_type,
    tp.engagement
from top_ranked as tp
left join marts.dim_authors as a
    on a.author_key = tp.author_key
order by tp.engagement desc, tp.post_key
