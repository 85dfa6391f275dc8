"""Reports rendered from the marts into <home>/reports/."""

import dagster as dg

from orchestration.resources import EscuchaHome

MART_KEYS = [dg.AssetKey(["marts", k]) for k in ("fct_posts", "dim_authors", "fct_topic_daily", "dim_topics")]

# The marts the conversation-evolution pages read (reports/queries/evolution_*.sql).
EVOLUTION_MART_KEYS = [
    dg.AssetKey(["marts", k])
    for k in (
        "dim_programmes", "dim_topics", "dim_topic_versions", "dim_authors", "fct_posts", "fct_post_topics",
        "fct_topic_daily", "fct_collection_daily", "fct_event_impact", "fct_alerts", "fct_alert_posts",
        "fct_author_influence", "fct_topic_communities", "fct_bridging_accounts", "fct_topic_exposure",
        "fct_topic_demographics",
    )
]


@dg.asset(deps=MART_KEYS, group_name="reports",
          description="Self-contained HTML overview of the conversations (opens offline).")
def overview_report(context: dg.AssetExecutionContext, escucha_home: EscuchaHome) -> dg.MaterializeResult:
    from reports.render import render_index, render_overview

    home = escucha_home.home()
    path = render_overview(home.warehouse, home.reports)
    index = render_index(home.reports)
    context.log.info(f"report written to {path}")
    return dg.MaterializeResult(metadata={"path": str(path), "index": str(index),
                                          "bytes": path.stat().st_size})


@dg.asset(deps=EVOLUTION_MART_KEYS, group_name="reports",
          description="Conversation-evolution pages per programme and for all programmes: the latest "
                      "complete month and quarter and the year of the data's last day (self-contained HTML); "
                      "a page whose data did not change since it was written is kept.")
def evolution_reports(context: dg.AssetExecutionContext, escucha_home: EscuchaHome) -> dg.MaterializeResult:
    from reports.render import render_evolution_set, render_index

    home = escucha_home.home()
    before = {p: p.stat().st_mtime_ns for p in home.reports.glob("evolution-*.html")}
    # a run that changed nothing a page shows (most pages in a one-day run) keeps that page
    paths = render_evolution_set(home.warehouse, home.reports, skip_unchanged=True)
    index = render_index(home.reports)
    kept = sum(before.get(p) == p.stat().st_mtime_ns for p in paths)
    context.log.info(f"{len(paths)} evolution pages in {home.reports}: {len(paths) - kept} written, "
                     f"{kept} unchanged")
    sizes = {p.name: p.stat().st_size for p in paths}
    return dg.MaterializeResult(metadata={
        "pages": len(paths),
        "pages_written": len(paths) - kept,
        "pages_unchanged": kept,
        "index": str(index),
        "paths": dg.MetadataValue.json([str(p) for p in paths]),
        "bytes": dg.MetadataValue.json(sizes),
        "total_bytes": sum(sizes.values()),
    })
