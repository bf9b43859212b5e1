"""FSE indicators at entry and at exit, on hand-built enrolments with figures counted by hand."""

import datetime

import pytest
import time_machine
from django.db import connection

from operations.indicateurs_fse import ENTREE, SORTIE, indicateurs_fse
from operations.models import Inscription, Operation
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory

D = datetime.date
DEBUT, FIN = D(2026, 1, 1), D(2026, 12, 31)
AUJOURD_HUI = D(2027, 1, 20)


@pytest.fixture
def operation(world):
    return OperationFactory(plie=world.plie_a)


NAISSANCE = D(1985, 3, 14)
IDENTITE = {
    "code_commune_naissance": "69123",
    "adresse": "1 rue Neuve",
    "code_postal": "69001",
    "commune": "Lyon",
    "telephone": "0601020304",
}


def inscrire(operation, *, naissance=NAISSANCE, sexe="F", nationalite="fr", **kwargs):
    participant = ParticipantFactory(
        plie=operation.plie, date_naissance=naissance, sexe=sexe, nationalite=nationalite, **IDENTITE
    )
    return InscriptionFactory(operation=operation, participant=participant, **kwargs)


def test_entry_output_indicators(operation, django_assert_num_queries):
    # 1. a long-term job seeker (14 months) on the RSA, ISCED 1-2, 40 years old: the factory's « complete »
    inscrire(operation, complete=True)
    # 2. a young man of 24 seeking for 7 months (long-term under 25), third-country national,
    #    homeless, one parent born abroad, bac
    inscrire(
        operation,
        complete=True,
        naissance=D(2002, 2, 3),
        sexe="M",
        nationalite="hors_ue",
        duree_recherche_mois=7,
        niveau_formation="2c",
        sans_domicile="oui",
        parent_ne_etranger="oui",
        minima_sociaux=False,
        beneficiaire_rsa=False,
    )
    # 3. 25 on the day of entry, seeking for 7 months: not long-term (25 and over: 12 months)
    inscrire(operation, complete=True, naissance=D(2001, 2, 2), duree_recherche_mois=7)
    # 4. inactive, not in training, disabled, 55 the day after entry (still 54), higher education,
    #    single parent
    inscrire(
        operation,
        complete=True,
        naissance=D(1971, 2, 3),
        recherche_emploi=False,
        duree_recherche_mois=None,
        niveau_formation="2d",
        handicap_reconnu=True,
        menage_enfants=True,
        menage_monoparental=True,
        menage_sans_emploi=False,
    )
    # 5. in temporary employment, 55 on the entry day
    inscrire(
        operation,
        complete=True,
        naissance=D(1971, 2, 2),
        statut_emploi="1c",
        recherche_emploi=None,
        duree_recherche_mois=None,
        en_formation=None,
    )
    # 6. 17 at entry, nothing answered (incomplete)
    inscrire(operation, naissance=D(2008, 6, 1), sexe="M")
    # outside the period: entered in 2025, and another operation's enrolment not in the queryset
    inscrire(operation, complete=True, date_entree=D(2025, 12, 31))
    inscrire(OperationFactory(plie=operation.plie), complete=True)

    with django_assert_num_queries(1):
        figures = indicateurs_fse(Inscription.objects.filter(operation=operation), DEBUT, FIN, AUJOURD_HUI)
    entree = figures["entree"]
    assert set(entree) == {k for k, _ in ENTREE}
    assert entree == {
        "participants": 6,
        "femmes": 4,
        "hommes": 2,
        "chomeurs": 3,  # 1, 2, 3
        "chomeurs_longue_duree": 2,  # 1 (14 months), 2 (7 months, under 25)
        "inactifs": 1,  # 4
        "inactifs_hors_formation": 1,
        "en_emploi": 1,  # 5
        "moins_18": 1,  # 6
        "de_18_a_29": 2,  # 2 (24), 3 (25)
        "plus_55": 1,  # 5 (55 on the entry day); 4 is 54
        "cite_0_2": 3,  # 1, 3, 5 (2b)
        "cite_3_4": 1,
        "cite_5_8": 1,
        "handicap": 1,
        "pays_tiers": 1,
        "origine_etrangere": 1,
        "sans_abri": 1,
        "minima_sociaux": 4,  # 1, 3, 4, 5
        "rsa": 4,
        "menage_sans_emploi": 4,  # 1, 2, 3, 5
        "menage_enfants": 1,
        "menage_monoparental": 1,
        "questionnaires_incomplets": 1,  # 6
        "reports": 0,
    }


