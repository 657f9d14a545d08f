"""Dates; the values quoted are real ones from ../shared/data (CNAS periods and dates, food-sampling
production and publication dates, a date left in a CNAS method cell) unless marked otherwise."""

from __future__ import annotations

import csv
import glob

import pytest

from loaders.dates import parse_date, parse_period
from tests.conftest import shared


def test_cnas_slash_date():
    assert parse_date("2019/05/22") == "2019-05-22"


def test_iso_date_with_one_digit_month():
    assert parse_date("2015-5-18") == "2015-05-18"


def test_em_dashes_between_parts():
    assert parse_date("2016—05—03") == "2016-05-03"


def test_chinese_date():
    assert parse_date("1999年4月1日") == "1999-04-01"


def test_compact_eight_digits():
    assert parse_date("20180820") == "2018-08-20"


def test_dotted_date():  # not in the shared data; a form bureaus' spreadsheets use
    assert parse_date("2019.05.22") == "2019-05-22"


def test_day_first_with_time_of_day():
    assert parse_date("23-01-2020 12:46:26") == "2020-01-23"


def test_padding_is_ignored():
    assert parse_date("  2019/05/22 \n") == "2019-05-22"


def test_same_date_written_twice_is_that_date():
    assert parse_date("2016-06-10；20160610") == "2016-06-10"


@pytest.mark.parametrize("text", ["42100", "15012501", "140801", "DL04148", "/", "", "2016-03-03/购进x", None])
def test_unreadable_values_give_none(text):
    assert parse_date(text) is None


def test_impossible_calendar_date_gives_none():
    assert parse_date("2019/02/30") is None


def test_cnas_period():
    assert parse_period("2019/04/24 - 2025/04/23") == ("2019-04-24", "2025-04-23")


def test_period_with_an_unreadable_end():  # constructed: the CNAS files always have both ends
    assert parse_period("2019/04/24 - ") == ("2019-04-24", None)


def test_all_real_cnas_periods_and_dates():
    folder = shared("cnas")
    periods = dates = 0
    for path in glob.glob(str(folder / "*" / "*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for col, value in row.items():
                    if value and value[:4].isdigit() and " - " in value:
                        start, end = parse_period(value)
                        assert start and end and start < end, (path, col, value)
                        periods += 1
                    elif col in ("认证开始时间", "认证结束时间") and value:
                        assert parse_date(value), (path, col, value)
                        dates += 1
    assert periods > 30000 and dates > 1200
