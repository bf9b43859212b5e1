"""The rules of a week's time sheet (``finances.temps``), table-driven, no database."""

import datetime
from decimal import Decimal

import pytest

from finances import temps
from finances.enums import StatutFiche
from finances.temps import LigneOperation, Saisie

D = datetime.date
H = Decimal
LUNDI = D(2026, 3, 2)
OPS = {
    1: LigneOperation(1, "ACC-1", D(2026, 1, 1), D(2026, 12, 31), ((D(2026, 1, 1), D(2026, 3, 3)),)),
    2: LigneOperation(2, "ACC-2", D(2026, 3, 4), D(2026, 12, 31), ((D(2026, 1, 1), D(2026, 12, 31)),)),
}


@pytest.mark.parametrize(
    "saisies, contrat, expected",
    [
        ([Saisie(LUNDI, 1, H("7"))], H("7"), []),
        ([Saisie(LUNDI, 1, H("4")), Saisie(LUNDI, None, H("3"))], H("7"), []),
        ([Saisie(LUNDI, 1, H("0"))], H("7"), []),  # an empty cell is nothing
        (
            [Saisie(LUNDI, 1, H("6")), Saisie(LUNDI, None, H("5"))],
            H("12"),
            ["Lundi 02/03/2026 : 11,00 h saisies, au-delà du maximum de 10,00 h par jour."],
        ),
        (
            [Saisie(LUNDI, 1, H("7.5"))],
            H("7"),
            ["Lundi 02/03/2026 : 7,50 h saisies, au-delà des 7,00 h par jour du contrat."],
        ),
        (
            [Saisie(LUNDI, None, H("-1"))],
            H("7"),
            ["Lundi 02/03/2026, ligne « Hors opération » : les heures ne peuvent pas être négatives."],
        ),
        (
            [Saisie(LUNDI, 1, H("1.125"))],
            H("7"),
            ["Lundi 02/03/2026, ligne « ACC-1 » : deux décimales au plus (1,50 pour une heure et demie)."],
        ),
        (
            [Saisie(D(2026, 3, 3), 2, H("2"))],
            H("7"),
            [
                "Mardi 03/03/2026, ligne « ACC-2 » : ce jour est hors de la période de l'opération "
                "(du 04/03/2026 au 31/12/2026)."
            ],
        ),
        (
            [Saisie(D(2026, 3, 4), 1, H("2"))],
            H("7"),
            [
                "Mercredi 04/03/2026, ligne « ACC-1 » : ce jour est hors de l'affectation de la "
                "personne à l'opération."
            ],
        ),
        (
            [Saisie(LUNDI, 9, H("2"))],
            H("7"),
            ["Lundi 02/03/2026, ligne « n° 9 » : la personne n'est pas affectée à cette opération."],
        ),
    ],
)
def test_erreurs_semaine(saisies, contrat, expected):
    assert temps.erreurs_semaine(saisies, operations=OPS, heures_contrat_jour=contrat) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", H("0")),
        ("7,5", H("7.5")),
        (" 7.50 ", H("7.50")),
        ("abc", None),
        ("nan", None),
        ("1e3", H("1000")),
    ],
)
def test_parse_heures(text, expected):
    assert temps.parse_heures(text) == expected


@pytest.mark.parametrize(
    "statut, expected",
    [
        (None, "non remplie"),
        (StatutFiche.BROUILLON, "à signer"),
        (StatutFiche.SIGNEE, "à valider"),
        (StatutFiche.VALIDEE, None),
    ],
)
def test_etat_semaine(statut, expected):
    assert temps.etat_semaine(statut) == expected


def test_semaines_a_suivre_stops_at_today():
    assert temps.semaines_a_suivre(D(2026, 3, 4), D(2026, 12, 31), D(2026, 3, 16)) == [
        D(2026, 3, 2),
        D(2026, 3, 9),
        D(2026, 3, 16),
    ]
    assert temps.lundi(D(2026, 3, 8)) == LUNDI
