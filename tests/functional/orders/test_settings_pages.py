"""截单设置 pages: the admin changes the ordering calendar, groups and routes, merchant
assignments and holidays; bad input is shown next to its field and writes nothing."""

import datetime as dt
import html
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from supplychain.audit.models import AuditLog
from supplychain.database import utcnow
from supplychain.extensions import db
from supplychain.merchants.models import Merchant
from supplychain.orders import schedule
from supplychain.orders.models import DeliveryHoliday, OrderingGroup, OrderingSettings
from tests.factories import MerchantFactory, UserFactory, merchant_user

SETTINGS = {
    "cutoff_time": "21:30",
    "lead_days": "1",
    "horizon_days": "14",
    "weekday": ["1", "2", "3", "4", "5", "6"],
}
GROUP = {
    "code": "TZ",
    "name": "团长群",
    "kind": "group",
    "cutoff_time": "20:00",
    "weekday": ["1", "3", "5"],
}


def text(response):
    return html.unescape(response.get_data(as_text=True))


def written():
    db.session.expire_all()

    def count(model):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return {
        "settings": count(OrderingSettings),
        "groups": count(OrderingGroup),
        "holidays": count(DeliveryHoliday),
        "audit": count(AuditLog),
        "assigned": db.session.scalar(
            sa.select(sa.func.count(Merchant.id)).where(
                sa.or_(Merchant.group_id.is_not(None), Merchant.route_id.is_not(None))
            )
        ),
    }


@pytest.fixture
def admin(login_as):
    user = UserFactory(role="admin")
    login_as(user)
    return user


def tomorrow_local():
    return schedule.calendar_for(None).local_date(utcnow()) + dt.timedelta(days=1)


# --- access ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/orders/settings/")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance", "merchant"])
def test_only_the_admin_may_open_or_change_the_calendar(client, login_as, role):
    user = merchant_user() if role == "merchant" else UserFactory(role=role)
    login_as(user)
    before = written()

    assert client.get("/orders/settings/").status_code == 403
    assert client.post("/orders/settings/", data=SETTINGS).status_code == 403
    assert client.post("/orders/settings/groups", data=GROUP).status_code == 403
    holiday = {"date": "2030-01-01"}
    assert client.post("/orders/settings/holidays", data=holiday).status_code == 403
    assert written() == before


# --- the distributor calendar and its preview -----------------------------------------


def test_the_page_previews_the_next_delivery_date_and_its_cutoff(client, admin):
    calendar = schedule.calendar_for(None)
    day = calendar.next_delivery_date(utcnow())
    cutoff = calendar.cutoff(day).astimezone(calendar.zone)

    response = client.get("/orders/settings/")

    page = text(response)
    assert response.status_code == 200
    assert f"An order placed now is for {day.isoformat()}" in page
    assert f"That date closes at {cutoff:%Y-%m-%d %H:%M}" in page
    assert 'name="cutoff_time" type="time" value="22:00"' in page


def test_saving_the_calendar_changes_the_settings_and_the_preview(client, admin):
    response = client.post("/orders/settings/", data=SETTINGS)

    assert response.status_code == 302
    row = schedule.settings()
    assert (
        row.cutoff_time,
        row.delivery_weekdays,
        row.lead_days,
        row.horizon_days,
    ) == (
        dt.time(21, 30),
        "123456",
        1,
        14,
    )
    page = text(client.get("/orders/settings/"))
    assert "Ordering calendar saved." in page
    assert 'name="cutoff_time" type="time" value="21:30"' in page
    ticked = re.findall(r'name="weekday" value="(\d)" checked', page)
    assert ticked == ["1", "2", "3", "4", "5", "6"]  # Sunday unticked


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"cutoff_time": "25:00"}, "cutoff_time", "Not a valid time."),
        ({"cutoff_time": "evening"}, "cutoff_time", "Not a valid time."),
        ({"cutoff_time": ""}, "cutoff_time", "Missing data"),
        ({"lead_days": "0"}, "lead_days", "greater than or equal to 1"),
        ({"lead_days": "8"}, "lead_days", "less than or equal to 7"),
        ({"lead_days": "1.5"}, "lead_days", "Not a valid integer."),
        ({"horizon_days": "91"}, "horizon_days", "less than or equal to 90"),
        ({"horizon_days": "-3"}, "horizon_days", "greater than or equal to 1"),
        ({"horizon_days": "9" * 40}, "horizon_days", "less than or equal to 90"),
        ({"weekday": []}, "delivery_weekdays", "Tick at least one weekday."),
        ({"weekday": ["8"]}, "delivery_weekdays", "Weekdays are digits 1"),
    ],
)
def test_bad_calendar_input_is_shown_next_to_its_field(
    client, admin, change, field, message
):
    before = written()

    response = client.post("/orders/settings/", data=SETTINGS | change)

    page = text(response)
    assert response.status_code == 400
    assert f'id="e-{field}"' in page and message in page
    assert written() == before
    assert schedule.settings().cutoff_time == dt.time(22, 0)


