"""Hostile input to the reading stage: every one is an error at file:line:column, never a crash or a hang.

YAML cases run twice, with libyaml and with PyYAML's own parser, and must
give the same result: the story must not read differently on a machine whose
PyYAML lacks libyaml, or has a newer one (PyYAML 6.0.4's libyaml refuses
nesting deeper than 1000 levels, where PyYAML's own parser runs out of stack).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from explainer import yamlsource
from explainer.build import check
from explainer.diagnostics import ContentError, Diagnostics
from explainer.yamlsource import load_yaml, read_text, split_front_matter

PATH = Path("f.yml")


pytestmark = pytest.mark.usefixtures("yaml_parser")  # every test runs with both YAML parsers


@pytest.fixture
def no_hang():
    """Fail instead of waiting forever (a named pipe opened for reading blocks until someone writes)."""

    def give_up(signum, frame):
        raise TimeoutError("reading blocked")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def read(text: str, line_offset: int = 0):
    """The plain value (or None) and every problem, formatted."""
    diagnostics = Diagnostics()
    node = load_yaml(text, PATH, diagnostics, line_offset)
    return (node.plain() if node is not None else None), [d.format() for d in diagnostics.items]


def problems(text: str) -> list[str]:
    return read(text)[1]


def only_problem(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def write_project(root: Path, files: dict[str, str | bytes]) -> Path:
    base = {
        "content/story.md": "---\ntitle: A story\nsummary: What it is about.\npublished: 2024-01-02\n---\nBody.\n",
        "content/people/ann.md": "---\nname: Ann\nrole: Witness\n---\nAnn was there.\n",
    }
    for name, data in {**base, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return root


def errors(project: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        check(project)
    return [d.format().replace(str(project) + "/", "") for d in caught.value.diagnostics if d.severity == "error"]


# --- nesting: checked from the event stream, never by recursion --------------------------------------------


def test_deep_flow_nesting_is_refused_where_level_65_starts():
    text = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    assert only_problem(text) == (
        "f.yml:1:68: error: YAML is nested more than 64 levels deep\n"
        "  hint: a story needs only a few levels of lists and mappings"
    )


@pytest.mark.parametrize("levels", [100, 1200])
def test_deep_block_nesting_is_refused_where_level_65_starts(levels):
    text = "".join(" " * level + "k:\n" for level in range(levels)) + " " * levels + "end\n"
    assert only_problem(text).startswith("f.yml:66:66: error: YAML is nested more than 64 levels deep")
    text = "".join("  " * level + "-\n" for level in range(levels))
    assert only_problem(text).startswith("f.yml:66:131: error: YAML is nested more than 64 levels deep")


def test_nesting_up_to_the_limit_reads():
    value, found = read("a: " + "[" * 63 + "x" + "]" * 63 + "\n")  # the root mapping, then 64 more levels
    assert found == []
    for _ in range(63):
        value = value["a"] if isinstance(value, dict) else value[0]
    assert value == ["x"]


def test_a_million_brackets_are_refused_quickly():
    start = time.perf_counter()
    assert "nested more than 64 levels" in only_problem("[" * 1_000_000)
    assert time.perf_counter() - start < 20


def test_no_recursion_whatever_the_depth():
    """Composing is a loop: even with almost no stack left it reads 64 levels and refuses 65."""
    text = "a: " + "[" * 63 + "x" + "]" * 63 + "\n"
    deeper = "a: " + "[" * 2000 + "x" + "]" * 2000 + "\n"
    limit = sys.getrecursionlimit()
    frames = len(__import__("inspect").stack(0))
    shallow, deep = Diagnostics(), Diagnostics()
    sys.setrecursionlimit(frames + 60)
    try:
        load_yaml(text, PATH, shallow)
        load_yaml(deeper, PATH, deep)
    finally:
        sys.setrecursionlimit(limit)
    assert shallow.items == []
    assert "nested more than 64 levels deep" in deep.items[0].message


def test_nesting_through_an_alias_is_refused_at_the_alias():
    text = "a: &deep " + "[" * 40 + "x" + "]" * 40 + "\nb: " + "[" * 30 + "*deep" + "]" * 30 + "\n"
    assert only_problem(text).startswith("f.yml:2:34: error: YAML is nested more than 64 levels deep")


def test_an_alias_inside_its_own_value_is_refused():
    assert only_problem("a: &loop [x, *loop]\n") == (
        "f.yml:1:14: error: the alias '*loop' is inside the value it repeats\n"
        "  hint: an alias repeats a value written out in full before it, never its own container"
    )
    assert only_problem("a: &m {b: {c: *m}}\n").startswith("f.yml:1:15: error: the alias '*m' is inside")


# --- sizes ----------------------------------------------------------------------------------------------------


def test_alias_bomb_is_refused_at_the_alias_that_passes_the_limit(monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_NODES", 1000)
    text = "a: &a [" + ", ".join(["x"] * 99) + "]\nb: [" + ", ".join(["*a"] * 20) + "]\n"
    # the root, the list 'a' and its 99 values make 101, the list 'b' 102; each *a adds 100: the ninth passes 1,000
    assert only_problem(text) == (
        "f.yml:2:37: error: YAML document is too large (more than 1,000 values, counting aliases)\n"
        "  hint: write the value out in full instead of using anchors and aliases"
    )


def test_anchors_over_the_node_limit(monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_NODES", 1000)
    text = "".join(f"- &n{index} {index}\n" for index in range(1200))
    assert only_problem(text).startswith("f.yml:1000:3: error: YAML document is too large (more than 1,000 values")


def test_keys_are_not_counted_as_values(monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_NODES", 1000)
    value, found = read("".join(f"key{index}: {index}\n" for index in range(999)))
    assert found == [] and len(value) == 999


def test_many_keys_read():
    value, found = read("".join(f"key{index}: value {index}\n" for index in range(20_000)))
    assert found == [] and len(value) == 20_000 and value["key19999"] == "value 19999"


def test_very_long_lines():
    value, found = read("a: " + "word " * 200_000 + "\nb: 1\n")
    assert found == [] and len(value["a"]) == 999_999
    assert only_problem("a: " + "k" * 2000 + ": value\n").startswith("f.yml:1:2004: error: invalid YAML:")


def test_a_merge_fan_out_is_right_and_a_huge_one_refused_quickly():
    lines = ["a0: &a0 {k0: 0}"]
    for level in range(1, 40):
        lines.append(f"a{level}: &a{level} {{<<: [*a{level - 1}, *a{level - 1}], k{level}: {level}}}")
    value, found = read("\n".join(lines[:10]) + "\n")
    assert found == [] and value["a9"] == {f"k{level}": level for level in range(10)}
    start = time.perf_counter()  # PyYAML 6.0.3 itself takes exponential time and memory on this
    assert "YAML document is too large" in only_problem("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 10


# --- merge keys -----------------------------------------------------------------------------------------------


def test_explicit_keys_override_merged_ones_silently():
    value, found = read("base: &base\n  name: Base\n  role: Reporter\nother:\n  <<: *base\n  name: Other\n")
    assert found == []
    assert value["other"] == {"name": "Other", "role": "Reporter"}
    assert list(value["other"]) == ["name", "role"]  # merged keys first, as PyYAML orders them


def test_an_explicit_key_written_before_the_merge_also_wins():
    value, found = read("base: &base {name: Base, role: Reporter}\nother: {name: Other, <<: *base}\n")
    assert found == [] and value["other"] == {"name": "Other", "role": "Reporter"}


def test_several_merged_mappings_follow_pyyaml_precedence():
    """In a '<<' list the earlier mapping wins (YAML's rule; PyYAML up to 6.0.3, whatever version is installed:
    6.0.4 lets the later one win for most keys); of two '<<' keys the later wins; the mapping's own keys win."""
    text = (
        "a: &a {name: from-a, only_a: 1}\nb: &b {name: from-b, role: from-b, only_b: 2}\n"
        "c: &c {role: from-c}\n"
        "listed: {<<: [*a, *b]}\n"
        "twice:\n  <<: *a\n  <<: *b\n"
        "both:\n  <<: [*a, *b]\n  <<: *c\n  only_a: mine\n"
    )
    value, found = read(text)
    assert found == []
    assert value["listed"] == {"name": "from-a", "role": "from-b", "only_a": 1, "only_b": 2}
    assert value["twice"] == {"name": "from-b", "only_a": 1, "role": "from-b", "only_b": 2}
    assert value["both"] == {"name": "from-a", "role": "from-c", "only_a": "mine", "only_b": 2}


