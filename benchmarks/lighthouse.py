"""Lighthouse scores for the bundled story, served as a host would serve it.

Usage (from the repository root, after `npm ci --prefix benchmarks`):

    python benchmarks/lighthouse.py [--runs N]

Builds the bundled story, serves it on 127.0.0.1 under a subpath, runs
Lighthouse (npm, pinned in benchmarks/package-lock.json) against Debian's
Chromium on the story, a person, the timeline and a claim page, with mobile
emulation (Lighthouse's default), and prints the four category scores of the
median run. Targets (issue 4): performance >= 0.98; accessibility, best
practices and SEO 1.0.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import describe  # noqa: E402

from explainer.build import build  # noqa: E402

LIGHTHOUSE = ROOT / "benchmarks" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PAGES = {"story": "", "person": "people/alec-baldwin/", "timeline": "timeline/", "claim": "claims/set-not-chaotic/"}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGETS = {"performance": 0.98, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def lighthouse(url: str, output: Path) -> dict[str, float]:
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={output}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    report = json.loads(output.read_text())
    return {name: report["categories"][name]["score"] for name in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is reported")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: npm ci --prefix benchmarks")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        handler = functools.partial(Quiet, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        base_url = f"http://127.0.0.1:{server.server_port}/explainers/rust/"
        build(ROOT, root / "explainers" / "rust", base_url=base_url)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
        print(
            f"Lighthouse {version}, Chromium at {CHROMIUM}, {describe()}, median of {args.runs} runs, mobile emulation"
        )
        print(f"{'page':<10}" + "".join(f"{c:>16}" for c in CATEGORIES))
        missed = []
        for label, path in PAGES.items():
            runs = [lighthouse(base_url + path, root / f"{label}-{i}.json") for i in range(args.runs)]
            scores = {c: statistics.median(run[c] for run in runs) for c in CATEGORIES}
            print(f"{label:<10}" + "".join(f"{scores[c]:>16.2f}" for c in CATEGORIES))
            missed += [f"{label} {c} {scores[c]:.2f} < {TARGETS[c]}" for c in CATEGORIES if scores[c] < TARGETS[c]]
        print(f"{'target':<10}" + "".join(f"{TARGETS[c]:>16.2f}" for c in CATEGORIES))
        print("all targets met" if not missed else "missed: " + "; ".join(missed))
        server.shutdown()


if __name__ == "__main__":
    main()
