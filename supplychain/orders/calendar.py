"""配送日历 delivery calendar: which delivery date an order is for and when its cutoff
(截单时间) falls. Pure: plain values in, dates and instants out.

Rules
- A delivery date D is *open* at instant ``now`` when D is a delivery weekday, not a
  holiday, and ``now`` is before D's cutoff.
- D's cutoff is ``cutoff_time`` local wall-clock time on the day ``D - lead_days`` in
  the distributor's time zone (``lead_days`` 1 = the evening before). Holidays and
  non-delivery days in between do not move it.
- Local times are converted with ``zoneinfo``: a cutoff that does not exist (skipped by
  a daylight-saving jump) is the first instant after the jump; an ambiguous one
  (repeated when clocks go back) is the earlier of the two.
- The next delivery date is the first open date; with the defaults (every day, 22:00,
  lead 1) an order before 22:00 is for tomorrow and after it for the day after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

DEFAULT_CUTOFF = dt.time(22, 0)
DEFAULT_WEEKDAYS = "1234567"
DEFAULT_LEAD_DAYS = 1
DEFAULT_HORIZON_DAYS = 14
_SEARCH_DAYS = 400  # a calendar with no open date in a year is broken


def parse_weekdays(value: str) -> frozenset[int]:
    """ "135" → {1, 3, 5} (ISO weekdays, Monday = 1). Raises ValueError for anything
    else, an empty string included."""
    text = (value or "").strip()
    if not text or any(ch not in "1234567" for ch in text):
        raise ValueError("Weekdays are digits 1 (Monday) to 7 (Sunday), e.g. 135.")
    return frozenset(int(ch) for ch in text)


def format_weekdays(days: frozenset[int] | set[int]) -> str:
    return "".join(str(d) for d in sorted(days))


@dataclass(frozen=True)
class DeliveryCalendar:
    timezone: str = "Asia/Shanghai"
    cutoff_time: dt.time = DEFAULT_CUTOFF
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(1, 8)))
    holidays: frozenset[dt.date] = frozenset()
    lead_days: int = DEFAULT_LEAD_DAYS
    horizon_days: int = DEFAULT_HORIZON_DAYS

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise ValueError("A calendar needs at least one delivery weekday.")
        if not 1 <= self.lead_days <= 7:
            raise ValueError("lead_days must be between 1 and 7.")
        ZoneInfo(self.timezone)  # raises for an unknown zone

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, now: dt.datetime) -> dt.date:
        return _aware(now).astimezone(self.zone).date()

    def is_delivery_day(self, day: dt.date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def cutoff(self, delivery_date: dt.date) -> dt.datetime:
        """The instant (UTC) orders for ``delivery_date`` stop — always before the
        delivery date begins (a skipped cutoff moved forward by a clock jump that ends
        at midnight becomes the second before that midnight)."""
        day = delivery_date - dt.timedelta(days=self.lead_days)
        instant = local_instant(day, self.cutoff_time, self.zone)
        day_starts = local_instant(delivery_date, dt.time(0, 0), self.zone)
        return min(instant, day_starts - dt.timedelta(seconds=1))

    def is_open(self, delivery_date: dt.date, now: dt.datetime) -> bool:
        return self.is_delivery_day(delivery_date) and _aware(now) < self.cutoff(
            delivery_date
        )

    def next_delivery_date(self, now: dt.datetime) -> dt.date:
        """The first delivery date still open at ``now``."""
        day = self.local_date(now)
        for _ in range(_SEARCH_DAYS):
            day += dt.timedelta(days=1)
            if self.is_open(day, now):
                return day
        raise ValueError("No delivery date is open within a year.")

    def open_dates(self, now: dt.datetime) -> list[dt.date]:
        """Every date an order may be placed for now: the next delivery date and the
        delivery days after it up to ``horizon_days`` after today."""
        first = self.next_delivery_date(now)
        last = self.local_date(now) + dt.timedelta(days=self.horizon_days)
        dates = []
        day = first
        while day <= max(first, last):
            if self.is_open(day, now):
                dates.append(day)
            day += dt.timedelta(days=1)
        return dates

    def date_problem(self, delivery_date: dt.date, now: dt.datetime) -> str | None:
        """Why an order may not ask for ``delivery_date`` (None: it may). The cutoff is
        not checked here; see ``is_open``."""
        today = self.local_date(now)
        if delivery_date <= today:
            return "past"
        if delivery_date in self.holidays:
            return "holiday"
        if delivery_date.isoweekday() not in self.weekdays:
            return "not_delivery_day"
        if delivery_date > max(
            self.next_delivery_date(now), today + dt.timedelta(days=self.horizon_days)
        ):
            return "too_far"
        return None


def local_instant(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """``day`` at wall-clock ``at`` in ``zone`` as an aware UTC instant (see the module
    rules for skipped and repeated local times)."""
    naive = dt.datetime.combine(day, at.replace(tzinfo=None))
    candidate = naive.replace(tzinfo=zone, fold=0)
    utc = candidate.astimezone(dt.timezone.utc)
    if utc.astimezone(zone).replace(tzinfo=None) != naive:
        # skipped by a clock jump: start from the earlier reading and walk to the first
        # local minute at or after the wanted time
        probe = min(utc, naive.replace(tzinfo=zone, fold=1).astimezone(dt.timezone.utc))
        while probe.astimezone(zone).replace(tzinfo=None) < naive:
            probe += dt.timedelta(minutes=1)
        return probe.replace(second=0, microsecond=0)
    return utc


def _aware(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now
