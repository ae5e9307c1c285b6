"""CPU seconds and peak memory of builds with search: cold, then one body edit (issue 17, part 4).

    PYTHONPATH=$PWD python benchmarks/search_costs.py STORY [--runs 3]

STORY is a generated story (``python benchmarks/generate.py 2000 STORY``). CPU is user + system time of
the build and every process it waited for (its rendering workers and Pagefind), which a shared machine
disturbs far less than wall time; peak memory is the largest total PSS of the build's process tree
(sampled as ``side_by_side.py`` does). Each edit appends a sentence to one event's body.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from side_by_side import CACHE_DIR, PeakMemory, edit_one_file


def run(story: Path, *flags: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak MiB of one ``explainer build``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "explainer", "build", *flags],
        cwd=story,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    memory = PeakMemory(process.pid)
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    peak = memory.stop() / 1024
    if process.returncode != 0:
        raise SystemExit(stderr.decode())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("story", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    story = args.story.resolve()
    rows: dict[str, list[tuple[float, float, float]]] = {}
    for round_ in range(args.runs):
        for flags in ((), ("--no-search",)):
            label = " ".join(flags) or "with search"
            shutil.rmtree(story / "build", ignore_errors=True)
            shutil.rmtree(story / CACHE_DIR, ignore_errors=True)
            rows.setdefault(f"cold, {label}", []).append(run(story, *flags))
            edit_one_file(story, round_ * 2 + len(flags))
            rows.setdefault(f"one body edit, {label}", []).append(run(story, *flags))
    load = os.getloadavg()[0]
    print(f"{'build':32} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}   (median of {args.runs}, load {load:.1f})")
    for name, values in rows.items():
        wall, cpu, peak = (statistics.median(v[i] for v in values) for i in range(3))
        print(f"{name:32} {wall:8.2f} {cpu:8.2f} {peak:9.0f}")


if __name__ == "__main__":
    main()