# --- groups and routes ----------------------------------------------------------------


def test_creating_a_group_lists_it_with_its_own_cutoff_and_preview(client, admin):
    response = client.post("/orders/settings/groups", data=GROUP)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/orders/settings/groups/TZ")
    group = schedule.get_group("TZ")
    assert (group.name, group.kind, group.cutoff_time, group.delivery_weekdays) == (
        "团长群",
        "group",
        dt.time(20, 0),
        "135",
    )
    page = text(client.get("/orders/settings/"))
    assert "团长群" in page and "20:00" in page and "Mon Wed Fri" in page
    detail = text(client.get("/orders/settings/groups/TZ"))
    member = SimpleNamespace(route_id=None, group_id=group.id)
    day = schedule.calendar_for(member).next_delivery_date(utcnow())
    assert f"An order placed now is for {day}" in detail


def test_a_group_without_cutoff_or_weekdays_follows_the_distributor(client, admin):
    client.post(
        "/orders/settings/groups",
        data={"code": "R1", "name": "一号线", "kind": "route", "cutoff_time": ""},
    )

    route = schedule.get_group("R1")
    assert (route.kind, route.cutoff_time, route.delivery_weekdays) == (
        "route",
        None,
        None,
    )
    assert "as distributor" in text(client.get("/orders/settings/"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "X" * 31}, "code"),
        ({"name": ""}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"kind": "club"}, "kind"),
        ({"cutoff_time": "8pm"}, "cutoff_time"),
        ({"weekday": ["0"]}, "delivery_weekdays"),
    ],
)
def test_bad_group_input_is_shown_next_to_its_field(client, admin, change, field):
    before = written()

    response = client.post("/orders/settings/groups", data=GROUP | change)

    assert response.status_code == 400
    assert f'id="e-{field}"' in text(response)
    assert written() == before


def test_the_new_group_form_asks_for_code_kind_cutoff_and_weekdays(client, admin):
    page = text(client.get("/orders/settings/groups/new?kind=route"))

    for name in ("code", "name", "kind", "cutoff_time", "weekday"):
        assert f'name="{name}"' in page
    assert '<option value="route" selected>' in page


def test_editing_a_group_changes_its_cutoff_and_weekdays_not_its_code_or_kind(
    client, admin
):
    schedule.save_group("TZ", name="团长群", cutoff_time=dt.time(20, 0))

    response = client.post(
        "/orders/settings/groups/TZ",
        data={
            "code": "OTHER",
            "name": "团长群 A",
            "kind": "route",
            "weekday": ["6", "7"],
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    group = schedule.get_group("TZ")
    assert (group.name, group.kind, group.cutoff_time, group.delivery_weekdays) == (
        "团长群 A",
        "group",
        None,
        "67",
    )
    assert db.session.scalar(sa.select(sa.func.count(OrderingGroup.id))) == 1


def test_a_bad_edit_shows_the_form_again_and_keeps_the_group(client, admin):
    schedule.save_group("TZ", name="团长群", cutoff_time=dt.time(20, 0))
    before = written()

    response = client.post(
        "/orders/settings/groups/TZ", data={"name": "", "kind": "group"}
    )

    assert response.status_code == 400
    assert 'id="e-name"' in text(response)
    assert written() == before
    assert schedule.get_group("TZ").cutoff_time == dt.time(20, 0)


def test_an_unknown_group_page_is_not_found(client, admin):
    assert client.get("/orders/settings/groups/NOPE").status_code == 404
    assert client.post("/orders/settings/groups/NOPE", data=GROUP).status_code == 404


# --- assigning merchants --------------------------------------------------------------


def test_merchants_are_assigned_by_code_and_listed_on_the_group_page(client, admin):
    schedule.save_group("TZ", name="团长群", kind="group")
    schedule.save_group("R1", name="一号线", kind="route")
    leader = MerchantFactory(code="L0001", name="王团长社区团购")

    first = client.post(
        "/orders/settings/assign",
        data={"merchant": "L0001", "kind": "group", "group": "TZ"},
    )
    second = client.post(
        "/orders/settings/assign",
        data={"merchant": "L0001", "kind": "route", "group": "R1", "back": "R1"},
    )

    assert first.status_code == 302 and second.status_code == 302
    assert second.headers["Location"].endswith("/orders/settings/groups/R1")
    db.session.expire_all()
    leader = db.session.get(Merchant, leader.id)
    assert (leader.group.code, leader.route.code) == ("TZ", "R1")
    page = text(client.get("/orders/settings/groups/TZ"))
    assert "王团长社区团购" in page
    assert "L0001" not in text(client.get("/orders/settings/groups/TZ?q=nobody"))


def test_a_blank_group_takes_the_merchant_out(client, admin):
    schedule.save_group("TZ", name="团长群", kind="group")
    MerchantFactory(code="L0001")
    schedule.assign_group("L0001", "TZ", kind="group")

    response = client.post(
        "/orders/settings/assign",
        data={"merchant": "L0001", "kind": "group", "back": "TZ"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert schedule.get_group("TZ") is not None
    merchant = db.session.scalar(sa.select(Merchant).where(Merchant.code == "L0001"))
    assert merchant.group_id is None


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"merchant": "NOPE", "kind": "group", "group": "TZ"}, "merchant", "NOPE"),
        ({"merchant": "L0001", "kind": "group", "group": "NOPE"}, "group", "NOPE"),
        ({"merchant": "L0001", "kind": "route", "group": "TZ"}, "group", "not a route"),
        ({"merchant": "", "kind": "group", "group": "TZ"}, "merchant", "Missing"),
        (
            {"merchant": "L0001", "kind": "club", "group": "TZ"},
            "kind",
            "Must be one of",
        ),
    ],
)
def test_bad_assignments_are_shown_next_to_their_field(
    client, admin, form, field, message
):
    schedule.save_group("TZ", name="团长群", kind="group")
    MerchantFactory(code="L0001")
    before = written()

    response = client.post("/orders/settings/assign", data=form)

    page = text(response)
    assert response.status_code == 400
    assert f'id="e-{field}"' in page and message in page
    assert written() == before


