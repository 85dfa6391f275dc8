"""Run a suite on a DataFrame and turn the validation into a Dagster AssetCheckResult."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd

from escucha.processes import spawn_workers
from expectations.warm_process import take_warm_process

#: windows holding more posts than this are validated in a child process: great-expectations and
#: pandas do not give back what a month of a large year took (the run process held 1.2 GB through
#: the 10M year's dbt builds), while a child's memory goes when it ends. Smaller windows (a day, a
#: test's few days) are validated in the run's own process, sparing the child's start (importing
#: great-expectations: the first gate of a process took 3.69 s, the next 0.28 s).
CHILD_PROCESS_ROWS = 500_000


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
        batch = self.batch_def.get_batch(batch_parameters={"dataframe": vectorisable(df)})
        return batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 10,
                                                    "unexpected_index_column_names": ["post_key"]})


def vectorisable(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the dtypes great-expectations' pandas engine compares with bounds in one vectorised
    step: nanosecond datetimes and plain floats. Other dtypes, such as the microsecond datetimes DuckDB
    gives and pandas' nullable integers, it compares one value at a time in Python (a month of the
    10M year's posts: 7.8 s for the day column alone). Datetimes keep their values (those past 2262,
    which nanoseconds cannot hold, stay as they are); nullable integers become floats, exact up to
    2**53 and with their sign whatever their size (the suite's bounds on counts are >= 0), their
    nulls NaN, which expectations skip as they skip nulls."""
    converted = {}
    for column, dtype in df.dtypes.items():
        if pd.api.types.is_datetime64_dtype(dtype) and dtype != "datetime64[ns]":
            try:
                converted[column] = df[column].astype("datetime64[ns]")
            except (OverflowError, ValueError):   # pandas' OutOfBoundsDatetime is a ValueError
                pass
        elif isinstance(dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_integer_dtype(dtype):
            converted[column] = df[column].astype("float64")
    return df.assign(**converted) if converted else df


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


@dataclass
class GateOutcome:
    """What validating a batch found (plain values: it crosses from a child process)."""

    passed: bool = True
    rows: int = 0
    evaluated: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def check_result(self) -> dg.AssetCheckResult:
        """The blocking check's result: failures named with their part, counts and extra as metadata."""
        return dg.AssetCheckResult(
            passed=self.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows": self.rows,
                "expectations": self.evaluated,
                "failed": self.failed,
                "failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in self.failures) or "none"),
                **self.extra,
            },
            description="; ".join(self.failures)[:1000] if self.failures else "all expectations met",
        )


def validate_parts(parts: Iterable[tuple[str, pd.DataFrame, list]], name: str,
                   extra: dict | None = None) -> GateOutcome:
    """Validate the parts of one batch (an iterator can make each part only when its turn comes, so
    one part is in memory at a time); a failure names its part."""
    outcome = GateOutcome(extra=dict(extra or {}))
    gate = Gate(name)
    try:
        for label, df, expectations in parts:
            result = gate.validate(df, expectations)
            outcome.rows += len(df)
            outcome.passed = outcome.passed and bool(result.success)
            outcome.evaluated += int(result.statistics["evaluated_expectations"])
            outcome.failed += int(result.statistics["unsuccessful_expectations"])
            outcome.failures += [f"{label}: {f}" if label else f for f in describe_failures(result)]
    finally:
        gate.close()
    return outcome


def check_results(parts: Iterable[tuple[str, pd.DataFrame, list]], name: str,
                  extra: dict | None = None) -> dg.AssetCheckResult:
    """:func:`validate_parts` reported as one blocking-check result."""
    return validate_parts(parts, name, extra).check_result()


def gate_window(home_root: str, run_id: str, start: date, end: date, expected_rows: int) -> GateOutcome:
    """The landed-posts suite over a run's candidate window (``expected_rows``: the posts the archive
    holds for it), validated a month at a time (memory stays at one month's rows, and every row is
    still checked)."""
    from escucha.home import data_home
    from escucha.landing import candidate_root
    from escucha.lake import landed_posts_in_parts, month_parts, parsed_posts_count
    from expectations.landed_posts import SUITE_NAME
    from expectations.landed_posts import landed_posts_expectations as suite

    home = data_home(Path(home_root))
    months = month_parts(start, end)
    frames = landed_posts_in_parts(candidate_root(home, run_id), start, end, months, spill=home.spill)
    parts = ((f"{first:%Y-%m}" if len(months) > 1 else "", df,
              suite(first, last, parsed_posts_count(home, first, last)))
             for (first, last), df in zip(months, frames))
    return validate_parts(parts, SUITE_NAME, extra={"window": f"{start}..{end}", "expected_rows": expected_rows,
                                                    "parts": len(months)})


def gate_window_where_it_fits(home_root: str, run_id: str, start: date, end: date, expected_rows: int,
                              child_process_rows: int = CHILD_PROCESS_ROWS) -> dg.AssetCheckResult:
    """:func:`gate_window` in this process, or in a spawned child when the window holds more than
    ``child_process_rows`` posts or when the run started a child that has imported
    great-expectations (expectations.warm_process); the check's metadata says which."""
    warm = take_warm_process()  # the run started one that has imported great-expectations
    if warm is None and expected_rows <= child_process_rows:
        outcome = gate_window(home_root, run_id, start, end, expected_rows)
        outcome.extra["validated_in"] = "run process"
    else:
        with warm or spawn_workers() as child:
            outcome = child.submit(gate_window, home_root, run_id, start, end, expected_rows).result()
        outcome.extra["validated_in"] = "child process"
    return outcome.check_result()
