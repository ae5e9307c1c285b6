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
import os
import re
import stat
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import click
import watchfiles

from explainer.basics import SEARCH_BUNDLE
from explainer.config import CONFIG_FILE, load_settings
from explainer.diagnostics import Diagnostic, Diagnostics, Span, display_path
from explainer.incremental import Session
from explainer.model import COLLECTIONS
from explainer.pages import SEARCH_URL
from explainer.passthrough import PASSTHROUGH_DIR
from explainer.reader import CONTENT_DIR
from explainer.search import index_site_files

EVENTS_PATH = "/__explainer/events"
RELOAD_SCRIPT = """<script>/* explainer serve: live reload (not part of the built site) */
(function () {{
  var source = new EventSource("{path}?since={generation}");
  source.addEventListener("reload", function () {{ source.close(); location.reload(); }});
}})();
</script>"""
PORT_ATTEMPTS = 20
REQUEST_TIMEOUT = 60  # seconds a client may stay silent while sending a request or not reading a reply
LAZY_WAIT = 10  # seconds a request for a file made on demand waits for a running rebuild
MADE_NAMES = 1000  # names remembered per build, found or not (clients may ask for any name)
PIPE_PATIENCE = 2  # seconds a rebuild may run before serve looks for a named pipe it could be stuck on
MAX_LINE = 300  # characters of an error message shown on the console
QUERY_SAFE = "=&;%+/?:@!$'()*,~"  # kept as sent when a query is carried over to a redirect
DISCONNECTS = {
    errno.EPIPE,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.ENOTCONN,
    errno.ESHUTDOWN,
    errno.ETIMEDOUT,
    errno.EBADF,
}
SPECIAL_KINDS = (
    (stat.S_ISFIFO, "named pipe"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "device"),
    (stat.S_ISBLK, "device"),
)


def say(line: str) -> None:
    """One line on the console; a console that went away must not stop the preview."""
    try:
        click.echo(line, err=True)
    except (OSError, ValueError):
        pass


