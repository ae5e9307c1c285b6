"""`explainer serve` under hostile input: bad requests, clients that vanish, strange files in content/.

Each test runs the real server in a subprocess, talks to it over 127.0.0.1
and checks its console: no Python traceback, ever, and it still answers.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import struct
import threading
import time
from pathlib import Path

import pytest
from serving import BASE, HANG_GUARD, Events, Server, copy_base, replace, status_of, wait_for

from explainer.serve import release_pipes, special_files

PAGE = "people/ann-lee/"
PERSON = "content/people/ann-lee.md"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One server for the tests that only send requests (one edit at most, that they do not depend on)."""
    running = Server(copy_base(tmp_path_factory.mktemp("shared")))
    yield running
    running.assert_quiet_and_alive()  # also whatever came late, after each test's own check
    running.stop()


@pytest.fixture()
def project(tmp_path) -> Path:
    return copy_base(tmp_path)


@pytest.fixture()
def server(project):
    running = Server(project)
    yield running
    running.stop()


def generation_of(page: str) -> int:
    return int(re.search(r"events\?since=(\d+)", page).group(1))


def saved_and_shown(server: Server, project: Path, text: str) -> None:
    """A good save after trouble rebuilds: the page shows ``text`` (saved again until it does, in bounds)."""
    person = project / PERSON
    deadline = time.monotonic() + HANG_GUARD
    while True:
        person.write_text(re.sub(r"\n\n[^\n]*\n*$", f"\n\n{text}\n", person.read_text()))
        status, page = server.get(PAGE)
        if status == 200 and text in page:
            return
        assert time.monotonic() < deadline, f"the page never showed the save:\n{server.console}"
        time.sleep(1)


# --- requests -------------------------------------------------------------------------------------------

BAD_SINCE = [
    "?since=abc",
    "?since=",
    "?since=999999",
    "?since=-1",
    "?since=99999999999999999999",
    "?since=1e3",
    "?since=%00",
    "?since=" + "9" * 5000,
    "?since=abc&since=2",
    "?since=2&since=abc",
    "?since",
    "?%zz=%%&=&&",
    "?since=%D9%A1",
    "?since=0x10",
    "?since=%201",
]


def test_a_bad_since_is_the_current_generation(shared):
    current = generation_of(shared.get("")[1])
    clients = [Events(shared, query) for query in BAD_SINCE]
    try:
        replace(shared.project / PERSON, "Ann Lee was there.", "Ann Lee was there, again.")
        for client in clients:  # a reload for this save, not at once for a past or garbled generation
            assert client.wait()["generation"] > current
    finally:
        for client in clients:
            client.close()
    shared.assert_quiet_and_alive()


HOSTILE = [
    (b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1", {403}),
    (b"GET /people/%2e%2e%2f%2e%2e%2fexplainer.yml HTTP/1.1", {403}),
    (b"GET /%252e%252e/%252e%252e/explainer.yml HTTP/1.1", {404}),
    (b"GET /people/%252e%252e%252fexplainer.yml HTTP/1.1", {404}),
    (b"GET /index.html%00.png HTTP/1.1", {403}),
    (b"GET /people\\..\\..\\explainer.yml HTTP/1.1", {403}),
    (b"GET /people%5c..%5cexplainer.yml HTTP/1.1", {403}),
    (b"GET /" + b"a" * 100_000 + b" HTTP/1.1", {414}),
    (b"GET /" + b"%2e%2e/" * 9000 + b" HTTP/1.1", {403}),
    (b"GET http://evil.example/ HTTP/1.1", {200}),
    (b"GET http://evil.example/../../etc/passwd HTTP/1.1", {403}),
    (b"GET //evil.example/people HTTP/1.1", {404}),
    (b"GET * HTTP/1.1", {400}),
    (b"GET evil.example:443 HTTP/1.1", {400}),
    (b"GET /\xff\xfe\x1b[2J HTTP/1.1", {404}),
    (b"DELETE / HTTP/1.1", {405, 501}),
    (b"PUT /index.html HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", {405, 501}),
    (b"POST / HTTP/1.1\r\nContent-Length: 1000000", {405, 501}),
    (b"OPTIONS * HTTP/1.1", {405, 501}),
    (b"CONNECT evil.example:443 HTTP/1.1", {405, 501}),
    (b"BREW /pot HTTP/1.1", {405, 501}),
    (b"GARBAGE", {400}),
    (b"GET / HTTP/9.9", {505}),
    (b"GET / HTTP/1.1 extra", {400}),
    (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70_000, {431}),
    (b"GET / HTTP/1.1" + b"\r\nX: y" * 150, {431}),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32)), {400}),
]


@pytest.mark.parametrize("request_line, statuses", HOSTILE, ids=lambda v: repr(v)[:40] if isinstance(v, bytes) else "")
def test_a_hostile_request_gets_a_plain_refusal(shared, request_line, statuses):
    reply = shared.raw(request_line + b"\r\nHost: 127.0.0.1\r\n\r\n")
    assert status_of(reply) in statuses, reply[:300]
    assert b"Base story" not in reply or status_of(reply) in (200, 404)  # never a file outside the site
    shared.assert_quiet_and_alive(settle=0.05)


