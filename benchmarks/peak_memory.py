"""Peak memory of one cold ``explainer build``, for the whole process tree and for each process in it.

    PYTHONPATH=$PWD python benchmarks/peak_memory.py STORY [--no-search] [other build options]

Deletes STORY's build/ and .explainer-cache/ first, then samples the proportional set size (PSS) of the build's
process and its descendants (forked rendering workers, Pagefind) every 20 ms, as ``side_by_side.py`` does.
Prints the tree's peak and each process's share of it, each process's own peak, the build's CPU seconds (its
own and its children's) and the tree's total over time.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from side_by_side import PeakMemory  # the benchmark's own process-tree walk


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    story = Path(sys.argv[1])
    shutil.rmtree(story / "build", ignore_errors=True)
    shutil.rmtree(story / ".explainer-cache", ignore_errors=True)
    start = time.perf_counter()
    command = [sys.executable, "-m", "explainer", "build", *sys.argv[2:]]
    # its warnings go to a file: a pipe read only at the end would fill up (a story of 10,000 entries warns of
    # more than a pipe holds) and stop the build until it is read
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - read at the end, gone with this process
    process = subprocess.Popen(command, cwd=story, stdout=subprocess.DEVNULL, stderr=log, text=True)
    tree = PeakMemory(process.pid)  # side_by_side's figure, sampled on its own
    peak, at_peak, own, timeline = 0, {}, {}, []
    while process.poll() is None:
        sample = {pid: pss_kib(pid) for pid in tree._tree()}
        total = sum(sample.values())
        for pid, kib in sample.items():
            own[pid] = max(own.get(pid, 0), kib)
        if total > peak:
            peak, at_peak = total, sample
        timeline.append((round(time.perf_counter() - start, 1), total // 1024))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    log.seek(0)
    stderr = log.read()
    side_by_side = tree.stop()
    if process.returncode:
        raise SystemExit(f"the build failed:\n{stderr}")
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"wall {seconds:.2f} s, CPU {used.ru_utime + used.ru_stime:.2f} s (the build and its children)")
    print(
        f"peak of the tree: {max(peak, side_by_side) / 1024:.0f} MiB; at the peak, by process (build first): "
        + ", ".join(f"{kib / 1024:.0f}" for kib in at_peak.values())
    )
    print("each process's own peak, MiB: " + ", ".join(f"{kib / 1024:.0f}" for kib in own.values()))
    step = max(1, len(timeline) // 25)
    print("tree over time (s, MiB): " + " ".join(f"{t}:{m}" for t, m in timeline[::step]))


if __name__ == "__main__":
    main()
