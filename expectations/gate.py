"""Run a suite on a DataFrame and turn the validation into a Dagster AssetCheckResult."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import dagster as dg
import pandas as pd


class Gate:
    """One ephemeral great-expectations context with a pandas data source, made once and used for
    every part of a batch (making the context is most of a small validation's cost)."""

    def __init__(self, name: str) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.name = name
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        source = self.context.data_sources.add_pandas("gate")
        self.batch_def = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("window")

    def close(self) -> None:
        """Remove the data source: its execution engine keeps the last batch validated, DataFrame
        included, and great-expectations keeps the context for as long as the process lives (a month
        of 10M posts held half a gigabyte through the rest of the run)."""
        self.context.data_sources.delete("gate")

    def validate(self, df: pd.DataFrame, expectations: list) -> Any:
        """Validate a DataFrame against a suite of these expectations."""
        import great_expectations as gx

        suite = self.context.suites.add_or_update(gx.ExpectationSuite(name=self.name))
        for expectation in expectations:
            suite.add_expectation(expectation)
        batch = self.batch_def.get_batch(batch_parameters={"dataframe": df})
        return batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 10,
                                                    "unexpected_index_column_names": ["post_key"]})


def describe_failures(result: Any) -> list[str]:
    """One line per failed expectation: which one, on what, and example values."""
    lines = []
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        kwargs = {k: v for k, v in cfg.kwargs.items() if k in ("column", "column_list", "column_A",
                                                               "column_B", "value", "min_value",
                                                               "max_value")}
        detail = r.result or {}
        values = (detail.get("partial_unexpected_index_list") or detail.get("partial_unexpected_list")
                  or detail.get("observed_value"))
        count = detail.get("unexpected_count")
        lines.append(f"{cfg.type} {kwargs} failed"
                     + (f": {count} unexpected" if count is not None else "")
                     + (f", e.g. {values!r}" if values is not None else ""))
    return lines


def check_results(parts: Iterable[tuple[str, pd.DataFrame, list]], name: str,
                  extra: dict | None = None) -> dg.AssetCheckResult:
    """Validate the parts of one batch (an iterator can make each part only when its turn comes, so
    one part is in memory at a time) and report them as one blocking-check result; a failure names
    its part."""
    failures: list[str] = []
    rows = evaluated = failed = 0
    passed = True
    gate = Gate(name)
    try:
        for label, df, expectations in parts:
            result = gate.validate(df, expectations)
            rows += len(df)
            passed = passed and bool(result.success)
            evaluated += int(result.statistics["evaluated_expectations"])
            failed += int(result.statistics["unsuccessful_expectations"])
            failures += [f"{label}: {f}" if label else f for f in describe_failures(result)]
    finally:
        gate.close()
    metadata: dict[str, Any] = {
        "rows": rows,
        "expectations": evaluated,
        "failed": failed,
        "failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in failures) or "none"),
    }
    metadata.update(extra or {})
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
        description="; ".join(failures)[:1000] if failures else "all expectations met",
    )
