"""Share images: a 1200×630 PNG per page, named by og:image and twitter:image, drawn again only when it changes."""

from __future__ import annotations

import http.client
import io
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURES, copy_project
from PIL import Image, ImageDraw
from rebuilds import BASE, EDITS, edit, serve_edit_equals_full_build, times
from serving import Server

from explainer import share_images
from explainer.build import build, check
from explainer.diagnostics import ContentError
from explainer.incremental import Session
from explainer.pages import Page

BASE_URL = "https://news.example.org/explainers/bridge/"
SITE_TITLE = "Harbour Bridge Closure"


@pytest.fixture
def project(tmp_path) -> Path:
    """The complete fixture story (it sets base_url), in the default theme."""
    story = copy_project(FIXTURES / "complete", tmp_path)
    edit(story / "explainer.yml", "theme: theme\n", "")
    return story


def meta(page: Path) -> dict[str, str]:
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    return {tag.get("property") or tag["name"]: tag["content"] for tag in soup.find_all("meta", content=True)}


def image_of(out: Path, page: str) -> tuple[dict[str, str], Path]:
    """A page's share-image tags, and the built file its og:image names."""
    tags = meta(out / page)
    assert tags["og:image"].startswith(BASE_URL), tags
    return tags, out / tags["og:image"].removeprefix(BASE_URL)


def images(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob(share_images.FILE_NAME))}


def test_story_claim_and_person_pages_name_a_built_1200x630_png(project):
    out = build(project).out
    for page in ["index.html", "claims/bridge-safe/index.html", "people/dana-lee/index.html"]:
        tags, file = image_of(out, page)
        with Image.open(file) as image:
            image.verify()  # a well-formed PNG (chunks and checksums)
        with Image.open(file) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630))
            image.load()
        assert file.name == "share.png" and file.parent == (out / page).parent
        assert (tags["og:image:width"], tags["og:image:height"], tags["og:image:type"]) == ("1200", "630", "image/png")
        assert tags["twitter:card"] == "summary_large_image"
        assert tags["twitter:image"] == tags["og:image"] and tags["twitter:image:alt"] == tags["og:image:alt"]
    claim = meta(out / "claims/bridge-safe/index.html")["og:image:alt"]
    assert claim == (
        f"{SITE_TITLE} — Dana Lee and Harbour Engineers Ltd say: The bridge is safe with a weight limit. "
        "Our rating: Supported"
    )
    person = meta(out / "people/dana-lee/index.html")["og:image:alt"]
    assert person == f"{SITE_TITLE} — Person: Dana Lee, Structural engineer who led the inspection"
    assert meta(out / "index.html")["og:image:alt"] == f"{SITE_TITLE} — Why the harbour bridge closed"


def test_every_page_has_one_but_the_404_and_search_pages(project):
    out = build(project).out
    pages = {p.relative_to(out).as_posix() for p in out.rglob("index.html") if p.parent.name != "embed"}
    with_image = {page for page in pages if "og:image" in meta(out / page)}
    assert with_image == pages - {"search/index.html"}
    assert set(images(out)) == {page.replace("index.html", "share.png") for page in with_image}
    assert "og:image" not in meta(out / "404.html") and not (out / "search/share.png").exists()


def test_two_builds_give_the_same_bytes(project, tmp_path):
    first = images(build(project, tmp_path / "one").out)
    second = images(build(project, tmp_path / "two").out)  # another folder: nothing comes from the cache
    # every page but search and 404 (each cited source's citations and the update log's pages of one kind included)
    assert len(first) == 29 and first == second


def test_the_png_holds_exactly_the_pixels_drawn():
    canvas = share_images._background().copy()
    share_images._fonts().bold.face(48).draw(ImageDraw.Draw(canvas), 100, 200, "Ünïcode Ωμέγα Жж", 13)
    decoded = Image.open(io.BytesIO(share_images._png(canvas)))
    drawn = canvas.crop((2, 0, 1202, 630))
    assert decoded.getpalette() == drawn.getpalette()
    assert decoded.tobytes() == drawn.tobytes() and len(set(drawn.tobytes())) > 8  # antialiased, as drawn


