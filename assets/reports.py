"""Reports rendered from the marts into <home>/reports/."""

import dagster as dg

from orchestration.resources import EscuchaHome

MART_KEYS = [dg.AssetKey(["marts", k]) for k in ("fct_posts", "dim_authors", "fct_topic_daily", "dim_topics")]


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
