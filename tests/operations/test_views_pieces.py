"""The proofs pages: checklist, collective sessions (create, register, attendance), émargement,
attestations, entretiens extraction — with scoping (PLIE B and financeur → 404, read-only → 403)
and pinned query counts."""

import csv
import datetime
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from operations.models import ActionCollective, Presence
from tests.factories import DocumentFactory, ParticipantFactory
from tests.operations.factories import (
    ActionCollectiveFactory,
    InscriptionFactory,
    OperationFactory,
    PresenceFactory,
)
from tests.parcours.factories import EntretienFactory, EtapeFactory, ParcoursFactory

D = datetime.date


def url(name, *args):
    from django.urls import reverse

    return reverse(f"operations:{name}", args=args)


def pdf_text(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return " ".join(
        re.sub(r"[ \n]+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages
    )


@pytest.fixture
def operation(world):
    return OperationFactory(plie=world.plie_a, code="ACC-A", pieces_requises=[])


@pytest.fixture
def inscrits(operation):
    """Three enrolled participants: Dupont (complete dossier), Leroy (left on 30/09, no exit
    data), Martin (enrolled from 01/04)."""
    dupont = InscriptionFactory(operation=operation, participant__nom="Dupont", participant__prenom="Anne")
    for type_ in ("questionnaire", "contrat_engagement", "identite"):
        DocumentFactory(participant=dupont.participant, type=type_)
    parcours = ParcoursFactory(participant=dupont.participant, en_parcours=True)
    EntretienFactory(parcours=parcours, date=D(2026, 3, 3))
    leroy = InscriptionFactory(
        operation=operation, participant__nom="Leroy", participant__prenom="Marc", date_sortie=D(2026, 9, 30)
    )
    martin = InscriptionFactory(
        operation=operation, participant__nom="Martin", participant__prenom="Lou", date_entree=D(2026, 4, 1)
    )
    return dupont, leroy, martin


# --- Scoping -------------------------------------------------------------------------------------


READ_PAGES = ["pieces", "action_list", "extraction_entretiens"]


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("gestionnaire_a", 200),
        ("animateur_a", 200),
        ("direction_a", 200),
        ("admin_a", 200),
        ("oi_user", 404),  # an OI membership: aggregates only (plie.core.scoping)
        ("referent_a", 403),
        ("referent_b", 404),
        ("financeur", 404),
        ("no_role", 404),
    ],
)
def test_operation_pages_scoping(client, world, operation, name, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(url(name, operation.pk)).status_code == status


def test_anonymous_is_sent_to_login(client, operation):
    response = client.get(url("pieces", operation.pk))
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("gestionnaire_a", 200), ("direction_a", 403), ("referent_b", 404), ("financeur", 404)],
)
def test_action_create_permissions(client, world, operation, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(url("action_create", operation.pk)).status_code == status


@pytest.mark.parametrize(
    ("name", "persona", "status"),
    [
        ("action_detail", "direction_a", 200),
        ("action_detail", "referent_b", 404),
        ("action_detail", "financeur", 404),
        ("action_update", "direction_a", 403),
        ("action_update", "animateur_a", 200),
        ("emargement", "referent_b", 404),
        ("emargement", "referent_a", 403),
    ],
)
def test_action_pages_scoping(client, world, operation, name, persona, status):
    action = ActionCollectiveFactory(operation=operation)
    client.force_login(getattr(world, persona))
    assert client.get(url(name, action.pk)).status_code == status


def test_writes_refused_to_direction(client, world, operation, inscrits):
    action = ActionCollectiveFactory(operation=operation)
    presence = PresenceFactory(action=action, participant=inscrits[0].participant)
    client.force_login(world.direction_a)
    assert (
        client.post(
            url("action_participants", action.pk), {"participants": [inscrits[1].participant.pk]}
        ).status_code
        == 403
    )
    assert (
        client.post(url("action_presences", action.pk), {f"presence_{presence.pk}": "present"}).status_code
        == 403
    )
    presence.refresh_from_db()
    assert presence.present is None
    assert action.presences.count() == 1


# --- Checklist -----------------------------------------------------------------------------------


def test_checklist_page(client, world, operation, inscrits, django_assert_num_queries):
    client.force_login(world.gestionnaire_a)
    client.get(url("pieces", operation.pk))
    # session, user, memberships (scope), operation, totals aggregate, page count, page rows
    with django_assert_num_queries(7):
        response = client.get(url("pieces", operation.pk))
    html = response.content.decode()
    assert "3 inscriptions, dont <strong>2 dossiers incomplets</strong>" in html
    assert "Dupont".upper() in html and "LEROY Marc" in html and "MARTIN Lou" in html
    assert f'href="/participants/{inscrits[0].participant.pk}/"' in html
    assert f'href="/operations/{operation.pk}/"' in html  # back to the operation
    rows = response.context["rows"]
    assert [row["cellules"] for row in rows] == [
        [True, True, True, True, None],  # Dupont
        [False, False, False, False, False],  # Leroy
        [False, False, False, False, None],  # Martin
    ]
    assert response.context["totaux"][3] == ("Entretiens de suivi sur la période", 2)


def test_checklist_queries_do_not_grow(client, world, operation, inscrits, django_assert_num_queries):
    for _ in range(20):
        enrolment = InscriptionFactory(operation=operation)
        DocumentFactory(participant=enrolment.participant, type="identite")
    client.force_login(world.gestionnaire_a)
    client.get(url("pieces", operation.pk))
    with django_assert_num_queries(7):
        response = client.get(url("pieces", operation.pk))
    assert len(response.context["rows"]) == 23


def test_checklist_incomplete_filter(client, world, operation, inscrits):
    dupont = inscrits[0]
    InscriptionFactory(operation=operation)  # nothing: incomplete
    client.force_login(world.gestionnaire_a)
    response = client.get(url("pieces", operation.pk), {"incomplets": "1"})
    names = [row["nom"] for row in response.context["rows"]]
    assert str(dupont.participant) not in names
    assert len(names) == 3


# --- Collective sessions -------------------------------------------------------------------------


def test_create_action(client, world, operation):
    client.force_login(world.animateur_a)
    response = client.post(
        url("action_create", operation.pk),
        {
            "intitule": "Information collective",
            "date": "14/04/2026",
            "heure_debut": "9h",
            "heure_fin": "16:30",
            "lieu": "Salle 1",
            "animateur": "Claire Martin",
            "compte_rendu": "",
        },
    )
    action = ActionCollective.objects.get()
    assert response.status_code == 302 and response["Location"] == url("action_detail", action.pk)
    assert (action.operation, action.date, action.heure_debut) == (
        operation,
        D(2026, 4, 14),
        datetime.time(9),
    )


def test_create_action_bad_input(client, world, operation):
    client.force_login(world.gestionnaire_a)
    response = client.post(
        url("action_create", operation.pk),
        {"intitule": "Atelier", "date": "14/04/2027", "heure_debut": "14:00", "heure_fin": "10:00"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "La date doit être comprise dans la période de l&#x27;opération (du 01/01/2026 au 31/12/2026)."
        in html
    )
    assert "L&#x27;heure de fin doit suivre l&#x27;heure de début." in html
    assert not ActionCollective.objects.exists()


def test_update_action(client, world, operation):
    action = ActionCollectiveFactory(operation=operation)
    client.force_login(world.admin_a)
    response = client.post(
        url("action_update", action.pk),
        {"intitule": "Atelier modifié", "date": "12/03/2026", "compte_rendu": "Bilan : 5 présents."},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.intitule, action.compte_rendu, action.heure_debut) == (
        "Atelier modifié",
        "Bilan : 5 présents.",
        None,
    )


def test_register_only_enrolled_participants(client, world, operation, inscrits):
    dupont, leroy, martin = inscrits
    action = ActionCollectiveFactory(operation=operation, date=D(2026, 3, 12))  # before Martin's entry
    client.force_login(world.gestionnaire_a)
    page = client.get(url("action_detail", action.pk))
    choices = {choice.data["value"].value for choice in page.context["form"]["participants"]}
    assert choices == {dupont.participant.pk, leroy.participant.pk}
    response = client.post(url("action_participants", action.pk), {"participants": [martin.participant.pk]})
    assert response.status_code == 400
    assert (
        "Ce participant n&#x27;est pas inscrit à l&#x27;opération le jour de la séance."
        in response.content.decode()
    )
    outsider = ParticipantFactory(plie=world.plie_b)
    assert (
        client.post(url("action_participants", action.pk), {"participants": [outsider.pk]}).status_code == 400
    )
    response = client.post(
        url("action_participants", action.pk), {"participants": [dupont.participant.pk, leroy.participant.pk]}
    )
    assert response.status_code == 302
    assert set(action.participants.all()) == {dupont.participant, leroy.participant}
    # already registered: no longer offered, refused
    assert (
        client.post(
            url("action_participants", action.pk), {"participants": [dupont.participant.pk]}
        ).status_code
        == 400
    )


def test_mark_attendance_and_remove(client, world, operation, inscrits):
    action = ActionCollectiveFactory(operation=operation)
    p1, p2, p3 = (PresenceFactory(action=action, participant=i.participant) for i in inscrits)
    client.force_login(world.gestionnaire_a)
    response = client.post(
        url("action_presences", action.pk),
        {f"presence_{p1.pk}": "present", f"presence_{p2.pk}": "absent", f"retirer_{p3.pk}": "1"},
    )
    assert response.status_code == 302
    assert dict(Presence.objects.filter(action=action).values_list("pk", "present")) == {
        p1.pk: True,
        p2.pk: False,
    }
    response = client.post(
        url("action_presences", action.pk), {f"presence_{p1.pk}": "peut-être"}, follow=True
    )
    assert "Présence de" in response.content.decode() and "inconnue" in response.content.decode()
    p1.refresh_from_db()
    assert p1.present is True


def test_action_list_counts(client, world, operation, inscrits, django_assert_num_queries):
    action = ActionCollectiveFactory(operation=operation)
    PresenceFactory(action=action, participant=inscrits[0].participant, present=True)
    PresenceFactory(action=action, participant=inscrits[1].participant, present=False)
    ActionCollectiveFactory(operation=operation, intitule="Autre atelier")
    client.force_login(world.gestionnaire_a)
    client.get(url("action_list", operation.pk))
    # session, user, memberships (scope), operation, actions with their counts
    with django_assert_num_queries(5):
        response = client.get(url("action_list", operation.pk))
    actions = {a.intitule: (a.inscrits, a.presents) for a in response.context["actions"]}
    assert actions == {"Atelier CV et lettre de motivation": (2, 1), "Autre atelier": (0, 0)}


def test_emargement_view(client, world, operation, inscrits):
    action = ActionCollectiveFactory(operation=operation)
    for inscription in inscrits[:2]:
        PresenceFactory(action=action, participant=inscription.participant)
    client.force_login(world.animateur_a)
    response = client.get(url("emargement", action.pk))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="emargement-ACC-A-20260312.pdf"' in response["Content-Disposition"]
    text = pdf_text(response)
    assert "DUPONT Anne" in text and "LEROY Marc" in text and "MARTIN Lou" not in text


# --- Attestations --------------------------------------------------------------------------------


def test_attestation_action_view(client, world, operation, inscrits):
    action = ActionCollectiveFactory(operation=operation)
    PresenceFactory(action=action, participant=inscrits[0].participant, present=True)
    client.force_login(world.direction_a)
    response = client.get(url("attestation_action", action.pk, inscrits[0].participant.pk))
    assert response.status_code == 200
    text = pdf_text(response)
    assert "Attestation de réalisation" in text and "DUPONT Anne" in text and "ACC-A" in text
    # not registered to the session
    assert client.get(url("attestation_action", action.pk, inscrits[1].participant.pk)).status_code == 404
    client.force_login(world.referent_b)
    assert client.get(url("attestation_action", action.pk, inscrits[0].participant.pk)).status_code == 404


def test_attestation_etape_view(client, world, operation, inscrits):
    parcours = ParcoursFactory(participant=inscrits[0].participant, en_parcours=True)
    etape = EtapeFactory(parcours=parcours, date_debut=D(2026, 3, 2), resultat="Stage validé")
    client.force_login(world.gestionnaire_a)
    response = client.get(url("attestation_etape", etape.pk))
    text = pdf_text(response)
    assert "a réalisé l'étape de parcours" in text and "Stage validé" in text and "ACC-A" in text
    for persona, status in [("referent_b", 404), ("financeur", 404), ("referent_a", 403)]:
        client.force_login(getattr(world, persona))
        assert client.get(url("attestation_etape", etape.pk)).status_code == status


# --- Entretiens extraction -----------------------------------------------------------------------


@pytest.fixture
def entretiens(operation, inscrits):
    parcours = ParcoursFactory(participant=inscrits[1].participant, en_parcours=True)
    EntretienFactory(parcours=parcours, date=D(2026, 5, 4), duree_minutes=40, notes="CONFIDENTIEL")
    EntretienFactory(parcours=parcours, date=D(2026, 10, 4))  # after Leroy left
    return parcours


def test_extraction_csv_streamed(client, world, operation, entretiens, django_assert_num_queries):
    client.force_login(world.gestionnaire_a)
    client.get(url("extraction_entretiens", operation.pk))
    response = client.get(
        url("extraction_entretiens", operation.pk), {"du": "01/01/2026", "au": "30/06/2026", "format": "csv"}
    )
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="entretiens-ACC-A-20260101-20260630.csv"' in response["Content-Disposition"]
    # session, user, memberships (scope), operation, the people exported and their journal rows
    # (one select, one insert), the entretiens (streamed)
    with django_assert_num_queries(7):
        response = client.get(url("extraction_entretiens", operation.pk), {"format": "csv"})
        raw = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Référent"
    lines = [row[1:3] for row in rows[1:]]
    assert len(lines) == 4  # one référent each: a line then its total
    assert sorted(map(tuple, lines[0::2])) == [("DUPONT Anne", "03/03/2026"), ("LEROY Marc", "04/05/2026")]
    assert lines[1] == lines[3] == ["1 participant", "1 entretien"]
    assert b"CONFIDENTIEL" not in raw


def test_extraction_xlsx_and_pdf(client, world, operation, entretiens):
    client.force_login(world.direction_a)
    response = client.get(url("extraction_entretiens", operation.pk), {"du": "2026-05-01", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[1] for row in sheet.iter_rows(values_only=True)] == [
        "Participant",
        "LEROY Marc",
        "1 participant",
    ]
    response = client.get(url("extraction_entretiens", operation.pk), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    assert "DUPONT Anne" in text and "LEROY Marc" in text and "CONFIDENTIEL" not in text


def test_extraction_bad_period(client, world, operation):
    client.force_login(world.gestionnaire_a)
    response = client.get(
        url("extraction_entretiens", operation.pk), {"du": "30/06/2026", "au": "01/01/2026", "format": "csv"}
    )
    assert response.status_code == 400
    assert "La fin de la période doit suivre son début." in response.content.decode()
    response = client.get(url("extraction_entretiens", operation.pk), {"du": "31/02/2026", "format": "csv"})
    assert response.status_code == 400
    assert 'id="id_du_erreur"' in response.content.decode()


def test_extraction_pdf_too_long(client, world, operation, entretiens, monkeypatch):
    monkeypatch.setattr("operations.views_pieces.PDF_MAX_LIGNES", 1)
    client.force_login(world.gestionnaire_a)
    response = client.get(url("extraction_entretiens", operation.pk), {"format": "pdf"})
    assert response.status_code == 400
    assert "2 entretiens sur la période : trop pour un PDF (au plus 1)." in response.content.decode()
    assert client.get(url("extraction_entretiens", operation.pk), {"format": "xlsx"}).status_code == 200


def test_action_detail_and_emargement_queries(client, world, operation, inscrits, django_assert_num_queries):
    action = ActionCollectiveFactory(operation=operation)
    for inscription in inscrits:
        PresenceFactory(action=action, participant=inscription.participant)
    client.force_login(world.gestionnaire_a)
    client.get(url("action_detail", action.pk))
    # session, user, memberships (scope), action with operation and PLIE, presences with participants,
    # whether anybody is left to register (nobody here: every enrolled participant is registered)
    with django_assert_num_queries(6):
        response = client.get(url("action_detail", action.pk))
    assert len(response.context["presences"]) == 3
    # session, user, memberships (scope), action, presences with participants, the journal's rows
    # (one insert for the whole sheet)
    with django_assert_num_queries(6):
        assert client.get(url("emargement", action.pk)).status_code == 200
