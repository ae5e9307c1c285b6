"""The machine a benchmark ran on, said the same way by every script in this folder.

Figures from different processors, core counts or Pythons do not compare: this
sandbox's host changed from an Intel Xeon to an AMD EPYC with SHA extensions
between two sessions, which turned round which digest was faster.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

from explainer.parallel import usable_cores


def cpu_model() -> str:
    """The processor's name, as Linux gives it (else what Python's ``platform`` knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "processor not known"


def describe() -> str:
    """Architecture, processor, the cores a build may use (its workers and Pagefind services follow them) and
    Python's version: the first line of every benchmark's output."""
    total = os.cpu_count()
    usable = usable_cores()
    cores = f"{usable} cores" if usable == total else f"{usable} of {total} cores usable"
    return f"{platform.machine()} ({cpu_model()}), {cores}, Python {platform.python_version()}"