def test_a_real_duplicate_after_a_merge_is_still_an_error():
    text = "base: &base {name: Base}\nother:\n  <<: *base\n  name: Other\n  role: A\n  name: Again\n"
    value, found = read(text)
    assert found == ["f.yml:6:3: error: duplicate key 'name'\n  hint: it is already set on line 4; keep only one"]
    assert value["other"] == {"name": "Other", "role": "A"}


def test_merged_values_keep_the_position_of_their_own_key():
    diagnostics = Diagnostics()
    node = load_yaml("base: &base\n  name: Base\n  role: R\nother:\n  <<: *base\n  role: Mine\n", PATH, diagnostics)
    other = node.value["other"].value
    assert (other["name"].key_span.line, other["name"].span.line) == (2, 2)  # where it is written
    assert (other["role"].key_span.line, other["role"].span.line) == (6, 6)
    assert node.value["base"].value["role"].key_span.line == 3  # sharing never moves the original


@pytest.mark.parametrize(
    "text, where, found",
    [
        ("a: {<<: 1}\n", "1:9", "scalar"),
        ("a: {<<: [x]}\n", "1:10", "scalar"),
        ("a: {<<: [[x]]}\n", "1:10", "sequence"),
    ],
)
def test_merging_something_that_is_not_a_mapping(text, where, found):
    expected = "a mapping" if "[" in text else "a mapping or list of mappings"
    assert only_problem(text) == (
        f"f.yml:{where}: error: invalid YAML: expected {expected} for merging, but found {found} "
        "(while constructing a mapping)\n  hint: '<<' merges mappings into this one: write <<: *name, or "
        "<<: [*one, *two]"
    )