def test_exit_result_indicators_count_only_data_recorded_within_4_weeks(operation, django_assert_num_queries):
    sortie = {"complete": True, "date_sortie": D(2026, 11, 30)}
    # recorded on day 28: in employment (1b), also seeking? no
    inscrire(operation, **sortie, sortie_statut_emploi="1b", sortie_renseignee_le=D(2026, 12, 28))
    # recorded on day 29: late, not counted
    inscrire(operation, **sortie, sortie_statut_emploi="1a", sortie_renseignee_le=D(2026, 12, 29))
    # in training with a qualification, recorded on the exit day
    inscrire(
        operation,
        **sortie,
        sortie_statut_emploi="non",
        sortie_en_formation=True,
        sortie_qualification=True,
        sortie_renseignee_le=D(2026, 11, 30),
    )
    # early exit, seeking a job
    inscrire(
        operation,
        **sortie,
        sortie_anticipee=True,
        sortie_statut_emploi="non",
        sortie_recherche_emploi=True,
        sortie_renseignee_le=D(2026, 12, 1),
    )
    inscrire(operation, complete=True, date_sortie=D(2026, 12, 30))  # window open on 20/01/2027
    inscrire(operation, complete=True, date_sortie=D(2026, 12, 22))  # day 29 on 20/01/2027: past
    inscrire(operation, complete=True)  # still enrolled
    inscrire(operation, complete=True, date_sortie=D(2027, 1, 5))  # left after the period
    with django_assert_num_queries(1):
        figures = indicateurs_fse(Inscription.objects.filter(operation=operation), DEBUT, FIN, AUJOURD_HUI)
    assert set(figures["sortie"]) == {k for k, _ in SORTIE}
    assert figures["sortie"] == {
        "sorties": 6,
        "donnees_dans_delai": 3,
        "donnees_tardives": 1,
        "donnees_a_saisir": 1,
        "donnees_manquantes": 1,
        "en_recherche": 1,
        "en_formation": 1,
        "qualification": 1,
        "en_emploi": 1,
        "sorties_anticipees": 1,
    }


# --- The bilan's operations and fse sections (reporting.bilan) ----------------------------------


def time_machine_at(day):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9, 0), tick=False)


def test_the_bilan_fills_its_operations_and_fse_sections(world, django_assert_num_queries):
    import io
    import json

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from reporting.bilan import bilan_annuel
    from reporting.exports import export_csv, export_xlsx
    from reporting.pdf import render_bilan
    from tests.parcours.factories import ParcoursFactory, SortieFactory, TypeSortieFactory

    operation = OperationFactory(plie=world.plie_a, code="ACC-2026", places=4, objectif_sorties_positives=50)
    OperationFactory(plie=world.plie_a, code="ACC-2024", date_debut=D(2024, 1, 1), date_fin=D(2024, 12, 31))
    OperationFactory(plie=world.plie_b, code="ACC-B")  # PLIE B: not in A's bilan
    # two enrolled all year (present on every month end from February), one of them exits in a
    # validated CDI on 30/09 with exit data recorded in time (in employment)
    reste = inscrire(operation, complete=True)
    sorti = inscrire(operation, complete=True, sortie=True)
    parcours = ParcoursFactory(participant=sorti.participant, sorti=True)
    SortieFactory(parcours=parcours, type=TypeSortieFactory(plie=world.plie_a, positive=True), validee=True)
    sorti.parcours = parcours
    sorti.save()
    assert reste.date_sortie is None

    # the bilan's 5 queries (the PLIE, then 4: the two étapes queries are one on PostgreSQL since
    # issue 17), the PLIE's operations, participants and month ends per operation, exits per
    # operation and type, the FSE indicators, the enrolments left with their six-month follow-up
    # (longer-term results)
    queries = 10 if connection.vendor == "postgresql" else 11
    with time_machine_at(D(2027, 2, 1)), django_assert_num_queries(queries):
        bilan = bilan_annuel("plie-a", 2026)
    assert json.loads(json.dumps(bilan)) == bilan
    assert [o["code"] for o in bilan["operations"]] == ["ACC-2026"]
    ligne = bilan["operations"][0]
    assert ligne["participants"] == 2 and ligne["places"] == 4 and ligne["sorties"] == 1
    # month ends: January 0, February–September 2, October–December 1 → (0 + 8×2 + 3×1) / 12 = 19/12
    assert ligne["presents_moyen"] == pytest.approx(19 / 12)
    assert ligne["taux_occupation_moyen"] == pytest.approx(19 / 12 / 4)
    positives = next(c for c in ligne["resultats"] if c["code"] == "sorties_positives")
    assert (positives["nombre"], positives["taux"], positives["objectif"]) == (1, 1.0, 0.5)
    assert bilan["fse"]["entree"]["participants"] == 2
    assert bilan["fse"]["sortie"]["en_emploi"] == 1
    assert bilan["fse"]["completude"] == {
        "questionnaires_incomplets": 0,
        "donnees_a_saisir": 0,
        "donnees_manquantes": 0,
        "donnees_tardives": 0,
    }

    texte = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render_bilan(bilan))).pages)
    assert "Opérations FSE et indicateurs FSE" in texte
    assert "ACC-2026" in texte and "Chômeurs, y compris de longue durée (EECO02)" in texte
    assert "7. Données et définitions" in texte

    classeur = load_workbook(io.BytesIO(export_xlsx(bilan)))
    assert {"Opérations", "Résultats des opérations", "Indicateurs FSE"} <= set(classeur.sheetnames)
    assert classeur["Opérations"]["A2"].value == "ACC-2026"
    csv = export_csv(bilan).decode("utf-8-sig")
    assert "Indicateurs FSE — plie-a — 2026" in csv and "Entrée;Participants entrés (EECO01);2" in csv

    # PLIE B's bilan: its own operation, nothing of A
    assert [o["code"] for o in bilan_annuel(world.plie_b, 2026)["operations"]] == ["ACC-B"]


