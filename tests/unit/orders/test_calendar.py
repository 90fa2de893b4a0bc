import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from supplychain.orders.calendar import (
    DeliveryCalendar,
    format_weekdays,
    local_instant,
    parse_weekdays,
)

UTC = dt.timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = frozenset({1, 2, 3, 4, 5})  # Monday to Friday


def shanghai(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def calendar(**kwargs):
    return DeliveryCalendar(**kwargs)


# --- next delivery date and the cutoff boundary ---------------------------------------


def test_one_second_before_the_cutoff_orders_for_tomorrow():
    now = shanghai(2026, 11, 23, 21, 59, 59)

    assert calendar().next_delivery_date(now) == dt.date(2026, 11, 24)


def test_at_the_cutoff_exactly_orders_for_the_day_after_tomorrow():
    now = shanghai(2026, 11, 23, 22, 0, 0)

    assert calendar().next_delivery_date(now) == dt.date(2026, 11, 25)


def test_the_cutoff_is_the_evening_before_at_local_time_as_a_utc_instant():
    cutoff = calendar().cutoff(dt.date(2026, 11, 24))

    assert cutoff == utc(2026, 11, 23, 14, 0)
    assert cutoff.utcoffset() == dt.timedelta(0)


def test_a_date_is_open_until_its_cutoff_and_closed_from_it():
    cal, day = calendar(), dt.date(2026, 11, 24)

    assert cal.is_open(day, utc(2026, 11, 23, 13, 59, 59, 999999))
    assert not cal.is_open(day, utc(2026, 11, 23, 14, 0))


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar().next_delivery_date(dt.datetime(2026, 11, 23, 12, 0))


def test_now_in_another_zone_means_the_same_instant():
    in_utc = utc(2026, 11, 23, 13, 59, 59)
    in_new_york = in_utc.astimezone(NEW_YORK)

    assert calendar().next_delivery_date(in_new_york) == dt.date(2026, 11, 24)
    assert calendar().local_date(in_new_york) == dt.date(2026, 11, 23)


def test_local_date_is_the_shanghai_date_not_the_utc_one():
    # 23:30 in Shanghai is still 15:30 UTC the same day; 00:30 is the day before in UTC
    assert calendar().local_date(utc(2026, 11, 23, 16, 30)) == dt.date(2026, 11, 24)


def test_a_friday_evening_order_on_weekdays_only_goes_to_monday():
    cal = calendar(weekdays=WEEKDAYS)
    friday_evening = shanghai(2026, 11, 27, 23, 0)  # after Friday's cutoff

    assert cal.next_delivery_date(friday_evening) == dt.date(2026, 11, 30)


def test_a_weekend_order_on_weekdays_only_goes_to_monday_with_sundays_cutoff():
    cal = calendar(weekdays=WEEKDAYS)

    assert cal.next_delivery_date(shanghai(2026, 11, 28, 10, 0)) == dt.date(
        2026, 11, 30
    )
    assert cal.cutoff(dt.date(2026, 11, 30)) == shanghai(2026, 11, 29, 22, 0)
    # Sunday after 22:00: Monday is closed, Tuesday is next
    assert cal.next_delivery_date(shanghai(2026, 11, 29, 22, 0)) == dt.date(2026, 12, 1)


def test_a_thursday_evening_before_the_cutoff_still_gets_friday():
    cal = calendar(weekdays=WEEKDAYS)

    assert cal.next_delivery_date(shanghai(2026, 11, 26, 21, 0)) == dt.date(
        2026, 11, 27
    )


def test_holidays_push_the_next_delivery_date():
    holidays = frozenset({dt.date(2026, 11, 24), dt.date(2026, 11, 25)})
    cal = calendar(holidays=holidays)

    assert cal.next_delivery_date(shanghai(2026, 11, 23, 9, 0)) == dt.date(2026, 11, 26)


def test_a_holiday_on_monday_of_a_weekdays_calendar_moves_friday_orders_to_tuesday():
    cal = calendar(weekdays=WEEKDAYS, holidays=frozenset({dt.date(2026, 11, 30)}))

    assert cal.next_delivery_date(shanghai(2026, 11, 27, 23, 0)) == dt.date(2026, 12, 1)


def test_a_holiday_does_not_move_the_cutoff_of_the_next_open_day():
    # Tuesday's cutoff stays Monday 22:00 although Monday is a holiday
    cal = calendar(holidays=frozenset({dt.date(2026, 11, 23)}))

    assert cal.cutoff(dt.date(2026, 11, 24)) == shanghai(2026, 11, 23, 22, 0)


def test_lead_days_two_puts_the_cutoff_two_evenings_before():
    cal = calendar(lead_days=2)

    assert cal.cutoff(dt.date(2026, 11, 25)) == shanghai(2026, 11, 23, 22, 0)
    assert cal.next_delivery_date(shanghai(2026, 11, 23, 21, 59)) == dt.date(
        2026, 11, 25
    )
    assert cal.next_delivery_date(shanghai(2026, 11, 23, 22, 0)) == dt.date(
        2026, 11, 26
    )


def test_an_early_cutoff_closes_tomorrow_in_the_afternoon():
    cal = calendar(cutoff_time=dt.time(14, 30))

    assert cal.next_delivery_date(shanghai(2026, 11, 23, 14, 29, 59)) == dt.date(
        2026, 11, 24
    )
    assert cal.next_delivery_date(shanghai(2026, 11, 23, 14, 30)) == dt.date(
        2026, 11, 25
    )


def test_open_dates_run_from_the_next_date_to_the_horizon_skipping_closed_days():
    cal = calendar(
        weekdays=frozenset({1, 3, 5}),
        holidays=frozenset({dt.date(2026, 11, 27)}),
        horizon_days=10,
    )

    dates = cal.open_dates(shanghai(2026, 11, 23, 12, 0))  # a Monday

    assert dates == [
        dt.date(2026, 11, 25),  # Wed
        dt.date(2026, 11, 30),  # Mon (Fri 27th is a holiday)
        dt.date(2026, 12, 2),  # Wed = today + 9
    ]


def test_open_dates_keep_the_next_date_even_beyond_a_short_horizon():
    cal = calendar(weekdays=frozenset({7}), horizon_days=1)  # Sundays only

    assert cal.open_dates(shanghai(2026, 11, 23, 12, 0)) == [dt.date(2026, 11, 29)]


def test_a_calendar_without_weekdays_or_with_a_bad_lead_is_refused():
    with pytest.raises(ValueError):
        calendar(weekdays=frozenset())
    with pytest.raises(ValueError):
        calendar(lead_days=0)
    with pytest.raises(ValueError):
        calendar(lead_days=8)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(Exception):
        calendar(timezone="Asia/Hangzhou")


# --- date_problem ---------------------------------------------------------------------

NOW = shanghai(2026, 11, 23, 12, 0)  # Monday noon


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (dt.date(2026, 11, 22), "past"),
        (dt.date(2026, 11, 23), "past"),  # today
        (dt.date(2026, 11, 24), None),
        (dt.date(2026, 11, 25), "holiday"),
        (dt.date(2026, 11, 28), "not_delivery_day"),  # Saturday
        (dt.date(2026, 12, 7), None),  # today + 14 = the horizon
        (dt.date(2026, 12, 8), "too_far"),
    ],
)
def test_date_problem_names_each_reason(day, problem):
    cal = calendar(weekdays=WEEKDAYS, holidays=frozenset({dt.date(2026, 11, 25)}))

    assert cal.date_problem(day, NOW) == problem


