"""The floor: the same exports loaded and aggregated to topic-day counts by one bare DuckDB script.

Reads every network's own export (X API v2 pages, CrowdTangle Facebook and Instagram, TikTok
Research API videos and comments, YouTube Data API videos and comment threads, Reddit submissions
and comments; the re-collections that only repeat posts are left out), keeps one row per post,
and counts each topic's posts per Lima day and network with the topics' own queries compiled to
SQL. No quarantine, no gate, no history, no lineage: what the warehouse does on top is the cost
the pipeline is measured against.
"""
import sys
import time

import duckdb
import yaml

from escucha.topics.query import compile_sql, parse

exports, config = sys.argv[1], sys.argv[2]
queries = {t: spec["query"] for t, spec in yaml.safe_load(open(config, encoding="utf-8"))["topics"].items()}
t = time.perf_counter()
con = duckdb.connect()
con.execute("set TimeZone = 'UTC'")


def ndjson(pattern: str) -> str:
    return f"read_ndjson_objects('{exports}/{pattern}')"


con.execute(f"""
create table posts as
select 'x:' || (tw->>'id') as post_key, strptime(tw->>'created_at', '%Y-%m-%dT%H:%M:%S.%gZ') as created_at,
       tw->>'text' as text, 'x' as network
from (select unnest(json_extract(json, '$.data[*]')) as tw from {ndjson('x/*.jsonl')})
union all
select 'facebook:' || regexp_extract("URL", '/posts/([0-9]+)', 1),
       strptime(left("Post Created", 19), '%Y-%m-%d %H:%M:%S') + interval 5 hour, "Message", 'facebook'
from read_csv('{exports}/facebook/crowdtangle_*.csv', all_varchar=true)
union all
select 'instagram:' || regexp_extract("URL", '/p/([A-Za-z0-9_-]+)', 1),
       strptime(left("Post Created", 19), '%Y-%m-%d %H:%M:%S') + interval 5 hour, "Description", 'instagram'
from read_csv('{exports}/instagram/crowdtangle_*.csv', all_varchar=true)
union all
select 'tiktok:' || (v->>'id'), to_timestamp((v->>'create_time')::bigint)::timestamp, v->>'video_description', 'tiktok'
from (select unnest(json_extract(json, '$.data.videos[*]')) as v from {ndjson('tiktok/tiktok_videos_*.jsonl')})
union all
select 'tiktok:' || (c->>'id'), to_timestamp((c->>'create_time')::bigint)::timestamp, c->>'text', 'tiktok'
from (select unnest(json_extract(json, '$.data.comments[*]')) as c from {ndjson('tiktok/tiktok_comments_*.jsonl')})
union all
select 'youtube:' || (i->>'id'), strptime(i->'snippet'->>'publishedAt', '%Y-%m-%dT%H:%M:%SZ'),
       concat_ws(' ', i->'snippet'->>'title', i->'snippet'->>'description'), 'youtube'
from (select unnest(json_extract(json, '$.items[*]')) as i from {ndjson('youtube/youtube_videos_*.jsonl')})
union all
select 'youtube:' || (c->>'id'), strptime(c->'snippet'->>'publishedAt', '%Y-%m-%dT%H:%M:%SZ'),
       c->'snippet'->>'textOriginal', 'youtube'
from (select unnest(list_prepend(json_extract(i, '$.snippet.topLevelComment'),
                                 coalesce(json_extract(i, '$.replies.comments[*]'), []))) as c
      from (select unnest(json_extract(json, '$.items[*]')) as i from {ndjson('youtube/youtube_comments_*.jsonl')}))
union all
select 'reddit:t3_' || (json->>'id'), to_timestamp((json->>'created_utc')::bigint)::timestamp,
       concat_ws(' ', json->>'title', json->>'selftext'), 'reddit'
from {ndjson('reddit/reddit_submissions_*.jsonl')}
union all
select 'reddit:t1_' || (json->>'id'), to_timestamp((json->>'created_utc')::bigint)::timestamp, json->>'body', 'reddit'
from {ndjson('reddit/reddit_comments_*.jsonl')}
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
posts = con.execute("select count(distinct post_key) from posts").fetchone()[0]
print(f"floor_duckdb posts={posts} rows={len(rows)} seconds={time.perf_counter() - t:.2f}")
