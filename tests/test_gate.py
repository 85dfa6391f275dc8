"""The gate (expectations/gate.py): parts of a window validated in one great-expectations context."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime

import pandas as pd

from expectations.gate import check_results
from expectations.landed_posts import SUITE_NAME, landed_posts_expectations


def posts(day: date, n: int, likes: int = 0) -> pd.DataFrame:
    at = datetime.combine(day, datetime.min.time())
    return pd.DataFrame({"post_key": [f"x:{day:%m%d}{i}" for i in range(n)], "created_at": [at] * n,
                         "created_at_variants": [1] * n, "network": ["x"] * n, "created_day": [at] * n,
                         "day": [at] * n, "likes": [likes] * n, "shares": [0] * n, "comments": [0] * n})


def test_each_part_is_validated_against_its_own_expectations_only() -> None:
    jan, feb, mar = date(2022, 1, 10), date(2022, 2, 10), date(2022, 3, 10)
    parts = [("2022-01", posts(jan, 2), landed_posts_expectations(jan, jan, 2)),
             ("2022-02", posts(feb, 3, likes=-1), landed_posts_expectations(feb, feb, 5)),
             ("2022-03", posts(mar, 1), landed_posts_expectations(mar, mar, 1))]
    result = check_results(iter(parts), SUITE_NAME)
    assert not result.passed
    per_part = len(landed_posts_expectations(jan, jan, 2))
    assert result.metadata["expectations"].value == 3 * per_part   # not accumulated from part to part
    assert result.metadata["rows"].value == 6
    assert result.metadata["failed"].value == 2
    failures = result.description.split("; ")
    assert [f.split(":")[0] for f in failures] == ["2022-02", "2022-02"]
    assert "2022-02: expect_table_row_count_to_equal {'value': 5} failed, e.g. 3" in failures
    assert any(f.startswith("2022-02: expect_column_values_to_be_between {'column': 'likes'")
               and "failed: 3 unexpected" in f for f in failures)


def test_a_window_that_meets_every_expectation_passes() -> None:
    day = date(2022, 1, 10)
    result = check_results([("", posts(day, 4), landed_posts_expectations(day, day, 4))], SUITE_NAME)
    assert result.passed and result.metadata["failed"].value == 0
    assert result.description == "all expectations met"


def test_no_part_is_kept_once_the_gate_is_done() -> None:
    """great-expectations keeps its context for the life of the process, and the context's data
    source kept the last part validated: at 10M posts, a month of rows through the rest of the run."""
    import gc
    import weakref

    day = date(2022, 1, 10)
    parts = [("2022-01", posts(day, 3), landed_posts_expectations(day, day, 3)),
             ("2022-02", posts(day, 2), landed_posts_expectations(day, day, 2))]
    watched = [weakref.ref(df) for _, df, _ in parts]
    result = check_results(iter(parts), SUITE_NAME)
    assert result.metadata["rows"].value == 5
    del parts
    gc.collect()
    assert [w() for w in watched] == [None, None]


IN_A_NEW_RUN_PROCESS = """
import json, sys
from datetime import date
from expectations import warm_process
with warm_process.warm_gate_process() as imported:
    assert imported is not None and "great_expectations" not in sys.modules
    from expectations.gate import gate_window_where_it_fits
    first, last = (date.fromisoformat(d) for d in sys.argv[2:4])
    result = gate_window_where_it_fits(sys.argv[1], "gate-test", first, last, expected_rows=6)
    leftover = warm_process.take_warm_process()
print(json.dumps([result.metadata["validated_in"].value, result.passed, result.description,
                  result.metadata["rows"].value, leftover]))