@pytest.mark.parametrize(
    "title, shown",
    [
        ("Θα ανοίξει ξανά η γέφυρα;", "Θα ανοίξει ξανά η γέφυρα;"),  # Greek: drawn
        ("Когда откроют мост?", "Когда откроют мост?"),  # Cyrillic: drawn
        ("สะพานจะเปิดเมื่อไร", SITE_TITLE),  # Thai: not in the font
        ("桥什么时候重新开放？", SITE_TITLE),  # Chinese: not in the font
        ("מתי ייפתח הגשר?", SITE_TITLE),  # Hebrew: in the font, but right to left
        ("Bridge 🌉 reopens", SITE_TITLE),  # an emoji: not in the font
    ],
)
def test_a_title_the_font_cannot_draw_falls_back_to_the_site_title(title, shown):
    card = share_images.card_for(Page("questions/q/", "question.html", title), SITE_TITLE, BASE_URL)
    assert card.title == shown
    assert card.site_title == ("" if shown == SITE_TITLE else SITE_TITLE)  # never the same words twice


def test_a_built_page_in_a_script_the_font_lacks_shows_the_site_title(project):
    edit(project / "content/people.yml", "- name: Dana Lee", "- slug: dana-lee\n  name: ดาน่า ลี")
    out = build(project).out
    tags, file = image_of(out, "people/dana-lee/index.html")
    assert tags["og:image:alt"] == f"Person: {SITE_TITLE}, Structural engineer who led the inspection"
    fallback = share_images.Card("", SITE_TITLE, "Person", "", "", "", "Structural engineer who led the inspection")
    assert file.read_bytes() == share_images.draw(fallback)
    claim = meta(out / "claims/bridge-safe/index.html")["og:image:alt"]  # her name was in who makes it
    assert claim == f"{SITE_TITLE} — Claim: The bridge is safe with a weight limit. Our rating: Supported"


def test_social_cards_false_makes_no_images_and_no_tags(project):
    edit(project / "explainer.yml", "unsafe_html: false", "unsafe_html: false\nsocial_cards: false")
    out = build(project).out
    assert images(out) == {}
    assert not any("og:image" in meta(page) for page in out.rglob("*.html"))
    assert meta(out / "index.html")["twitter:card"] == "summary"
    assert meta(out / "index.html")["og:url"] == BASE_URL  # the other Open Graph tags stay


def test_turning_social_cards_off_removes_the_images_built_before(project):
    out = build(project).out
    assert images(out)
    edit(project / "explainer.yml", "unsafe_html: false", "unsafe_html: false\nsocial_cards: false")
    result = build(project)
    assert images(out) == {} and result.removed == 29


def test_without_base_url_there_are_no_images_and_the_note_says_so(project):
    edit(project / "explainer.yml", f"base_url: {BASE_URL}\n", "")
    result = build(project)
    assert images(result.out) == {} and result.drawn == 0
    assert not any("og:image" in meta(page) for page in result.out.rglob("*.html"))
    assert any("share images" in note for note in result.notes)
    edit(project / "explainer.yml", "unsafe_html: false", "unsafe_html: false\nsocial_cards: false")
    assert not any("share images" in note for note in build(project).notes)  # none were to be made


def test_social_cards_must_be_a_boolean(project):
    edit(project / "explainer.yml", "unsafe_html: false", "unsafe_html: false\nsocial_cards: 'no'")
    with pytest.raises(ContentError) as failed:
        build(project)
    (problem,) = [d for d in failed.value.diagnostics if d.severity == "error"]
    assert problem.span.path.name == "explainer.yml" and problem.span.line == 5
    assert problem.message == "'social_cards' must be true or false"
    assert not (project / "build").exists()


