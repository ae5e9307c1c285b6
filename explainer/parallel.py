"""Spread page rendering over worker processes.

Markdown and Jinja2 are pure Python, so threads would take turns on one core.
Workers are forked from the process that already holds the linked story, so
nothing is re-read or pickled on the way in; only each chunk's result comes
back. This process renders too, taking chunks in turn with its workers, so
``n`` processes' worth of work starts ``n - 1`` workers: each forked worker
ends up with a private copy of much of the story (Python's reference counts
write to every object it reads), which a worker fewer saves. Where ``fork``
does not exist (Windows), or the work is too small to pay for starting
processes, everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from explainer.collection import hold, release, settle

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS_PER_WORKER = 200  # below this, starting processes costs more than it saves
MAX_WORKERS = 8

_JOB: tuple[Callable[[Any, Sequence[Any]], Any], Any, Sequence[Any], list[tuple[int, int]], Any] | None = None


def usable_cores() -> int:
    """The cores this process may run on (those it is pinned to, where the system says)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def worker_count(items: int) -> int:
    """How many processes are worth starting for this many items on this machine."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(usable_cores(), MAX_WORKERS, items // MIN_ITEMS_PER_WORKER))


def _claim() -> int | None:
    """The next chunk no process has taken yet (None: all are taken)."""
    assert _JOB is not None
    bounds, taken = _JOB[3], _JOB[4]
    with taken.get_lock():
        number = taken.value
        if number >= len(bounds):
            return None
        taken.value = number + 1
    return number


def _run_claimed(_task: int) -> tuple[int, Any] | None:
    """A worker's task: take the next chunk and run it (None when every chunk is taken)."""
    assert _JOB is not None
    number = _claim()
    if number is None:
        return None
    function, shared, items, bounds, _taken = _JOB
    start, end = bounds[number]
    result = function(shared, items[start:end])
    settle()  # a worker holds everything it inherited already (map_chunks' hold), so what it keeps joins it
    return number, result


_NOTHING = object()


def _ready(results: Iterator[Any]) -> Any:
    """The next result a worker has sent already, without waiting (``_NOTHING`` if none has come)."""
    try:
        return results.next(timeout=0)  # type: ignore[attr-defined]  # Pool.imap_unordered's iterator
    except multiprocessing.TimeoutError:
        return _NOTHING
    except StopIteration:
        return _NOTHING


def map_chunks(
    function: Callable[[Any, Sequence[Item]], Result],
    shared: Any,
    items: Sequence[Item],
    workers: int,
    collect: Callable[[Result], Result] | None = None,
) -> list[Result]:
    """``function(shared, chunk)`` for consecutive chunks of ``items``, results in order.

    ``shared`` and ``items`` reach the workers by ``fork``; each result is pickled back as its chunk is done.
    This process runs chunks too: it and ``workers - 1`` forked workers take the next chunk in turn. ``collect``
    is given each result in this process as soon as it has it (between this process's own chunks), and what it
    returns is kept instead (a smaller form of it, say).
    """
    global _JOB
    keep: Callable[[Result], Result] = collect if collect is not None else (lambda result: result)
    if workers <= 1 or len(items) < 2:
        return [keep(function(shared, items))]
    size = max(1, len(items) // (workers * 8))  # small chunks even out pages of very different cost
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    context = multiprocessing.get_context("fork")
    _JOB = (function, shared, items, bounds, context.Value("i", 0))
    # what this process holds now is held out of the collector's sight while workers run (as Python's documentation
    # advises for forked children): neither process's collections then walk the objects they share, which would
    # write to those pages and make each process a copy of them
    hold()
    results: dict[int, Any] = {}
    try:
        with context.Pool(workers - 1) as pool:
            # one task per chunk: a worker's task takes whichever chunk is next, as this process does below
            theirs = pool.imap_unordered(_run_claimed, range(len(bounds)), chunksize=1)
            while (number := _claim()) is not None:
                start, end = bounds[number]
                results[number] = keep(function(shared, items[start:end]))
                settle()  # what this process keeps from its chunks and its workers' is not walked again and again
                while (done := _ready(theirs)) is not _NOTHING:  # the workers' results so far, as they came
                    if done is not None:
                        results[done[0]] = keep(done[1])
            for done in theirs:
                if done is not None:
                    results[done[0]] = keep(done[1])
    finally:
        _JOB = None
        release()
    return [results[number] for number in range(len(bounds))]
