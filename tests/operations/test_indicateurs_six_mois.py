"""The FSE+ longer-term result indicators (EECR05, EECR06) fed by the six-month follow-ups: the
rule on plain values (table-driven, no database), then on enrolments counted by hand, in the
bilan (JSON, XLSX, PDF) and on the operation's results page, masked for aggregate readers."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from entreprises import services
from entreprises.models import SuiviSixMois
from operations.indicateurs_fse import (
    LONG_TERME,
    indicateurs_six_mois,
    realises_sur_dus,
    resultat_six_mois,
    totaliser_six_mois,
)
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import ParcoursFactory

D = datetime.date
DEBUT, FIN = D(2026, 1, 1), D(2026, 12, 31)
EMPLOI_ENTREE = "1b"  # in lasting employment at entry
SANS_EMPLOI = "1e"

# (case, exit from the PLIE, today, situation, employed at entry, improved, expected counts)
CASES = [
    ("parcours goes on: no follow-up", None, D(2027, 9, 1), None, False, None, ("sans_suivi",)),
    ("not yet due the day before", D(2026, 6, 15), D(2026, 12, 14), None, False, None, ("suivis_a_venir",)),
    (
        "due on the day",
        D(2026, 6, 15),
        D(2026, 12, 15),
        None,
        False,
        None,
        ("suivis_dus", "suivis_a_relever"),
    ),
    # 31/08 + 6 months = 28/02 (no 31 February): due on 28/02/2027, not on 27/02
    ("month end clamped: 27/02", D(2026, 8, 31), D(2027, 2, 27), None, False, None, ("suivis_a_venir",)),
    (
        "month end clamped: 28/02",
        D(2026, 8, 31),
        D(2027, 2, 28),
        None,
        False,
        None,
        ("suivis_dus", "suivis_a_relever"),
    ),
    # an exit on 31/12 falls due on 30/06 of the next year
    ("year boundary", D(2026, 12, 31), D(2027, 6, 29), "emploi", False, None, ("suivis_a_venir",)),
    (
        "year boundary, due",
        D(2026, 12, 31),
        D(2027, 6, 30),
        "emploi",
        False,
        None,
        ("suivis_dus", "suivis_realises", "emploi_six_mois"),
    ),
    (
        "unknown situation",
        D(2026, 3, 1),
        D(2027, 1, 1),
        "inconnu",
        True,
        None,
        ("suivis_dus", "suivis_inconnus"),
    ),
    (
        "seeking a job",
        D(2026, 3, 1),
        D(2027, 1, 1),
        "recherche",
        True,
        None,
        ("suivis_dus", "suivis_realises"),
    ),
    ("training", D(2026, 3, 1), D(2027, 1, 1), "formation", False, None, ("suivis_dus", "suivis_realises")),
    (
        "self-employed",
        D(2026, 3, 1),
        D(2027, 1, 1),
        "independant",
        False,
        None,
        ("suivis_dus", "suivis_realises", "emploi_six_mois"),
    ),
    (
        "employed at entry, improved",
        D(2026, 3, 1),
        D(2027, 1, 1),
        "emploi",
        True,
        True,
        ("suivis_dus", "suivis_realises", "emploi_six_mois", "amelioree_six_mois"),
    ),
    (
        "employed at entry, not improved",
        D(2026, 3, 1),
        D(2027, 1, 1),
        "emploi",
        True,
        False,
        ("suivis_dus", "suivis_realises", "emploi_six_mois"),
    ),
    # a job found by someone out of work at entry is EECR05, never EECR06
    (
        "out of work at entry, « improved »",
        D(2026, 3, 1),
        D(2027, 1, 1),
        "emploi",
        False,
        True,
        ("suivis_dus", "suivis_realises", "emploi_six_mois"),
    ),
]


@pytest.mark.parametrize(
    ("sortie_plie", "aujourd_hui", "situation", "en_emploi", "amelioree", "attendu"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_longer_term_rule(sortie_plie, aujourd_hui, situation, en_emploi, amelioree, attendu):
    assert (
        resultat_six_mois(
            sortie_plie=sortie_plie,
            aujourd_hui=aujourd_hui,
            situation=situation,
            en_emploi_entree=en_emploi,
            amelioree=amelioree,
        )
        == attendu
    )


def test_the_totals_add_up_and_every_key_is_there():
    lignes = [
        (D(2026, 3, 1), "emploi", True, EMPLOI_ENTREE),
        (D(2026, 3, 1), "inconnu", None, SANS_EMPLOI),
        (D(2026, 3, 1), None, None, SANS_EMPLOI),
        (D(2026, 12, 31), None, None, SANS_EMPLOI),
        (None, None, None, SANS_EMPLOI),
    ]
    figures = totaliser_six_mois(lignes, D(2027, 1, 20))
    long_terme = figures["long_terme"]
    assert set(long_terme) == {cle for cle, _ in LONG_TERME}
    assert (
        long_terme["suivis_dus"]
        == 3
        == (long_terme["suivis_realises"] + long_terme["suivis_inconnus"] + long_terme["suivis_a_relever"])
    )
    assert (long_terme["suivis_a_venir"], long_terme["sans_suivi"]) == (1, 1)
    assert (long_terme["emploi_six_mois"], long_terme["amelioree_six_mois"]) == (1, 1)
    assert figures["situations"] == {
        "emploi": 1,
        "independant": 0,
        "formation": 0,
        "recherche": 0,
        "inactif": 0,
        "inconnu": 1,
    }
    assert realises_sur_dus(figures) == "1 / 3"
    assert realises_sur_dus({}) == ""  # a bilan stored before the section existed


NAISSANCE = D(1985, 3, 14)
IDENTITE = {
    "code_commune_naissance": "69123",
    "adresse": "1 rue Neuve",
    "code_postal": "69001",
    "commune": "Lyon",
    "telephone": "0601020304",
}


def sortie(
    operation, date_sortie, *, situation=None, statut_entree=SANS_EMPLOI, amelioree=None, plie_continue=False
):
    """An enrolment of ``operation`` left on ``date_sortie`` with its parcours (left the same
    day unless ``plie_continue``) and, if ``situation``, its six-month follow-up."""
    participant = ParticipantFactory(plie=operation.plie, date_naissance=NAISSANCE, **IDENTITE)
    parcours = ParcoursFactory(
        plie=operation.plie,
        participant=participant,
        **({} if plie_continue else {"sorti": True, "date_sortie": date_sortie}),
    )
    inscription = InscriptionFactory(
        operation=operation,
        participant=participant,
        parcours=parcours,
        complete=True,
        statut_emploi=statut_entree,
        date_sortie=date_sortie,
    )
    if situation:
        SuiviSixMois.objects.create(
            parcours=parcours,
            situation=situation,
            situation_amelioree=amelioree,
            date_releve=date_sortie + datetime.timedelta(days=200),
        )
    return inscription


@pytest.fixture
def annee_2026(world):
    """PLIE A's enrolments left in 2026, and two that do not count (left in 2027, PLIE B)."""
    operation = OperationFactory(plie=world.plie_a, date_debut=D(2026, 1, 1), date_fin=D(2027, 12, 31))
    sortie(operation, D(2026, 3, 10), situation="emploi", statut_entree=EMPLOI_ENTREE, amelioree=True)
    sortie(operation, D(2026, 4, 30), situation="independant")
    sortie(operation, D(2026, 5, 31), situation="recherche")
    sortie(operation, D(2026, 6, 2), situation="inconnu")
    sortie(operation, D(2026, 6, 20))  # due, not recorded
    sortie(operation, D(2026, 8, 31))  # due 28/02/2027: still to come on 20/01/2027
    sortie(operation, D(2026, 12, 31), situation="emploi")  # recorded early in a test: not due
    sortie(operation, D(2026, 9, 30), plie_continue=True)  # carried over, the parcours goes on
    sortie(operation, D(2027, 1, 2), situation="emploi")  # across the year boundary: 2027's
    autre = OperationFactory(plie=world.plie_b, date_debut=D(2026, 1, 1), date_fin=D(2026, 12, 31))
    sortie(autre, D(2026, 3, 10), situation="emploi")
    return operation


