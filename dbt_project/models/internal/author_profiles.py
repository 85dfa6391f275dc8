"""Per-author inferences (account type, gender, age band, region), each with a confidence and the
evidence it rests on: escucha.people.profiles over marts.dim_authors. Individual inferences stay in
this internal schema; analysts see them only aggregated and suppressed (fct_topic_demographics).

Incremental: an author is profiled again only when its name, handle, bio, location or the year of
its latest post (the reference year for stated ages) changed since the last build. Authors are
profiled a batch at a time (escucha.batches), in reference-year order: a year of 10M posts has
about 840,000 authors, and their profiles with evidence took over a gigabyte as one DataFrame.
The profilers' per-string caches are emptied after each batch (escucha.people.profiles.profile_batch).
At 10M, alone: 1,267 MB peak and 44.6 s in this process; in a worker process per core 27.4 s but
2,024 MB (each worker ~550 MB beside the dbt process), too much beside DuckDB's 4GB in a full run.
"""
from escucha.batches import map_batches
from escucha.people.profiles import profile_batch

#: authors profiled at a time (at 100,000 the profiles of a batch held some 200 MB more)
BATCH_ROWS = 25_000

INPUTS = """
select
    author_key, display_name, handle, bio, location,
    cast(coalesce(year(last_post_at), year(current_date)) as integer) as reference_year,
    md5(concat_ws(chr(31), coalesce(display_name, ''), coalesce(handle, ''), coalesce(bio, ''),
                  coalesce(location, ''), cast(coalesce(year(last_post_at), 0) as varchar))) as input_hash
from profile_inputs_authors
"""


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    dbt.ref("dim_authors").create_view("profile_inputs_authors", replace=True)
    session.execute(f"create or replace temp table profile_inputs as {INPUTS}")
    if dbt.is_incremental:
        # authors that disappeared or whose inputs changed are profiled again
        session.execute(f"delete from {dbt.this} as p where not exists (select 1 from profile_inputs as i "
                        "where i.author_key = p.author_key and i.input_hash = p.input_hash)")
        session.execute(f"delete from profile_inputs as i where exists (select 1 from {dbt.this} as p "
                        "where p.author_key = i.author_key)")
    map_batches(session, "profile_inputs", "profiles_made", profile_batch, order_by="reference_year, author_key",
                batch_rows=BATCH_ROWS)
    return session.table("profiles_made")

