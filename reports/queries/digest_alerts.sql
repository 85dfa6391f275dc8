-- digest_alerts: the alerts of programme $programme_id that belong to the week $week_start..$week_end:
-- every alert whose onset (UTC, read as a Lima day) falls in the week, and the volume spikes that
-- began earlier but were still anomalous during the week (ongoing). A viral post's last_seen is
-- when it was last collected, not a spread still going on, so only its onset counts.
-- Highest severity first, then the largest ratio, then the earliest onset.
-- handle: the viral post's author (viral_post only).
with alerts as (
    select
        a.alert_id,
        a.kind,
        a.topic_id,
        coalesce(a.topic_label, t.topic_label, a.topic_id) as topic_label,
        a.severity,
        a.onset,
        a.last_seen,
        a.peak_posts,
        a.baseline,
        a.ratio,
        a.post_key,
        cast(a.onset - interval 5 hour as date) as onset_day,
        cast(coalesce(a.last_seen, a.onset) - interval 5 hour as date) as last_day,
        case a.severity
            when 'critical' then 4 when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0
        end as severity_rank
    from marts.fct_alerts as a
    left join marts.dim_topics as t
        on t.topic_id = a.topic_id
    where a.programme_id = $programme_id
)

select
    alerts.alert_id,
    alerts.kind,
    alerts.topic_id,
    alerts.topic_label,
    alerts.severity,
    alerts.onset,
    alerts.last_seen,
    alerts.onset_day,
    alerts.onset_day < $week_start as ongoing,
    alerts.peak_posts,
    alerts.baseline,
    alerts.ratio,
    authors.handle
from alerts
left join marts.fct_posts as posts
    on posts.post_key = alerts.post_key
left join marts.dim_authors as authors
    on authors.author_key = posts.author_key
where alerts.onset_day <= $week_end
  and (
      alerts.onset_day >= $week_start
      or (alerts.kind = 'volume_spike' and alerts.last_day >= $week_start)
  )
order by alerts.severity_rank desc, alerts.ratio desc nulls last, alerts.onset, alerts.alert_id
