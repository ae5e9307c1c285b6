"""Where a cold build's time goes, stage by stage, on a generated story.

    python benchmarks/profile_stages.py N [--workers W] [--work DIR]

Runs the pipeline's own functions one after the other, with no build cache
(pages rendered in W processes, default 1), and prints the wall time of each
stage, and the CPU time of this process (steadier on a shared machine; worker
processes and Pagefind not included): reading (YAML and front matter),
linking, validating, planning, Markdown, templates, site files (story.json,
timeline.json, feeds), writing and the Pagefind search index.
Markdown is timed apart from templates by converting every body before any
page is rendered.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

from explainer import rebuild as pipeline  # noqa: E402
from explainer.diagnostics import Diagnostics  # noqa: E402
from explainer.linker import link  # noqa: E402
from explainer.pages import plan_pages  # noqa: E402
from explainer.reader import read_project  # noqa: E402
from explainer.render import Renderer  # noqa: E402
from explainer.search import PagefindError, SearchIndex  # noqa: E402
from explainer.validate import validate  # noqa: E402
from explainer.writer import write_site  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="explainer-profile-"))
    story = work / f"story-{args.n}"
    generate(args.n, story)
    stages: list[tuple[str, float, float]] = []
    clock, cpu = time.perf_counter(), time.process_time()

    def lap(name: str) -> None:
        nonlocal clock, cpu
        now, cpu_now = time.perf_counter(), time.process_time()
        stages.append((name, now - clock, cpu_now - cpu))
        clock, cpu = now, cpu_now

    diagnostics = Diagnostics()
    content = read_project(story, diagnostics)
    lap("read (files, YAML, front matter)")
    linked = link(content, diagnostics)
    lap("link (references, wikilinks, backlinks)")
    validate(linked, diagnostics)
    lap("validate")
    pages = plan_pages(linked)
    lap("plan pages")
    assets = pipeline.collect_assets(linked)
    renderer = Renderer(linked, assets)
    if args.workers == 1:  # with workers, each converts the bodies of its own pages while rendering them
        for item in [content.story, *content.all_entries()]:
            renderer.body_html(item)
    lap("Markdown (every body once)")
    files = dict(assets.files)
    files.update(pipeline.render_pages(renderer, pages, diagnostics, args.workers).files)
    lap("templates (every page)")
    files.update(pipeline.site_files(linked, pages, renderer))
    lap("site files (story.json, timeline.json, feeds)")
    out = work / "build"
    write_site(files, out)
    lap("write (staging folder, swap)")
    problem = None
    try:  # as a build from scratch indexes: every page from memory, through Pagefind's service
        SearchIndex.build([name for name in files if name.endswith(".html")], files.__getitem__).bundle_files(
            everything=True
        )
    except PagefindError as error:
        problem = str(error)
    lap("search index (Pagefind)")
    total = sum(seconds for _, seconds, _cpu in stages)
    print(f"{args.n:,} entries, {len(pages):,} pages, {len(files):,} files, {args.workers} rendering process(es)\n")
    print("| stage | seconds | share | CPU seconds (this process) |")
    print("| --- | ---: | ---: | ---: |")
    for name, seconds, cpu_seconds in stages:
        print(f"| {name} | {seconds:.2f} | {seconds / total:.0%} | {cpu_seconds:.2f} |")
    print(f"| total | {total:.2f} | | {sum(cpu_seconds for _, _, cpu_seconds in stages):.2f} |")
    if problem or diagnostics.errors:
        print(problem or diagnostics.errors[0].format(), file=sys.stderr)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
