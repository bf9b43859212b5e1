"""Dates written and read jj/mm/aaaa (``plie.core.dates``): no database."""

import datetime

import pytest

from plie.core.dates import (
    INPUT_FORMATS,
    DateInvalide,
    format_date,
    mois_court,
    mois_long,
    parse_date,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 3, 5), "05/03/2026"),
        (datetime.date(2024, 2, 29), "29/02/2024"),
        (datetime.date(2026, 12, 31), "31/12/2026"),
        (datetime.datetime(2026, 1, 2, 14, 30), "02/01/2026"),
        (None, ""),
    ],
)
def test_format_date(day, expected):
    assert format_date(day) == expected


def test_format_date_says_what_it_is_told_when_there_is_no_date():
    assert format_date(None, empty="Non renseignée") == "Non renseignée"
    assert format_date(datetime.date(2026, 3, 5), empty="Non renseignée") == "05/03/2026"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12/03/1990", datetime.date(1990, 3, 12)),
        ("1/3/1990", datetime.date(1990, 3, 1)),
        ("29/02/2024", datetime.date(2024, 2, 29)),
        (" 29/02/2024 ", datetime.date(2024, 2, 29)),
        ("1990-03-12", datetime.date(1990, 3, 12)),
        ("2024-02-29", datetime.date(2024, 2, 29)),
        ("1990-03-12 00:00:00", datetime.date(1990, 3, 12)),
        (datetime.date(2020, 1, 1), datetime.date(2020, 1, 1)),
        (datetime.datetime(2020, 1, 1, 0, 0), datetime.date(2020, 1, 1)),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_date(value, expected):
    parsed = parse_date(value)
    assert parsed == expected
    assert type(parsed) is (datetime.date if expected else type(None))


@pytest.mark.parametrize(
    ("value", "raison", "message"),
    [
        ("29/02/2023", "inexistante", "« 29/02/2023 » n'est pas une date qui existe."),
        ("31/04/2026", "inexistante", "« 31/04/2026 » n'est pas une date qui existe."),
        ("32/01/2020", "inexistante", "« 32/01/2020 » n'est pas une date qui existe."),
        ("2020-13-01", "inexistante", "« 2020-13-01 » n'est pas une date qui existe."),
        ("00/01/2020", "inexistante", "« 00/01/2020 » n'est pas une date qui existe."),
        ("12-03-1990", "format", "« 12-03-1990 » n'est pas une date au format jj/mm/aaaa ou aaaa-mm-jj."),
        ("12/03/90", "format", "« 12/03/90 » n'est pas une date au format jj/mm/aaaa ou aaaa-mm-jj."),
        ("hier", "format", "« hier » n'est pas une date au format jj/mm/aaaa ou aaaa-mm-jj."),
        (
            "1990-03-12 10:00",
            "format",
            "« 1990-03-12 10:00 » n'est pas une date au format jj/mm/aaaa ou aaaa-mm-jj.",
        ),
    ],
)
def test_parse_date_refuses_with_a_french_message(value, raison, message):
    with pytest.raises(DateInvalide) as error:
        parse_date(value)
    assert error.value.raison == raison
    assert error.value.valeur == value
    assert str(error.value) == message
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1/2/2026", datetime.date(2026, 2, 1)),
        (" 01/02/2026 ", datetime.date(2026, 2, 1)),
        ("29/02/2024", datetime.date(2024, 2, 29)),
        ("", None),
    ],
)
def test_parse_date_without_iso(value, expected):
    assert parse_date(value, iso=False) == expected


def test_parse_date_without_iso_refuses_iso():
    with pytest.raises(DateInvalide) as error:
        parse_date("2026-01-01", iso=False)
    assert str(error.value) == "« 2026-01-01 » n'est pas une date au format jj/mm/aaaa."
    assert error.value.raison == "format"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/03/2026", datetime.date(2026, 3, 5)),
        ("29/02/2024", datetime.date(2024, 2, 29)),
        ("", None),
    ],
)
def test_strict_parse_date(value, expected):
    assert parse_date(value, strict=True) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5/3/2026", "« 5/3/2026 » n'est pas une date au format jj/mm/aaaa."),
        ("2026-03-05", "« 2026-03-05 » n'est pas une date au format jj/mm/aaaa."),
        (" 05/03/2026", "«  05/03/2026 » n'est pas une date au format jj/mm/aaaa."),
        ("21/6/96", "« 21/6/96 » n'est pas une date au format jj/mm/aaaa."),
        ("29/02/2023", "« 29/02/2023 » n'est pas une date qui existe."),
    ],
)
def test_strict_parse_date_wants_exactly_dd_mm_yyyy(value, message):
    with pytest.raises(DateInvalide) as error:
        parse_date(value, strict=True)
    assert str(error.value) == message


@pytest.mark.parametrize(
    "day", [datetime.date(2024, 2, 29), datetime.date(1999, 12, 31), datetime.date(2026, 1, 1)]
)
def test_what_is_formatted_parses_back(day):
    assert parse_date(format_date(day)) == day
    assert parse_date(format_date(day), strict=True) == day
    assert [datetime.datetime.strptime(f"{day:{layout}}", layout).date() for layout in INPUT_FORMATS] == [
        day,
        day,
    ]


def test_month_names():
    assert mois_court(datetime.date(2026, 1, 15)) == "janv. 26"
    assert mois_court(datetime.date(2025, 8, 1)) == "août 25"
    assert mois_long(2017, 2) == "février 2017"
    assert mois_long(2017, 12) == "décembre 2017"
