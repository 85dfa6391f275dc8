{#- Every input row that could not land, with its file, line and reason. -#}
select * from {{ ref('stg_archive__quarantine') }}
