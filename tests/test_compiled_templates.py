"""Compiled templates are kept between builds in the user's cache folder, and used only when signed for them."""

from __future__ import annotations

import shutil

import jinja2
import pytest
from rebuilds import BASE, tree

from explainer.build import build
from explainer.render import default_theme, make_environment


@pytest.fixture
def user_cache(tmp_path, monkeypatch):
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "explainer" / "templates"


@pytest.fixture
def compiles(monkeypatch) -> list[str]:
    """The templates Jinja2 compiles from source from now on."""
    names: list[str] = []
    compile_source = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return compile_source(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


def _load_all() -> dict[str, str]:
    environment = make_environment([default_theme()])
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return {name: environment.get_template(name).filename or "" for name in environment.list_templates()}


def test_a_second_environment_compiles_nothing(user_cache, compiles):
    loaded = _load_all()
    assert sorted(compiles) == sorted(loaded) and len(list(user_cache.glob("*.code"))) == len(loaded)
    compiles.clear()
    _load_all()
    assert compiles == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # the code changed
        lambda data: data.replace(data[30:40], b"0" * 10),  # the signature changed
        lambda data: b"something else entirely",
    ],
    ids=["code", "signature", "not ours"],
)
def test_a_compiled_template_that_is_not_signed_for_it_is_compiled_again(damage, user_cache, compiles):
    _load_all()
    for path in user_cache.glob("*.code"):
        path.write_bytes(damage(path.read_bytes()))
    compiles.clear()
    loaded = _load_all()
    assert sorted(compiles) == sorted(loaded)


def test_code_signed_with_another_users_key_is_not_run(user_cache, compiles, tmp_path, monkeypatch):
    _load_all()
    (user_cache.parent / "cache-key").write_bytes(b"another user's key, 32 bytes...")
    compiles.clear()
    loaded = _load_all()
    assert sorted(compiles) == sorted(loaded)


def test_pages_are_the_same_from_compiled_templates(user_cache, compiles, tmp_path):
    project = tmp_path / "story"
    shutil.copytree(BASE, project, ignore=shutil.ignore_patterns(".explainer-cache"))
    build(project, search=False)
    first = tree(project / "build")
    shutil.rmtree(project / "build")
    shutil.rmtree(project / ".explainer-cache")
    compiles.clear()
    build(project, search=False)
    assert compiles == [] and tree(project / "build") == first


def test_a_compiled_catalog_is_kept_signed_and_a_damaged_one_is_compiled_again(user_cache, monkeypatch):
    """Catalogs (.po) are compiled once and kept beside the templates; what each one's problems are is kept too."""
    from babel.messages import pofile

    from explainer import i18n

    parsed: list[object] = []
    read_po = pofile.read_po
    monkeypatch.setattr(pofile, "read_po", lambda *args, **kw: (parsed.append(args), read_po(*args, **kw))[1])
    po = user_cache.parent.parent / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Sources"\nmsgstr "Quellen (100 %)"\n\nmsgid "People"\nmsgstr "Leute"\n'
    )

    def compiled(size: int) -> tuple[bytes, list]:
        return i18n._compile(po, size, 0)  # a new size: past the in-process cache

    first = compiled(1)
    assert len(parsed) == 1 and first[1] and b"Leute" in first[0] and b"Quellen" not in first[0]
    assert compiled(2) == first and len(parsed) == 1  # from the user's cache: not parsed again
    kept = next((user_cache.parent / "catalogs").glob("*.mo"))
    kept.write_bytes(kept.read_bytes().replace(b"Leute", b"Laute"))
    assert compiled(3) == first and len(parsed) == 2  # not signed for what it holds: compiled again
    kept.write_bytes(b"explainer compiled catalog 1\n")
    assert compiled(4) == first and len(parsed) == 3
