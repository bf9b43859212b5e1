"""Cost rules (``finances.couts``): partial months, flat rates, rounding — no database."""

import datetime
from decimal import Decimal

import pytest

from finances import couts
from finances.couts import Affect

D = datetime.date
H = Decimal
ANNEE = Affect("temps_trace", D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.parametrize(
    "month, salaire, travaillees, affectation, tracees, expected",
    [
        # 3 000 € × 70 h / 151,67 h = 1 384,58 (1384.5849…)
        (D(2026, 3, 1), H("3000"), H("151.67"), ANNEE, H("70"), H("1384.58")),
        # rounding half up on the cent: 1 000 × 1 / 8 = 125.00; 100 × 1 / 3 = 33.33
        (D(2026, 3, 1), H("100"), H("3"), ANNEE, H("1"), H("33.33")),
        (D(2026, 3, 1), H("0.05"), H("2"), ANNEE, H("1"), H("0.03")),  # 0.025 → 0.03
        # partial month: arrived on 16 March, paid half, 75,83 h worked, 40 h traced
        (D(2026, 3, 1), H("1500"), H("75.83"), ANNEE, H("40"), H("791.24")),
        (D(2026, 3, 1), None, H("151.67"), ANNEE, H("70"), H("0")),  # no salary entered
        (D(2026, 3, 1), H("3000"), H("0"), ANNEE, H("70"), H("0")),  # no worked hours
        # fixed 40 %, whole month
        (
            D(2026, 3, 1),
            H("3000"),
            None,
            Affect("pourcentage", D(2026, 1, 1), D(2026, 12, 31), H("40")),
            0,
            H("1200.00"),
        ),
        # fixed 40 % from 16 March: 16/31 of the month
        (
            D(2026, 3, 1),
            H("3000"),
            None,
            Affect("pourcentage", D(2026, 3, 16), D(2026, 12, 31), H("40")),
            0,
            H("619.35"),
        ),
        # full time until 14 February (28-day month): 14/28
        (
            D(2026, 2, 1),
            H("2800"),
            None,
            Affect("temps_plein", D(2026, 1, 1), D(2026, 2, 14)),
            0,
            H("1400.00"),
        ),
        # full time, month outside the assignment
        (D(2026, 4, 1), H("2800"), None, Affect("temps_plein", D(2026, 1, 1), D(2026, 2, 14)), 0, H("0.00")),
    ],
)
def test_cout_personnel_mois(month, salaire, travaillees, affectation, tracees, expected):
    got = couts.cout_personnel_mois(
        month=month,
        salaire=salaire,
        heures_travaillees=travaillees,
        affectation=affectation,
        heures_tracees=tracees,
    )
    assert got == expected


def test_lines_are_rounded_then_summed():
    lines = [
        couts.cout_personnel_mois(
            month=D(2026, m, 1),
            salaire=H("100"),
            heures_travaillees=H("3"),
            affectation=ANNEE,
            heures_tracees=H("1"),
        )
        for m in (1, 2, 3)
    ]
    assert sum(lines) == H("99.99")  # not 100.00: each line is rounded first


@pytest.mark.parametrize(
    "base, taux, expected",
    [(H("10000"), H("15"), H("1500.00")), (H("1234.57"), H("15"), H("185.19")), (H("0"), H("20"), H("0.00"))],
)
def test_forfait_indirects(base, taux, expected):
    assert couts.forfait_indirects(base, taux) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (H("1234.56"), "1\u00a0234,56\u00a0€"),
        (H("0"), "0,00\u00a0€"),
        (H("1234567.891"), "1\u00a0234\u00a0567,89\u00a0€"),
        (H("-12.5"), "-12,50\u00a0€"),
        (H("999"), "999,00\u00a0€"),
    ],
)
def test_montant_fr(value, expected):
    assert couts.montant_fr(value) == expected


def test_resources_never_exceed_expenses():
    assert couts.erreur_ressources(depenses=H("100"), ressources=H("100"), nature="prévues") is None
    assert couts.erreur_ressources(depenses=H("100"), ressources=H("100.01"), nature="prévues") == (
        "Ressources prévues : 100,01\u00a0€ dépassent les dépenses prévues (100,00\u00a0€) ; "
        "une opération ne dégage pas d'excédent."
    )


def test_months_and_days():
    assert couts.mois_de(D(2026, 1, 15), D(2026, 3, 1)) == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    assert couts.jours_couverts(D(2026, 3, 1), D(2026, 3, 16), D(2026, 12, 31)) == 16
    assert couts.taux(H("40"), H("100")) == H("40.00") and couts.taux(1, 0) is None