def test_a_status_edit_draws_only_that_claims_image(project):
    first = build(project)
    assert first.drawn == 29
    out = first.out
    before, written_at = images(out), times(out)
    assert build(project).drawn == 0  # nothing changed: nothing is even read
    edit(project / "content/claims/bridge-safe.md", "status: supported", "status: disputed")
    result = build(project)
    assert result.drawn == 1
    after = images(out)
    assert {name for name in after if after[name] != before[name]} == {"claims/bridge-safe/share.png"}
    assert {name for name in result.files if name.endswith(".png")} == {"claims/bridge-safe/share.png"}
    unchanged = set(before) - {"claims/bridge-safe/share.png"}
    assert all(times(out)[name] == written_at[name] for name in unchanged), "an unchanged image was written"
    assert "Our rating: Disputed" in meta(out / "claims/bridge-safe/index.html")["og:image:alt"]
    again = build(project)
    assert again.up_to_date and again.drawn == 0


def test_edits_no_image_shows_draw_nothing_and_a_deleted_image_comes_back(project, tmp_path):
    build(project)
    (project / "content/claims/bridge-safe.md").write_text(
        (project / "content/claims/bridge-safe.md").read_text() + "\nThe engineers gave their reasons.\n"
    )
    result = build(project)
    assert result.drawn == 0 and result.rendered == 1  # a body edit: no image shows the body
    (result.out / "people/dana-lee/share.png").unlink()
    (result.out / "share.png").write_bytes(b"not a picture")
    repaired = build(project)
    assert repaired.drawn == 2 and repaired.rendered == 0
    assert images(repaired.out) == images(build(project, tmp_path / "fresh").out)


def test_a_rename_draws_the_images_that_show_the_name(project):
    build(project)
    edit(project / "content/people.yml", "- name: Dana Lee", "- slug: dana-lee\n  name: Dana Lee-Smith")
    result = build(project)
    assert {n for n in result.files if n.endswith(".png")} == {
        "people/dana-lee/share.png",
        "claims/bridge-safe/share.png",  # "Dana Lee-Smith and Harbour Engineers Ltd say"
        "claims/inspection-happened/share.png",  # "Dana Lee-Smith says"
    }


def test_check_draws_no_image(project, monkeypatch):
    def refuse(card):
        raise AssertionError("check drew an image")

    monkeypatch.setattr(share_images, "draw", refuse)
    check(project)  # the pages' tags are rendered and checked all the same
    assert not (project / "build").exists()


@pytest.fixture
def served(tmp_path) -> Path:
    """The small base story with a base_url, as `explainer serve` would show it."""
    story = tmp_path / "story"
    shutil.copytree(BASE, story)
    edit(story / "explainer.yml", "title: Base story", f"title: Base story\nbase_url: {BASE_URL}")
    return story


@pytest.mark.parametrize(
    "name", ["status", "name shown on other pages", "role", "entry removed", "setting", "house verdict"]
)
def test_the_serve_session_holds_the_images_a_full_build_makes(name, served, tmp_path):
    update = serve_edit_equals_full_build(served, EDITS[name], tmp_path)
    if name in ("status", "house verdict"):
        assert {n for n in update.changed if n.endswith(".png")} == {"claims/other-claim/share.png"}


def test_the_serve_session_keeps_images_it_did_not_draw_again(served):
    session = Session(served)
    session.update()
    with Image.open(io.BytesIO(session.file("people/ann-lee/share.png"))) as image:
        assert image.size == (1200, 630)
    kept = session.file("share.png")
    edit(served / "content/people/ann-lee.md", "role: Witness", "role: Key witness")
    update = session.update([served / "content/people/ann-lee.md"])
    assert {n for n in update.changed if n.endswith(".png")} == {"people/ann-lee/share.png"}
    assert session.file("share.png") is kept


def test_explainer_serve_serves_the_images(served):
    server = Server(served)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        connection.request("GET", "/claims/main-claim/share.png")
        response = connection.getresponse()
        body = response.read()
        connection.close()
        assert response.status == 200 and response.getheader("Content-Type") == "image/png"
        assert Image.open(io.BytesIO(body)).size == (1200, 630)
        status, page = server.get("claims/main-claim/")
        assert status == 200 and f'<meta property="og:image" content="{BASE_URL}claims/main-claim/share.png">' in page
    finally:
        server.stop()
