"""`explainer serve` over real HTTP: edits show up, reload events fire, errors show in the browser."""

from __future__ import annotations

import http.client
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from serving import Events, Server, copy_base, replace, wait_for


@pytest.fixture()
def project(tmp_path) -> Path:
    return copy_base(tmp_path)


@pytest.fixture()
def server(project):
    running = Server(project)
    yield running
    running.stop()


def test_serves_the_site_with_live_reload_script(server):
    status, page = server.get("people/ann-lee/")
    assert status == 200 and "<h1>Ann Lee</h1>" in page
    assert 'new EventSource("/__explainer/events' in page
    status, css = server.get("static/")
    assert status == 404
    status, missing = server.get("no/such/page/")
    assert status == 404 and "Page not found" in missing


def test_an_edit_changes_the_page_and_emits_a_reload(server, project):
    events = Events(server)
    replace(project / "content/people/ann-lee.md", "Ann Lee was there.", "Ann Lee saw everything.")
    assert events.wait(1)["ok"] is True
    assert "Ann Lee saw everything." in server.get("people/ann-lee/")[1]


def test_a_broken_edit_serves_the_error_page_and_the_fix_restores_it(server, project):
    events = Events(server)
    claim = project / "content/claims/main-claim.md"
    replace(claim, "by: [ann-lee]", "by: [ann-le]")
    assert events.wait(1)["ok"] is False
    status, page = server.get("claims/main-claim/")
    assert status == 500
    assert "content/claims/main-claim.md:3:6" in page and "unknown person &#x27;ann-le&#x27;" in page
    assert "did you mean &#x27;ann-lee&#x27;?" in page
    assert server.process.poll() is None  # still running
    replace(claim, "by: [ann-le]", "by: [ann-lee]")
    assert events.wait(2)["ok"] is True
    status, page = server.get("claims/main-claim/")
    assert status == 200 and "The event happened on April 2.</h1>" in page


@pytest.mark.parametrize(
    "path",
    [
        "../../etc/passwd",
        "%2e%2e/%2e%2e/etc/passwd",
        "people/..%2f..%2fexplainer.yml",
        "people/%5c..%5c..%5cexplainer.yml",
        "./index.html",
    ],
)
def test_traversal_is_refused(server, path):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/" + path)  # sent as written, without client-side normalisation
    response = connection.getresponse()
    assert response.status in (403, 404)
    assert b"Base story" not in response.read() or response.status == 404


def test_a_rename_updates_every_page_that_mentions_the_person(server, project):
    events = Events(server)
    pages = [
        "index.html",
        "people/ann-lee/index.html",
        "events/first-event/index.html",
        "claims/main-claim/index.html",
        "claims/index.html",
        "people/index.html",
    ]
    for page in pages:
        assert "Ann Lee" in server.get(page)[1]
    replace(project / "content/people/ann-lee.md", "name: Ann Lee", "name: Ann Rivera")
    events.wait(1)
    for page in pages:
        text = server.get(page)[1]
        assert "Ann Rivera" in text, page


def test_a_busy_port_moves_to_the_next_one(project):
    first = Server(project)
    try:
        port = first.port
        second = Server(project, "--port", str(port))
        try:
            assert f"port {port} is busy" in "\n".join(second.lines)
            assert second.url != first.url and second.get("")[0] == 200
        finally:
            second.stop()
    finally:
        first.stop()


def test_a_project_theme_edit_rebuilds(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    running = Server(project)
    try:
        events = Events(running)
        template = project / "theme/templates/question.html"
        replace(template, "Overridden by the project theme.", "Changed while serving.")
        events.wait(1)
        assert "Changed while serving." in running.get("questions/when-reopen/")[1]
    finally:
        running.stop()


def story_with_its_theme_moved(tmp_path: Path, to: str, theme_line: str) -> Path:
    """The complete fixture with its theme folder moved to ``tmp_path / to`` and explainer.yml's theme line
    replaced by ``theme_line`` ("" for none)."""
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    shutil.move(project / "theme", tmp_path / to)
    replace(project / "explainer.yml", "theme: theme", theme_line)
    return project


def test_a_theme_outside_the_project_is_watched(tmp_path):
    """A newsroom's shared theme lives beside its stories (theme: ../house-theme): its templates' saves rebuild."""
    project = story_with_its_theme_moved(tmp_path, "house-theme", "theme: ../house-theme")
    running = Server(project)
    try:
        assert "Overridden by the project theme." in running.get("questions/when-reopen/")[1]
        events = Events(running)
        replace(tmp_path / "house-theme/templates/question.html", "Overridden by the project theme.", "Shared.")
        events.wait(1)
        assert "Shared." in running.get("questions/when-reopen/")[1]
    finally:
        running.stop()


def test_a_theme_named_while_serving_is_watched_from_then_on(tmp_path):
    """explainer.yml names a theme after serve started: the rebuild uses it, and later saves of its templates
    rebuild too (the watcher learns of the folder)."""
    project = story_with_its_theme_moved(tmp_path, "later-theme", "")
    running = Server(project)
    try:
        assert "Overridden by the project theme." not in running.get("questions/when-reopen/")[1]
        events = Events(running)
        shutil.move(tmp_path / "later-theme", project / "later-theme")
        replace(project / "explainer.yml", "title:", "theme: later-theme\ntitle:")
        events.wait(1)
        assert "Overridden by the project theme." in running.get("questions/when-reopen/")[1]
        replace(project / "later-theme/templates/question.html", "Overridden by the project theme.", "Later.")
        wait_for(lambda: "Later." in running.get("questions/when-reopen/")[1])
    finally:
        running.stop()


def test_a_theme_outside_the_project_made_after_serve_started_is_watched(tmp_path):
    """theme: ../house-theme names a folder that is not there yet: once it is made, its templates are used and
    their saves rebuild, though no file of the project was saved."""
    project = story_with_its_theme_moved(tmp_path, "made-later", "theme: ../house-theme")
    running = Server(project)
    try:
        shutil.move(tmp_path / "made-later", tmp_path / "house-theme")
        wait_for(lambda: "Overridden by the project theme." in running.get("questions/when-reopen/")[1])
        replace(tmp_path / "house-theme/templates/question.html", "Overridden by the project theme.", "Made later.")
        wait_for(lambda: "Made later." in running.get("questions/when-reopen/")[1])
    finally:
        running.stop()
