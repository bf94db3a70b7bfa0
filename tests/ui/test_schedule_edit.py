"""The schedule field under a time zone with summer time (America/New_York): the picker
shows local time, the API gets UTC, and the zone label gives the offset of the picked date,
not today's."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone

from app.ui.schedule_edit import ScheduleEdit

ZONE = "America/New_York"


@pytest.fixture(autouse=True)
def new_york() -> Iterator[None]:
    """This process in New York time; Qt and Python follow TZ at once (checked)."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = ZONE
    time.tzset()
    try:
        # Were Qt to cache the zone, every test here would prove nothing.
        assert bytes(QTimeZone.systemTimeZone().id().data()).decode() == ZONE
        assert time.localtime(time.mktime((2030, 7, 1, 9, 0, 0, 0, 0, -1))).tm_gmtoff == -4 * 3600
        yield
    finally:
        if previous is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = previous
        time.tzset()


@pytest.fixture
def edit(qtbot: Any) -> ScheduleEdit:
    widget = ScheduleEdit("Go online at")
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize(
    ("utc_text", "local", "offset"),
    [
        ("2030-07-01T13:00:00.000+00:00", "2030-07-01 09:00", "UTC-04:00"),  # summer time
        ("2030-01-15T14:00:00.000+00:00", "2030-01-15 09:00", "UTC-05:00"),  # winter time
    ],
)
def test_a_stored_schedule_shows_in_local_time_and_round_trips_to_utc(
    edit: ScheduleEdit, utc_text: str, local: str, offset: str
) -> None:
    edit.set_value(utc_text)
    assert edit.enabled.isChecked()
    assert edit.picker.text() == local
    assert edit.zone.text() == f"{ZONE} ({offset})"
    assert edit.value() == utc_text


def test_a_time_picked_in_winter_and_then_summer_is_stored_with_each_dates_offset(
    edit: ScheduleEdit,
) -> None:
    edit.enabled.setChecked(True)
    edit.picker.setDateTime(QDateTime(QDate(2030, 1, 15), QTime(9, 0)))
    assert edit.zone.text() == f"{ZONE} (UTC-05:00)"
    assert edit.value() == "2030-01-15T14:00:00.000+00:00"

    edit.picker.setDate(QDate(2030, 7, 1))  # same 9:00, now in summer time
    assert edit.zone.text() == f"{ZONE} (UTC-04:00)"
    assert edit.value() == "2030-07-01T13:00:00.000+00:00"


def _next_full_hours() -> set[str]:
    """The next full hour now (two, should the hour turn while the test runs)."""
    hours = set()
    for _ in range(2):
        now = QDateTime.currentDateTime()
        hour = QDateTime(now.date(), QTime(now.time().hour(), 0)).addSecs(3600)
        hours.add(hour.toString("yyyy-MM-dd HH:mm:ss"))
    return hours


def test_an_unset_schedule_offers_the_next_full_hour(qtbot: Any) -> None:
    before = _next_full_hours()
    edit = ScheduleEdit("Go online at")
    qtbot.addWidget(edit)
    offered = edit.picker.dateTime().toString("yyyy-MM-dd HH:mm:ss")
    assert offered in before | _next_full_hours()
    assert edit.value() is None


def test_clearing_the_value_forgets_the_previous_publications_time(edit: ScheduleEdit) -> None:
    edit.set_value("2030-07-01T13:00:00.000+00:00")
    before = _next_full_hours()
    edit.set_value(None)
    assert not edit.enabled.isChecked()
    assert edit.value() is None
    offered = edit.picker.dateTime().toString("yyyy-MM-dd HH:mm:ss")
    assert offered in before | _next_full_hours()
    assert edit.zone.text().startswith(f"{ZONE} (UTC-0")