# The SFC2021 code of each common indicator (Regulation (EU) 2021/1057 annex I as the Commission
# codes it; sources in the module docstring): EECO01 is the total, EECO02 the unemployed, EECO12
# the participants with disabilities.
CODES_SFC2021 = [
    ("entree", "participants", "EECO01"),
    ("entree", "chomeurs", "EECO02"),
    ("entree", "chomeurs_longue_duree", "EECO03"),
    ("entree", "inactifs", "EECO04"),
    ("entree", "en_emploi", "EECO05"),
    ("entree", "moins_18", "EECO06"),
    ("entree", "de_18_a_29", "EECO07"),
    ("entree", "plus_55", "EECO08"),
    ("entree", "cite_0_2", "EECO09"),
    ("entree", "cite_3_4", "EECO10"),
    ("entree", "cite_5_8", "EECO11"),
    ("entree", "handicap", "EECO12"),
    ("entree", "pays_tiers", "EECO13"),
    ("entree", "origine_etrangere", "EECO14"),
    ("entree", "sans_abri", "EECO16"),
    ("sortie", "en_recherche", "EECR01"),
    ("sortie", "en_formation", "EECR02"),
    ("sortie", "qualification", "EECR03"),
    ("sortie", "en_emploi", "EECR04"),
]


@pytest.mark.parametrize(("section", "cle", "code"), CODES_SFC2021)
def test_each_indicator_carries_its_sfc2021_code(section, cle, code):
    from operations.indicateurs_fse import LIBELLES_ENTREE, LIBELLES_SORTIE

    libelles = LIBELLES_ENTREE if section == "entree" else LIBELLES_SORTIE
    assert libelles[cle].endswith(f"({code})")


def test_no_code_is_given_twice_and_none_is_unsourced():
    from operations import indicateurs_fse
    from operations.indicateurs_fse import ENTREE, SORTIE

    codes = [
        libelle[-7:-1] for _cle, libelle in (*ENTREE, *SORTIE) if libelle.endswith(")") and "EEC" in libelle
    ]
    assert len(codes) == len(set(codes)) == len(CODES_SFC2021)
    for code in codes:  # every code is explained, with its source, in the module docstring
        assert code in indicateurs_fse.__doc__


@pytest.mark.parametrize(
    ("entree", "sortie", "lue"),
    [
        (D(2016, 3, 1), None, True),  # entered in the year
        (D(2015, 3, 1), D(2016, 5, 1), True),  # left in the year
        (D(2016, 1, 1), D(2016, 12, 31), True),  # both, on the bounds
        (D(2015, 1, 1), None, False),  # still enrolled, entered before: counted by neither
        (D(2014, 1, 1), D(2015, 12, 31), False),  # left before
        (D(2017, 1, 1), None, False),  # after
    ],
)
def test_the_bilan_reads_only_the_enrolments_of_its_year(world, operation, entree, sortie, lue):
    """Issue 17: the FSE section aggregated every enrolment of every year; only those entering or
    leaving in the period are counted, so only they are read — and the figures are the same."""
    from operations.indicateurs_fse import bilan_fse, inscriptions_de_la_periode

    inscription = inscrire(operation, date_entree=entree, date_sortie=sortie)
    InscriptionFactory(operation=OperationFactory(plie=world.plie_b), date_entree=D(2016, 3, 1))  # B
    debut, fin = D(2016, 1, 1), D(2016, 12, 31)
    lues = list(inscriptions_de_la_periode([world.plie_a.pk], debut, fin))
    assert lues == ([inscription] if lue else [])
    everything = indicateurs_fse(
        Inscription.objects.filter(operation__plie=world.plie_a), debut, fin, AUJOURD_HUI
    )
    restricted = bilan_fse([world.plie_a.pk], debut, fin, AUJOURD_HUI)
    assert {k: restricted[k] for k in ("entree", "sortie")} == everything
    # given the PLIE's operations (as the bilan does): the same enrolments, the same figures
    ids = list(Operation.objects.filter(plie=world.plie_a).values_list("pk", flat=True))
    assert list(inscriptions_de_la_periode([world.plie_a.pk], debut, fin, ids)) == lues
    assert bilan_fse([world.plie_a.pk], debut, fin, AUJOURD_HUI, operation_ids=ids) == restricted
