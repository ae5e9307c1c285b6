"""Dates as writers write them: a year, a month, a day, or a moment.

A date keeps the precision it was written with, so ``2021-10`` is shown as
"October 2021" and never as an invented first of the month.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from explainer import i18n

DATE_PATTERN = re.compile(
    r"^(?P<year>\d{4})"
    r"(?:-(?P<month>\d{2})"
    r"(?:-(?P<day>\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)

FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM (optionally with an offset such as +02:00)"


class DateFormatError(ValueError):
    """A date that is malformed or impossible; the message says which."""


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    offset: str | None = None
    text: str = ""

    @property
    def precision(self) -> str:
        if self.hour is not None:
            return "minute"
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    def period(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The first and last minute this date can mean, as written."""
        month_first, month_last = (self.month, self.month) if self.month else (1, 12)
        last_day = calendar.monthrange(self.year, month_last)[1]
        day_first, day_last = (self.day, self.day) if self.day else (1, last_day)
        hour_first, hour_last = (self.hour, self.hour) if self.hour is not None else (0, 23)
        minute_first, minute_last = (self.minute, self.minute) if self.minute is not None else (0, 59)
        return (
            (self.year, month_first, day_first, hour_first, minute_first),
            (self.year, month_last, day_last, hour_last, minute_last),
        )

    @property
    def sort_key(self) -> tuple[int, ...]:
        """Chronological order; a less precise date follows the precise dates it contains.

        "October 2021" sorts after "October 21, 2021" the way almanacs list
        events of unknown date at the end of their month or year: a writer who
        knows only the month has not said the event came first.
        """
        unknown = 99
        return (
            self.year,
            self.month if self.month is not None else unknown,
            self.day if self.day is not None else unknown,
            self.hour if self.hour is not None else unknown,
            self.minute if self.minute is not None else unknown,
            self.second if self.second is not None else 0,
        )

    @property
    def instant_key(self) -> tuple[int, ...]:
        """:attr:`sort_key`, with a time written with a UTC offset moved to UTC first.

        Moments written in different time zones then compare as the instants they are
        (``2024-12-01T23:00-08:00`` comes after ``2024-12-02T06:00Z``); a time without an offset is UTC.
        """
        if self.hour is None or not self.offset or self.offset == "Z" or self.month is None or self.day is None:
            return self.sort_key
        sign = 1 if self.offset[0] == "+" else -1
        shift = timedelta(hours=int(self.offset[1:3]), minutes=int(self.offset[-2:]))
        try:
            moment = datetime(self.year, self.month, self.day, self.hour, self.minute or 0) - sign * shift
        except OverflowError:  # within hours of the first or last moment Python can hold
            return self.sort_key
        return (moment.year, moment.month, moment.day, moment.hour, moment.minute, self.second or 0)

    def ends_before(self, start: PartialDate) -> bool:
        """Whether this date (an end) is over before ``start`` can begin: two moments compare as the instants they
        are, whatever their time zones (:attr:`instant_key`); a day, month or year has no time zone, so against it
        a moment is taken as written."""
        if self.hour is not None and start.hour is not None:
            return self.instant_key < start.instant_key
        return self.period()[1] < start.period()[0]

    def utc_day(self) -> tuple[int, int, int]:
        """The first day this date can mean, in UTC."""
        key = self.instant_key if self.hour is not None else self.period()[0]
        return (key[0], key[1], key[2])

    def iso(self) -> str:
        """The date as written, normalised (for ``<time datetime>``)."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        if self.hour is not None:
            text += f"T{self.hour:02d}:{self.minute:02d}"
            if self.second is not None:
                text += f":{self.second:02d}"
            if self.offset:
                text += self.offset if self.offset == "Z" else _colon_offset(self.offset)
        return text

    def human(self) -> str:
        """The date for readers, at the precision written, in the site's language ("October 21, 2021",
        "21. Oktober 2021")."""
        if self.month is None:
            return str(self.year)
        language = i18n.active()
        if self.day is None:
            return language.month(date(self.year, self.month, 1))
        text = language.day(date(self.year, self.month, self.day))
        if self.hour is not None:
            text += f", {self.hour:02d}:{self.minute:02d}"
            if self.offset:
                text += " UTC" if self.offset == "Z" else f" (UTC{_colon_offset(self.offset)})"
        return text

    def __str__(self) -> str:
        return self.human()


def _colon_offset(offset: str) -> str:
    return offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"


def parse_date(text: str) -> PartialDate:
    """Parse a date in one of the accepted forms, or raise :class:`DateFormatError`."""
    match = DATE_PATTERN.match(text.strip())
    if not match:
        raise DateFormatError(f"'{text}' is not a date in a form explainer reads")
    numbers = {name: int(value) for name, value in match.groupdict().items() if value is not None and name != "offset"}
    year, month, day = numbers["year"], numbers.get("month"), numbers.get("day")
    if year < 1:
        raise DateFormatError(f"'{text}' has year {year}; years start at 0001")
    hour, minute, second = numbers.get("hour"), numbers.get("minute"), numbers.get("second")
    if month is not None and not 1 <= month <= 12:
        raise DateFormatError(f"'{text}' has month {month}; months run from 01 to 12")
    if day is not None and month is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise DateFormatError(
            f"'{text}' is not a day that exists: {calendar.month_name[month]} {year} "
            f"has {calendar.monthrange(year, month)[1]} days"
        )
    if hour is not None and (hour > 23 or (minute or 0) > 59 or (second or 0) > 59):
        raise DateFormatError(f"'{text}' has a time of day that does not exist")
    offset = match.group("offset")
    if offset and offset != "Z":
        hours, minutes = int(offset[1:3]), int(offset[-2:])
        if hours > 14 or minutes > 59:
            raise DateFormatError(f"'{text}' has a UTC offset that does not exist")
    return PartialDate(year, month, day, hour, minute, second, offset, text.strip())