def test_a_merge_sign_that_is_not_a_key_is_text():
    assert read("title: <<\n") == ({"title": "<<"}, [])


# --- characters no page may show ------------------------------------------------------------------------------


CONTROL = [
    ("\x01", "U+0001"),
    ("\x08", "U+0008 (backspace)"),
    ("\x0b", "U+000B (vertical tab)"),
    ("\x0c", "U+000C (form feed)"),
    ("\x1b", "U+001B (escape)"),
    ("\x1f", "U+001F"),
    ("\x7f", "U+007F (delete)"),
    ("\x85", "U+0085 (next line)"),
    ("\x9f", "U+009F"),
]


@pytest.mark.parametrize("char, name", CONTROL)
@pytest.mark.parametrize("where", ["body", "front matter", "yaml"])
def test_control_characters_are_refused_where_they_are(tmp_path, char, name, where):
    if where == "body":
        text, position = f"---\ntitle: T\n---\n\nFirst line.\nSecond{char} line.\n", "6:7"
    elif where == "front matter":
        text, position = f"---\ntitle: T\nrole: Wit{char}ness\n---\nBody.\n", "3:10"
    else:
        text, position = f"- name: Ann\n  role: Wit{char}ness\n", "2:12"
    path = tmp_path / "x.md"
    path.write_bytes(text.encode("utf-8"))
    diagnostics = Diagnostics()
    assert read_text(path, diagnostics) is None
    assert [d.format() for d in diagnostics.items] == [
        f"{path}:{position}: error: file contains the control character {name}\n"
        "  hint: delete it; it often comes from pasting from a word processor"
    ]


@pytest.mark.parametrize("char", ["\ufffe", "\uffff"])
def test_non_characters_are_refused(tmp_path, char):
    path = tmp_path / "x.md"
    path.write_bytes(f"---\ntitle: T\n---\nab{char}\n".encode())
    diagnostics = Diagnostics()
    assert read_text(path, diagnostics) is None
    assert diagnostics.items[0].format() == (
        f"{path}:4:3: error: file contains U+{ord(char):04X}, which is not a character\n"
        "  hint: delete it; it often comes from text converted from another encoding"
    )


