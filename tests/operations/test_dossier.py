"""The parcours page's « Inscrire dans l'opération FSE » panel (operations.dossier, a dossier
panel of plie.core.registry) and its one-click enrolment: after the commission's admission, one
button when one operation of the PLIE is in progress, a choice when several, nothing when none
or when the person is already enrolled; only for those who manage the PLIE's operations;
scoped."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from operations.dossier import inscription_fse
from operations.models import Inscription
from parcours.enums import ObjetPassage, StatutParcours
from parcours.models import Decision
from plie.core import registry
from plie.core.scoping import scope_for
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import CommissionFactory, ParcoursFactory

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
TITRE = "Inscrire dans l'opération FSE"


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def parcours(world):
    return ParcoursFactory(participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a)


def page(client, parcours):
    return client.get(reverse("parcours:parcours_detail", args=[parcours.pk]))


def enrol(client, parcours, operation):
    return client.post(
        reverse("operations:inscription_parcours", args=[parcours.pk]),
        {"operation": operation.pk if operation else ""},
    )


def test_operations_registers_the_panel():
    assert inscription_fse in registry.dossier_panels()


def test_after_the_commission_admits_her_one_click_enrols_her(client, world):
    operation = OperationFactory(plie=world.plie_a, code="ACC-2026", date_debut=D(2026, 1, 1))
    OperationFactory(plie=world.plie_a, code="ACC-2025", date_debut=D(2025, 1, 1), date_fin=D(2025, 12, 31))
    OperationFactory(plie=world.plie_b, code="ACC-B")
    candidat = ParcoursFactory(participant__plie=world.plie_a, referent=world.referent_a)
    session = CommissionFactory(plie=world.plie_a, date=D(2026, 6, 11))
    decision = Decision.objects.create(commission=session, parcours=candidat, objet=ObjetPassage.CANDIDATURE)
    client.force_login(world.animateur_a)
    assertNotContains(page(client, candidat), TITRE)  # a candidate is not enrolled yet
    prefix = f"d{decision.pk}-"
    client.post(
        reverse("parcours:decision_record", args=[decision.pk]),
        {
            prefix + "version": candidat.version,
            prefix + "decision": "admis",
            prefix + "date_entree": "15/06/2026",
            prefix + "referent": world.referent_a.pk,
            prefix + "date_signature_contrat": "15/06/2026",
            prefix + "motif": "",
        },
    )
    candidat.refresh_from_db()
    assert candidat.status == StatutParcours.EN_PARCOURS

    response = page(client, candidat)
    assertContains(response, TITRE)
    assertContains(response, f'<input type="hidden" name="operation" value="{operation.pk}">', html=True)
    assertContains(response, "Inscrire dans ACC-2026</button>")
    for code in ("ACC-2025", "ACC-B"):
        assertNotContains(response, code)

    response = enrol(client, candidat, operation)
    assertRedirects(
        response, reverse("parcours:parcours_detail", args=[candidat.pk]), fetch_redirect_response=False
    )
    inscription = Inscription.objects.get()
    assert (inscription.operation, inscription.parcours, inscription.date_entree) == (
        operation,
        candidat,
        D(2026, 6, 15),
    )
    response = page(client, candidat)
    assertContains(response, "inscrit(e) dans ACC-2026 le 15/06/2026")
    assertNotContains(response, TITRE)  # enrolled: nothing more to offer


def test_several_operations_in_progress_are_a_choice(client, world, parcours):
    first = OperationFactory(plie=world.plie_a, code="ACC-2026")
    second = OperationFactory(plie=world.plie_a, code="CLAUSES-2026")
    client.force_login(world.gestionnaire_a)
    response = page(client, parcours)
    for operation in (first, second):
        assertContains(response, f'id="inscription-fse-{operation.pk}"')
    assertContains(response, "Inscrire dans l'opération choisie")
    enrol(client, parcours, second)
    assert Inscription.objects.get().operation == second


@pytest.mark.parametrize("case", ["no_operation", "already_enrolled", "left", "candidate"])
def test_nothing_to_offer(client, world, parcours, case):
    if case != "no_operation":
        operation = OperationFactory(plie=world.plie_a, code="ACC-2026")
        OperationFactory(plie=world.plie_a, code="CLAUSES-2026")
    else:
        OperationFactory(plie=world.plie_a, date_debut=D(2025, 1, 1), date_fin=D(2025, 12, 31))
    if case == "already_enrolled":
        InscriptionFactory(operation=operation, participant=parcours.participant, parcours=parcours)
    elif case == "left":
        parcours = ParcoursFactory(participant__plie=world.plie_a, sorti=True)
    elif case == "candidate":
        parcours = ParcoursFactory(participant__plie=world.plie_a)
    client.force_login(world.animateur_a)
    assertNotContains(page(client, parcours), TITRE)


@pytest.mark.parametrize("persona", ["referent_a", "direction_a"])
def test_who_does_not_manage_operations_gets_no_offer_and_may_not_enrol(client, world, parcours, persona):
    operation = OperationFactory(plie=world.plie_a)
    client.force_login(getattr(world, persona))
    assertNotContains(page(client, parcours), TITRE)
    assert enrol(client, parcours, operation).status_code == 403
    assert not Inscription.objects.exists()


@pytest.mark.parametrize("persona", ["referent_b", "financeur", "no_role"])
def test_plie_b_sees_nothing(client, world, parcours, persona):
    operation = OperationFactory(plie=world.plie_a)
    client.force_login(getattr(world, persona))
    assert enrol(client, parcours, operation).status_code == 404
    assert not Inscription.objects.exists()


@pytest.mark.parametrize("which", ["other_plie", "past", "none"])
def test_only_an_operation_in_progress_of_her_plie(client, world, parcours, which):
    operation = {
        "other_plie": lambda: OperationFactory(plie=world.plie_b),
        "past": lambda: OperationFactory(
            plie=world.plie_a, date_debut=D(2025, 1, 1), date_fin=D(2025, 12, 31)
        ),
        "none": lambda: None,
    }[which]()
    client.force_login(world.animateur_a)
    response = enrol(client, parcours, operation)
    assert response.status_code == 302
    assert not Inscription.objects.exists()
    assertContains(page(client, parcours), "Opération : choisissez une opération en cours du PLIE")


def test_the_service_refusal_is_said_in_french(client, world):
    OperationFactory(plie=world.plie_a, code="ACC-2026", date_fin=D(2026, 6, 20))
    # admitted with an entry after the operation's end: the service refuses, nothing is saved
    parcours = ParcoursFactory(participant__plie=world.plie_a, en_parcours=True, date_entree=D(2026, 6, 25))
    client.force_login(world.animateur_a)
    response = page(client, parcours)
    assertContains(response, "Inscrire dans ACC-2026</button>")
    enrol(client, parcours, response.context["panels"][0]["operations"][0])
    assert not Inscription.objects.exists()
    assertContains(
        page(client, parcours), "Inscription dans ACC-2026 refusée : La date d&#x27;entrée (25/06/2026)"
    )


def test_the_panel_reads_one_query_and_none_for_a_referent(world, parcours, django_assert_num_queries):
    OperationFactory(plie=world.plie_a)
    today = D(2026, 6, 15)
    referent, scope = scope_for(world.referent_a), scope_for(world.animateur_a)
    with django_assert_num_queries(0):
        assert inscription_fse(referent, parcours, today) is None
    # the operations in progress of the PLIE, each with whether she has an open enrolment
    with django_assert_num_queries(1):
        panel = inscription_fse(scope, parcours, today)
    assert len(panel["operations"]) == 1
