"""CPU time of converting every body of a generated story with smarty's own stage and with our typographer.

    python benchmarks/typography.py [N] [--seed S] [--runs R] [--project DIR]

Generates a story of N entries (default 2,000, seed 1), or reads the project DIR, then converts every
body (the story's and each entry's) with the old converter (Python-Markdown's ``smarty`` extension
running its own inline stage, as before issue 17) and with the new one
(:class:`explainer.typography.Typographer` with smarty's rules), alternating, R times each (default 5),
in one process. Prints the median CPU seconds (``time.process_time``) of each and checks that both
wrote the same HTML for every body.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

from explainer.diagnostics import Diagnostics  # noqa: E402
from explainer.linker import link  # noqa: E402
from explainer.markdown_render import MarkdownRenderer  # noqa: E402
from explainer.reader import read_project  # noqa: E402
from explainer.typography import Typographer  # noqa: E402


def old_converter(targets: dict) -> MarkdownRenderer:
    """The converter as it was before the typographer: smarty's own stage (made linear, as it was) kept."""
    with mock.patch.object(Typographer, "replace", classmethod(lambda cls, md: None)):
        renderer = MarkdownRenderer(targets)
    assert "smarty" in renderer.md.treeprocessors and "typography" not in renderer.md.treeprocessors
    return renderer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", type=Path, default=None, help="a story project to read instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="explainer-typography-") as work:
        story = args.project or Path(work) / "story"
        if args.project is None:
            generate(args.n, story, args.seed)
        content = read_project(story, Diagnostics())
        linked = link(content, Diagnostics())
    bodies = [item.body for item in [content.story, *content.all_entries()] if item is not None and item.body.strip()]
    converters = {"smarty": old_converter(linked.wikilinks), "typographer": MarkdownRenderer(linked.wikilinks)}
    times: dict[str, list[float]] = {name: [] for name in converters}
    outputs: dict[str, list[str]] = {}
    for _ in range(args.runs):
        for name, converter in converters.items():
            started = time.process_time()
            outputs[name] = [converter.convert(body) for body in bodies]
            times[name].append(time.process_time() - started)
    same = outputs["smarty"] == outputs["typographer"]
    print(f"{len(bodies):,} bodies, {sum(map(len, bodies)):,} characters, {args.runs} runs each, alternating")
    for name, seconds in times.items():
        print(f"{name}: median {statistics.median(seconds):.3f} CPU s ({', '.join(f'{s:.3f}' for s in seconds)})")
    print("same HTML for every body" if same else "THE HTML DIFFERS")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
