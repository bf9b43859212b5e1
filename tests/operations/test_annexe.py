"""The participant annex of the bilan d'exécution: rows, XLSX and PDF (text read back with pypdf)."""

import datetime
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from operations import annexe
from operations.enums import Nomenclature
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import ParcoursFactory, SortieFactory


@pytest.fixture
def operation(world):
    """Three participants: one who left with a validated CDI, one who dropped out, one still in."""
    operation = OperationFactory(plie=world.plie_a, code="ACC-2026-A", intitule="Accompagnement renforcé")
    cdi = SortieFactory(
        positive=True,
        valide=True,
        parcours=ParcoursFactory(
            sorti=True, participant=ParticipantFactory(plie=world.plie_a, nom="Bernard", prenom="Hélène")
        ),
    )
    InscriptionFactory(
        operation=operation,
        participant=cdi.parcours.participant,
        parcours=cdi.parcours,
        complete=True,
        sortie=True,
    )
    abandon = SortieFactory(
        parcours=ParcoursFactory(
            sorti=True, participant=ParticipantFactory(plie=world.plie_a, nom="Diallo", prenom="Moussa")
        ),
    )
    InscriptionFactory(
        operation=operation,
        participant=abandon.parcours.participant,
        parcours=abandon.parcours,
        complete=True,
        sortie=True,
        sortie_anticipee=True,
        sortie_statut_emploi="non",
        sortie_recherche_emploi=True,
    )
    InscriptionFactory(
        operation=operation,
        participant=ParticipantFactory(plie=world.plie_a, nom="Martin", prenom="Julie"),
        date_entree=datetime.date(2026, 5, 4),
        complete=True,
    )
    return operation


def test_rows_give_entry_exit_and_results(world, operation, django_assert_num_queries):
    user = world.gestionnaire_a
    annexe.mdfse.inscriptions(operation, scope_for(user)).exists()  # the user's scope, computed once
    with django_assert_num_queries(1):  # enrolments with participant, parcours' exit and its type
        rows = annexe.lignes(operation, scope_for(user))

    assert [(r["nom"], r["date_entree"], r["date_sortie"]) for r in rows] == [
        ("BERNARD", datetime.date(2026, 2, 2), datetime.date(2026, 9, 30)),
        ("DIALLO", datetime.date(2026, 2, 2), datetime.date(2026, 9, 30)),
        ("MARTIN", datetime.date(2026, 5, 4), None),
    ]
    bernard, diallo, martin = rows
    assert (bernard["type_sortie"], bernard["categorie_libelle"]) == ("CDI", "Emploi durable")
    assert bernard["situation_fse"] == "En emploi durable"
    assert (diallo["type_sortie"], diallo["categorie_libelle"]) == ("Abandon (non validée)", "Abandon")
    assert diallo["situation_fse"] == "Sortie anticipée, sans emploi, en recherche d'emploi"
    assert (martin["type_sortie"], martin["situation_fse"]) == ("", "")


def test_the_operation_nomenclature_classes_the_exits(world, operation):
    operation.nomenclature = Nomenclature.DEPARTEMENT
    rows = annexe.lignes(operation, scope_for(world.gestionnaire_a))
    assert [r["categorie_libelle"] for r in rows] == [
        "Emploi durable (CDI, CDD de 6 mois et plus)",
        "Autre sortie",
        "",
    ]


def test_an_exit_after_the_period_is_not_shown(world, operation):
    rows = annexe.lignes(operation, scope_for(world.gestionnaire_a), au=datetime.date(2026, 6, 30))
    assert [(r["date_sortie"], r["type_sortie"], r["situation_fse"]) for r in rows] == [(None, "", "")] * 3
    summary = annexe.synthese(operation, rows, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert summary == {"participants": 3, "entrees": 3, "sorties": 0, "categories": []}


def test_another_plie_sees_no_row(world, operation):
    assert annexe.lignes(operation, scope_for(world.referent_b)) == []
    assert annexe.lignes(operation, scope_for(world.financeur)) == []


def test_the_xlsx_reads_back(world, operation):
    workbook = load_workbook(io.BytesIO(annexe.export_xlsx(operation, scope_for(world.gestionnaire_a))))
    sheet = workbook["Participants"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "ACC-2026-A — Accompagnement renforcé"
    assert rows[2] == annexe.ENTETES
    assert rows[3][1:7] == (
        "BERNARD",
        "Hélène",
        "F",
        datetime.datetime(1985, 3, 14),
        datetime.datetime(2026, 2, 2),
        datetime.datetime(2026, 9, 30),
    )
    assert rows[3][7:] == ("CDI le 30/09/2026", "Emploi durable", "En emploi durable")
    assert rows[5][6] is None
    assert sheet.cell(row=4, column=6).number_format == "DD/MM/YYYY"
    assert sheet.freeze_panes == "A4"


def test_the_pdf_is_landscape_with_every_participant(world, operation):
    pdf = PdfReader(io.BytesIO(annexe.export_pdf(operation, scope_for(world.gestionnaire_a))))
    page = pdf.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Bilan d'exécution — annexe participants" in text
    assert "du 01/01/2026 au 31/12/2026" in text
    assert "3 participants, dont 3 entrés sur la période et 2 sortis" in text
    for expected in ("BERNARD", "Hélène", "CDI le 30/09/2026", "En emploi durable", "DIALLO", "MARTIN"):
        assert expected in text, expected
    assert "Bilan d’exécution — annexe participants — ACC-2026-A — document confidentiel" in text
    assert "Page 1\u00a0/\u00a01" in text


def test_the_pdf_repeats_the_table_header_on_every_page(world, operation):
    for index in range(60):
        InscriptionFactory(
            operation=operation,
            complete=True,
            participant=ParticipantFactory(plie=world.plie_a, nom=f"Participant{index:02d}"),
        )
    pdf = PdfReader(io.BytesIO(annexe.export_pdf(operation, scope_for(world.gestionnaire_a))))
    assert len(pdf.pages) >= 2
    for page in pdf.pages:
        assert "Situation FSE à la sortie" in page.extract_text()
