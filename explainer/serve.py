"""`explainer serve`: a local preview that rebuilds on save and reloads the browser.

The site is kept in memory by an incremental :class:`~explainer.incremental.Session`
and served exactly as ``build`` writes it, plus a small live-reload script
injected into HTML responses (never into built files). A save that breaks the
story shows every problem in the browser until it is fixed.
"""

from __future__ import annotations

import errno
import html
import http.server
import json
import mimetypes
import posixpath
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click
import watchfiles

from explainer.config import CONFIG_FILE, load_settings
from explainer.diagnostics import Diagnostics
from explainer.incremental import Session
from explainer.reader import CONTENT_DIR
from explainer.pages import SEARCH_URL
from explainer.search import SEARCH_BUNDLE, index_site

EVENTS_PATH = "/__explainer/events"
RELOAD_SCRIPT = """<script>/* explainer serve: live reload (not part of the built site) */
(function () {{
  var source = new EventSource("{path}?since={generation}");
  source.addEventListener("reload", function () {{ source.close(); location.reload(); }});
}})();
</script>"""
PORT_ATTEMPTS = 20


class Preview:
    """The state the request handlers and the watcher share."""

    def __init__(self, project: Path):
        self.project = project.resolve()
        self.session = Session(self.project, lazy_site_files=True)
        self.changed = threading.Condition()
        self.search_files: dict[str, bytes] = {}
        self.last_update_ms = 0.0

    def rebuild(self, paths=()) -> None:  # noqa: ANN001 - an iterable of paths
        started = time.perf_counter()
        update = self.session.update(paths)
        self.last_update_ms = (time.perf_counter() - started) * 1000
        with self.changed:
            self.changed.notify_all()
        if update.ok:
            if update.changed or not paths:
                click.echo(f"rebuilt {update.rendered} page(s) in {self.last_update_ms:.0f} ms", err=True)
            for warning in update.diagnostics:
                click.echo(warning.format(), err=True)
        else:
            for problem in update.diagnostics:
                click.echo(problem.format(), err=True)
            click.echo(f"error: {len(update.diagnostics)} problem(s); the browser shows them until they are fixed",
                       err=True)

    def index_search(self) -> None:
        """Build the search index once, from the first good build (search reflects start-up content)."""
        if not self.session.ok or f"{SEARCH_URL}index.html" not in self.session.files:
            return  # nothing to index, or search is switched off
        with tempfile.TemporaryDirectory() as tmp:
            site = Path(tmp)
            for name, data in self.session.files.items():  # pages are all the index needs
                (site / name).parent.mkdir(parents=True, exist_ok=True)
                (site / name).write_bytes(data)
            if index_site(site) is None:
                bundle = site / SEARCH_BUNDLE
                self.search_files = {f"{SEARCH_BUNDLE}/{p.relative_to(bundle).as_posix()}": p.read_bytes()
                                     for p in bundle.rglob("*") if p.is_file()}

    def watched(self) -> list[Path]:
        """content/, explainer.yml and the project's theme (the default theme ships with the package)."""
        return [self.project / CONTENT_DIR, self.project / CONFIG_FILE,
                *(t for t in theme_dirs_of(self.project) if t.is_dir())]

    def watch(self, stop: threading.Event, ready: threading.Event) -> None:
        relevant = self.watched()

        def wanted(change: watchfiles.Change, path: str) -> bool:
            name = Path(path).name
            return not (name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp"))) and any(
                Path(path) == root or root in Path(path).parents for root in relevant)

        # yield_on_timeout: the first (empty) batch says the watcher is running, so no save is missed
        for changes in watchfiles.watch(self.project, watch_filter=wanted, debounce=400, step=5,
                                        stop_event=stop, raise_interrupt=False, yield_on_timeout=True,
                                        rust_timeout=200):
            ready.set()
            if changes:
                self.rebuild({Path(path) for _, path in changes})


def theme_dirs_of(project: Path) -> list[Path]:
    """The project's own theme folder, if explainer.yml names one (read leniently)."""
    theme = load_settings(project, Diagnostics()).theme
    return [theme] if theme else []


def error_page(preview: Preview) -> bytes:
    items = "\n".join(
        f"<li><code>{html.escape(d.span.display())}</code> {html.escape(d.severity)}: {html.escape(d.message)}"
        + (f"<br><small>hint: {html.escape(d.hint)}</small>" if d.hint else "") + "</li>"
        for d in preview.session.diagnostics)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Errors in the story · explainer serve</title>
