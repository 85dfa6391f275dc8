-- digest_coverage: per network, the posts and the Lima days with at least one post in the week
-- $week_start..$week_end (every post in the warehouse, not only the programme's topics), and the
-- days of the week with a post from any network (week_days_with_data, the same on every row).
with week_posts as (
    select
        p.network,
        p.created_date_lima as day
    from marts.fct_posts as p
    where p.created_date_lima >= $week_start
      and p.created_date_lima <= $week_end
),

week_days as (
    select count(distinct day) as week_days_with_data
    from week_posts
)

select
    week_posts.network,
    count(*) as posts,
    count(distinct week_posts.day) as days_with_data,
    min(week_posts.day) as first_day,
    max(week_posts.day) as last_day,
    any_value(week_days.week_days_with_data) as week_days_with_data
from week_posts
cross join week_days
group by week_posts.network
order by posts desc, week_posts.network
