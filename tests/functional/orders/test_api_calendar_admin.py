"""The ordering calendar's administration through the API (admin only): settings,
holidays, ordering groups and routes."""

import datetime as dt

import pytest

from supplychain.orders import schedule
from tests.factories import MerchantFactory, UserFactory, merchant_user
from tests.functional.orders import ORDERS, error_of, local_today, written

GROUPS = "/api/v1/ordering-groups"


@pytest.fixture
def admin(auth_headers):
    return auth_headers(UserFactory(role="admin"))


def test_settings_show_the_defaults_until_changed(client, admin):
    response = client.get(ORDERS + "/settings", headers=admin)

    assert response.status_code == 200
    assert response.json == {
        "cutoff_time": "22:00",
        "delivery_weekdays": "1234567",
        "lead_days": 1,
        "horizon_days": 14,
        "timezone": "Asia/Shanghai",
    }


def test_changing_settings_keeps_fields_left_out_and_moves_the_calendar(
    client, admin, auth_headers
):
    shop = auth_headers(merchant_user())

    response = client.put(
        ORDERS + "/settings",
        headers=admin,
        json={"cutoff_time": "17:30", "delivery_weekdays": "531"},
    )
    calendar = client.get(ORDERS + "/calendar", headers=shop).json

    assert response.status_code == 200, response.json
    assert response.json["cutoff_time"] == "17:30"
    assert response.json["delivery_weekdays"] == "135"
    assert (response.json["lead_days"], response.json["horizon_days"]) == (1, 14)
    assert client.get(ORDERS + "/settings", headers=admin).json == response.json
    assert calendar["cutoff_time"] == "17:30"
    assert dt.date.fromisoformat(calendar["next_delivery_date"]).isoweekday() in (
        1,
        3,
        5,
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"cutoff_time": "25:00"}, "cutoff_time"),
        ({"cutoff_time": "9:00"}, "cutoff_time"),
        ({"cutoff_time": 2200}, "cutoff_time"),
        ({"delivery_weekdays": "089"}, "delivery_weekdays"),
        ({"delivery_weekdays": ""}, "delivery_weekdays"),
        ({"lead_days": 0}, "lead_days"),
        ({"lead_days": "2"}, "lead_days"),
        ({"horizon_days": 91}, "horizon_days"),
        ({"timezone": "Europe/Berlin"}, "timezone"),
        ({"cutoff": "22:00"}, "cutoff"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(client, admin, body, field):
    before = written()

    response = client.put(ORDERS + "/settings", headers=admin, json=body)

    status, code, details = error_of(response)
    assert (status, code) == (422, "validation_error")
    assert field in details
    assert written() == before
    assert schedule.settings().cutoff_time == dt.time(22, 0)


def test_holidays_are_added_listed_and_removed(client, admin, auth_headers):
    shop = auth_headers(merchant_user())
    day = local_today() + dt.timedelta(days=2)

    added = client.post(
        ORDERS + "/holidays",
        headers=admin,
        json={"date": day.isoformat(), "name": "春节"},
    )
    listed = client.get(ORDERS + "/holidays", headers=admin)
    open_dates = client.get(ORDERS + "/calendar", headers=shop).json["open_dates"]
    removed = client.delete(f"{ORDERS}/holidays/{day}", headers=admin)
    gone = client.delete(f"{ORDERS}/holidays/{day}", headers=admin)

    assert added.status_code == 201, added.json
    assert added.json == {"date": day.isoformat(), "name": "春节"}
    assert listed.json == [added.json]
    assert listed.headers["X-Total-Count"] == "1"
    assert day.isoformat() not in [d["delivery_date"] for d in open_dates]
    assert removed.status_code == 204
    assert error_of(gone)[:2] == (404, "not_found")
    assert client.get(ORDERS + "/holidays", headers=admin).json == []


def test_bad_holidays_are_refused(client, admin):
    day = (local_today() + dt.timedelta(days=2)).isoformat()
    client.post(ORDERS + "/holidays", headers=admin, json={"date": day})

    twice = client.post(ORDERS + "/holidays", headers=admin, json={"date": day})
    not_a_date = client.post(ORDERS + "/holidays", headers=admin, json={"date": "soon"})
    no_date = client.post(ORDERS + "/holidays", headers=admin, json={"name": "x"})
    bad_path = client.delete(ORDERS + "/holidays/tomorrow", headers=admin)

    assert "date" in error_of(twice)[2]
    assert error_of(twice)[0] == 422
    assert error_of(not_a_date)[2] == {"date": ["Not a valid date."]}
    assert error_of(no_date)[2] == {"date": ["Missing data for required field."]}
    assert error_of(bad_path)[:2] == (404, "not_found")
    assert len(client.get(ORDERS + "/holidays", headers=admin).json) == 1


def test_a_route_is_created_changed_listed_and_applies_to_its_merchants(
    client, admin, auth_headers
):
    merchant = MerchantFactory(code="M-WEST")
    shop = auth_headers(merchant_user(merchant))

    created = client.put(
        GROUPS + "/R-WEST",
        headers=admin,
        json={"name": "西湖线", "kind": "route", "cutoff_time": "18:00"},
    )
    schedule.assign_group("M-WEST", "R-WEST", kind="route")
    changed = client.put(
        GROUPS + "/R-WEST",
        headers=admin,
        json={
            "name": "西湖线",
            "kind": "route",
            "cutoff_time": "19:15",
            "delivery_weekdays": "246",
        },
    )
    client.put(GROUPS + "/G-TUAN", headers=admin, json={"name": "团长"})
    calendar = client.get(ORDERS + "/calendar", headers=shop).json

    assert created.status_code == 200, created.json
    assert created.json == {
        "code": "R-WEST",
        "name": "西湖线",
        "kind": "route",
        "cutoff_time": "18:00",
        "delivery_weekdays": None,
    }
    assert changed.json["cutoff_time"] == "19:15"
    assert client.get(GROUPS + "/R-WEST", headers=admin).json == changed.json
    assert [g["code"] for g in client.get(GROUPS, headers=admin).json] == [
        "G-TUAN",
        "R-WEST",
    ]
    assert [
        g["code"] for g in client.get(GROUPS + "?kind=group", headers=admin).json
    ] == ["G-TUAN"]
    assert (calendar["cutoff_time"], calendar["delivery_weekdays"]) == ("19:15", "246")


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x", "kind": "zone"}, "kind"),
        ({"name": "x", "cutoff_time": "7pm"}, "cutoff_time"),
        ({"name": "x", "delivery_weekdays": "8"}, "delivery_weekdays"),
        ({"name": "x", "code": "OTHER"}, "code"),
    ],
)
def test_bad_groups_are_refused_and_change_nothing(client, admin, body, field):
    before = written()

    response = client.put(GROUPS + "/G1", headers=admin, json=body)

    status, code, details = error_of(response)
    assert (status, code) == (422, "validation_error")
    assert field in details
    assert written() == before


def test_an_unknown_group_is_404(client, admin):
    assert error_of(client.get(GROUPS + "/NOPE", headers=admin))[:2] == (
        404,
        "not_found",
    )