def test_tabs_newlines_and_a_leading_byte_order_mark_are_fine(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes("\ufeff---\ntitle: T\n---\n\tIndented\r\nline\rend é 😀\n".encode("utf-8"))
    diagnostics = Diagnostics()
    assert read_text(path, diagnostics) == "---\ntitle: T\n---\n\tIndented\nline\nend é 😀\n"
    assert diagnostics.items == []


def test_a_byte_order_mark_in_the_middle_is_refused(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes("\ufeff---\ntitle: T\n\ufeffrole: R\n---\n".encode("utf-8"))
    diagnostics = Diagnostics()
    assert read_text(path, diagnostics) is None
    assert diagnostics.items[0].format() == (
        f"{path}:3:1: error: file contains a byte order mark (U+FEFF) after the start of the file\n"
        "  hint: delete it; it often comes from joining two files or pasting text"
    )


@pytest.mark.parametrize(
    "data, position",
    [
        (b"a\r\nb\rc\n\xff", "4:1"),  # CRLF, then CR alone, then LF: three line breaks
        (b"a\rb\r\rc\xff", "4:2"),
        ("\ufeff\u00e9t\u00e9 \xff".encode("utf-8")[:-2] + b"\xff", "1:5"),  # columns count characters, not bytes
    ],
)
def test_positions_count_every_kind_of_line_break_and_characters(tmp_path, data, position):
    path = tmp_path / "x.md"
    path.write_bytes(data)
    diagnostics = Diagnostics()
    assert read_text(path, diagnostics) is None
    assert diagnostics.items[0].format().startswith(f"{path}:{position}: error: file is not valid UTF-8 text")


def test_nul_byte_position_counts_characters(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes("é\rab\x00".encode())
    diagnostics = Diagnostics()
    assert read_text(path, diagnostics) is None
    assert diagnostics.items[0].format().startswith(f"{path}:2:3: error: file contains a NUL byte")


def test_mixed_line_endings_keep_yaml_positions(tmp_path):
    path = tmp_path / "people.yml"
    path.write_bytes(b"- name: Ann\r\n  role: A\r  role: B\n")
    diagnostics = Diagnostics()
    load_yaml(read_text(path, diagnostics), path, diagnostics)
    assert [d.format() for d in diagnostics.items] == [
        f"{path}:3:3: error: duplicate key 'role'\n  hint: it is already set on line 2; keep only one"
    ]


@pytest.mark.parametrize(
    "char, name", [("\u2028", "U+2028 (line separator)"), ("\u2029", "U+2029 (paragraph separator)")]
)
def test_unicode_line_separators_in_yaml_are_refused(char, name):
    assert only_problem(f"a: one{char}two\nb: 1\n") == (
        f"f.yml:1:7: error: YAML reads {name} as a line break\n"
        "  hint: replace it with an ordinary line break or a space; it often comes from pasting from a word processor"
    )


def test_control_characters_given_to_load_yaml_directly_are_refused_too():
    assert only_problem("a: 1\nb: x\x0by\n").startswith("f.yml:2:5: error: file contains the control character U+000B")


# --- escapes in double-quoted YAML ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "escape, what",
    [
        ("\\ud800", "half of a UTF-16 surrogate pair (U+D800), which is not a character"),
        ("\\udfff", "half of a UTF-16 surrogate pair (U+DFFF), which is not a character"),
        ("\\ud83d\\ude00", "half of a UTF-16 surrogate pair (U+D83D), which is not a character"),
        ("\\x0b", "the control character U+000B (vertical tab)"),
        ("\\v", "the control character U+000B (vertical tab)"),
        ("\\e", "the control character U+001B (escape)"),
        ("\\0", "the control character U+0000 (NUL)"),
        ("\\a", "the control character U+0007 (bell)"),
        ("\\N", "the control character U+0085 (next line)"),
        ("\\x9f", "the control character U+009F"),
        ("\\uFFFE", "U+FFFE, which is not a character"),
    ],
)
def test_escapes_that_give_characters_no_page_may_show(escape, what):
    found = only_problem(f'a: ok\nb: "Text \\\\ \\t and {escape} more"\n')
    first = escape.split("\\")[1]
    assert found.startswith(f"f.yml:2:20: error: the escape '\\{first}' gives {what}\n  hint: "), found


def test_harmless_escapes_read():
    value, found = read('a: "tab\\t new\\n cr\\r slash\\\\ e\\u00e9 \\U0001F600 \\x41 \\ufeff \\_ \\L"\n')
    assert found == []
    assert value == {"a": "tab\t new\n cr\r slash\\ e\u00e9 \U0001f600 A \ufeff \xa0 \u2028"}


def test_an_escape_beyond_unicode_is_invalid_yaml():
    assert only_problem('a: "x \\U00110000"\n').startswith(
        "f.yml:1:7: error: invalid YAML: found invalid Unicode character escape code"
    )


def test_a_surrogate_never_reaches_the_pages(tmp_path):
    project = write_project(tmp_path, {"content/people.yml": '- name: Bob\n  role: "Reporter \\ud83d\\ude00"\n'})
    assert errors(project) == [
        "content/people.yml:2:19: error: the escape '\\ud83d' gives half of a UTF-16 surrogate pair (U+D83D), "
        "which is not a character\n  hint: write the character itself, or \\U and eight hex digits, e.g. \\U0001F600"
    ]


def test_a_control_character_in_a_body_never_reaches_the_feed(tmp_path):
    project = write_project(
        tmp_path,
        {
            "explainer.yml": "base_url: https://example.org/story/\n",
            "content/people/ann.md": "---\nname: Ann\nrole: Witness\n---\nAnn was\x0bthere.\n",
        },
    )
    assert errors(project) == [
        "content/people/ann.md:5:8: error: file contains the control character U+000B "
        "(vertical tab)\n  hint: delete it; it often comes from pasting from a word processor"
    ]


# --- keys ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "null: x\n",
            "f.yml:1:1: error: a key must be a plain name; 'null' means null (no value) in YAML\n"
            "  hint: quote it if you mean the word: 'null':",
        ),
        (
            "~: x\n",
            "f.yml:1:1: error: a key must be a plain name; '~' means null (no value) in YAML\n"
            "  hint: quote it if you mean the word: '~':",
        ),
        (
            "a: 1\n? \n: x\n",
            "f.yml:2:2: error: a key must be a plain name, not empty\n  hint: write the name before the colon",
        ),
        (
            "a: {~: 1}\n",
            "f.yml:1:5: error: a key must be a plain name; '~' means null (no value) in YAML\n"
            "  hint: quote it if you mean the word: '~':",
        ),
        ("? [a]\n: x\n", "f.yml:1:3: error: a key must be a plain name, not a list or mapping"),
        ("? {a: 1}\n: x\n", "f.yml:1:3: error: a key must be a plain name, not a list or mapping"),
        ("l: &l [a]\n*l : x\n", "f.yml:2:1: error: a key must be a plain name, not a list or mapping"),
    ],
)
def test_keys_that_are_not_names(text, expected):
    assert problems(text) == [expected]


