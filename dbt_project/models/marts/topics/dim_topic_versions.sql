{#- Every version of every topic: who changed what and when (the history of topic definitions). -#}
with versions as (
    select * from {{ ref('stg_topics__versions') }}
),

final as (
    select
        topic_id,
        topic_version,
        programme_id,
        topic_label,
        query,
        use_model,
        active,
        is_current,
        changed_by,
        changed_at,
        note
    from versions
)

select * from final
