"""Disability (Q3) follows one rule everywhere (``plie.core.scoping``'s docstring): référent and
animation read and record it; gestionnaire, direction and administrateur read « Renseigné »
on the dossier, the questionnaires and the XLSX and cannot change it; the MDFSE file carries it
in clear and is produced by gestionnaire, animation and administrateur only."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from operations import mdfse
from operations.permissions import can_export_mdfse
from operations.services import confirmer_questionnaire
from participants.services import situation_save
from plie.core.scoping import masked_answer, scope_for
from tests.factories import SituationEntreeFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.operations.test_views_operations import QUESTIONNAIRE
from tests.parcours.factories import ParcoursFactory
from tests.participants.test_views import answers, complete_participant

SEES = ("referent_a", "animateur_a")
MASKED = ("gestionnaire_a", "direction_a", "admin_a")
Q3_RADIO = 'name="handicap_reconnu"'


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0), tick=False):
        yield


@pytest.fixture
def dossier(world):
    participant = complete_participant(world.plie_a, nom="Durand")
    SituationEntreeFactory(participant=participant, complete=True, handicap_reconnu=True)
    parcours = ParcoursFactory(
        plie=world.plie_a, participant=participant, en_parcours=True, referent=world.referent_a
    )
    operation = OperationFactory(plie=world.plie_a, code="ACC-2026")
    InscriptionFactory(
        operation=operation, participant=participant, parcours=parcours, complete=True, handicap_reconnu=True
    )
    return participant


def test_masked_answer():
    assert [masked_answer(v) for v in (True, False, None, "", "O")] == [
        "Renseigné",
        "Renseigné",
        "Non renseigné",
        "Non renseigné",
        "Renseigné",
    ]


@pytest.mark.parametrize("persona", SEES + MASKED)
def test_the_dossier_page(client, world, dossier, persona):
    client.force_login(getattr(world, persona))
    rows = dict(
        client.get(reverse("participants:participant_detail", args=[dossier.pk])).context["situation_rows"]
    )
    q3 = next(value for label, value in rows.items() if label.startswith("Q3"))
    assert q3 == ("Oui" if persona in SEES else "Renseigné")


@pytest.mark.parametrize("persona", ("referent_a", "animateur_a", "admin_a"))
def test_the_dossier_questionnaire(client, world, dossier, persona):
    client.force_login(getattr(world, persona))
    page = reverse("participants:situation_update", args=[dossier.pk])
    body = client.get(page).content.decode()
    if persona in SEES:
        assert Q3_RADIO in body and 'id="q3-masque"' not in body
    else:
        assert Q3_RADIO not in body and 'id="q3-masque"' in body and "Renseigné" in body
    # a manager's post of Q3 is ignored: the answer stays the référent's
    client.post(page, answers(handicap_reconnu="False"))
    dossier.refresh_from_db()
    assert dossier.situation_entree.handicap_reconnu is (persona not in SEES)


@pytest.mark.parametrize("persona", ("referent_a", "animateur_a", "gestionnaire_a", "admin_a"))
def test_the_enrolment_questionnaire(client, world, dossier, persona):
    inscription = dossier.inscriptions.get()
    client.force_login(getattr(world, persona))
    page = reverse("operations:inscription_questionnaire", args=[inscription.pk])
    body = client.get(page).content.decode()
    assert (Q3_RADIO in body) is (persona in SEES)
    assert ('id="q3-masque"' in body) is (persona not in SEES)
    response = client.post(page, {**QUESTIONNAIRE, "handicap_reconnu": "False"})
    assert response.status_code == 302
    inscription.refresh_from_db()
    assert inscription.handicap_reconnu is (persona not in SEES)


@pytest.mark.parametrize("persona", MASKED)
def test_the_services_refuse_q3_from_a_manager(world, dossier, persona):
    scope = scope_for(getattr(world, persona))
    inscription = dossier.inscriptions.get()
    with pytest.raises(PermissionDenied):
        confirmer_questionnaire(inscription, {"handicap_reconnu": False}, scope=scope)
    with pytest.raises(PermissionDenied):
        situation_save(
            scope=scope, participant=dossier, situation=dossier.situation_entree, handicap_reconnu=False
        )


@pytest.mark.parametrize(
    ("persona", "exports"),
    [
        ("gestionnaire_a", True),
        ("animateur_a", True),
        ("admin_a", True),
        ("direction_a", False),
        ("referent_a", False),
        ("financeur", False),
        ("referent_b", False),
    ],
)
def test_who_produces_the_mdfse_file(client, world, dossier, persona, exports):
    operation = dossier.inscriptions.get().operation
    assert can_export_mdfse(scope_for(getattr(world, persona)), world.plie_a.pk) is exports
    client.force_login(getattr(world, persona))
    response = client.get(reverse("operations:export_mdfse", args=[operation.pk]))
    assert (response.status_code == 200) is exports
    if exports:  # the one place where a manager reads Q3 in clear
        lines = b"".join(response.streaming_content).decode().split("\r\n")
        q3 = lines[0].split(";").index("Q3 Handicap")
        assert lines[1].split(";")[q3] == "O"


@pytest.mark.parametrize("persona", ("animateur_a", "gestionnaire_a", "direction_a", "admin_a"))
def test_the_operation_xlsx_masks_q3(world, dossier, persona):
    operation = dossier.inscriptions.get().operation
    content = mdfse.export_xlsx(operation, scope_for(getattr(world, persona)))
    sheet = load_workbook(io.BytesIO(content))["Participants"]
    rows = list(sheet.iter_rows(values_only=True))
    q3 = rows[0].index("Q3 Handicap")
    assert rows[1][q3] == ("O" if persona in SEES else "Renseigné")