def test_scalar_keys_are_taken_as_written():
    value, found = read("1: one\n1.50: float\nyes: bool\n2021-10-21: date\n'null': quoted\n")
    assert found == []
    assert value == {"1": "one", "1.50": "float", "yes": "bool", "2021-10-21": "date", "null": "quoted"}


def test_a_number_as_a_field_name_is_an_unknown_field(tmp_path):
    project = write_project(tmp_path, {"content/people/ann.md": "---\nname: Ann\nrole: Witness\n1: x\n---\n"})
    (error,) = errors(project)
    assert error.startswith("content/people/ann.md:4:1: error: unknown field '1' in this person")


# --- tags and scalar values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "!!python/name:os.system a: x\n",
            "f.yml:1:1: error: the YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed",
        ),
        ("a: !custom x\n", "f.yml:1:4: error: the YAML tag '!custom' is not allowed"),
        ("a: !!binary aGk=\n", "f.yml:1:4: error: the YAML tag 'tag:yaml.org,2002:binary' is not allowed"),
        ("a: !!set {x: null}\n", "f.yml:1:4: error: the YAML tag 'tag:yaml.org,2002:set' is not allowed"),
        ("a: !!omap [x: 1]\n", "f.yml:1:4: error: the YAML tag 'tag:yaml.org,2002:omap' is not allowed"),
        ("a: !!str [x]\n", "f.yml:1:4: error: the YAML tag 'tag:yaml.org,2002:str' cannot be used on a list"),
        ("a: !!map [x]\n", "f.yml:1:4: error: the YAML tag 'tag:yaml.org,2002:map' cannot be used on a list"),
        ("a: !!seq x\n", "f.yml:1:4: error: the YAML tag 'tag:yaml.org,2002:seq' cannot be used on a single value"),
        ("a: !!int abc\n", "f.yml:1:4: error: 'abc' cannot be read as !!int"),
        ("a: !!bool maybe\n", "f.yml:1:4: error: 'maybe' cannot be read as !!bool"),
        ("a: !!float x\n", "f.yml:1:4: error: 'x' cannot be read as !!float"),
        (
            "a: !!int " + "9" * 5000 + "\n",
            "f.yml:1:4: error: '9999999999999999999999999999999999999999...' cannot be read",
        ),
    ],
)
def test_tags_are_refused_or_must_fit(text, expected):
    assert only_problem(text).startswith(expected)


