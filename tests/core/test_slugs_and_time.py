"""Pure domain helpers: slugs, timestamps, scopes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from app.core.enums import KeyScope
from app.core.slugs import is_valid_slug, slugify, unique_slug
from app.core.timestamps import format_datetime, parse_datetime


def test_slugify_folds_accents_and_punctuation() -> None:
    assert slugify("Crème Brûlée: Winter 2014!") == "creme-brulee-winter-2014"
    assert slugify("!!!") == "publication"


@given(st.text(max_size=300))
def test_slugify_always_gives_a_valid_slug(title: str) -> None:
    assert is_valid_slug(slugify(title))


def test_unique_slug_counts_up() -> None:
    taken = {"sale", "sale-2"}
    assert unique_slug("sale", taken.__contains__) == "sale-3"
    assert unique_slug("new", taken.__contains__) == "new"


def test_datetimes_are_written_in_utc_with_milliseconds() -> None:
    moment = datetime(2015, 1, 28, 16, 5, 28, 309000, tzinfo=timezone(timedelta(hours=1)))
    assert format_datetime(moment) == "2015-01-28T15:05:28.309+00:00"


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)))
def test_parse_format_round_trip_to_the_millisecond(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC, microsecond=moment.microsecond // 1000 * 1000)
    text = format_datetime(aware)
    assert text is not None and parse_datetime(text) == aware


def test_parse_accepts_z_and_naive_as_utc() -> None:
    assert parse_datetime("2014-09-25T15:17:20Z") == datetime(2014, 9, 25, 15, 17, 20, tzinfo=UTC)
    assert parse_datetime("2014-09-25T15:17:20") == datetime(2014, 9, 25, 15, 17, 20, tzinfo=UTC)


def test_scopes_include_the_lower_ones() -> None:
    assert KeyScope.ADMIN.allows(KeyScope.WRITE) and KeyScope.WRITE.allows(KeyScope.READ)
    assert not KeyScope.READ.allows(KeyScope.WRITE)
