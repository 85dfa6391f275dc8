{#- The latest label of each post for each topic (an analyst may change their mind). -#}
with source as (
    select * from {{ source('labels', 'topic_labels') }}
),

ranked as (
    select
        topic_id,
        post_key,
        relevant,
        labelled_by,
        labelled_at,
        row_number() over (partition by topic_id, post_key order by labelled_at desc, labelled_by desc)
            as recency
    from source
),

latest as (
    select topic_id, post_key, relevant, labelled_by, labelled_at
    from ranked
    where recency = 1
)

select * from latest