def test_tagged_values_that_fit_read():
    assert read("a: !!str 123\nb: !!int 0x1F\nc: !!bool yes\nd: !!null ~\ne: !<tag:yaml.org,2002:str> x\n") == (
        {"a": "123", "b": 31, "c": True, "d": None, "e": "x"},
        [],
    )


@pytest.mark.parametrize("raw", ["0x_", "0b_", "-0x_", "9" * 5000, "1_000_000"])
def test_numbers_yaml_cannot_convert_stay_text(raw):
    value, found = read(f"a: {raw}\n")
    assert found == [] and value["a"] == (1_000_000 if raw == "1_000_000" else raw)


def test_a_bare_exclamation_tag_reads_the_same_with_either_parser():
    assert read("a: [! ]\nb: ! 12\n") == ({"a": [None], "b": 12}, [])


# --- where libyaml and PyYAML's own parser disagree, PyYAML's decides ------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: x\ty\n", "f.yml:1:5: error: invalid YAML: found character '\\t' that cannot start any token"),
        ("a:\tb\n", "f.yml:1:3: error: invalid YAML: found character '\\t' that cannot start any token"),
        ("a: b\t# note\n", "f.yml:1:5: error: invalid YAML: found character '\\t' that cannot start any token"),
        ("a: [Who?]\n", "f.yml:1:8: error: invalid YAML: expected ',' or ']', but got '?'"),
        ("a: [x, " + "[" * 1100 + "]" * 1100 + "]\n", "f.yml:1:71: error: YAML is nested more than 64 levels deep"),
    ],
)
def test_what_only_libyaml_accepts_or_refuses(text, expected):
    assert only_problem(text).startswith(expected)


def test_tabs_inside_quoted_and_block_text_are_fine():
    value, found = read("a: \"x\ty\"\nb: 'x\ty'\nc: |\n  x\ty\n")
    assert found == [] and value == {"a": "x\ty", "b": "x\ty", "c": "x\ty\n"}


def test_every_bundled_and_fixture_file_reads_the_same_with_both_parsers(monkeypatch):
    root = Path(__file__).resolve().parent.parent
    files = [
        path
        for folder in ("content", "tests/fixtures", "tests/broken", "explainer/starter")
        for path in sorted((root / folder).rglob("*"))
        if path.suffix in (".yml", ".md") and path.is_file()
    ]
    assert len(files) > 50

    def everything(parser: bool):
        monkeypatch.setattr(yamlsource, "USE_LIBYAML", parser)
        results = []
        for path in files:
            diagnostics = Diagnostics()
            text = read_text(path, diagnostics)
            node = None
            if text is not None and path.suffix == ".yml":
                node = load_yaml(text, path, diagnostics)
            elif text is not None and text.startswith("---"):
                source = split_front_matter(text, path, diagnostics)
                node = source.front_matter if source else None
            results.append((path, dump(node), [d.format() for d in diagnostics.items]))
        return results

    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML was installed without libyaml")
    assert everything(True) == everything(False)


def dump(node):
    """Everything a node holds, positions included."""
    if node is None:
        return None
    value = node.value
    if node.is_map:
        value = {key: dump(child) for key, child in value.items()}
    elif node.is_list:
        value = [dump(child) for child in value]
    return value, node.span, node.raw, node.key_span, node.tag, node.indent


# --- documents --------------------------------------------------------------------------------------------------


def test_a_second_document_is_refused():
    assert only_problem("a: 1\n---\nb: 2\n").startswith(
        "f.yml:2:1: error: invalid YAML: but found another document (expected a single document in the stream)"
    )