<style>body{{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
li{{margin:.75rem 0}}code{{background:#f3f3f3;padding:0 .25rem}}h1{{color:#b3261e}}</style></head>
<body><main><h1>The story has errors</h1>
<p>Fix them and save: this page reloads by itself.</p><ol class="explainer-errors">{items}</ol></main></body></html>
""".encode("utf-8")


def make_handler(preview: Preview) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "explainer-serve"

        def log_message(self, *args) -> None:  # noqa: ANN002 - quiet; rebuilds are reported instead
            pass

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            if parts.path == EVENTS_PATH:
                return self.events(parts.query)
            path = unquote(parts.path)
            segments = path.split("/")
            if "\\" in path or "\0" in path or any(s in ("..", ".") for s in segments) or not path.startswith("/"):
                return self.send(403, b"refused: the preview serves only the site's own files\n", "text/plain")
            name = path.lstrip("/")
            if name == "" or name.endswith("/"):
                name += "index.html"
            session = preview.session
            if name.endswith(".html") and not session.ok:
                return self.send(500, self.inject(error_page(preview)), "text/html; charset=utf-8", head)
            data = session.file(name) if not name.startswith(SEARCH_BUNDLE + "/") else preview.search_files.get(name)
            if data is not None:
                return self.send(200, self.inject(data) if name.endswith(".html") else data, _type(name), head)
            if f"{name}/index.html" in session.files:
                self.send_response(301)
                self.send_header("Location", posixpath.join(path, "") + (f"?{parts.query}" if parts.query else ""))
                self.end_headers()
                return None
            return self.send(404, self.inject(session.files.get("404.html", b"not found")),
                             "text/html; charset=utf-8", head)

        def inject(self, page: bytes) -> bytes:
            script = RELOAD_SCRIPT.format(path=EVENTS_PATH, generation=preview.session.generation).encode()
            at = page.rfind(b"</body>")
            return page[:at] + script + page[at:] if at >= 0 else page + script

        def send(self, status: int, body: bytes, content_type: str, head: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def events(self, query: str) -> None:
            """Server-Sent Events: one 'reload' event when the build changes after ``since``."""
            since = int(query.partition("since=")[2] or preview.session.generation) if "since=" in query else \
                preview.session.generation
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            try:
                self.wfile.write(b"retry: 500\n\n")
                self.wfile.flush()
                while True:
                    with preview.changed:
                        if preview.session.generation <= since:
                            preview.changed.wait(timeout=15)
                    generation = preview.session.generation
                    if generation > since:
                        payload = json.dumps({"generation": generation, "ok": preview.session.ok,
                                              "rebuild_ms": round(preview.last_update_ms, 1)})
                        self.wfile.write(f"event: reload\ndata: {payload}\n\n".encode())
                        self.wfile.flush()
                        since = generation
                    else:
                        self.wfile.write(b": still here\n\n")
                        self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return

    return Handler


def _type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") or guessed.endswith(("json", "xml",
                                                                                           "javascript")) else guessed


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False


def bind(host: str, port: int, handler: type) -> tuple[_Server, str | None]:
    """Bind to ``port``, or the next free one; also say which was busy."""
    for attempt in range(PORT_ATTEMPTS if port else 1):
        try:
            return _Server((host, port + attempt), handler), (f"port {port} is busy" if attempt else None)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise click.ClickException(f"cannot listen on {host}:{port + attempt}: {exc.strerror}") from None
    raise click.ClickException(f"ports {port} to {port + PORT_ATTEMPTS - 1} are all busy; choose one with --port")


def serve(project: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the preview until interrupted."""
    preview = Preview(project)
    preview.rebuild()
    preview.index_search()
    stop, ready = threading.Event(), threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop, ready), daemon=True)
    watcher.start()
    ready.wait(10)
    server, busy = bind(host, port, make_handler(preview))
    actual_host, actual_port = server.server_address[:2]
    shown_host = f"[{actual_host}]" if ":" in actual_host else actual_host
    if busy:
        click.echo(f"{busy}; using {actual_port} instead", err=True)
    click.echo(f"serving {preview.project.name} at http://{shown_host}:{actual_port}/ (Ctrl-C to stop)", err=True)
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        stop.set()
        server.server_close()
