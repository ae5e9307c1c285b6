"""CPU and wall time of one `serve` update after a body edit, in process (no watcher, no browser).

    python benchmarks/serve_update.py 1000 [--edits 7] [--story DIR]

Generates a story of N entries (`generate.py`, seed 1) unless `--story` names
one (it is edited: use a copy), builds it once in a serve session
(`explainer.incremental.Session`), then appends a sentence to one event's body
after another and times `Session.update([that file])`, as the watcher calls it.
The first edit after the first build is not counted (it warms caches). Prints
the median, least and most CPU seconds (`time.process_time`, which a shared
machine's load disturbs less than wall time), the median wall time and the
load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

from explainer.incremental import Session  # noqa: E402


def measure(story: Path, edits: int) -> None:
    session = Session(story, lazy_site_files=True)
    started = time.perf_counter()
    assert session.update().ok
    print(f"first build in the session: {time.perf_counter() - started:.1f} s")
    events = sorted((story / "content" / "events").glob("*.md"))
    cpu, wall = [], []
    for number in range(edits + 1):
        path = events[number % len(events)]
        path.write_text(path.read_text() + f"\nOne more sentence ({number}).\n")
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        update = session.update([path])
        cpu_spent, wall_spent = time.process_time() - cpu_start, time.perf_counter() - wall_start
        assert update.ok and update.rendered == 1, (update.rendered, update.diagnostics[:3])
        if number:
            cpu.append(cpu_spent * 1000)
            wall.append(wall_spent * 1000)
    print(
        f"{len(cpu)} body edits: CPU median {statistics.median(cpu):.1f} ms (least {min(cpu):.1f}, "
        f"most {max(cpu):.1f}); wall median {statistics.median(wall):.1f} ms; load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("entries", type=int)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--story", type=Path, help="a generated story to edit instead of a new one")
    args = parser.parse_args()
    if args.story is not None:
        measure(args.story.resolve(), args.edits)
        return
    with tempfile.TemporaryDirectory() as tmp:
        story = Path(tmp) / "story"
        generate(args.entries, story)
        measure(story.resolve(), args.edits)


if __name__ == "__main__":
    main()
