"""The floor: the same exports loaded and aggregated to topic-day counts by one bare DuckDB script."""
import sys
import time

import duckdb

exports, seeds = sys.argv[1], sys.argv[2]
t = time.perf_counter()
con = duckdb.connect()
con.execute(f"""
create table posts as
select 'x:' || (tw->>'id') as post_key, strptime(tw->>'created_at', '%Y-%m-%dT%H:%M:%S.%gZ') as created_at,
       tw->>'text' as text, 'x' as network
from (select unnest(json_extract(json, '$.data[*]')) as tw from read_ndjson_objects('{exports}/x/*.jsonl'))
union all
select 'facebook:' || regexp_extract("URL", '/posts/([0-9]+)', 1), strptime(left("Post Created", 19), '%Y-%m-%d %H:%M:%S') + interval 5 hour, "Message", 'facebook'
from read_csv('{exports}/facebook/*.csv', all_varchar=true)
union all
select 'instagram:' || regexp_extract("URL", '/p/([A-Za-z0-9_-]+)', 1), strptime(left("Post Created", 19), '%Y-%m-%d %H:%M:%S') + interval 5 hour, "Description", 'instagram'
from read_csv('{exports}/instagram/*.csv', all_varchar=true)
""")
rows = con.execute(f"""
with kw as (select topic_id, ' ' || trim(regexp_replace(lower(strip_accents(keyword)), '[^a-z0-9]+', ' ', 'g')) || ' ' as k
            from read_csv('{seeds}/topic_keywords.csv')),
p as (select post_key, network, cast(created_at - interval 5 hour as date) as day,
             ' ' || trim(regexp_replace(lower(strip_accents(coalesce(text, ''))), '[^a-z0-9]+', ' ', 'g')) || ' ' as t
      from posts)
select day, topic_id, network, count(distinct post_key) from p join kw on contains(p.t, kw.k) group by all
""").fetchall()
print(f"floor_duckdb rows={len(rows)} seconds={time.perf_counter() - t:.2f}")