"""


def test_a_window_validated_in_a_child_process_reports_what_the_run_process_would(home) -> None:
    """A large window is validated in a spawned child (its memory goes when it ends): the same result,
    failures included, as in the run's own process."""
    from escucha.landing import archive_inbox, candidate_root, stage_window
    from expectations.gate import gate_window_where_it_fits
    from tests.conftest import drop

    drop(home, "x_twarc2_sample.jsonl", "ct_facebook_sample.csv")
    archive_inbox(home)
    first, last = date(2022, 1, 16), date(2022, 1, 17)
    stage_window(home, first, last, "gate-test")

    def both() -> list:
        results = [gate_window_where_it_fits(str(home.root), "gate-test", first, last, expected_rows=6,
                                             child_process_rows=limit) for limit in (6, 5)]
        assert [r.metadata.pop("validated_in").value for r in results] == ["run process", "child process"]
        assert results[0] == results[1]
        # a new run process (which has not imported great-expectations) validates the small window in
        # the child it started at its top, with the same result
        fresh = subprocess.run([sys.executable, "-c", IN_A_NEW_RUN_PROCESS, str(home.root), str(first), str(last)],
                               capture_output=True, text=True, timeout=300)
        assert fresh.returncode == 0, fresh.stderr[-2000:]
        where, passed, description, rows, leftover = json.loads(fresh.stdout.splitlines()[-1])
        assert (where, passed, description, rows) == ("child process", results[0].passed,
                                                      results[0].description, results[0].metadata["rows"].value)
        assert leftover is None  # the gate took the child; nothing was left waiting
        return results

    passing, _ = both()
    assert passing.passed and passing.metadata["rows"].value == 6
    # a candidate file lost: the row count no longer matches what the archive holds
    next(candidate_root(home, "gate-test").glob("facebook/posts/**/*.parquet")).unlink()
    failing, _ = both()
    assert not failing.passed
    assert "expect_table_row_count_to_equal {'value': 6} failed" in failing.description


def test_the_gate_s_child_ends_without_the_last_garbage_collection() -> None:
    """The gate waits for its child to end; the child's exit handlers freeze its objects out of
    Python's last collection (escucha.processes.skip_final_collection), as an escucha command's do."""
    from escucha.processes import spawn_workers

    exit_handlers_freeze = ("__import__('gc').get_freeze_count() == 0 "
                            "and __import__('atexit')._run_exitfuncs() is None "
                            "and __import__('gc').get_freeze_count() > 0")
    with spawn_workers() as child:
        assert child.submit(eval, exit_handlers_freeze).result() is True


def test_the_frames_dtypes_duckdb_gives_are_checked_as_their_values() -> None:
    """The gate hands great-expectations nanosecond datetimes and floats (it compares those with
    bounds vectorised, other dtypes a value at a time): the same rows pass and fail as their values
    say, nulls are still skipped, and a date past what nanoseconds hold does not crash the gate."""
    from expectations.gate import vectorisable

    day = date(2022, 1, 10)
    frame = posts(day, 6)
    frame["day"] = frame["day"].astype("datetime64[us]")          # as DuckDB's .df() gives them
    frame["created_day"] = frame["created_day"].astype("datetime64[us]")
    frame["created_at"] = frame["created_at"].astype("datetime64[us]")
    frame["shares"] = pd.array([0, -2, None, 5, -1, 0], dtype="Int64")
    frame.loc[3, "day"] = pd.Timestamp("2022-01-11")                # outside the one-day window
    frame.loc[5, "created_at"] = pd.Timestamp("2400-01-01")         # past 2262: stays microseconds

    converted = vectorisable(frame)
    assert str(converted["day"].dtype) == "datetime64[ns]" and str(converted["shares"].dtype) == "float64"
    assert str(converted["created_at"].dtype) == "datetime64[us]"   # did not fit: left as it was
    assert converted["day"].tolist() == frame["day"].tolist()
    assert converted["shares"].isna().tolist() == frame["shares"].isna().tolist()
    assert frame.dtypes["shares"] == "Int64"                         # the caller's frame is not changed

    result = check_results([("", frame, landed_posts_expectations(day, day, 6))], SUITE_NAME)
    failures = result.description.split("; ")
    assert not result.passed and result.metadata["failed"].value == 3
    shares = [f for f in failures if "'column': 'shares'" in f]
    assert len(shares) == 1 and "failed: 2 unexpected" in shares[0]        # -2 and -1; the null skipped
    assert "x:01101" in shares[0] and "x:01104" in shares[0]
    days = [f for f in failures if "'column': 'day'" in f]
    assert len(days) == 1 and "failed: 1 unexpected" in days[0] and "x:01103" in days[0]
    pairs = [f for f in failures if "column_pair_values_to_be_equal" in f]
    assert len(pairs) == 1 and "failed: 1 unexpected" in pairs[0]          # day 3 differs from its created_day