def test_undefined_and_duplicate_anchors_are_refused():
    assert only_problem("a: *nothing\n").startswith("f.yml:1:4: error: invalid YAML: found undefined alias 'nothing'")
    assert only_problem("a: &x 1\nb: &x 2\n").startswith("f.yml:2:4: error: invalid YAML: second occurrence")


def test_a_syntax_error_after_a_refused_tag_is_reported_instead():
    """As PyYAML's composer would: the whole document is parsed before any value is judged."""
    assert only_problem("a: !!binary aGk=\nb: [unclosed\n").startswith("f.yml:3:1: error: invalid YAML:")


def test_front_matter_positions_are_file_positions():
    assert read("a: !!int x\n", line_offset=1)[1][0].startswith("f.yml:2:4: error: 'x' cannot be read as !!int")


# --- files that are not regular files ---------------------------------------------------------------------------


def test_read_text_refuses_anything_but_a_regular_file(tmp_path, no_hang):
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    folder = tmp_path / "folder.md"
    folder.mkdir()
    broken = tmp_path / "broken.md"
    broken.symlink_to("missing.md")
    loop = tmp_path / "loop.md"
    loop.symlink_to("loop.md")
    found = []
    for path in (pipe, folder, broken, loop, tmp_path / "absent.md"):
        diagnostics = Diagnostics()
        assert read_text(path, diagnostics) is None
        found.append(diagnostics.items[0].format().replace(str(tmp_path) + "/", ""))
    assert found == [
        "pipe.md:1:1: error: 'pipe.md' is not a regular file (it is a named pipe) and was not read\n"
        "  hint: replace it with an ordinary file, or delete it",
        "folder.md:1:1: error: 'folder.md' is not a regular file (it is a folder) and was not read\n"
        "  hint: replace it with an ordinary file, or delete it",
        "broken.md:1:1: error: 'broken.md' is a link to a missing file ('missing.md')\n"
        "  hint: restore what it points to, or delete the link",
        "loop.md:1:1: error: 'loop.md' is a link that loops back on itself and never reaches a file\n"
        "  hint: delete the link, or point it at a real file",
        "absent.md:1:1: error: cannot read the file: No such file or directory\n"
        "  hint: check that it exists and that you may read it",
    ]


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_FILE_BYTES", 2 * 1048576)
    path = tmp_path / "people.yml"
    path.write_bytes(b"- name: x\n" * 300_000)
    diagnostics = Diagnostics()
    assert read_text(path, diagnostics) is None
    assert diagnostics.items[0].format() == (
        f"{path}:1:1: error: file is too large (2.9 MiB; the limit is 2 MiB)\n  hint: split it into smaller files"
    )


def test_a_file_swapped_for_a_pipe_after_the_check_does_not_block(tmp_path, monkeypatch, no_hang):
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    monkeypatch.setattr(yamlsource, "path_kind", lambda path: "file")  # the check saw a regular file
    diagnostics = Diagnostics()
    assert read_text(pipe, diagnostics) is None
    assert "'pipe.md' is not a regular file (it is a named pipe)" in diagnostics.items[0].message


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "content/people/x.md",
            "content/people/x.md:1:1: error: 'x.md' is not a regular file (it is a named pipe) and was not read",
        ),
        (
            "content/people.yml",
            "content/people.yml:1:1: error: 'people.yml' is not a regular file (it is a named pipe) and was not read",
        ),
        (
            "content/story.md",
            "content/story.md:1:1: error: 'story.md' is not a regular file (it is a named pipe) and was not read",
        ),
        (
            "content/sources.yml",
            "content/sources.yml:1:1: error: 'sources.yml' is not a regular file (it is a named pipe) and was not read",
        ),
    ],
)
def test_a_named_pipe_in_content_is_an_error_not_a_hang(tmp_path, name, expected, no_hang):
    project = write_project(tmp_path, {})
    (project / name).unlink(missing_ok=True)
    os.mkfifo(project / name)
    found = errors(project)
    assert [error.split("\n")[0] for error in found] == [expected]


def test_a_named_pipe_named_like_a_stray_file_is_only_warned_about(tmp_path, no_hang):
    project = write_project(tmp_path, {})
    os.mkfifo(project / "content" / "peple.yml")
    os.mkfifo(project / "content" / "notes")
    assert [d.message for d in check(project) if d.severity == "warning"] == [
        "'peple.yml' is not part of the content format and was not read"
    ]


