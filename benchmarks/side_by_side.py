"""explainer against Hugo (and Hugo followed by Pagefind) on the same generated story, side by side in one run.

    python benchmarks/side_by_side.py [--sizes 100 1000 10000] [--runs 3] [--work DIR]

For each size N, generates a story (``generate.py``, seed 1) and an
equivalent Hugo site: one page per person, event, claim and question with the
same Markdown body (wikilinks turned into ordinary Markdown links), one list
page per kind and a home page, rendered by a plain single and list template.
Then, alternating the two tools, it times cold builds (output and caches
deleted first) and, for explainer, a rebuild with no change and a rebuild
after one edited file (both keeping explainer's build cache). Each figure is
the median of ``--runs`` runs; peak memory is the largest sum of the
proportional set size (PSS) of the build's whole process tree, sampled every
20 ms, so worker processes and Pagefind count and shared pages count once.
Beside the wall time it prints the CPU time of the whole process tree (user and
system) and the system part of it: on a machine whose disk slows down as it is
written to, the wall time of both tools moves by a factor of two or more
between runs minutes apart, and the CPU times say what the tools themselves did. Each ratio of
time is given for user CPU too (CPU less system time, medians), the steadiest figure there is here.

explainer is timed twice: as a writer runs it (``explainer build``, which
also builds the Pagefind search index) and with ``--no-search``, the
equivalent of Hugo's output, which has no search index. Needs Debian's
``hugo`` on the PATH (``apt-get install hugo``).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402
from machine import describe  # noqa: E402

from explainer.build import load  # noqa: E402
from explainer.diagnostics import Diagnostics  # noqa: E402
from explainer.linker import WIKILINK, split_wikilink  # noqa: E402

HUGO_CONFIG = """baseURL = "https://example.org/"
title = "Synthetic story"
disableKinds = ["taxonomy", "term"]
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title><link rel="stylesheet" href="/style.css"></head>
<body><header><a href="/">{{ .Site.Title }}</a><nav><ul>
{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul></nav></header><main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="lead">{{ . }}</p>{{ end }}
{{ .Content }}
<nav><a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></nav></article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Params.summary }} {{ . }}{{ end }}</li>{{ end }}</ul>
{{ end }}
""",
    "index.html": """{{ define "main" }}<h1>{{ .Site.Title }}</h1>{{ .Content }}
{{ range .Site.Sections }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<ul>{{ range first 10 .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
{{ end }}
""",
}


def hugo_site(story: Path, out: Path) -> int:
    """Write the Hugo equivalent of a generated story; returns its number of entry pages."""
    linked = load(story, Diagnostics())
    if out.exists():
        shutil.rmtree(out)
    (out / "static").mkdir(parents=True)
    (out / "hugo.toml").write_text(HUGO_CONFIG)
    (out / "static" / "style.css").write_text((ROOT / "themes/default/static/style.css").read_text())
    for name, text in HUGO_LAYOUTS.items():
        (out / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (out / "layouts" / name).write_text(text)

    def markdown_links(body: str) -> str:
        def link(match: re.Match) -> str:
            target, shown = split_wikilink(match.group(1))
            entry = linked.wikilinks.get(target)
            shown = shown or (entry.title if entry else target)
            return f"[{shown}](/{entry.path})" if entry else shown

        return WIKILINK.sub(link, body)

    count = 0
    for collection, entries in linked.content.entries.items():
        folder = out / "content" / collection
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(f'---\ntitle: "{collection.title()}"\n---\n')
        for entry in entries:
            summary = getattr(entry, "role", "") or getattr(entry, "status", "")
            (folder / f"{entry.slug}.md").write_text(
                f"---\ntitle: {_toml_string(entry.title)}\nsummary: {_toml_string(summary)}\n---\n\n"
                + markdown_links(entry.body)
            )
            count += 1
    story_body = linked.content.story.body if linked.content.story else ""
    (out / "content" / "_index.md").write_text("---\ntitle: Synthetic story\n---\n\n" + markdown_links(story_body))
    return count


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class PeakMemory:
    """The largest total PSS of a process and all its descendants, sampled while it runs."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_kib = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(f"/proc/{entry.name}/stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [pid for pid, parent in parents.items() if parent in frontier]
            tree += frontier
        return tree

    def _sample(self) -> None:
        while not self._done.is_set():
            total = 0
            for pid in self._tree():
                try:
                    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                        if line.startswith("Pss:"):
                            total += int(line.split()[1])
                            break
                except OSError:
                    pass
            self.peak_kib = max(self.peak_kib, total)
            self._done.wait(0.02)

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak_kib


@dataclass
class Run:
    seconds: float
    peak_mib: float
    cpu_seconds: float = 0.0  # user and system, of the whole process tree
    system_seconds: float = 0.0

    @property
    def user_seconds(self) -> float:
        """The tree's CPU time outside the kernel: what the tool computed itself, whatever the disk did."""
        return self.cpu_seconds - self.system_seconds


# Python writes bytecode caches on a user's machine; a sandbox that sets PYTHONDONTWRITEBYTECODE would make
# every explainer run compile its modules again (≈ 20–30 ms), a cost no user pays
RUN_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _children_cpu() -> tuple[float, float]:
    """User + system and system seconds of this process's finished (and waited for) children and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_stime


def measure(command: list[str], cwd: Path) -> Run:
    cpu_before, system_before = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=RUN_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    memory = PeakMemory(process.pid)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    peak = memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{stderr}")
    cpu_after, system_after = _children_cpu()
    return Run(seconds, peak / 1024, cpu_after - cpu_before, system_after - system_before)


EXPLAINER = [sys.executable, "-m", "explainer", "build"]
CACHE_DIR = ".explainer-cache"


def explainer_cold(story: Path, *flags: str) -> Run:
    shutil.rmtree(story / "build", ignore_errors=True)
    shutil.rmtree(story / CACHE_DIR, ignore_errors=True)
    return measure([*EXPLAINER, *flags], story)


def hugo_cold(site: Path, with_search: bool = False) -> Run:
    """Hugo's cold build; ``with_search``: followed by Pagefind over its output, as a Hugo site with search runs."""
    for folder in ("public", "resources", ".hugo-cache"):
        shutil.rmtree(site / folder, ignore_errors=True)
    hugo = ["hugo", "--quiet", "--cacheDir", str(site / ".hugo-cache")]
    if not with_search:
        return measure(hugo, site)
    # the same pagefind[bin] wheel explainer indexes with; one shell, so memory counts the whole tree
    pagefind = [sys.executable, "-m", "pagefind", "--site", "public", "--quiet"]
    return measure(["sh", "-c", f"{shlex.join(hugo)} && {shlex.join(pagefind)}"], site)


def edit_one_file(story: Path, round_: int) -> Path:
    """Add a sentence to one event's body, as a writer's save does."""
    path = sorted((story / "content" / "events").glob("*.md"))[0]
    path.write_text(path.read_text() + f"\nA sentence added by edit {round_}.\n")
    return path


def median(runs: list[Run]) -> Run:
    """The median of each figure, each on its own."""
    return Run(
        statistics.median(r.seconds for r in runs),
        statistics.median(r.peak_mib for r in runs),
        statistics.median(r.cpu_seconds for r in runs),
        statistics.median(r.system_seconds for r in runs),
    )


def user_ratio(run: Run, reference: Run) -> str:
    """``run``'s user CPU over ``reference``'s (each the median of its runs' CPU less the median of their system
    time), or a dash when the reference used none."""
    return f"{run.user_seconds / reference.user_seconds:.2f}" if reference.user_seconds > 0 else "–"


def bench(n: int, runs: int, work: Path) -> dict[str, Run]:
    story, site = work / f"story-{n}", work / f"hugo-{n}"
    generate(n, story)
    pages = hugo_site(story, site)
    results: dict[str, list[Run]] = {}
    for round_ in range(runs):
        results.setdefault("hugo cold", []).append(hugo_cold(site))
        results.setdefault("hugo + pagefind cold", []).append(hugo_cold(site, with_search=True))
        results.setdefault("explainer cold, --no-search", []).append(explainer_cold(story, "--no-search"))
        results.setdefault("explainer no change, --no-search", []).append(measure([*EXPLAINER, "--no-search"], story))
        edit_one_file(story, round_)
        results.setdefault("explainer one edit, --no-search", []).append(measure([*EXPLAINER, "--no-search"], story))
        results.setdefault("explainer cold", []).append(explainer_cold(story))
        results.setdefault("explainer no change", []).append(measure(EXPLAINER, story))
        edit_one_file(story, round_ + runs)
        results.setdefault("explainer one edit", []).append(measure(EXPLAINER, story))
    print(f"  {n:,} entries: {pages:,} entry pages in both sites", file=sys.stderr)
    return {name: median(values) for name, values in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="keep the generated sites here")
    args = parser.parse_args()
    if shutil.which("hugo") is None:
        raise SystemExit("hugo is not installed (apt-get install hugo)")
    work = args.work or Path(tempfile.mkdtemp(prefix="explainer-bench-"))
    hugo = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    print(f"{describe()}, Hugo {hugo}, median of {args.runs} runs\n")
    table = {n: bench(n, args.runs, work) for n in args.sizes}
    # as issue 17 states its targets: a cold build with search is timed against Hugo followed by Pagefind, every
    # other build (no change and one edit included, with search or without) against Hugo's cold build; the memory
    # of a build with search against Hugo + Pagefind's, of one without against Hugo's
    print(
        "| entries | build | median s | CPU s | of it system s | peak MiB | time reference | time ÷ reference "
        "| user CPU ÷ reference | memory reference | memory ÷ reference |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: |")
    for n, results in table.items():
        for name, run in results.items():
            searched = name.startswith("explainer") and "--no-search" not in name or name == "hugo + pagefind cold"
            memory_name = "hugo + pagefind cold" if searched else "hugo cold"
            time_name = memory_name if searched and "cold" in name else "hugo cold"
            print(
                f"| {n:,} | {name} | {run.seconds:.2f} | {run.cpu_seconds:.2f} | {run.system_seconds:.2f} "
                f"| {run.peak_mib:.0f} | {time_name} | "
                f"{run.seconds / results[time_name].seconds:.2f} | {user_ratio(run, results[time_name])} | {memory_name} | "
                f"{run.peak_mib / results[memory_name].peak_mib:.2f} |"
            )
    sizes = sorted(table)
    for smaller, larger in zip(sizes, sizes[1:], strict=False):
        for name in ("hugo cold", "hugo + pagefind cold", "explainer cold, --no-search", "explainer cold"):
            growth = table[larger][name].seconds / table[smaller][name].seconds
            print(
                f"\n{name}: {larger // smaller}× the entries took {growth:.1f}× the time ({smaller:,} → {larger:,}), "
                f"{user_ratio(table[larger][name], table[smaller][name])}× the user CPU",
                end="",
            )
    print()
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
