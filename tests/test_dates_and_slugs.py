"""Dates keep the precision written; slugs are stable ASCII."""

from __future__ import annotations

import pytest

from explainer import i18n
from explainer.dates import DateFormatError, parse_date
from explainer.slugs import is_valid_slug, slugify


@pytest.fixture(autouse=True)
def english_dates():
    """Dates are written in the language of the last build; these are the default language's, whatever ran before
    (the `complete` fixture, built just before in a run without the browser tests, is British)."""
    before = i18n.active()
    i18n.activate(i18n.english())
    yield
    i18n.activate(before)


@pytest.mark.parametrize(
    "text,human,iso,precision",
    [
        ("2021", "2021", "2021", "year"),
        ("2021-10", "October 2021", "2021-10", "month"),
        ("2021-10-21", "October 21, 2021", "2021-10-21", "day"),
        ("2021-10-21T13:50", "October 21, 2021, 13:50", "2021-10-21T13:50", "minute"),
        ("2021-10-21T13:50-06:00", "October 21, 2021, 13:50 (UTC-06:00)", "2021-10-21T13:50-06:00", "minute"),
        ("2021-10-21T13:50Z", "October 21, 2021, 13:50 UTC", "2021-10-21T13:50Z", "minute"),
    ],
)
def test_precision_is_kept(text, human, iso, precision):
    date = parse_date(text)
    assert (date.human(), date.iso(), date.precision) == (human, iso, precision)


@pytest.mark.parametrize(
    "text", ["2021-13", "2021-02-30", "2021-10-21T25:00", "21-10-2021", "October 2021", "", "2021-1-5", "2023-02-29"]
)
def test_bad_dates_are_refused(text):
    with pytest.raises(DateFormatError):
        parse_date(text)


def test_partial_dates_sort_after_the_precise_dates_they_contain():
    texts = ["2021", "2021-10", "2021-10-21", "2021-10-21T09:00", "2021-09-30", "2020", "2022-01"]
    ordered = sorted(texts, key=lambda t: parse_date(t).sort_key)
    assert ordered == ["2020", "2021-09-30", "2021-10-21T09:00", "2021-10-21", "2021-10", "2021", "2022-01"]


@pytest.mark.parametrize(
    "start, end, after",
    [
        ("2021-10-21T10:00+02:00", "2021-10-21T09:00Z", True),  # 08:00 UTC, then 09:00 UTC
        ("2021-10-21T10:00Z", "2021-10-21T11:00+05:00", False),  # 10:00 UTC, then 06:00 UTC
        ("2021-10-21T23:30-02:00", "2021-10-22T01:00Z", False),  # 01:30 UTC on the 22nd, then 01:00
        ("2021-10-21T10:00", "2021-10-21T10:00Z", True),  # a time without an offset is UTC
        ("2021-10-21T10:00:30Z", "2021-10-21T10:00:10Z", False),  # seconds count
        ("2021-10-21", "2021-10-21T23:59+09:00", True),  # against a day, a moment is taken as written
        ("2024-12-01T23:00-08:00", "2024-12-01", True),  # (07:00 UTC on the 2nd, but the day has no zone)
        ("2024-12-02", "2024-12-02T03:00+05:00", True),
        ("2024-12-02", "2024-12-01T23:00", False),
        ("2024-12", "2024-11-30", False),
        ("2024", "2024-12-31T23:59-12:00", True),
    ],
)
def test_an_end_is_before_its_start_only_when_it_is_over_first(start, end, after):
    """An event's end_date is checked against its date: two moments compare as instants, a moment against a day as
    written."""
    assert parse_date(end).ends_before(parse_date(start)) is not after


@pytest.mark.parametrize(
    "text,slug",
    [
        ("Halyna Hutchins", "halyna-hutchins"),
        ("Crew members who quit", "crew-members-who-quit"),
        ("Zoë Ångström", "zoe-angstrom"),
        ("Baldwin's ABC interview!", "baldwins-abc-interview"),
        ("  many   spaces  ", "many-spaces"),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug
    assert is_valid_slug(slug)


@pytest.mark.parametrize("slug", ["Upper", "under_score", "-lead", "trail-", "double--hyphen", "", "a b", "../x"])
def test_invalid_slugs(slug):
    assert not is_valid_slug(slug)