@pytest.mark.parametrize(
    "name, target, expected",
    [
        (
            "content/people/x.md",
            "gone.md",
            "content/people/x.md:1:1: error: 'x.md' is a link to a missing file ('gone.md')",
        ),
        (
            "content/people.yml",
            "gone.yml",
            "content/people.yml:1:1: error: 'people.yml' is a link to a missing file ('gone.yml')",
        ),
        (
            "content/story.md",
            "gone.md",
            "content/story.md:1:1: error: 'story.md' is a link to a missing file ('gone.md')",
        ),
        (
            "content/people/x.md",
            "x.md",
            "content/people/x.md:1:1: error: 'x.md' is a link that loops back on itself and never reaches a file",
        ),
        (
            "content/questions",
            "questions",
            "content/questions:1:1: error: 'questions' is a link that loops back on itself and never reaches a folder",
        ),
        ("content/claims", "gone", "content/claims:1:1: error: 'claims' is a link to a missing folder ('gone')"),
    ],
)
def test_broken_and_looping_links_are_precise_errors(tmp_path, name, target, expected):
    project = write_project(tmp_path, {})
    (project / name).unlink(missing_ok=True)
    (project / name).symlink_to(target)
    assert [error.split("\n")[0] for error in errors(project)] == [expected]


def test_an_entry_that_cannot_be_opened_is_not_reported_again_by_a_name_it_may_have(tmp_path):
    """A person's file is a link that loops: its name is unknown, so a wikilink by a name no entry has may mean it
    and is not told it matches nothing (the loop's own error says what to fix)."""
    story = "---\ntitle: A story\nsummary: What it is about.\npublished: 2024-01-02\n---\n[[Ms Lee]] was there.\n"
    project = write_project(tmp_path, {"content/story.md": story})
    (project / "content/people/x.md").symlink_to("x.md")
    assert [error.split("\n")[0] for error in errors(project)] == [
        "content/people/x.md:1:1: error: 'x.md' is a link that loops back on itself and never reaches a file"
    ]


@pytest.mark.parametrize(
    "target, expected",
    [
        ("gone", "content:1:1: error: 'content' is a link to a missing folder ('gone')"),
        ("content", "content:1:1: error: 'content' is a link that loops back on itself and never reaches a folder"),
    ],
)
def test_a_broken_content_folder_link(tmp_path, target, expected):
    (tmp_path / "content").symlink_to(target)
    assert [error.split("\n")[0] for error in errors(tmp_path)] == [expected]


def test_stray_broken_links_and_loops_are_not_read(tmp_path):
    """A link in content/ that leads nowhere, named like nothing explainer reads, crashed the stray check."""
    project = write_project(tmp_path, {})
    for name, target in (("extra", "nowhere"), ("peple", "peple"), ("notes.md", "gone.md"), ("loop", "loop")):
        (project / "content" / name).symlink_to(target)
    (project / "content" / "people" / "sub").symlink_to("..")  # a folder that contains itself
    assert [d.message for d in check(project) if d.severity == "warning"] == [
        "'notes.md' is not part of the content format and was not read"
    ]


def test_a_file_named_like_a_collection_folder_is_warned_about(tmp_path):
    project = write_project(tmp_path, {"content/events": "- title: x\n"})
    assert [(d.message, d.hint) for d in check(project) if d.severity == "warning"] == [
        ("'events' is a file, not a folder, and was not read", "did you mean 'events.yml'?")
    ]


def test_the_command_never_hangs_or_crashes_on_a_pipe(tmp_path):
    project = write_project(tmp_path, {})
    os.mkfifo(project / "content" / "people" / "x.md")
    result = subprocess.run(
        [sys.executable, "-m", "explainer", "build"], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "'x.md' is not a regular file (it is a named pipe)" in result.stderr


def test_the_parser_switch_is_read_from_the_environment():
    code = "import explainer.yamlsource as y; print(y.USE_LIBYAML)"
    for value, expected in (("pure", "False"), ("", str(bool(yaml.__with_libyaml__)))):
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, "EXPLAINER_YAML_PARSER": value},
        )
        assert result.stdout.strip() == expected
