"""What an edit costs, in `explainer build` (with its cache) and in the `serve` session, on a generated story.

    python benchmarks/edit_costs.py N [--runs R]

Prints, for N entries: a cold build, a build after no change, a build after one
event's body changed and after one person's role changed (median of R edits),
and the same two edits in the in-memory serve session, with the pages each
rendered. Builds run without search, so the figures are explainer's own. CPU
seconds (user + system, of this process and of the workers it forked) move less
than wall time on a shared machine. To compare two versions, run the script with
each on ``PYTHONPATH`` in turn (the generated story is the same for the same N).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate
from machine import describe

import explainer
from explainer.build import build
from explainer.incremental import Session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    story = Path(tempfile.mkdtemp(prefix="explainer-edits-")) / "story"
    generate(args.n, story)
    events = sorted((story / "content/events").glob("*.md"))
    people = sorted(p for p in (story / "content/people").glob("*.md") if "role: " in p.read_text())
    rows: list[tuple[str, float, float, int]] = []

    def cpu() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    def timed(label: str, step: Callable[[int], int], runs: int = 1) -> None:
        times, cpus, rendered = [], [], 0
        for run in range(runs):
            started, used = time.perf_counter(), cpu()
            rendered = step(run)
            times.append(time.perf_counter() - started)
            cpus.append(cpu() - used)
        rows.append((label, statistics.median(times), statistics.median(cpus), rendered))

    def edit_body(number: int) -> Path:
        path = events[number]
        path.write_text(path.read_text() + f"\nOne more sentence ({number}).\n")
        return path

    def edit_role(number: int) -> Path:
        path = people[number]
        path.write_text(path.read_text().replace("role: ", "role: Former ", 1))
        return path

    def rebuild(_run: int) -> int:
        return build(story, search=False).rendered

    timed("build, cold", rebuild)
    timed("build, no change", rebuild, args.runs)
    timed("build, one body edit", lambda run: (edit_body(run), rebuild(run))[1], args.runs)
    timed("build, one role edit", lambda run: (edit_role(run), rebuild(run))[1], args.runs)
    session = Session(story, lazy_site_files=True)
    timed("serve, first render", lambda _run: session.update().rendered)
    later = args.runs  # other files than the builds edited
    timed("serve, one body edit", lambda run: session.update([edit_body(later + run)]).rendered, args.runs)
    timed("serve, one role edit", lambda run: session.update([edit_role(later + run)]).rendered, args.runs)
    print(
        f"explainer from {Path(explainer.__file__).parent}; {args.n:,} entries; {describe()}; "
        f"median of {args.runs} where repeated"
    )
    print(f"| {'measure':<24} | seconds | CPU seconds | pages rendered |")
    print(f"| {'---':<24} | ---: | ---: | ---: |")
    for label, seconds, used, rendered in rows:
        print(f"| {label:<24} | {seconds:.2f} | {used:.2f} | {rendered} |")


if __name__ == "__main__":
    main()