def test_the_indicators_of_a_year_counted_by_hand(world, annee_2026, django_assert_num_queries):
    from operations.models import Inscription

    with django_assert_num_queries(1):  # the enrolments left, their parcours and follow-up joined
        figures = indicateurs_six_mois(
            Inscription.objects.filter(operation__plie=world.plie_a), DEBUT, FIN, D(2027, 1, 20)
        )
    assert figures["long_terme"] == {
        "suivis_dus": 5,
        "suivis_realises": 3,
        "suivis_inconnus": 1,
        "suivis_a_relever": 1,
        "suivis_a_venir": 2,
        "sans_suivi": 1,
        "emploi_six_mois": 2,
        "amelioree_six_mois": 1,
    }
    assert figures["situations"]["emploi"] == 1 and figures["situations"]["inconnu"] == 1
    # the next year: only the exit of 02/01/2027, due on 02/07/2027
    figures = indicateurs_six_mois(
        Inscription.objects.filter(operation__plie=world.plie_a),
        D(2027, 1, 1),
        D(2027, 12, 31),
        D(2027, 7, 2),
    )
    assert (figures["long_terme"]["suivis_dus"], figures["long_terme"]["emploi_six_mois"]) == (1, 1)


def test_the_bilan_carries_the_line_in_json_xlsx_and_pdf(world, annee_2026):
    from reporting import exports, pdf
    from reporting.bilan import bilan_annuel

    with time_machine.travel(datetime.datetime(2027, 1, 20, 10, 0), tick=False):
        bilan = bilan_annuel(world.plie_a, 2026)
    assert bilan["fse"]["long_terme"]["suivis_dus"] == 5
    assert bilan["fse"]["long_terme"]["emploi_six_mois"] == 2
    workbook = load_workbook(io.BytesIO(exports.export_xlsx(bilan)))
    rows = [tuple(r) for r in workbook["Indicateurs FSE"].iter_rows(values_only=True)]
    assert ("Six mois après la sortie", LONG_TERME[0][1], 5) in rows
    assert ("Six mois après la sortie", dict(LONG_TERME)["amelioree_six_mois"], 1) in rows
    assert ("Situation à six mois", "Inconnue (non joint)", 1) in rows
    texte = pdf_text(pdf.render_bilan(bilan, plie_nom="PLIE A"))
    assert "Suivis à six mois réalisés / dus : 3 / 5" in texte
    assert "six mois après la sortie (EECR05)" in texte


