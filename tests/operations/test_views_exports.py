"""The export pages of an operation: who gets them, what they contain, how many queries they cost."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from operations import mdfse
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.operations.test_mdfse import ATTENDU


@pytest.fixture
def operation(world):
    operation = OperationFactory(plie=world.plie_a, code="ACC-2026-A")
    InscriptionFactory(
        operation=operation,
        complete=True,
        participant=ParticipantFactory(
            plie=world.plie_a,
            nom="Aubert",
            prenom="Léa",
            adresse="1 rue A",
            code_postal="69001",
            commune="Lyon",
            telephone="06 12 34 56 78",
            code_commune_naissance="69381",
        ),
    )
    InscriptionFactory(
        operation=operation,
        complete=True,
        sortie=True,
        participant=ParticipantFactory(plie=world.plie_a, nom="Zola", prenom="Émile"),
    )
    return operation


URLS = [
    "operations:export_mdfse",
    "operations:validation_mdfse",
    "operations:export_xlsx",
    "operations:annexe_bilan",
]


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("persona", ["gestionnaire_a", "animateur_a", "direction_a", "admin_a"])
def test_the_plie_staff_and_the_oi_direction_get_the_exports(client, world, operation, name, persona):
    client.force_login(getattr(world, persona))
    response = client.get(reverse(name, args=[operation.pk]) + "?format=xlsx")
    # the MDFSE file carries Q3 in clear: produced by those who declare to the FSE only
    # (plie.core.scoping's disability rule; tests/core/test_disability_rule.py)
    direction = persona == "direction_a"
    assert response.status_code == (403 if direction and name == "operations:export_mdfse" else 200)


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("referent_b", 404), ("financeur", 404), ("no_role", 404), ("oi_user", 404), ("referent_a", 403)],
)
def test_others_get_nothing(client, world, operation, name, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(reverse(name, args=[operation.pk])).status_code == status


def test_anonymous_users_are_sent_to_login(client, operation):
    response = client.get(reverse("operations:export_mdfse", args=[operation.pk]))
    assert response.status_code == 302


def test_the_csv_is_streamed_as_an_attachment(client, world, operation, django_assert_num_queries):
    client.force_login(world.gestionnaire_a)
    url = reverse("operations:export_mdfse", args=[operation.pk])
    # session, user, memberships (scope), operation, the people exported and their journal rows
    # (one select, one insert), the enrolments with their participants
    with django_assert_num_queries(7):
        response = client.get(url, {"du": "01/01/2026", "au": "30/06/2026"})
        body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mdfse-ACC-2026-A-20260101-20260630.csv"'
    lignes = body.decode("utf-8").split("\r\n")
    assert lignes[0] == ";".join(mdfse.ENTETES)
    assert [ligne.split(";")[2] for ligne in lignes[1:-1]] == ["AUBERT", "ZOLA"]
    assert lignes[2].endswith(";" * 7)  # Zola leaves on 30/09/2026, after the period


def test_a_bad_period_is_a_400_naming_the_field(client, world, operation):
    client.force_login(world.gestionnaire_a)
    url = reverse("operations:export_mdfse", args=[operation.pk])
    response = client.get(url, {"du": "2026-01-01"})
    assert response.status_code == 400
    assert "Du : Saisissez une date valide." in response.content.decode()
    response = client.get(url, {"du": "01/07/2026", "au": "30/06/2026"})
    assert response.status_code == 400
    assert "postérieure à sa date de fin" in response.content.decode()


def test_the_xlsx_has_the_same_rows_with_dates_as_dates(client, world, operation):
    client.force_login(world.gestionnaire_a)
    response = client.get(reverse("operations:export_xlsx", args=[operation.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="mdfse-ACC-2026-A-20260101-20261231.xlsx"'

    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Participants"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == mdfse.ENTETES
    assert [row[2] for row in rows[1:]] == ["AUBERT", "ZOLA"]
    entree = mdfse.ENTETES.index("Date entree operation")
    assert rows[1][entree] == datetime.datetime(2026, 2, 2)
    assert sheet.cell(row=2, column=entree + 1).number_format == "DD/MM/YYYY"
    assert rows[1][mdfse.ENTETES.index("Telephone portable")] == "0612345678"  # text: the 0 stays
    assert rows[1][mdfse.ENTETES.index("Code postal")] == "69001"
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "C2"
    assert sheet.column_dimensions["C"].width >= len("AUBERT")
    assert workbook["Colonnes"].max_row == len(mdfse.COLONNES) + 1


def test_the_validation_page_lists_the_faults_with_links(client, world, operation, django_assert_num_queries):
    vide = InscriptionFactory(
        operation=operation, participant=ParticipantFactory(plie=world.plie_a, nom="Martin")
    )
    client.force_login(world.gestionnaire_a)
    url = reverse("operations:validation_mdfse", args=[operation.pk])
    # session, user, memberships (scope), operation, the enrolments with their participants
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Q1. Statut sur le marché du travail : réponse manquante." in html
    assert reverse("operations:inscription_questionnaire", args=[vide.pk]) in html
    lignes = {row["anomalie"].ligne for row in response.context["rows"]}
    assert lignes == {3, 4}  # Martin (line 3, between Aubert and Zola) and Zola (no address, no phone…)
    assert response.context["resume"]["lignes"] == 2


def test_the_validation_page_links_exit_faults_to_the_exit_form(client, world, operation):
    inscription = InscriptionFactory(
        operation=operation,
        complete=True,
        date_sortie=datetime.date(2026, 5, 4),
        participant=ParticipantFactory(plie=world.plie_a, nom="Aubry"),
    )
    client.force_login(world.gestionnaire_a)
    response = client.get(reverse("operations:validation_mdfse", args=[operation.pk]))
    rows = [row for row in response.context["rows"] if row["anomalie"].code == "sortie_non_renseignee"]
    assert len(rows) == 1  # the exit block is absent: one warning for the line
    sortie_url = reverse("operations:inscription_sortie", args=[inscription.pk])
    assert {row["url"].split("?")[0] for row in rows} == {sortie_url}
    assert {row["label"] for row in rows} == {"Saisir la sortie"}
    assert rows[0]["url"].endswith("?next=" + quote(response.request["PATH_INFO"], safe="/"))


def test_a_file_edited_by_hand_can_be_checked(client, world, operation):
    contenu = ATTENDU.read_bytes().replace(b";69008;", b";6908;")
    client.force_login(world.gestionnaire_a)
    response = client.post(
        reverse("operations:validation_mdfse", args=[operation.pk]),
        {"fichier": SimpleUploadedFile("mdfse.csv", contenu, content_type="text/csv")},
    )
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert (row["anomalie"].ligne, row["anomalie"].code) == (2, "code_postal_format")
    assert "Anomalies du fichier « mdfse.csv »" in response.content.decode()


def test_a_file_not_in_utf8_is_refused_with_a_message(client, world, operation):
    client.force_login(world.gestionnaire_a)
    response = client.post(
        reverse("operations:validation_mdfse", args=[operation.pk]),
        {"fichier": SimpleUploadedFile("mdfse.csv", "Hélène".encode("latin-1"))},
    )
    assert "encodé en UTF-8" in response.content.decode()


def test_the_annex_as_pdf_and_unknown_format(client, world, operation):
    client.force_login(world.gestionnaire_a)
    url = reverse("operations:annexe_bilan", args=[operation.pk])
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="annexe-bilan-ACC-2026-A-20260101-20261231.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    assert client.get(url, {"format": "doc"}).status_code == 400


def test_the_board_and_the_mdfse_check_agree_and_name_the_participant(client, world, operation):
    """ONE definition of « complete » (operations.completude.manques_entree): the enrolments the
    board lists as incomplete are exactly the lines the check rejects, a complete enrolment is
    never rejected, and each rejected line names the participant and links to the form."""
    from operations.selectors import completude_operation, inscriptions_incompletes

    complet = {"code_commune_naissance": "69123", "adresse": "1 rue A", "code_postal": "69003"}
    complet |= {"commune": "Lyon", "telephone": "06 01 02 03 04"}
    cas = {
        "Complet": ({}, {}),
        "Etranger": ({"telephone": "+32 470 12 34 56"}, {}),  # a foreign phone: 10 digits wanted
        "Sansnationalite": ({"nationalite": ""}, {}),
        "Jeune": ({"date_naissance": datetime.date(2012, 1, 1)}, {}),
        "Nonconfirme": ({}, {"date_questionnaire": None}),
        "Corse": ({"code_commune_naissance": "2B096", "code_postal": "20250"}, {}),
    }
    inscriptions = {}
    for nom, (participant, inscription) in cas.items():
        inscriptions[nom] = InscriptionFactory(
            operation=operation,
            complete=True,
            participant=ParticipantFactory(
                plie=world.plie_a, nom=nom, prenom="Alex", **{**complet, **participant}
            ),
            **inscription,
        )
    client.force_login(world.gestionnaire_a)
    response = client.get(reverse("operations:validation_mdfse", args=[operation.pk]))
    rejetees = {
        row["anomalie"].inscription_id for row in response.context["rows"] if row["anomalie"].bloquante
    }
    board = set(inscriptions_incompletes(operation).values_list("pk", flat=True))
    nos_cas = {i.pk for i in inscriptions.values()}
    assert (
        rejetees & nos_cas
        == board & nos_cas
        == {inscriptions[n].pk for n in ("Etranger", "Sansnationalite", "Jeune", "Nonconfirme")}
    )
    assert completude_operation(operation, datetime.date(2026, 6, 1))["entrees_incompletes"] == len(board)
    rows = {row["anomalie"].participant: row for row in response.context["rows"] if row["anomalie"].bloquante}
    etranger = rows["ETRANGER Alex"]
    assert etranger["anomalie"].colonne == "Telephone portable"
    # the gestionnaire may not change a dossier: the fault is listed without a link to a 403
    assert etranger["url"] is None
    client.force_login(world.animateur_a)  # animation manages the operations and the dossiers
    response = client.get(reverse("operations:validation_mdfse", args=[operation.pk]))
    rows = {row["anomalie"].participant: row for row in response.context["rows"] if row["anomalie"].bloquante}
    assert rows["ETRANGER Alex"]["url"].startswith(
        reverse("participants:participant_update", args=[inscriptions["Etranger"].participant_id])
    )
    assert rows["NONCONFIRME Alex"]["url"].startswith(
        reverse("operations:inscription_questionnaire", args=[inscriptions["Nonconfirme"].pk])
    )
    assert "ETRANGER Alex" in response.content.decode()


def test_a_file_edited_by_hand_links_each_line_to_its_enrolment(client, world, operation):
    inscription = InscriptionFactory(operation=operation, complete=True)
    ligne = ATTENDU.read_text(encoding="utf-8").splitlines()[4].split(";")
    ligne[1] = str(inscription.participant_id)
    ligne[mdfse.ENTETES.index("Q2 Niveau formation")] = ""
    contenu = "\r\n".join([";".join(mdfse.ENTETES), ";".join(ligne)]).encode()
    client.force_login(world.gestionnaire_a)
    response = client.post(
        reverse("operations:validation_mdfse", args=[operation.pk]),
        {"fichier": SimpleUploadedFile("mdfse.csv", contenu, content_type="text/csv")},
    )
    (row,) = response.context["rows"]
    assert row["anomalie"].participant == "MARTIN Julie"
    assert row["url"].startswith(reverse("operations:inscription_questionnaire", args=[inscription.pk]))
