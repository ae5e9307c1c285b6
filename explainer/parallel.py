"""Spread page rendering over worker processes.

Markdown and Jinja2 are pure Python, so threads would take turns on one core.
Workers are forked from the process that already holds the linked story, so
nothing is re-read or pickled on the way in; only each chunk's result comes
back. Where ``fork`` does not exist (Windows), or the work is too small to pay
for starting processes, everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS_PER_WORKER = 200  # below this, starting processes costs more than it saves
MAX_WORKERS = 8

_JOB: tuple[Callable[[Any, Sequence[Any]], Any], Any, Sequence[Any]] | None = None


def worker_count(items: int) -> int:
    """How many processes are worth starting for this many items on this machine."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS, items // MIN_ITEMS_PER_WORKER))


def _run_chunk(bounds: tuple[int, int]) -> Any:
    assert _JOB is not None
    function, shared, items = _JOB
    return function(shared, items[bounds[0] : bounds[1]])


def map_chunks(
    function: Callable[[Any, Sequence[Item]], Result], shared: Any, items: Sequence[Item], workers: int
) -> list[Result]:
    """``function(shared, chunk)`` for consecutive chunks of ``items``, results in order.

    ``shared`` and ``items`` reach the workers by ``fork``; each result is pickled back.
    """
    global _JOB
    if workers <= 1 or len(items) < 2:
        return [function(shared, items)]
    size = max(1, len(items) // (workers * 8))  # small chunks even out pages of very different cost
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _JOB = (function, shared, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_run_chunk, bounds, chunksize=1)
    finally:
        _JOB = None
