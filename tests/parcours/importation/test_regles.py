"""The value rules of the legacy file, without the database."""

import datetime

import pytest

from parcours.importation import regles
from parcours.importation.lecture import FichierInvalide, check_header, format_of
from parcours.importation.regles import ValeurInvalide


@pytest.mark.parametrize(
    "value,expected",
    [
        ("12/03/1990", datetime.date(1990, 3, 12)),
        ("1/3/1990", datetime.date(1990, 3, 1)),
        ("1990-03-12", datetime.date(1990, 3, 12)),
        ("1990-03-12 00:00:00", datetime.date(1990, 3, 12)),
        (" 29/02/2024 ", datetime.date(2024, 2, 29)),
        (datetime.date(2020, 1, 1), datetime.date(2020, 1, 1)),
        ("", None),
    ],
)
def test_parse_date(value, expected):
    assert regles.parse_date(value) == expected


@pytest.mark.parametrize("value", ["29/02/2023", "32/01/2020", "2020-13-01", "12-03-1990", "hier"])
def test_parse_date_refuses(value):
    with pytest.raises(ValeurInvalide):
        regles.parse_date(value)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2a", "2a"),
        ("2D", "2d"),
        ("VI", "2b"),
        ("Vbis", "2b"),
        ("V bis", "2b"),
        ("v", "2c"),
        ("IV", "2c"),
        ("III", "2d"),
        ("II", "2d"),
        ("I", "2d"),
        ("", ""),
    ],
)
def test_parse_niveau(value, expected):
    assert regles.parse_niveau(value) == expected


@pytest.mark.parametrize(
    "value,expected", [("oui", True), ("OUI", True), ("Non", False), ("", None), ("1", True), ("0", False)]
)
def test_parse_oui_non(value, expected):
    assert regles.parse_oui_non(value) is expected


@pytest.mark.parametrize(
    "value,expected", [("69001", "69001"), ("1000", "01000"), ("", ""), ("69 001", "69001")]
)
def test_parse_code_postal(value, expected):
    assert regles.parse_code_postal(value) == expected


@pytest.mark.parametrize("value", ["6900", "690011", "ABCDE"])
def test_parse_code_postal_refuses(value):
    if value == "6900":
        assert regles.parse_code_postal(value) == "06900"  # a lost leading zero, not an error
        return
    with pytest.raises(ValeurInvalide):
        regles.parse_code_postal(value)


def test_sexe():
    assert regles.parse_sexe(" f ") == "F"
    with pytest.raises(ValeurInvalide, match="F ou M"):
        regles.parse_sexe("H")


def test_header_and_format():
    assert check_header(["identifiant", "nom"])[0] == "Colonne obligatoire manquante : « prenom »."
    assert format_of("a.CSV") == "csv" and format_of("b.xlsx") == "xlsx"
    with pytest.raises(FichierInvalide, match="sans extension"):
        format_of("fichier")
