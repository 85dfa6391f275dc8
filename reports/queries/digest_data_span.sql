-- digest_data_span: the first and last Lima day of topic data in the warehouse (all topics and
-- networks); the default digest week is the last Monday..Sunday week that ends on or before last_day.
select
    min(d.day) as first_day,
    max(d.day) as last_day
from marts.fct_topic_daily as d
