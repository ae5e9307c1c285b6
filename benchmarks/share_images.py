"""What share images cost: CPU time per image, and a cold build with and without them.

    python benchmarks/share_images.py [--entries N] [--images K] [--runs R]

Generates a story of N entries (``generate.py``, seed 1; default 1,000), plans
its pages and their cards as a build does, and draws K cards (default 500, the
story's own, cycling when it has fewer) in this process, timed with
``time.process_time()``: the figure is CPU milliseconds per image in a warm
process (fonts loaded, glyphs rasterised once), the cost a build pays per image
after its first few. The first image's cost (its glyphs rasterised for the
first time; the fonts' character maps are read before, to plan the cards) is
printed apart.

Then builds the bundled story and the generated one from cold with
``base_url`` set, as ``explainer build --no-search`` does (no cache; pages, and
images, spread over the cores once there are enough), with ``social_cards`` on
and off, R times each (default 3), and prints the median CPU time of each
(this process and its workers: steady on a shared machine, where wall time is
not) and the median wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

import PIL
from PIL import features

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402
from machine import describe  # noqa: E402

from explainer import share_images  # noqa: E402
from explainer.build import build, load  # noqa: E402
from explainer.context import SiteView  # noqa: E402
from explainer.diagnostics import Diagnostics  # noqa: E402
from explainer.pages import plan_pages  # noqa: E402

BASE_URL = "https://news.example.org/story/"


def machine() -> str:
    return (
        f"{describe()}, Pillow {PIL.__version__}, "
        f"FreeType {features.version('freetype2')}, zlib {zlib.ZLIB_RUNTIME_VERSION}"
    )


def cards_of(project: Path) -> list[share_images.Card]:
    diagnostics = Diagnostics()
    linked = load(project, diagnostics, base_url=BASE_URL)
    site = SiteView(linked)
    return list(share_images.plan_cards(plan_pages(linked), site.title, BASE_URL).values())


def per_image(cards: list[share_images.Card], count: int) -> tuple[float, float]:
    """CPU ms for the first image, and per image over ``count`` more."""
    started = time.process_time()
    share_images.draw(cards[0])
    first = time.process_time() - started
    started = time.process_time()
    for index in range(count):
        share_images.draw(cards[index % len(cards)])
    return first * 1000, (time.process_time() - started) * 1000 / count


def cold_build(project: Path, work: Path, social_cards: bool) -> tuple[float, float]:
    """CPU seconds (this process and the workers it forked) and wall seconds of one cold build."""
    copy = work / "copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project / "content", copy / "content")
    settings = copy / "explainer.yml"
    text = (project / "explainer.yml").read_text() if (project / "explainer.yml").exists() else ""
    settings.write_text(f"{text}\nsocial_cards: {'true' if social_cards else 'false'}\n")
    before, started = os.times(), time.perf_counter()
    build(copy, work / "out", base_url=BASE_URL, search=False)
    after, wall = os.times(), time.perf_counter() - started
    shutil.rmtree(work / "out")
    cpu = sum(after[:4]) - sum(before[:4])  # user and system, of this process and of its waited-for children
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="explainer-share-images-"))
    try:
        story = work / f"story-{args.entries}"
        generate(args.entries, story)
        cards = cards_of(story)
        first, steady = per_image(cards, args.images)
        print(machine())
        print(f"\n{len(cards):,} cards from {args.entries:,} entries; {args.images} drawn")
        print(f"first image in a process: {first:.1f} ms CPU (its glyphs rasterised for the first time)")
        print(f"share images: {steady:.2f} ms CPU per image\n")
        stories = [("bundled story", ROOT), (f"generated, {args.entries:,} entries", story)]
        print("| story | pages | social_cards | cold build CPU s | difference | cold build wall s |")
        print("| --- | ---: | --- | ---: | ---: | ---: |")
        for name, project in stories:
            pages = len(plan_pages(load(project, Diagnostics(), base_url=BASE_URL)))
            runs = {on: [cold_build(project, work, on) for _ in range(args.runs)] for on in (False, True)}
            cpu = {on: statistics.median(run[0] for run in runs[on]) for on in runs}
            for on in (False, True):
                wall = statistics.median(run[1] for run in runs[on])
                difference = f"{cpu[True] - cpu[False]:+.2f}" if on else ""
                print(f"| {name} | {pages:,} | {str(on).lower()} | {cpu[on]:.2f} | {difference} | {wall:.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
