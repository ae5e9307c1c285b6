"""The collector's holds nest: only the outermost gives frozen objects back, and nothing stays frozen after."""

from __future__ import annotations

import gc

from conftest import unreachable_now

from explainer import collection
from explainer.parallel import map_chunks


def _chunk_frozen(shared: object, chunk: list[int]) -> list[int]:
    return [gc.get_freeze_count() > 0 for _ in chunk]


def test_an_inner_hold_does_not_give_back_an_outer_ones_objects():
    assert gc.get_freeze_count() == 0
    with collection.out_of_sight():
        outer = gc.get_freeze_count()
        assert outer > 0
        with collection.out_of_sight():
            pass
        assert gc.get_freeze_count() >= outer  # still held by the outer hold
    assert gc.get_freeze_count() == 0


def test_workers_run_with_the_story_held_and_nothing_is_left_frozen_after():
    assert gc.get_freeze_count() == 0
    results = map_chunks(_chunk_frozen, None, list(range(40)), workers=2)
    assert all(all(chunk) for chunk in results)  # every chunk, in this process and the worker, ran with it held
    assert gc.get_freeze_count() == 0  # a caller with no hold of its own gets everything back


def test_a_paused_collector_holds_what_was_made_and_finishing_gives_it_back():
    collector = collection.Collector()
    collector.pause()
    assert not gc.isenabled()
    made = [object() for _ in range(10)]
    collector.resume()
    assert gc.isenabled() and gc.get_freeze_count() > 0
    with collection.out_of_sight():  # rendering inside the build: its end must not undo the build's hold
        pass
    assert gc.get_freeze_count() > 0
    collector.pause()
    collector.resume()
    collector.finish(collect=True)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert len(made) == 10


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _chunk_keeping(kept: list[list[object]], chunk: list[int]) -> list[bool]:
    """Whether what this process's earlier chunks kept is out of the collector's sight now; then keeps something
    (as a renderer's memos are kept) and leaves some cycles for the collector."""
    in_sight = {id(thing) for thing in gc.get_objects()}  # the permanent generation is not listed
    earlier = [id(things) not in in_sight for things in kept]
    kept.append([[number] for number in chunk])
    for _ in chunk:
        _Cycle()
    return earlier


def test_what_a_rendering_process_keeps_is_frozen_after_each_chunk_and_given_back_at_the_end():
    kept: list[list[object]] = []
    results = map_chunks(_chunk_keeping, kept, list(range(4000)), workers=2)
    assert sum(len(earlier) for earlier in results) > 0  # later chunks of a process looked at earlier ones'
    assert all(all(earlier) for earlier in results)
    assert gc.get_freeze_count() == 0  # all given back
    cycles_left = sum(1 for thing in unreachable_now() if type(thing) is _Cycle)
    assert cycles_left == 0  # each chunk's cycles were collected young, not frozen with what it kept
