import datetime
from types import SimpleNamespace

import pytest

from participants.categories import age_at, categories_publiques

D = datetime.date


def situation(**answers):
    base = {
        "statut_emploi": "non",
        "en_formation": False,
        "recherche_emploi": True,
        "duree_recherche_mois": 3,
        "niveau_formation": "2c",
        "handicap_reconnu": False,
        "minima_sociaux": False,
        "beneficiaire_rsa": False,
    }
    return SimpleNamespace(**{**base, **answers})


@pytest.mark.parametrize(
    ("naissance", "on", "age"),
    [
        (D(2000, 5, 10), D(2026, 5, 9), 25),
        (D(2000, 5, 10), D(2026, 5, 10), 26),
        (D(2000, 2, 29), D(2026, 2, 28), 25),  # born on 29 February: birthday counted from 1 March
        (D(2000, 2, 29), D(2026, 3, 1), 26),
        (D(2004, 2, 29), D(2028, 2, 29), 24),
        (D(1980, 12, 31), D(2025, 12, 30), 44),
        (D(1980, 12, 31), D(2025, 12, 31), 45),
        (None, D(2025, 1, 1), None),
    ],
)
def test_age_at(naissance, on, age):
    assert age_at(naissance, on) == age


@pytest.mark.parametrize(
    ("naissance", "entree", "jeune", "senior", "plus_54"),
    [
        (D(2000, 6, 1), D(2026, 5, 31), True, False, False),  # 25 the day before the 26th birthday
        (D(2000, 6, 1), D(2026, 6, 1), False, False, False),  # 26 on the day
        (D(1981, 6, 1), D(2026, 5, 31), False, False, False),  # 44
        (D(1981, 6, 1), D(2026, 6, 1), False, True, False),  # 45 on the day
        (D(1971, 6, 1), D(2026, 6, 1), False, True, True),  # 55: > 54
        (D(1972, 6, 1), D(2026, 6, 1), False, True, False),  # 54: not > 54
        (D(2000, 6, 1), None, None, None, None),  # no entry date yet: unknown
    ],
)
def test_age_bands_use_the_age_at_entry_not_today(naissance, entree, jeune, senior, plus_54):
    cats = categories_publiques(date_naissance=naissance, date_entree=entree, situation=situation())
    assert (cats.jeune, cats.senior, cats.senior_plus_54) == (jeune, senior, plus_54)


@pytest.mark.parametrize(
    ("answers", "deld"),
    [
        ({"duree_recherche_mois": 11}, False),
        ({"duree_recherche_mois": 12}, True),  # 12 months: long-term
        ({"duree_recherche_mois": 36}, True),
        ({"duree_recherche_mois": None}, None),  # seeking, duration unknown
        ({"recherche_emploi": False, "duree_recherche_mois": None}, False),  # not seeking
        ({"recherche_emploi": None, "duree_recherche_mois": None}, None),
        ({"statut_emploi": "1c", "recherche_emploi": None, "duree_recherche_mois": None}, False),  # in a job
        ({"statut_emploi": "", "recherche_emploi": None}, None),  # Q1 not answered
    ],
)
def test_deld(answers, deld):
    cats = categories_publiques(
        date_naissance=D(1980, 1, 1), date_entree=D(2026, 1, 1), situation=situation(**answers)
    )
    assert cats.deld is deld


@pytest.mark.parametrize(
    ("minima", "rsa", "brsa"),
    [
        (True, True, True),
        (True, False, False),
        (False, False, False),
        (None, None, None),
        (True, None, False),
    ],
)
def test_brsa(minima, rsa, brsa):
    cats = categories_publiques(
        date_naissance=D(1980, 1, 1),
        date_entree=D(2026, 1, 1),
        situation=situation(minima_sociaux=minima, beneficiaire_rsa=rsa),
    )
    assert cats.brsa is brsa


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("handicap_reconnu", True, {"th": True}),
        ("handicap_reconnu", None, {"th": None}),
        ("niveau_formation", "2a", {"faible_niveau": True, "niveau_formation": "2a"}),
        ("niveau_formation", "2b", {"faible_niveau": True}),
        ("niveau_formation", "2c", {"faible_niveau": False}),
        ("niveau_formation", "2d", {"faible_niveau": False}),
        ("niveau_formation", "", {"faible_niveau": None, "niveau_formation": ""}),
    ],
)
def test_th_and_level(field, value, expected):
    cats = categories_publiques(
        date_naissance=D(1980, 1, 1), date_entree=D(2026, 1, 1), situation=situation(**{field: value})
    )
    for name, wanted in expected.items():
        assert getattr(cats, name) == wanted


@pytest.mark.parametrize(
    ("qpv", "nationalite", "expected_qpv", "hors_ue"),
    [
        (True, "hors_ue", True, True),
        (False, "ue", False, False),
        (None, "fr", None, False),
        (None, "", None, None),
    ],
)
def test_qpv_and_nationality(qpv, nationalite, expected_qpv, hors_ue):
    cats = categories_publiques(
        date_naissance=D(1980, 1, 1), date_entree=D(2026, 1, 1), qpv=qpv, nationalite=nationalite
    )
    assert (cats.qpv, cats.hors_ue) == (expected_qpv, hors_ue)


def test_without_situation_everything_from_the_questionnaire_is_unknown():
    cats = categories_publiques(date_naissance=D(1980, 1, 1), date_entree=D(2026, 1, 1))
    assert (cats.deld, cats.brsa, cats.th, cats.niveau_formation) == (None, None, None, "")


def test_labels():
    cats = categories_publiques(
        date_naissance=D(2003, 1, 1),
        date_entree=D(2026, 1, 1),
        situation=situation(duree_recherche_mois=24, minima_sociaux=True, beneficiaire_rsa=True),
        qpv=True,
    )
    assert cats.labels() == ["Jeune (< 26 ans)", "DELD", "BRSA", "QPV"]
