"""The retention rules (``rgpd/conservation.py``), table-driven, no database."""

import datetime

import pytest

from rgpd import conservation
from rgpd.conservation import A_ANONYMISER, OPPOSE, PREAVIS

D = datetime.date
FIN_FSE = D(2033, 12, 31)


@pytest.mark.parametrize(
    ("fin", "annees", "fse", "attendu"),
    [
        (D(2020, 3, 10), 2, False, D(2022, 3, 10)),  # N years after the last parcours
        (D(2020, 3, 10), 2, True, D(2034, 1, 1)),  # FSE data: the control deadline is later
        (D(2033, 6, 1), 5, True, D(2038, 6, 1)),  # FSE data, but N years is later
        (D(2020, 2, 29), 1, False, D(2021, 2, 28)),  # a leap day
    ],
)
def test_echeance(fin, annees, fse, attendu):
    assert conservation.echeance(fin=fin, annees=annees, fse=fse, fin_controle_fse=FIN_FSE) == attendu


TODAY = D(2030, 5, 10)


@pytest.mark.parametrize(
    ("echeance", "opposition", "attendu"),
    [
        (D(2030, 5, 10), None, A_ANONYMISER),  # due today
        (D(2029, 1, 1), None, A_ANONYMISER),  # overdue
        (D(2030, 5, 11), None, PREAVIS),  # within the notice
        (D(2030, 6, 9), None, PREAVIS),  # the notice's last day
        (D(2030, 6, 10), None, None),  # not yet concerned
        (D(2030, 5, 1), D(2030, 9, 1), OPPOSE),  # kept by an objection
        (D(2030, 5, 11), D(2030, 9, 1), OPPOSE),
        (D(2030, 5, 1), D(2030, 5, 9), A_ANONYMISER),  # the objection has expired
        (D(2031, 1, 1), D(2030, 9, 1), None),  # an objection says nothing about the far future
    ],
)
def test_statut(echeance, opposition, attendu):
    got = conservation.statut(
        echeance=echeance, today=TODAY, preavis_jours=30, opposition_jusqu_au=opposition
    )
    assert got == attendu


@pytest.mark.parametrize(
    ("naissance", "references", "attendu"),
    [
        (D(1990, 7, 23), [D(2016, 2, 10)], D(1990, 7, 1)),  # the age at entry is unchanged
        (D(1990, 2, 15), [D(2016, 2, 10)], D(1990, 2, 15)),  # the 1st would make them 26, not 25
        (D(1990, 2, 15), [D(2016, 3, 1), D(2017, 2, 20)], D(1990, 2, 1)),
        (D(1990, 2, 15), [None], D(1990, 2, 1)),
        (D(1990, 2, 1), [D(2016, 2, 1)], D(1990, 2, 1)),
    ],
)
def test_date_naissance_generalisee(naissance, references, attendu):
    assert conservation.date_naissance_generalisee(naissance, references) == attendu
