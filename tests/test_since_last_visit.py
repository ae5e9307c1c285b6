""" "Since your last visit" in headless Chromium, with the page's clock under the test's control.

The living fixture is built once and served over HTTP (localStorage needs an origin). Its changes are
dated 2024-03-02 ... 2024-11-15: a first visit on 1 May 2024 and a return on 1 December 2024 see the
changes of September to November as news.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from browser import AXE, axe_violations, require, serving
from conftest import FIXTURES, copy_project

from explainer.build import build, load
from explainer.diagnostics import Diagnostics
from explainer.living import Chronicle

SOURCE = FIXTURES.parent.parent / "themes" / "default" / "static" / "since.js"
FIRST = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
RETURN = datetime(2024, 12, 1, 9, 0, tzinfo=timezone.utc)
MINUTES = timedelta(minutes=1)
NO_STORAGE = """Object.defineProperty(window, 'localStorage', {
    get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });"""
FULL_STORAGE = """Storage.prototype.setItem = function () {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The living fixture, built and served: (root URL, output folder, project)."""
    root = tmp_path_factory.mktemp("since")
    project = copy_project(FIXTURES / "living", root)
    out = build(project, root / "site").out
    with serving(out) as url:
        yield url, out, project


class Reader:
    """One reader's browser (its own localStorage), every page error kept."""

    def __init__(self, browser, base: str, init_script: str | None = None, **options):
        self.context = browser.new_context(**options)
        if init_script:
            self.context.add_init_script(init_script)
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))

    def view(self, path: str, when: datetime) -> None:
        """Open a page at a given time, and give the script time to finish."""
        self.page.clock.set_fixed_time(when)
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(150)  # the count's words follow its live region by 50 ms

    def count(self) -> str | None:
        """The words of the visible count on the story page, or None when it is hidden."""
        note = self.page.locator("#since-visit")
        return note.inner_text() if note.count() and note.is_visible() else None

    def marks(self) -> dict[str, str]:
        """Entry name -> its mark, for every marked item of the main content's lists."""
        found = {}
        for item in self.page.locator("main li:has(.since-mark)").all():
            found[item.locator("a").first.inner_text()] = item.locator(".since-mark").text_content()
        return found

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def reader(browser, site):
    opened = Reader(browser, site[0])
    yield opened
    opened.close()
    assert opened.errors == []


def news_after(project, when: datetime) -> int:
    """The non-minor changes made after ``when`` (see :func:`moment`)."""
    chronicle = Chronicle(load(project, Diagnostics()))
    return sum(moment(change.date) > when for change in chronicle.news)


def moment(date) -> datetime:
    """When a change counts as made: its moment (UTC unless it says otherwise), or, without a time, the end of
    its day, month or year, so that a change made later on the day of a visit is not missed."""
    if date.hour is None:
        return datetime(*date.period()[1], tzinfo=timezone.utc) + timedelta(seconds=59)
    start = datetime(*date.period()[0], tzinfo=timezone.utc)
    offset = date.offset if date.offset not in (None, "Z") else "+00:00"
    sign = -1 if offset[0] == "-" else 1
    return start - sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[-2:]))


def test_a_first_visit_marks_nothing(reader):
    reader.view("index.html", FIRST)
    assert reader.count() is None
    assert reader.page.locator("#since-visit").inner_text() == ""
    reader.view("people/index.html", FIRST + 2 * MINUTES)
    assert reader.marks() == {}
    assert reader.page.locator(".since-mark").count() == 0


def test_a_return_visit_shows_the_count_and_marks_for_the_whole_visit(reader, site):
    _, _, project = site
    reader.view("index.html", FIRST)
    reader.view("index.html", RETURN)
    expected = news_after(project, FIRST)
    assert expected == 4  # the update of 2 September and the verdict of that day, 1 October, 15 November
    assert reader.count() == f"{expected} changes since your last visit \u2014 see what\u2019s new"
    note = reader.page.locator("#since-visit")
    assert note.get_attribute("role") == "status"
    assert note.get_by_role("link").get_attribute("href") == "updates/index.html"

    reader.view("people/index.html", RETURN + 5 * MINUTES)
    marks = reader.marks()
    assert marks["Ada Quinn"] == "Updated"  # corrected 12 April, before; in an update of 15 November, after
    assert marks["Ben Hale"] == "New"  # first named on 1 October
    assert "Dana Ortiz" not in marks  # only changed on 10 April
    mark = reader.page.locator("main li:has(a:text-is('Ada Quinn')) .since-mark")
    assert mark.evaluate("m => getComputedStyle(m).display") != "none"

    # the marks stay while the reader moves from page to page, as long as the visit lasts
    reader.view("index.html", RETURN + 20 * MINUTES)
    assert reader.count() is not None
    reader.view("people/index.html", RETURN + 45 * MINUTES)
    assert reader.marks()["Ben Hale"] == "New"

    # 31 minutes without a page view: a new visit, compared with the one that just ended
    reader.view("index.html", RETURN + 76 * MINUTES)
    assert reader.count() is None
    reader.view("people/index.html", RETURN + 77 * MINUTES)
    assert reader.marks() == {}


