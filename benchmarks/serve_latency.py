"""Save-to-reload latency of `explainer serve`: from the file write to the reload event.

    python benchmarks/serve_latency.py [--runs N]

For the bundled story and a generated story of 1,000 entries, starts
`explainer serve` on a free port, listens to its reload events like a browser
does, and times two edits, each repeated N times: a change to one entry's body,
and a rename of the person the most pages mention. Prints the median and the
worst time per case, and the server's own rebuild time. Target (issue 5): at
most 100 ms at 1,000 entries.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402
from machine import describe  # noqa: E402


class Preview:
    def __init__(self, project: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "explainer", "serve", str(project), "--port", "0"], stderr=subprocess.PIPE, text=True
        )
        self.rebuild_ms: list[float] = []
        started = threading.Event()
        self.url = ""

        def read() -> None:
            for line in self.process.stderr:
                if line.startswith("serving "):
                    self.url = re.search(r"(http://\S+/)", line).group(1)
                    started.set()

        threading.Thread(target=read, daemon=True).start()
        if not started.wait(120):
            raise SystemExit("explainer serve did not start")
        host, port = re.match(r"http://([^:/]+):(\d+)/", self.url).groups()
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        connection.request("GET", "/__explainer/events")
        self.events = connection.getresponse()

    def next_reload(self) -> float:
        """Block until the next reload event; the moment it arrived (and note the server's rebuild time)."""
        for raw in self.events:
            if raw.startswith(b"event: reload"):
                arrived = time.perf_counter()
                data = json.loads(next(self.events).decode().removeprefix("data: "))
                self.rebuild_ms.append(data["rebuild_ms"])
                return arrived
        raise SystemExit("the event stream closed")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def time_edits(preview: Preview, path: Path, old: str, new: str, runs: int) -> list[float]:
    original = path.read_text()
    assert old in original, (path, old)
    times = []
    for run in range(runs):
        text = original.replace(old, new + (f" {run}" if run % 2 == 0 else ""))
        time.sleep(0.3)  # let the watcher settle, as between a writer's saves
        started = time.perf_counter()
        path.write_text(text if run % 2 == 0 else original)
        times.append((preview.next_reload() - started) * 1000)
    if path.read_text() != original:
        path.write_text(original)
        preview.next_reload()
    return times


def most_mentioned(project: Path) -> tuple[Path, str]:
    """The person whose slug appears in the most files, and their name line."""
    counts: dict[str, int] = {}
    files = list((project / "content").rglob("*.md")) + list((project / "content").rglob("*.yml"))
    texts = [f.read_text() for f in files]
    for person in (project / "content" / "people").glob("*.md"):
        counts[person.stem] = sum(person.stem in text for text in texts)
    slug = max(sorted(counts), key=counts.get)
    path = project / "content" / "people" / f"{slug}.md"
    name = re.search(r"^name: (.+)$", path.read_text(), re.M).group(0)
    return path, name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"{describe()}, {args.runs} runs per case; times in ms from the file write to the reload event")
    print(f"{'story':<18}{'edit':<26}{'median':>8}{'worst':>8}{'server rebuild (median)':>26}")
    with tempfile.TemporaryDirectory() as tmp:
        bundled = Path(tmp) / "bundled"
        shutil.copytree(ROOT / "content", bundled / "content")
        shutil.copy(ROOT / "explainer.yml", bundled / "explainer.yml")
        generated = Path(tmp) / "generated"
        generate(1000, generated)
        for label, project in (("bundled (37)", bundled), ("generated (1,000)", generated)):
            preview = Preview(project)
            try:
                body = next(p for p in sorted((project / "content" / "events").glob("*.md")))
                body_text = body.read_text().rstrip("\n").rsplit("\n", 1)[1]
                person, name_line = most_mentioned(project)
                for edit, path, old, new in (
                    ("one entry's body", body, body_text, body_text + " Edited"),
                    ("rename a much-linked person", person, name_line, name_line + " Renamed"),
                ):
                    preview.rebuild_ms.clear()
                    times = time_edits(preview, path, old, new, args.runs)
                    server = statistics.median(preview.rebuild_ms) if preview.rebuild_ms else float("nan")
                    print(f"{label:<18}{edit:<26}{statistics.median(times):>8.0f}{max(times):>8.0f}{server:>26.0f}")
            finally:
                preview.stop()


if __name__ == "__main__":
    main()