def test_date_problem_does_not_check_the_cutoff():
    cal = calendar()
    after_cutoff = shanghai(2026, 11, 23, 23, 0)

    assert cal.date_problem(dt.date(2026, 11, 24), after_cutoff) is None
    assert not cal.is_open(dt.date(2026, 11, 24), after_cutoff)


def test_the_next_date_is_never_too_far_even_past_the_horizon():
    cal = calendar(weekdays=frozenset({7}), horizon_days=1)

    assert cal.date_problem(dt.date(2026, 11, 29), NOW) is None
    assert cal.date_problem(dt.date(2026, 12, 6), NOW) == "too_far"


# --- daylight saving: exact cutoff instants -------------------------------------------


def test_new_york_cutoff_in_the_skipped_hour_is_the_first_instant_after_the_jump():
    # 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:30 never happens
    cal = calendar(timezone="America/New_York", cutoff_time=dt.time(2, 30))

    assert cal.cutoff(dt.date(2026, 3, 9)) == utc(2026, 3, 8, 7, 0)  # 03:00 EDT


def test_new_york_cutoff_in_the_repeated_hour_is_the_earlier_one():
    # 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice
    cal = calendar(timezone="America/New_York", cutoff_time=dt.time(1, 30))

    assert cal.cutoff(dt.date(2026, 11, 2)) == utc(2026, 11, 1, 5, 30)  # 01:30 EDT


