"""escucha.processes.share_out: a list of work shared between this process and spawned helpers."""
from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from escucha.processes import available_cores, share_out


def slow_square(n: int) -> tuple[int, int]:
    """n squared and the process that computed it, after a pause (module level: helpers unpickle it)."""
    time.sleep(0.2)
    if n < 0:
        raise ValueError(f"negative: {n}")
    return n * n, os.getpid()


def quick_square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_each_item_once_in_order_across_this_process_and_a_helper() -> None:
    results = share_out(slow_square, range(12), helpers=1)
    assert [square for square, _ in results] == [n * n for n in range(12)]
    pids = [pid for _, pid in results]
    assert pids[0] == os.getpid()  # this process takes the first item
    helper = {pid for pid in pids if pid != os.getpid()}
    assert len(helper) == 1 and pids.count(helper.pop()) >= 2  # given two items at once, it did them
    assert pids.count(os.getpid()) >= 2  # this process went on working while the helper started
    assert not multiprocessing.active_children()


def test_helpers_start_only_when_the_work_left_pays_for_them() -> None:
    quick = share_out(quick_square, range(20))  # 19 items at the first one's pace: far under 4 s
    assert {pid for _, pid in quick} == {os.getpid()}
    assert [square for square, _ in quick] == [n * n for n in range(20)]
    # the same rule with a helper start of 10 ms: 5 items left of 0.2 s each pay for one per other core
    slow = share_out(slow_square, range(6), start_seconds=0.01)
    assert len({pid for _, pid in slow}) == min(2, available_cores())
    assert share_out(slow_square, [], helpers=1) == [] and share_out(slow_square, [3], helpers=1)[0][0] == 9


# item 0 is this process's first; items 1 and 2 go to the helper at once; item 3 is this process's
@pytest.mark.parametrize("bad", [0, 1, 3], ids=["first item", "in the helper", "here beside the helper"])
def test_the_first_failure_is_raised_and_no_helper_is_left(bad: int) -> None:
    items = [n if n != bad else -1 for n in range(8)]
    with pytest.raises(ValueError, match="negative: -1"):
        share_out(slow_square, items, helpers=1)
    assert not multiprocessing.active_children()
