-- evolution_leaders: who led each topic's debate, per Lima calendar quarter, from the monthly
-- ranking of fct_author_influence (months of the period only). Per topic and quarter, the
-- accounts most often among the $top_rank leading accounts of a month, then by their best rank;
-- the first $top_leaders are listed, with the ranking's own evidence (rank_reasons) from their
-- best month (the earliest of the months where they reached their best rank, so that the page
-- shows the same month whatever order the rows are read in).
with scope as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
),

months as (
    select
        i.topic_id,
        i.month,
        cast(date_trunc('quarter', i.month) as date) as quarter
    from marts.fct_author_influence as i
    inner join scope
        on scope.topic_id = i.topic_id
    where i.month between cast(date_trunc('month', cast($start as date)) as date) and $end
    group by all
),

months_per_quarter as (
    select
        topic_id,
        quarter,
        count(*) as months
    from months
    group by all
),

top_monthly as (
    select
        i.topic_id,
        cast(date_trunc('quarter', i.month) as date) as quarter,
        i.month,
        i.author_key,
        i.network,
        i.handle,
        i.overall_rank,
        i.n_accounts,
        i.rank_reasons,
        row_number() over (
            partition by i.topic_id, cast(date_trunc('quarter', i.month) as date), i.author_key
            order by i.overall_rank, i.month
        ) as month_order
    from marts.fct_author_influence as i
    inner join scope
        on scope.topic_id = i.topic_id
    where i.month between cast(date_trunc('month', cast($start as date)) as date) and $end
      and i.overall_rank <= $top_rank
),

per_account as (
    select
        topic_id,
        quarter,
        author_key,
        max(case when month_order = 1 then network end) as network,
        max(case when month_order = 1 then handle end) as handle,
        count(*) as months_leading,
        min(overall_rank) as best_rank,
        max(case when month_order = 1 then month end) as best_month,
        max(case when month_order = 1 then n_accounts end) as best_month_accounts,
        max(case when month_order = 1 then rank_reasons end) as rank_reasons
    from top_monthly
    group by all
),

ranked as (
    select
        per_account.*,
        row_number() over (
            partition by topic_id, quarter
            order by months_leading desc, best_rank, handle, author_key
        ) as leader_rank
    from per_account
)

select
    r.topic_id,
    scope.topic_label,
    r.quarter,
    r.leader_rank,
    r.author_key,
    r.network,
    r.handle,
    r.months_leading,
    m.months as months_in_quarter,
    r.best_rank,
    r.best_month,
    r.best_month_accounts,
    r.rank_reasons
from ranked as r
inner join scope
    on scope.topic_id = r.topic_id
inner join months_per_quarter as m
    on m.topic_id = r.topic_id
    and m.quarter = r.quarter
where r.leader_rank <= $top_leaders
order by scope.topic_label, r.quarter, r.leader_rank