def test_one_change_is_one_change(reader):
    reader.view("index.html", datetime(2024, 10, 20, tzinfo=timezone.utc))
    reader.view("index.html", RETURN)
    assert reader.count() == "1 change since your last visit \u2014 see what\u2019s new"
    reader.page.locator("#since-visit").get_by_role("link").click()
    assert reader.page.url.endswith("/updates/index.html")


@pytest.mark.parametrize("init_script", [NO_STORAGE, FULL_STORAGE], ids=["no-storage", "storage-full"])
def test_without_storage_nothing_breaks(browser, site, init_script):
    reader = Reader(browser, site[0], init_script)
    try:
        reader.view("index.html", FIRST)
        reader.view("index.html", RETURN)
        reader.view("people/index.html", RETURN + MINUTES)
        assert reader.count() is None and reader.marks() == {}
        assert reader.errors == []
    finally:
        reader.close()


def test_without_javascript_every_entry_is_listed(browser, site):
    reader = Reader(browser, site[0], java_script_enabled=False)
    try:
        reader.view("people/index.html", RETURN)
        names = reader.page.locator("main li a").all_inner_texts()
        assert {"Ada Quinn", "Ben Hale", "Dana Ortiz"} <= set(names)
        reader.view("index.html", RETURN)
        assert reader.count() is None
    finally:
        reader.close()


def test_opened_from_disk_no_error(browser, site):
    _, out, _ = site
    reader = Reader(browser, out.as_uri() + "/")
    try:
        reader.view("index.html", FIRST)
        reader.view("index.html", RETURN)
        assert reader.errors == []
    finally:
        reader.close()


def test_the_script_is_small_and_stays_home(reader, site):
    base, out, _ = site
    shipped = list((out / "static").glob("since.*.js"))
    assert len(shipped) == 1
    assert shipped[0].read_bytes() == SOURCE.read_bytes()
    assert len(shipped[0].read_bytes()) <= 2048
    reader.view("index.html", FIRST)
    reader.view("index.html", RETURN)
    assert reader.count() is not None
    assert all(url.startswith(base) for url in reader.requests), reader.requests
    assert reader.page.evaluate("Object.keys(localStorage)") == ["explainer-since:https://news.example.org/millbrook/"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_count_and_marks_pass_axe(browser, site, scheme):
    require(AXE, "axe-core")
    reader = Reader(browser, site[0], color_scheme=scheme)
    try:
        for path in ("index.html", "people/index.html"):
            reader.view(path, FIRST)
            reader.view(path, RETURN)
            assert reader.page.locator(".since-mark").count() > 0
            if path == "index.html":
                assert reader.count() is not None
            assert axe_violations(reader.page) == []
            reader.page.evaluate("localStorage.clear()")
        assert reader.errors == []
    finally:
        reader.close()


def test_an_entry_whose_first_change_is_a_correction_is_updated_not_new(reader):
    """Ada Quinn's first recorded change is her correction of 12 April: she was in the story before it, so a reader
    who last came before that sees her marked "Updated", never "New" (Ben Hale, first named by an update, is new)."""
    before_the_correction = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
    reader.view("index.html", before_the_correction)
    reader.view("people/index.html", RETURN)
    marks = reader.marks()
    assert marks["Ada Quinn"] == "Updated"
    assert marks["Ben Hale"] == "New"


def test_a_change_dated_the_day_of_the_last_visit_is_not_missed(reader, site):
    """The log's last update is dated 2024-11-15 without a time: made that day, perhaps after the visit."""
    _, _, project = site
    reader.view("index.html", FIRST)
    morning = datetime(2024, 11, 15, 8, 0, tzinfo=timezone.utc)
    reader.view("index.html", morning)
    reader.view("people/index.html", morning + timedelta(days=1))
    assert reader.marks() == {"Ada Quinn": "Updated"}
    reader.view("index.html", morning + timedelta(days=1, minutes=1))
    assert news_after(project, morning) == 1
    assert reader.count().startswith("1 change since your last visit")