def one_line(exc: BaseException) -> str:
    """An exception as a short, printable, single line (a request or file name may hold anything)."""
    text = " ".join(str(exc).split())
    return _printable(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def _printable(text: str) -> str:
    """Text for the console: short, and with no control character that could upset the terminal."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text[:MAX_LINE])
    return shown + ("..." if len(text) > MAX_LINE else "")


def is_disconnect(exc: BaseException) -> bool:
    """A client that closed, reset or stalled its connection: normal on the web, not worth a word."""
    return isinstance(exc, (ConnectionError, TimeoutError)) or (isinstance(exc, OSError) and exc.errno in DISCONNECTS)


def failure(exc: Exception, project: Path) -> tuple[Diagnostic, str]:
    """A rebuild that raised, as a problem for the browser and one line for the console: what could not be read."""
    name = exc.filename if isinstance(exc, OSError) else None
    if isinstance(exc, OSError) and isinstance(name, (str, bytes, os.PathLike)):
        path, reason = Path(os.fsdecode(name)), exc.strerror or one_line(exc)
        return (
            Diagnostic(
                Span(path),
                f"could not be read during the rebuild ({reason})",
                "check that it exists and is a readable file or folder, then save again",
            ),
            f"cannot read {_printable(display_path(path))} ({reason})",
        )
    return (
        Diagnostic(
            Span(project / CONTENT_DIR),
            f"the rebuild failed ({one_line(exc)})",
            "save again; if this stays, it is a bug in explainer: please report it",
        ),
        one_line(exc),
    )


class Preview:
    """The state the request handlers and the watcher share.

    Requests never wait for a rebuild: they read whichever build is current
    (only files made on demand wait, briefly, as they share state with it).
    """

    def __init__(self, project: Path):
        self.project = project.resolve()
        self.session = Session(self.project, lazy_site_files=True)
        self.changed = threading.Condition()
        self.search_files: dict[str, bytes] = {}
        self.last_update_ms = 0.0
        self.problems: list[Diagnostic] = []  # what serve itself refused or failed on; shown instead of the site
        self.bumps = 0  # generations added for those problems, so browsers reload onto the error page and back
        self.retry: set[Path] = set()  # the changes of a rebuild that failed, read again next time
        self.idle = threading.Condition()
        self.rebuilding = False
        self.made: tuple[dict, int, dict[str, bytes | None]] = ({}, -1, {})  # files made on demand, and for which build

    @property
    def generation(self) -> int:
        return self.session.generation + self.bumps

    @property
    def ok(self) -> bool:
        return self.session.ok and not self.problems

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.problems or self.session.diagnostics

    def file(self, name: str) -> bytes | None:
        """One file of the current site.

        Files made on demand share state with a rebuild, so they are made while
        none runs, and remembered (a missing favicon too) until the site changes.
        """
        files = self.session.files
        if name in files:
            return files[name]
        made_for, generation, made = self.made
        if made_for is files and generation == self.session.generation and name in made:
            return made[name]
        with self.idle:
            self.idle.wait_for(lambda: not self.rebuilding, timeout=LAZY_WAIT)
            files, generation = self.session.files, self.session.generation  # a good rebuild makes a new dict
            if self.made[0] is not files or self.made[1] != generation:
                self.made = (files, generation, {})
            data = self.session.file(name)
            if len(self.made[2]) < MADE_NAMES:
                self.made[2][name] = data
            return data

    def rebuild(self, paths: Iterable[Path] = ()) -> None:
        """Bring the site up to date and say how it went; nothing that goes wrong here stops the preview."""
        paths = set(paths)
        with self.idle:
            self.rebuilding = True
        try:
            self._rebuild(paths)
        finally:
            with self.idle:
                self.rebuilding = False
                self.idle.notify_all()
            with self.changed:
                self.changed.notify_all()

    def _rebuild(self, paths: set[Path]) -> None:
        started = time.perf_counter()
        try:
            refused = special_files(self.project)
            if refused:  # reading a named pipe or a device would never end
                return self._fail(refused, paths)
            with self._released_pipes():
                update = self.session.update(paths | self.retry)
        except Exception as exc:  # noqa: BLE001 - one bad save must not end the watcher
            problem, line = failure(exc, self.project)
            self._fail([problem], paths, quiet=True)
            return say(f"error: could not rebuild: {line}; the browser shows this until a save fixes it")
        self.last_update_ms = (time.perf_counter() - started) * 1000
        self.retry, recovered = set(), bool(self.problems)
        if recovered:
            self.problems = []
            self.bumps += 1
        self._report(update.ok, update.diagnostics, bool(update.changed or not paths or recovered), update.rendered)

    def _fail(self, problems: list[Diagnostic], paths: set[Path], quiet: bool = False) -> None:
        """Show ``problems`` instead of the site, and read this save's files again next time."""
        self.retry |= paths
        self.problems = problems
        self.bumps += 1
        if not quiet:
            self._report(False, problems, True, 0)

    def _report(self, ok: bool, diagnostics: list[Diagnostic], changed: bool, rendered: int) -> None:
        if ok:
            if changed:
                say(f"rebuilt {rendered} page(s) in {self.last_update_ms:.0f} ms")
            for warning in diagnostics:
                say(warning.format())
        else:
            for problem in diagnostics:
                say(problem.format())
            say(f"error: {len(diagnostics)} problem(s); the browser shows them until they are fixed")

    @contextmanager
    def _released_pipes(self) -> Iterator[None]:
        """While a rebuild runs, free it from any named pipe it is stuck reading (one made after the check)."""
        done = threading.Event()

        def release() -> None:
            while not done.wait(PIPE_PATIENCE):
                for path in release_pipes(self.project):
                    say(f"error: {display_path(path)} is a named pipe; the rebuild stopped waiting for it")

        threading.Thread(target=release, daemon=True, name="explainer-pipes").start()
        try:
            yield
        finally:
            done.set()

    def index_search(self) -> None:
        """Build the search index once, from the first good build (search reflects start-up content)."""
        try:
            self._index_search()
        except Exception as exc:  # noqa: BLE001 - the preview is useful without search
            say(f"error: the search index was not built ({one_line(exc)}); the preview goes on without it")

    def _index_search(self) -> None:
        if not self.ok or f"{SEARCH_URL}index.html" not in self.session.files:
            return  # nothing to index, or search is switched off
        bundle = index_site_files(self.session.files)  # from memory: pages are all the index needs
        self.search_files = {f"{SEARCH_BUNDLE}/{name}": data for name, data in bundle.items()}

    def watched(self) -> list[Path]:
        """content/, static/, explainer.yml and the project's theme (the default theme ships with the package)."""
        return [
            self.project / CONTENT_DIR,
            self.project / PASSTHROUGH_DIR,
            self.project / CONFIG_FILE,
            *(t for t in theme_dirs_of(self.project) if t.is_dir()),
        ]

    def watch(self, stop: threading.Event, ready: threading.Event) -> None:
        """Rebuild after each batch of saves until stopped; if watching itself fails, say so once and retry."""
        last, catch_up = None, False
        while not stop.is_set():
            try:
                self._watch(stop, ready, catch_up)
                last = None
                stop.wait(0.2)
            except Exception as exc:  # noqa: BLE001 - a watcher that dies would leave stale pages unnoticed
                if one_line(exc) != last:
                    last = one_line(exc)
                    say(f"error: watching for changes failed ({last}); trying again")
                ready.set()
                stop.wait(1)
            catch_up = True

    def _watch(self, stop: threading.Event, ready: threading.Event, catch_up: bool) -> None:
        """Watch until stopped, the project folder is replaced (its watch would hear nothing more) or explainer.yml
        names another theme (a theme outside the project is watched as a folder of its own).

        ``catch_up`` rebuilds as soon as watching works again, for saves made while it did not.
        """
        relevant, folder = self.watched(), _identity(self.project)
        outside = [root for root in relevant if not root.is_relative_to(self.project)]  # a theme kept elsewhere
        looked = time.monotonic()

        def wanted(change: watchfiles.Change, path: str) -> bool:
            name = Path(path).name
            return not (name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp"))) and any(
                Path(path) == root or root in Path(path).parents for root in relevant
            )

        # yield_on_timeout: the first (empty) batch says the watcher is running, so no save is missed
        for changes in watchfiles.watch(
            self.project,
            *outside,
            watch_filter=wanted,
            debounce=400,
            step=5,
            stop_event=stop,
            raise_interrupt=False,
            yield_on_timeout=True,
            rust_timeout=200,
        ):
            ready.set()
            if changes or catch_up:
                self.rebuild({Path(path) for _, path in changes} or self.watched())
                catch_up = False
            if _identity(self.project) != folder:
                return say("the project folder was removed or replaced; watching it again")
            # another theme named, or its folder made, removed or re-pointed (outside the project, no save of ours
            # tells: looked at once a second): watched as it is from now on
            if changes or time.monotonic() - looked >= 1:
                looked = time.monotonic()
                if self.watched() != relevant:
                    return None


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder is at this path now, if any."""
    try:
        status = folder.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


def theme_dirs_of(project: Path) -> list[Path]:
    """The project's own theme folder, if explainer.yml names one (read leniently)."""
    theme = load_settings(project, Diagnostics()).theme
    return [theme] if theme else []


def read_candidates(project: Path) -> Iterator[os.DirEntry]:
    """Everything a build may open by name: content/ and its collection folders, and the theme's templates."""
    content = project / CONTENT_DIR
    for folder in [content, *(content / c for c in COLLECTIONS), *_template_folders(project)]:
        try:
            with os.scandir(folder) as entries:
                yield from [e for e in entries if not e.name.startswith(".")]
        except OSError:
            continue  # missing or unreadable: the reader reports it


def _template_folders(project: Path) -> list[Path]:
    """The folders of the project theme's templates; none when the settings cannot say (the build reports why)."""
    try:
        return [Path(root) for theme in theme_dirs_of(project) for root, _, _ in os.walk(theme / "templates")]
    except Exception:  # noqa: BLE001 - any problem in the settings is the build's to report
        return []


def special_kind(entry: os.DirEntry) -> str | None:
    """'named pipe', 'socket' or 'device' for such a file (or a link to one); None for anything else."""
    try:
        if entry.is_file() or entry.is_dir():
            return None
        mode = os.stat(entry.path).st_mode
    except OSError:
        return None  # gone, or a dangling link: the reader reports it
    return next((kind for test, kind in SPECIAL_KINDS if test(mode)), None)


def special_files(project: Path) -> list[Diagnostic]:
    """Files a build would open but could wait on forever (a named pipe) or read without end (a device)."""
    return [
        Diagnostic(
            Span(Path(entry.path)),
            f"'{entry.name}' is a {kind}, not a regular file, and was not read",
            "remove it, or put a regular file in its place",
        )
        for entry in read_candidates(project)
        if (kind := special_kind(entry)) is not None
    ]


def release_pipes(project: Path) -> list[Path]:
    """Open each named pipe a build may read for writing, and close it: a reader blocked on it gets end-of-file."""
    released = []
    for entry in read_candidates(project):
        if special_kind(entry) != "named pipe":
            continue
        try:
            os.close(os.open(entry.path, os.O_WRONLY | os.O_NONBLOCK))  # fails unless someone is reading
        except OSError:
            continue
        released.append(Path(entry.path))
    return released


def error_page(preview: Preview) -> bytes:
    items = "\n".join(
        f"<li><code>{html.escape(d.span.display())}</code> {html.escape(d.severity)}: {html.escape(d.message)}"
        + (f"<br><small>hint: {html.escape(d.hint)}</small>" if d.hint else "")
        + "</li>"
        for d in preview.diagnostics
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Errors in the story · explainer serve</title>
<style>body{{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
li{{margin:.75rem 0}}code{{background:#f3f3f3;padding:0 .25rem}}h1{{color:#b3261e}}</style></head>
<body><main><h1>The story has errors</h1>
<p>Fix them and save: this page reloads by itself.</p><ol class="explainer-errors">{items}</ol></main></body></html>
""".encode()


def request_target(target: str) -> tuple[str, str] | None:
    """The path and query of a request target; None for one that names no path on this server.

    A target starting with '/' is split by hand so '//x' stays a path, not a host.
    """
    if target.startswith("/"):
        path, _, query = target.partition("#")[0].partition("?")
        return path, query
    if re.match(r"https?://", target, re.IGNORECASE):  # absolute form (as sent to proxies): only its path counts
        parts = urlsplit(target)
        return parts.path or "/", parts.query
    return None


def since_of(query: str, current: int) -> int:
    """The generation a client last saw; a missing, malformed or future value means the current one."""
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == "since" and re.fullmatch(r"[0-9]{1,18}", value):
            return min(int(value), current)
    return current


def make_handler(preview: Preview) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "explainer-serve"
        timeout = REQUEST_TIMEOUT
        replied = False

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def handle(self) -> None:
            """Answer, whatever the client sends or does: a bug costs one line and a 500, never a traceback."""
            try:
                super().handle()
            except Exception as exc:  # noqa: BLE001 - see handle_error for the same rule outside a request
                self.close_connection = True
                if not is_disconnect(exc):
                    request = f"{getattr(self, 'command', None) or 'a request'} {_printable(getattr(self, 'path', ''))}"
                    say(f"error: {request.strip()} failed ({one_line(exc)}); still serving")
                    self.fail()

        def fail(self) -> None:
            """Send a 500 if nothing was sent yet; a client that already left is fine."""
            if self.replied:
                return
            try:
                self.send(500, b"internal error in explainer serve; see the console\n", "text/plain")
                self.wfile.flush()
            except OSError:
                pass

        def send_response(self, code: int, message: str | None = None) -> None:
            self.replied = True
            super().send_response(code, message)

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:
            target = request_target(self.path)
            if target is None:
                return self.send(400, b"bad request: not a path on this server\n", "text/plain", head)
            raw, query = target
            if raw == EVENTS_PATH:
                return self.send(200, b"", "text/event-stream", head) if head else self.events(query)
            path = unquote(raw)
            segments = path.split("/")
            if "\\" in path or "\0" in path or any(s in ("..", ".") for s in segments) or not path.startswith("/"):
                return self.send(403, b"refused: the preview serves only the site's own files\n", "text/plain", head)
            name = path.lstrip("/")
            if name == "" or name.endswith("/"):
                name += "index.html"
            if name.endswith(".html") and not preview.ok:
                return self.send(500, self.inject(error_page(preview)), "text/html; charset=utf-8", head)
            data = preview.file(name) if not name.startswith(SEARCH_BUNDLE + "/") else preview.search_files.get(name)
            if data is not None:
                return self.send(200, self.inject(data) if name.endswith(".html") else data, _type(name), head)
            if f"{name}/index.html" in preview.session.files:
                query = f"?{quote(query, safe=QUERY_SAFE)}" if query else ""
                return self.redirect(f"/{quote(name)}/{query}")
            return self.send(
                404, self.inject(preview.session.files.get("404.html", b"not found")), "text/html; charset=utf-8", head
            )

        def redirect(self, location: str) -> None:
            """To the folder's own page; built from the file name found, so it never leaves this server."""
            self.send_response(301)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def inject(self, page: bytes) -> bytes:
            script = RELOAD_SCRIPT.format(path=EVENTS_PATH, generation=preview.generation).encode()
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
            since = since_of(query, preview.generation)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            try:
                self.wfile.write(b"retry: 500\n\n")
                self.wfile.flush()
                while True:
                    with preview.changed:
                        if preview.generation <= since:
                            preview.changed.wait(timeout=15)
                    generation = preview.generation
                    if generation > since:
                        payload = json.dumps(
                            {"generation": generation, "ok": preview.ok, "rebuild_ms": round(preview.last_update_ms, 1)}
                        )
                        self.wfile.write(f"event: reload\ndata: {payload}\n\n".encode())
                        self.wfile.flush()
                        since = generation
                    else:
                        self.wfile.write(b": still here\n\n")
                        self.wfile.flush()
            except OSError:  # the page closed or reloaded
                return

    return Handler


def _type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return (
        f"{guessed}; charset=utf-8"
        if guessed.startswith("text/") or guessed.endswith(("json", "xml", "javascript"))
        else guessed
    )


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    request_queue_size = 64  # a burst of page loads (assets, a reload in many tabs) should not be refused

    def handle_error(self, request: object, client_address: tuple) -> None:
        """socketserver prints a traceback here; a client that left is normal, anything else gets one line."""
        exc = sys.exc_info()[1]
        if exc is None or is_disconnect(exc):
            return
        say(
            f"error: a request from {client_address[0] if client_address else 'a client'} failed "
            f"({one_line(exc)}); still serving"
        )


def bind(host: str, port: int, handler: type) -> tuple[_Server, str | None]:
    """Bind to ``port``, or the next free one; also say which was busy."""
    for attempt in range(PORT_ATTEMPTS if port else 1):
        try:
            return _Server((host, port + attempt), handler), (f"port {port} is busy" if attempt else None)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise click.ClickException(f"cannot listen on {host}:{port + attempt}: {exc.strerror}") from None
    raise click.ClickException(f"ports {port} to {port + PORT_ATTEMPTS - 1} are all busy; choose one with --port")


def _thread_died(args: threading.ExceptHookArgs) -> None:
    """The last line of defence: any thread of the preview that still raises costs one line, not a traceback."""
    if args.exc_value is not None and not is_disconnect(args.exc_value):
        say(f"error: {args.thread.name if args.thread else 'a thread'} stopped ({one_line(args.exc_value)})")


def serve(project: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the preview until interrupted."""
    previous_hook, threading.excepthook = threading.excepthook, _thread_died
    stop = threading.Event()
    try:
        preview = Preview(project)
        preview.rebuild()
        preview.index_search()
        ready = threading.Event()
        threading.Thread(target=preview.watch, args=(stop, ready), daemon=True, name="explainer-watcher").start()
        ready.wait(10)
        server, busy = bind(host, port, make_handler(preview))
        _run(server, preview, busy)
    finally:
        stop.set()
        threading.excepthook = previous_hook


def _run(server: _Server, preview: Preview, busy: str | None) -> None:
    actual_host, actual_port = str(server.server_address[0]), int(server.server_address[1])
    shown_host = f"[{actual_host}]" if ":" in actual_host else actual_host
    if busy:
        say(f"{busy}; using {actual_port} instead")
    say(f"serving {preview.project.name} at http://{shown_host}:{actual_port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        say("stopped")
    finally:
        server.server_close()