def test_berlin_cutoff_in_the_skipped_hour_is_the_first_instant_after_the_jump():
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST
    cal = calendar(timezone="Europe/Berlin", cutoff_time=dt.time(2, 30))

    assert cal.cutoff(dt.date(2026, 3, 30)) == utc(2026, 3, 29, 1, 0)  # 03:00 CEST


def test_berlin_cutoff_in_the_repeated_hour_is_the_earlier_one():
    # 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice
    cal = calendar(timezone="Europe/Berlin", cutoff_time=dt.time(2, 30))

    assert cal.cutoff(dt.date(2026, 10, 26)) == utc(2026, 10, 25, 0, 30)  # CEST


def test_berlin_cutoff_at_22_follows_the_offset_on_each_side_of_the_change():
    cal = calendar(timezone="Europe/Berlin")

    assert cal.cutoff(dt.date(2026, 3, 29)) == utc(2026, 3, 28, 21, 0)  # CET
    assert cal.cutoff(dt.date(2026, 3, 30)) == utc(2026, 3, 29, 20, 0)  # CEST
    assert cal.cutoff(dt.date(2026, 10, 26)) == utc(2026, 10, 25, 21, 0)  # CET again


def test_new_york_order_placed_in_the_repeated_hour_after_the_cutoff_moves_on():
    cal = calendar(timezone="America/New_York", cutoff_time=dt.time(1, 30))
    second_0130 = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)  # EST
    first_0129 = dt.datetime(2026, 11, 1, 1, 29, fold=0, tzinfo=NEW_YORK)  # EDT

    assert cal.next_delivery_date(first_0129) == dt.date(2026, 11, 2)
    assert cal.next_delivery_date(second_0130) == dt.date(2026, 11, 3)


def test_new_york_order_in_the_spring_gap_sees_the_moved_cutoff():
    cal = calendar(timezone="America/New_York", cutoff_time=dt.time(2, 30))
    just_before = utc(2026, 3, 8, 6, 59, 59)  # 01:59:59 EST

    assert cal.next_delivery_date(just_before) == dt.date(2026, 3, 9)
    assert cal.next_delivery_date(utc(2026, 3, 8, 7, 0)) == dt.date(2026, 3, 10)


def test_shanghai_has_no_daylight_saving_so_every_cutoff_is_14_utc():
    cal = calendar()
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(0, 365, 7)]

    assert {cal.cutoff(day).time() for day in days} == {dt.time(14, 0)}


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        (NEW_YORK, dt.date(2026, 3, 8), dt.time(2, 0), utc(2026, 3, 8, 7, 0)),
        (NEW_YORK, dt.date(2026, 3, 8), dt.time(2, 59), utc(2026, 3, 8, 7, 0)),
        (NEW_YORK, dt.date(2026, 3, 8), dt.time(3, 0), utc(2026, 3, 8, 7, 0)),
        (NEW_YORK, dt.date(2026, 3, 8), dt.time(1, 59), utc(2026, 3, 8, 6, 59)),
        (NEW_YORK, dt.date(2026, 11, 1), dt.time(1, 0), utc(2026, 11, 1, 5, 0)),
        (NEW_YORK, dt.date(2026, 11, 1), dt.time(2, 0), utc(2026, 11, 1, 7, 0)),
        (BERLIN, dt.date(2026, 10, 25), dt.time(2, 0), utc(2026, 10, 25, 0, 0)),
        (BERLIN, dt.date(2026, 10, 25), dt.time(3, 0), utc(2026, 10, 25, 2, 0)),
        (SHANGHAI, dt.date(2026, 3, 8), dt.time(2, 30), utc(2026, 3, 7, 18, 30)),
    ],
)
def test_local_instant_at_the_edges_of_each_change(zone, day, at, expected):
    assert local_instant(day, at, zone) == expected


# --- weekdays -------------------------------------------------------------------------


def test_parse_weekdays_reads_iso_digits():
    assert parse_weekdays("135") == frozenset({1, 3, 5})
    assert parse_weekdays(" 7 ") == frozenset({7})
    assert format_weekdays(parse_weekdays("5311")) == "135"