def pdf_text(content):
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_the_bilan_masks_small_counts_for_aggregate_readers(world, annee_2026):
    from reporting import confidentialite
    from reporting.bilan import bilan_annuel

    with time_machine.travel(datetime.datetime(2027, 1, 20, 10, 0), tick=False):
        bilan = bilan_annuel(world.plie_a, 2026)
    masque = confidentialite.pour_scope(bilan, scope_for(world.financeur), [world.plie_a.pk])
    assert masque["fse"]["long_terme"]["suivis_dus"] == 5  # 5 is not a small count
    assert masque["fse"]["long_terme"]["suivis_realises"] == "< 5"
    assert masque["fse"]["situations"]["emploi"] == "< 5"
    assert masque["fse"]["situations"]["formation"] == 0
    assert bilan["fse"]["long_terme"]["suivis_realises"] == 3  # the referent's bilan is untouched


def test_the_operation_page_shows_them_and_masks_for_the_financeur(client, world, annee_2026):
    url = reverse("operations:resultats", args=[annee_2026.pk])
    with time_machine.travel(datetime.datetime(2027, 1, 20, 10, 0), tick=False):
        client.force_login(world.gestionnaire_a)
        html = client.get(url).content.decode()
        assert 'id="realises-sur-dus">3 / 5<' in html
        assert 'six mois après la sortie (EECR05)</th><td class="text-end">2<' in html
        client.force_login(world.financeur)
        html = client.get(url).content.decode()
    assert 'six mois après la sortie (EECR05)</th><td class="text-end">&lt; 5<' in html
    assert 'id="realises-sur-dus">&lt; 5 / 5<' in html


@time_machine.travel(datetime.datetime(2027, 1, 20, 10, 0), tick=False)
def test_an_improved_situation_without_a_job_is_refused(world):
    parcours = ParcoursFactory(
        plie=world.plie_a,
        participant__plie=world.plie_a,
        sorti=True,
        date_sortie=D(2026, 3, 1),
        referent=world.referent_a,
    )
    with pytest.raises(ValidationError) as error:
        services.suivi_six_mois_record(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            situation="recherche",
            date_releve=D(2027, 1, 5),
            situation_amelioree=True,
        )
    assert error.value.message_dict["situation_amelioree"] == [
        "Une situation améliorée suppose un emploi (salarié ou indépendant) six mois après la sortie."
    ]
    assert not SuiviSixMois.objects.exists()
    suivi = services.suivi_six_mois_record(
        scope=scope_for(world.referent_a),
        parcours=parcours,
        situation="emploi",
        date_releve=D(2027, 1, 5),
        situation_amelioree=True,
    )
    assert suivi.situation_amelioree is True
