-- evolution_alerts: the alerts whose onset (a Lima day) falls in the period, for the topics in
-- scope, most severe first, with the most engaged post behind each (fct_alert_posts, rank 1).
-- Only the first $top_alerts are listed; alerts_total counts them all.
with scope as (
    select
        t.topic_id,
        coalesce(t.topic_label, t.topic_id) as topic_label
    from marts.dim_topics as t
    where $programme is null or t.programme_id = $programme
),

alerts as (
    select
        a.alert_id,
        a.kind,
        a.topic_id,
        scope.topic_label,
        a.severity,
        case a.severity when 'critical' then 1 when 'high' then 2 when 'medium' then 3 else 4 end
            as severity_order,
        cast(a.onset - interval 5 hour as date) as onset_day,
        a.status,
        a.peak_posts,
        a.ratio
    from marts.fct_alerts as a
    inner join scope
        on scope.topic_id = a.topic_id
    where cast(a.onset - interval 5 hour as date) between $start and $end
),

ranked as (
    select
        alerts.*,
        count(*) over () as alerts_total,
        row_number() over (order by severity_order, onset_day, alert_id) as alert_rank
    from alerts
)

select
    r.alert_rank,
    r.alerts_total,
    r.alert_id,
    r.kind,
    r.topic_id,
    r.topic_label,
    r.severity,
    r.onset_day,
    r.status,
    r.peak_posts,
    r.ratio,
    ap.network,
    coalesce(ap.author_handle, au.handle) as handle,
    ap.text
from ranked as r
left join marts.fct_alert_posts as ap
    on ap.alert_id = r.alert_id
    and ap.post_rank = 1
left join marts.dim_authors as au
    on au.author_key = ap.author_key
where r.alert_rank <= $top_alerts
order by r.alert_rank