@pytest.mark.parametrize("bad", ["", "  ", "0", "8", "1,3", "mon", None])
def test_parse_weekdays_refuses_anything_else(bad):
    with pytest.raises(ValueError):
        parse_weekdays(bad)


# --- properties -----------------------------------------------------------------------

ZONES = [
    "Asia/Shanghai",
    "America/New_York",
    "Europe/Berlin",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute daylight saving
    "America/Santiago",  # changes at midnight
    "America/Havana",  # changes at midnight
    "Asia/Tehran",
    "Pacific/Chatham",
]
weekday_sets = st.sets(st.integers(1, 7), min_size=1).map(frozenset)
instants = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31)
).map(lambda naive: naive.replace(tzinfo=UTC))
times = st.times().map(lambda t: t.replace(microsecond=0))


@st.composite
def calendars_and_nows(draw):
    now = draw(instants)
    zone = draw(st.sampled_from(ZONES))
    today = now.astimezone(ZoneInfo(zone)).date()
    holidays = draw(
        st.sets(
            st.integers(-3, 30).map(lambda n: today + dt.timedelta(days=n)), max_size=12
        )
    )
    cal = DeliveryCalendar(
        timezone=zone,
        cutoff_time=draw(times),
        weekdays=draw(weekday_sets),
        holidays=frozenset(holidays),
        lead_days=draw(st.integers(1, 7)),
        horizon_days=draw(st.integers(1, 90)),
    )
    return cal, now


@settings(max_examples=300, deadline=None)
@given(calendars_and_nows())
def test_the_next_delivery_date_is_open_after_today_and_never_a_holiday(case):
    cal, now = case

    day = cal.next_delivery_date(now)

    assert day > cal.local_date(now)
    assert day not in cal.holidays
    assert day.isoweekday() in cal.weekdays
    assert cal.is_open(day, now)
    assert cal.date_problem(day, now) is None


@settings(max_examples=200, deadline=None)
@given(calendars_and_nows())
def test_no_earlier_date_is_open_than_the_next_delivery_date(case):
    cal, now = case
    day = cal.next_delivery_date(now)
    assume((day - cal.local_date(now)).days < 60)

    earlier = cal.local_date(now) + dt.timedelta(days=1)
    while earlier < day:
        assert not cal.is_open(earlier, now)
        earlier += dt.timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(calendars_and_nows())
def test_every_open_date_is_open_and_they_are_increasing(case):
    cal, now = case

    dates = cal.open_dates(now)

    assert dates[0] == cal.next_delivery_date(now)
    assert dates == sorted(set(dates))
    assert all(cal.is_open(day, now) for day in dates)
    assert all(cal.date_problem(day, now) is None for day in dates)


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)),
    at=times,
    lead_days=st.integers(1, 7),
)
def test_a_cutoff_is_strictly_before_local_midnight_of_its_delivery_date(
    zone, day, at, lead_days
):
    cal = DeliveryCalendar(timezone=zone, cutoff_time=at, lead_days=lead_days)
    midnight = local_instant(day, dt.time(0, 0), ZoneInfo(zone))

    assert cal.cutoff(day) < midnight


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)),
    at=times,
)
def test_local_instant_reads_back_as_the_wall_time_unless_it_was_skipped(zone, day, at):
    tz = ZoneInfo(zone)
    wanted = dt.datetime.combine(day, at)

    instant = local_instant(day, at, tz)
    local = instant.astimezone(tz).replace(tzinfo=None)

    assert instant.utcoffset() == dt.timedelta(0)
    # the wall time itself, or (skipped by a jump) the first minute after it
    assert local >= wanted
    assert local - wanted < dt.timedelta(hours=1) or local == wanted
    if local != wanted:
        before = instant - dt.timedelta(minutes=1)
        assert before.astimezone(tz).replace(tzinfo=None) < wanted


def test_a_cutoff_skipped_by_a_jump_that_ends_at_midnight_is_still_before_the_day():
    nuuk = ZoneInfo("America/Nuuk")
    cal = calendar(timezone="America/Nuuk", cutoff_time=dt.time(23, 30))
    sunday = dt.date(2026, 3, 29)

    assert cal.cutoff(sunday) < local_instant(sunday, dt.time(0, 0), nuuk)