def test_absolute_url_is_this_sites_own_page(shared):
    reply = shared.raw(b"GET http://evil.example/people/ann-lee/ HTTP/1.1\r\nHost: evil.example\r\n\r\n")
    assert status_of(reply) == 200 and b"<h1>Ann Lee</h1>" in reply


def test_head_sends_headers_only(shared):
    for target in (b"/people/ann-lee/", b"/no/such/page", b"/../x", b"/__explainer/events"):
        reply = shared.raw(b"HEAD " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        body = reply.partition(b"\r\n\r\n")[2]
        assert status_of(reply) in (200, 403, 404) and body == b"", reply[:300]
    shared.assert_quiet_and_alive()


@pytest.mark.parametrize(
    "target", [b"/%2Fpeople", b"/%2F%2Fpeople", b"/people?x=%0d%0aSet-Cookie:%20a=b", b"/people?\x00\x1b"]
)
def test_a_redirect_stays_on_this_server(shared, target):
    reply = shared.raw(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert status_of(reply) == 301
    location = re.search(rb"\r\nLocation: ([^\r\n]*)\r\n", reply).group(1)
    assert location.startswith(b"/people/") and re.fullmatch(rb"[\x21-\x7e]+", location)
    assert b"Set-Cookie" not in reply.partition(b"\r\n\r\n")[0].replace(location, b"")
    shared.assert_quiet_and_alive(settle=0.05)


def abort(sock: socket.socket) -> None:
    """Close with a reset, as a crashed or impatient client does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_clients_that_vanish_leave_no_trace(shared):
    requests = [
        b"GET /people/ann-lee/ HTTP/1.1\r\n\r\n",
        b"GET /story.json HTTP/1.1\r\n\r\n",
        b"GET /__explainer/events HTTP/1.1\r\n\r\n",
        b"GET /peop",
        b"",
        b"HEAD / HTTP/1.0\r\n\r\n",
        b"GET /no/such/page HTTP/1.1\r\n\r\n",
    ]
    for _ in range(15):
        for request in requests:
            sock = socket.create_connection(("127.0.0.1", shared.port), timeout=HANG_GUARD)
            if request:
                sock.sendall(request)
            abort(sock)
    for _ in range(5):  # reads a little of a reply, then goes
        sock = socket.create_connection(("127.0.0.1", shared.port), timeout=HANG_GUARD)
        sock.sendall(b"GET /people/ann-lee/ HTTP/1.1\r\n\r\n")
        sock.recv(10)
        abort(sock)
    time.sleep(1)  # the server notices the resets while writing
    shared.assert_quiet_and_alive()


def test_a_request_that_fails_costs_one_line_and_a_500(tmp_path):
    fault = (
        "import explainer.serve as s\noriginal = s.Preview.file\n"
        "def file(self, name):\n    if 'boom' in name:\n        raise RuntimeError('injected\\nfault')\n"
        "    return original(self, name)\ns.Preview.file = file"
    )
    running = Server(copy_base(tmp_path), prelude=fault)
    try:
        status, body = running.get("boom.txt")
        assert status == 500 and "internal error" in body
        wait_for(lambda: any("injected fault" in line for line in running.lines))
        [line] = [line for line in running.lines if "injected" in line]
        assert line.startswith("error: GET /boom.txt failed (RuntimeError: injected fault)")
        assert running.get(PAGE)[0] == 200
        running.assert_quiet_and_alive()
    finally:
        running.stop()


# --- the file system ------------------------------------------------------------------------------------


def test_a_named_pipe_in_content_is_refused_and_serve_goes_on(server, project):
    pipe = project / "content/people/x.md"
    os.mkfifo(pipe)
    wait_for(lambda: any("x.md" in line for line in server.lines))
    assert server.get(PAGE)[0] in (200, 500)  # answered at once, with the problem, not after a hang
    for _ in range(5):
        assert server.get("story.json")[0] in (200, 404) and server.get("")[0] in (200, 500)
    pipe.unlink()
    saved_and_shown(server, project, "Ann Lee came back after the pipe.")
    server.assert_quiet_and_alive()


def test_a_pipe_made_after_the_check_does_not_stop_the_watcher(tmp_path):
    """A pipe can appear between serve's check and the read; the rebuild is then freed from it."""
    project = copy_base(tmp_path)
    running = Server(project, prelude="import explainer.serve as s\ns.special_files = lambda project: []")
    try:
        pipe = project / "content/people/x.md"
        os.mkfifo(pipe)
        wait_for(lambda: any("x.md" in line and "pipe" in line for line in running.lines))  # serve or the reader
        assert running.get(PAGE)[0] in (200, 500)
        pipe.unlink()
        saved_and_shown(running, project, "Ann Lee after the late pipe.")
        running.assert_quiet_and_alive()
    finally:
        running.stop()


def test_a_pipe_that_blocks_a_reader_is_released(tmp_path):
    project = copy_base(tmp_path)
    pipe = project / "content/people/x.md"
    os.mkfifo(pipe)
    assert [d.span.path for d in special_files(project)] == [pipe]
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(pipe.read_bytes()), daemon=True)
    reader.start()
    deadline = time.monotonic() + HANG_GUARD
    while reader.is_alive() and time.monotonic() < deadline:  # the reader may not have opened it yet
        release_pipes(project)
        reader.join(0.05)
    assert read == [b""]


@pytest.mark.parametrize("where", ["content/people/y.md", "content/dangling.md", "content/people.yml"])
def test_a_dangling_link_in_content_does_not_stop_the_watcher(server, project, where):
    events = Events(server)
    link = project / where
    link.unlink(missing_ok=True)
    link.symlink_to(project / "nowhere" / "at-all.md")
    wait_for(lambda: events.reloads or any(Path(where).name in line for line in server.lines))  # it was read
    assert server.get(PAGE)[0] in (200, 500)
    link.unlink()
    if where == "content/people.yml":
        shutil.copy(BASE / where, link)
    saved_and_shown(server, project, "Ann Lee outlived the link.")
    server.assert_quiet_and_alive()


def test_a_rebuild_that_raises_shows_the_error_and_the_watcher_goes_on(tmp_path):
    fault = (
        "import explainer.incremental as i\nfrom pathlib import Path\noriginal = i.Session.update\n"
        "def update(self, paths=()):\n"
        "    if (self.project / 'content/boom').exists():\n        raise RuntimeError('injected fault')\n"
        "    return original(self, paths)\ni.Session.update = update"
    )
    project = copy_base(tmp_path)
    running = Server(project, prelude=fault)
    try:
        events = Events(running)
        (project / "content/boom").write_text("")
        assert events.wait()["ok"] is False
        status, page = running.get(PAGE)
        assert status == 500 and "injected fault" in page
        wait_for(lambda: any("injected" in line for line in running.lines))  # the console is read by its own thread
        [line] = [line for line in running.lines if "injected" in line]
        assert line.startswith("error: could not rebuild: ")
        (project / "content/boom").unlink()
        saved_and_shown(running, project, "Ann Lee after the fault.")
        assert events.wait(2)["ok"] is True
        running.assert_quiet_and_alive()
    finally:
        running.stop()


def test_a_watcher_that_fails_is_started_again(tmp_path):
    fault = (
        "import watchfiles\noriginal, calls = watchfiles.watch, []\n"
        "def watch(*args, **kwargs):\n    calls.append(1)\n"
        "    if len(calls) == 1:\n        raise OSError('injected fault')\n"
        "    return original(*args, **kwargs)\nwatchfiles.watch = watch"
    )
    project = copy_base(tmp_path)
    running = Server(project, prelude=fault)
    try:
        wait_for(lambda: any("watching for changes failed (OSError: injected fault)" in line for line in running.lines))
        saved_and_shown(running, project, "Ann Lee, watched again.")
        running.assert_quiet_and_alive()
    finally:
        running.stop()


def test_a_replaced_project_folder_is_watched_again(server, project, tmp_path):
    shutil.move(project, tmp_path / "moved-away")
    wait_for(lambda: any("project folder was removed or replaced" in line for line in server.lines))
    shutil.copytree(BASE, project)
    saved_and_shown(server, project, "Ann Lee in the new folder.")
    server.assert_quiet_and_alive()


def test_churn_in_content_never_stops_serving(server, project):
    """Files and folders appear and vanish while rebuilds read them; every request is answered meanwhile."""
    stop = threading.Event()

    def churn() -> None:
        content = project / "content"
        for n in range(60):
            if stop.is_set():
                return
            folder = content / "events" / f"tmp-{n}"
            folder.mkdir()
            (content / "events" / f"tmp-{n}.md").write_text("---\ntitle: x\n---\n")
            (content / f"stray-{n}").mkdir()
            (content / f"stray-{n}" / "a.md").write_text("")
            time.sleep(0.03)
            shutil.rmtree(content / f"stray-{n}")
            folder.rmdir()
            (content / "events" / f"tmp-{n}.md").unlink()

    churner = threading.Thread(target=churn, daemon=True)
    churner.start()
    try:
        while churner.is_alive():
            for path in ("", PAGE, "story.json", "no/such/"):
                assert server.get(path)[0] in (200, 404, 500)
    finally:
        stop.set()
        churner.join(HANG_GUARD)
    saved_and_shown(server, project, "Ann Lee after the churn.")
    server.assert_quiet_and_alive()


def test_requests_are_answered_while_a_slow_rebuild_runs(server, project):
    events = Events(server)
    person = project / PERSON
    person.write_text(person.read_text() + "Ann Lee *was* there, with [a link](https://example.org).\n\n" * 1000)
    answered = 0
    deadline = time.monotonic() + 60
    while not events.reloads:
        assert time.monotonic() < deadline, "the rebuild never finished"
        for path in ("", "claims/main-claim/", "story.json", "no/such/"):
            assert server.get(path)[0] in (200, 404)
            answered += 1
    assert answered > 0 and events.wait()["ok"] is True
    server.assert_quiet_and_alive()
