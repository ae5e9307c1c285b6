"""When Python's cyclic garbage collector may look at what: one place for the build, the render and its workers.

Two tools, both about objects that stay alive:

- :func:`out_of_sight` moves every object alive now out of the collector's sight (``gc.freeze``) until the
  outermost of nested holds ends. Rendering holds the story this way (its full passes would walk it again and
  again, and a forked worker's passes would write to the pages it shares with its parent and so copy them);
  forking for workers holds what was made since; a build holds what it loaded. Only the outermost hold gives the
  objects back (``gc.unfreeze``), so an inner one never undoes an outer one's. Within a hold, :func:`settle`
  adds what a rendering process has kept since, after each chunk.
- :class:`Collector` pauses collection while a build loads its cache, reads or replays, links and saves (hundreds
  of thousands of objects that stay alive or die by their reference count), and holds them out of sight when it
  resumes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_holds = 0  # nested holds now: the objects frozen are given back when the last ends


def hold() -> None:
    """Freeze every object alive now, until the matching :func:`release`."""
    global _holds
    gc.freeze()
    _holds += 1


def release() -> None:
    """End a :func:`hold`; the last to end gives every frozen object back to the collector."""
    global _holds
    _holds -= 1
    if _holds <= 0:
        _holds = 0
        gc.unfreeze()


def settle() -> None:
    """Collect the young generations and freeze what survives, within a :func:`hold` (its release gives it back).

    A process rendering chunk after chunk keeps what each leaves (its tables of reads, its renderer's memos), and
    the collector's full passes walked all of it again each time, longer as it grew: half a second in each of two
    processes at 10,000 entries. What Jinja2 leaves in cycles is young and collected first."""
    gc.collect(1)
    gc.freeze()


@contextmanager
def out_of_sight() -> Iterator[None]:
    """:func:`hold` for a while."""
    hold()
    try:
        yield
    finally:
        release()


class Collector:
    """Cyclic collection paused while a build loads its cache, reads or replays every file, links and saves: the
    collector's full passes over what that makes, each walking every object made so far, took a third of a build
    after an edit and grew with the square of a cold build's reading (a cold read of 10,000 entries leaves some 400
    objects in cycles). When it resumes, what was made is held out of its sight (the first collection after would
    walk it all once more); :meth:`finish` gives it back."""

    def __init__(self) -> None:
        self.paused = False
        self.used = False  # paused at some point
        self.holding = False

    def pause(self) -> None:
        if not self.paused and gc.isenabled():
            gc.disable()
            self.paused = self.used = True

    def resume(self) -> None:
        if self.paused:
            if self.holding:
                gc.freeze()  # what was made meanwhile joins what this collector holds already
            else:
                hold()
                self.holding = True
            gc.enable()
            self.paused = False

    def finish(self, collect: bool) -> None:
        """Collection as before the build; with ``collect``, what was thrown away while it was paused is collected
        now, so a process that goes on (tests, ``serve`` after a build) does not carry it."""
        self.resume()
        if self.holding:
            release()
            self.holding = False
        if self.used and collect:
            gc.collect()
