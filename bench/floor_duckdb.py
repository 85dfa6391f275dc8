"""The floor: the same exports loaded and aggregated to topic-day counts by one bare DuckDB script."""
import sys
import time

import duckdb
import yaml

from escucha.topics.query import compile_sql, parse

exports, config = sys.argv[1], sys.argv[2]
queries = {t: spec["query"] for t, spec in yaml.safe_load(open(config, encoding="utf-8"))["topics"].items()}
t = time.perf_counter()
con = duckdb.connect()
con.execute(f"""
create table posts as
select 'x:' || (tw->>'id') as post_key, strptime(tw->>'created_at', '%Y-%m-%dT%H:%M:%S.%gZ') as created_at,
       tw->>'text' as text, 'x' as network
from (select unnest(json_extract(json, '$.data[*]')) as tw from read_ndjson_objects('{exports}/x/*.jsonl'))
union all
select 'facebook:' || regexp_extract("URL", '/posts/([0-9]+)', 1), strptime(left("Post Created", 19), '%Y-%m-%d %H:%M:%S') + interval 5 hour, "Message", 'facebook'
from read_csv('{exports}/facebook/crowdtangle_*.csv', all_varchar=true)
union all
select 'instagram:' || regexp_extract("URL", '/p/([A-Za-z0-9_-]+)', 1), strptime(left("Post Created", 19), '%Y-%m-%d %H:%M:%S') + interval 5 hour, "Description", 'instagram'
from read_csv('{exports}/instagram/crowdtangle_*.csv', all_varchar=true)
""")
parts, params = [], []
for topic, query in queries.items():
    expr, ps = compile_sql(parse(query), "t")
    parts.append(f"select day, ? as topic_id, network, count(distinct post_key) from p where {expr} group by all")
    params += [topic] + ps
rows = con.execute(f"""
with p as (select post_key, network, cast(created_at - interval 5 hour as date) as day,
             ' ' || trim(regexp_replace(lower(strip_accents(coalesce(text, ''))), '[^\\p{{L}}\\p{{N}}_#@]+', ' ', 'g')) || ' ' as t
      from posts)
{" union all ".join(parts)}
""", params).fetchall()
print(f"floor_duckdb rows={len(rows)} seconds={time.perf_counter() - t:.2f}")
