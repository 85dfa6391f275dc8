"""Each community of at least 5 accounts per topic and Lima quarter, described: size, interaction
inside it and across its border, posts, top accounts by PageRank, top hashtags and top words
(escucha.graph.communities.describe_communities). Incremental by slice, like the memberships; one
topic at a time."""
from escucha.graph import refresh
from escucha.run_window import window
from escucha.graph.communities import describe_communities


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    # read as plain statements: dbt passes a model only the config keys it finds read this way
    # (one nested in another expression, as in *window(dbt.config.get(...)), is not found)
    min_date, max_date = dbt.config.get("min_date"), dbt.config.get("max_date")
    dbt.ref("fct_posts").create_view("described_posts", replace=True)
    dbt.ref("fct_post_topics").create_view("described_post_topics", replace=True)
    dbt.ref("int_topic_interactions_counted").create_view("described_edges_all", replace=True)
    dbt.ref("int_community_members_detected").create_view("described_members_all", replace=True)
    versions, plan = refresh.plan_model(dbt, session, "quarter", "described_post_topics",
                                        *window(min_date, max_date), cadence=True)

    def describe(topic: str):
        topic_posts = refresh.topic_posts_view(session, "described_topic_posts", "described_posts",
                                               "described_post_topics", plan, "quarter", topic)
        edges, members = refresh.quarter_graph(session, "described_edges_all", "described_members_all", topic, plan)
        described = describe_communities(session, topic_posts, edges, members, "quarter")
        return refresh.with_versions(described, versions, plan)

    return refresh.per_topic(session, sorted(versions), describe, "int_communities_described", plan,
                             str(dbt.this) if dbt.is_incremental else None)