def test_a_bad_assignment_from_a_group_page_stays_on_that_page(client, admin):
    schedule.save_group("TZ", name="团长群", kind="group")

    response = client.post(
        "/orders/settings/assign",
        data={"merchant": "NOPE", "kind": "group", "group": "TZ", "back": "TZ"},
    )

    assert response.status_code == 400
    assert "Merchant group TZ" in text(response)


# --- holidays -------------------------------------------------------------------------


def test_adding_a_holiday_lists_it_and_moves_the_preview(client, admin):
    day = tomorrow_local()

    response = client.post(
        "/orders/settings/holidays", data={"date": day.isoformat(), "name": "停运"}
    )

    assert response.status_code == 302
    page = text(client.get("/orders/settings/"))
    assert day.isoformat() in page and "停运" in page
    assert f"An order placed now is for {day.isoformat()}" not in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"date": "2030-02-30"}, "Not a valid date."),
        ({"date": "next monday"}, "Not a valid date."),
        ({"date": ""}, "Missing data"),
        ({"date": "2030-01-01", "name": "节" * 101}, "Longer than maximum length"),
    ],
)
def test_bad_holidays_are_shown_next_to_their_field(client, admin, form, message):
    before = written()

    response = client.post("/orders/settings/holidays", data=form)

    assert response.status_code == 400
    assert message in text(response)
    assert written() == before


def test_the_same_holiday_twice_is_refused(client, admin):
    schedule.add_holiday(dt.date(2030, 1, 1), "元旦")
    before = written()

    response = client.post("/orders/settings/holidays", data={"date": "2030-01-01"})

    assert response.status_code == 400
    assert "2030-01-01 is already a holiday." in text(response)
    assert written() == before


def test_removing_a_holiday_makes_the_date_a_delivery_date_again(client, admin):
    schedule.add_holiday(dt.date(2030, 1, 1), "元旦")

    response = client.post("/orders/settings/holidays/2030-01-01/remove")

    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(DeliveryHoliday.id))) == 0


@pytest.mark.parametrize("day", ["2030-01-02", "not-a-date", "2030-13-01"])
def test_removing_a_date_that_is_no_holiday_is_not_found(client, admin, day):
    schedule.add_holiday(dt.date(2030, 1, 1), "元旦")

    response = client.post(f"/orders/settings/holidays/{day}/remove")

    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(DeliveryHoliday.id))) == 1


def test_the_page_fits_a_phone_with_labelled_table_cells(client, admin):
    schedule.save_group("TZ", name="团长群", kind="group")
    schedule.add_holiday(dt.date(2030, 1, 1), "元旦")

    page = text(client.get("/orders/settings/"))

    assert 'class="table-wrap"' in page and 'class="responsive"' in page
    assert 'data-label="Code"' in page and 'data-label="Date"' in page
    assert page.count('name="csrf_token"') >= 5


def test_group_search_finds_by_code_or_name_and_takes_wildcards_literally(
    client, admin
):
    schedule.save_group("TZ", name="团长群", kind="group")
    schedule.save_group("R1", name="一号线", kind="route")

    by_name = text(client.get("/orders/settings/?q=一号"))
    wildcard = text(client.get("/orders/settings/?q=%25"))

    assert "一号线" in by_name and "团长群" not in by_name
    assert "一号线" not in wildcard and "No routes or groups yet." in wildcard
