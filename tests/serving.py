"""`explainer serve` driven from tests: the server in a subprocess, a live-reload client, raw requests.

Shared by the preview's behaviour tests (test_serve.py) and its hostile-input tests (test_hostile_serve.py).
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

BASE = Path(__file__).parent / "broken" / "_base"
HANG_GUARD = 20  # seconds; only ever reached when something hangs


class Server:
    """`explainer serve PROJECT --port 0` (or the given arguments) in a subprocess, its console kept line by line.

    ``prelude`` is Python run before the command line, to inject faults."""

    def __init__(self, project: Path, *args: str, prelude: str = ""):
        self.project = project
        command = [sys.executable, "-c", f"{prelude}\nfrom explainer.cli import main\nmain()"]
        self.process = subprocess.Popen(
            [*command, "serve", str(project), *(args or ("--port", "0"))],
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        self.lines: list[str] = []
        self.checked = 0  # lines already checked for a traceback
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.ready.wait(30), "the server did not start: " + self.console
        self.url = re.search(r"at (http://127\.0\.0\.1:\d+/)", self.console).group(1)
        self.port = int(re.search(r":(\d+)/$", self.url).group(1))

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("serving "):
                self.ready.set()

    @property
    def console(self) -> str:
        return "\n".join(self.lines)

    def get(self, path: str, timeout: float = HANG_GUARD) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", "/" + path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def raw(self, request: bytes) -> bytes:
        """Send bytes as they are and return the whole reply (the server closes after one request)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=HANG_GUARD) as sock:
            try:
                sock.sendall(request)
            except OSError:
                pass  # refused before it was all sent (a line too long): the reply is still there
            return read_all(sock)

    def assert_quiet_and_alive(self, settle: float = 0.3) -> None:
        """Still answering, and nothing on the console since the last check looks like a traceback."""
        assert self.get("")[0] in (200, 500)
        time.sleep(settle)  # lets the console of requests still finishing arrive
        new, self.checked = "\n".join(self.lines[self.checked :]), len(self.lines)
        assert "Traceback" not in new and 'File "' not in new, new
        assert self.process.poll() is None

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def read_all(sock: socket.socket, limit: int = 1 << 20) -> bytes:
    data = b""
    while len(data) < limit:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def status_of(reply: bytes) -> int:
    """The status of a reply; an HTTP/0.9 one (no status line) tells it in its body."""
    match = re.match(rb"HTTP/1\.[01] (\d{3})", reply) or re.search(rb"<p>Error code: (\d{3})</p>", reply)
    assert match, reply[:200]
    return int(match.group(1))


class Events:
    """A live-reload client: the reload events one `/__explainer/events` connection receives."""

    def __init__(self, server: Server, query: str = ""):
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=HANG_GUARD)
        self.connection.request("GET", "/__explainer/events" + query)
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"
        assert self.response.readline() == b"retry: 500\n"  # the server has taken `since` in
        self.reloads: list[dict] = []
        self.arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event = None
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "reload":
                    with self.arrived:
                        self.reloads.append(json.loads(line[6:]))
                        self.arrived.notify_all()
        except (OSError, ValueError):
            return

    def wait(self, count: int = 1, timeout: float = HANG_GUARD) -> dict:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.reloads) >= count, timeout), "no reload event"
            return self.reloads[count - 1]

    def close(self) -> None:
        self.connection.close()


def copy_base(folder: Path) -> Path:
    """A fresh copy of the small valid base story, to edit while it is served."""
    target = folder / "story"
    shutil.copytree(BASE, target)
    return target


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def wait_for(check: Callable[[], object], timeout: float = HANG_GUARD) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
