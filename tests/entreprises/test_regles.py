"""The employer side's rules (``entreprises/regles.py``): pure functions, table-driven, no database."""

import datetime
from decimal import Decimal

import pytest

from entreprises import regles

D = datetime.date


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("73282932000074", True),  # Luhn key right
        ("732 829 320 00074", True),  # spaces typed
        ("732.829.320.00074", True),
        ("73282932000075", False),  # last digit wrong
        ("73282932000047", False),  # two digits swapped
        ("55208131766522", True),
        ("35600000000048", True),  # La Poste's head office: Luhn
        ("35600000012346", True),  # a La Poste establishment: digit sum 30, a multiple of 5
        ("35600000012345", False),  # La Poste, digit sum 29
        ("7328293200007", False),  # 13 digits
        ("732829320000744", False),  # 15 digits
        ("7328293200007A", False),
        ("", False),
        (None, False),
    ],
)
def test_siret_key(value, valid):
    message = regles.siret_error(value)
    assert (message == "") is valid
    if not valid:
        assert "SIRET" in message


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("0", True), ("18", True), ("79927398713", True), ("79927398710", False), ("00000000000000", True)],
)
def test_luhn(digits, ok):
    assert regles.luhn_ok(digits) is ok


@pytest.mark.parametrize(
    ("code", "valid"),
    [("K2204", True), ("f1703", True), (" N1101 ", True), ("Z1234", False), ("K220", False), ("", False)],
)
def test_rome_code(code, valid):
    assert (regles.rome_error(code) == "") is valid


@pytest.mark.parametrize(
    ("code", "valid"), [("", True), ("56.10A", True), ("5610A", True), ("56.10", False), ("ABCDE", False)]
)
def test_naf_code(code, valid):
    assert (regles.naf_error(code) == "") is valid


@pytest.mark.parametrize(
    ("mois", "debut", "fin", "jours", "plafond"),
    [
        (D(2026, 3, 1), D(2026, 1, 1), D(2026, 12, 31), 31, Decimal(212)),  # 31/7 × 48 = 212.57
        (D(2026, 2, 1), D(2026, 1, 1), D(2026, 12, 31), 28, Decimal(192)),
        (D(2024, 2, 1), D(2024, 1, 1), D(2024, 12, 31), 29, Decimal(198)),  # leap year
        (D(2026, 3, 1), D(2026, 3, 16), D(2026, 12, 31), 16, Decimal(109)),  # starts mid-month
        (D(2026, 3, 1), D(2026, 1, 1), D(2026, 3, 7), 7, Decimal(48)),  # ends after a week
        (D(2027, 1, 1), D(2026, 1, 1), D(2026, 12, 31), 0, Decimal(0)),  # outside
    ],
)
def test_hours_ceiling_of_a_month(mois, debut, fin, jours, plafond):
    assert regles.jours_dans_periode(mois, debut, fin) == jours
    assert regles.heures_max_du_mois(mois, debut, fin) == plafond


@pytest.mark.parametrize(
    ("mois", "heures", "fragment"),
    [
        (D(2026, 3, 1), Decimal(151.67), ""),
        (D(2026, 3, 1), Decimal(212), ""),
        (D(2026, 3, 1), Decimal(213), "dépasse 48 h par semaine"),
        (D(2026, 3, 1), Decimal(0), "positif"),
        (D(2026, 3, 1), None, "positif"),
        (D(2025, 12, 1), Decimal(10), "hors de la période"),
        (D(2027, 1, 1), Decimal(10), "hors de la période"),
    ],
)
def test_hours_of_a_month(mois, heures, fragment):
    message = regles.heures_mois_error(mois=mois, heures=heures, debut=D(2026, 1, 1), fin=D(2026, 12, 31))
    assert (fragment in message) if fragment else message == ""


@pytest.mark.parametrize(
    ("heures", "etp"),
    [(0, Decimal("0.00")), (1607, Decimal("1.00")), (3214, Decimal("2.00")), (800, Decimal("0.50"))],
)
def test_full_time_equivalent(heures, etp):
    assert regles.etp(heures) == etp


@pytest.mark.parametrize(
    ("sortie", "echeance", "relance"),
    [
        (D(2026, 3, 15), D(2026, 9, 15), D(2026, 10, 15)),
        (D(2026, 8, 31), D(2027, 2, 28), D(2027, 3, 31)),  # month end clamped
        (D(2027, 8, 31), D(2028, 2, 29), D(2028, 3, 31)),  # into a leap February
        (D(2026, 7, 31), D(2027, 1, 31), D(2027, 2, 28)),
        (D(2026, 12, 31), D(2027, 6, 30), D(2027, 7, 31)),  # across the year
        (D(2026, 5, 31), D(2026, 11, 30), D(2026, 12, 31)),
    ],
)
def test_follow_up_due_dates_across_month_ends(sortie, echeance, relance):
    assert regles.echeance_suivi(sortie) == echeance
    assert regles.relance_suivi(sortie) == relance


@pytest.mark.parametrize(
    ("today", "releve", "etat"),
    [
        (D(2026, 9, 14), False, "a_venir"),
        (D(2026, 9, 15), False, "a_faire"),
        (D(2026, 10, 14), False, "a_faire"),
        (D(2026, 10, 15), False, "relance"),
        (D(2027, 1, 1), True, "fait"),
    ],
)
def test_follow_up_state(today, releve, etat):
    assert regles.etat_suivi(D(2026, 3, 15), today, releve=releve) == etat


@pytest.mark.parametrize(
    ("offre", "participant", "fits"),
    [
        (("F1703", "47000", Decimal(35)), ({"F1703"}, "47520", Decimal(35)), True),
        (("F1703", "47000", Decimal(35)), ({"K2204"}, "47520", None), False),  # another job
        (("F1703", "47000", Decimal(35)), (set(), "33000", None), False),  # another département
        (("F1703", "47000", Decimal(35)), (set(), "", Decimal(24)), False),  # too many hours
        (("F1703", "47000", None), (set(), "", Decimal(24)), True),  # hours unknown
        (("F1703", "", Decimal(20)), ({"F1703"}, "33000", Decimal(24)), True),  # place unknown
    ],
)
def test_offer_fits_a_participant(offre, participant, fits):
    rome, cp, heures = offre
    codes, code_postal, heures_max = participant
    assert (
        regles.offre_convient(
            offre_rome=rome,
            offre_code_postal=cp,
            offre_heures=heures,
            codes_rome=codes,
            code_postal=code_postal,
            heures_max=heures_max,
        )
        is fits
    )
