"""On PostgreSQL, ``timestamptz`` values are read by psycopg's C loader
(``fengqiao.core.db.postgresql``): the same aware UTC datetimes Django's own loader gave."""

import datetime as dt

import pytest
from django.db import connection

from fengqiao.core.db.postgresql import _utc_loader

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@pytest.mark.django_db
def test_timestamps_are_read_by_the_c_loader_as_utc():
    # Given a connection opened by Django
    with connection.cursor() as cursor:
        # When it reads instants written with offsets, fractions and the extremes
        cursor.execute(
            "SELECT '2026-03-01 12:00:00.5+08'::timestamptz, '2026-03-01 04:00+00'::timestamptz,"
            " '0001-01-01 00:00+00'::timestamptz, '9999-12-31 23:59:59.999999+00'::timestamptz,"
            " NULL::timestamptz"
        )
        row = cursor.fetchone()
        loader = cursor.cursor.adapters.get_loader(1184, 0)

    # Then they are the instants, in Django's UTC, read by the C loader
    assert loader is _utc_loader()
    assert row == (
        dt.datetime(2026, 3, 1, 4, 0, 0, 500000, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 4, 0, tzinfo=dt.UTC),
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        None,
    )
    assert all(value.tzinfo is dt.UTC for value in row[:4])
