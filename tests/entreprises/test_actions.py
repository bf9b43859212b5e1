"""Partner actions with employers and their attendance sheet."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from entreprises import services
from entreprises.compteurs import compteurs_periode
from entreprises.models import ActionEntreprise, PresenceAction
from plie.core.scoping import scope_for
from tests.entreprises.factories import EmployeurFactory
from tests.factories import ParticipantFactory
from tests.parcours.factories import ParcoursFactory

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def action(world):
    employeur = EmployeurFactory(plie=world.plie_a)
    return services.action_create(
        scope=scope_for(world.charge_a),
        plie_id=world.plie_a.pk,
        type="job_dating",
        intitule="Job dating BTP",
        date=D(2026, 4, 10),
        employeurs=[employeur],
    )


def en_parcours(plie, nom):
    return ParcoursFactory(
        plie=plie, participant__plie=plie, participant__nom=nom, en_parcours=True
    ).participant


def test_invite_then_sign(world, action):
    scope = scope_for(world.charge_a)
    lea, marc = en_parcours(world.plie_a, "Léa"), en_parcours(world.plie_a, "Marc")
    for person in (lea, marc):
        services.action_inviter(scope=scope, action=action, participant=person)
    services.action_emarger(scope=scope, action=action, presents=[lea.pk])
    assert dict(PresenceAction.objects.values_list("participant__nom", "present")) == {
        "Léa": True,
        "Marc": False,
    }
    counts = compteurs_periode([world.plie_a.pk], D(2026, 1, 1), D(2026, 12, 31))
    assert (counts["actions"], counts["presents"]) == (1, 1)


@pytest.mark.parametrize(
    ("case", "fragment"),
    [("autre_plie", "pas suivi par le PLIE"), ("deja", "déjà inscrit")],
)
def test_bad_invitations_save_nothing(world, action, case, fragment):
    scope = scope_for(world.charge_a)
    person = ParticipantFactory(plie=world.plie_b if case == "autre_plie" else world.plie_a)
    if case == "deja":
        services.action_inviter(scope=scope, action=action, participant=person)
    with pytest.raises(ValidationError, match=fragment):
        services.action_inviter(scope=scope, action=action, participant=person)
    assert PresenceAction.objects.count() == (1 if case == "deja" else 0)


def test_no_attendance_before_the_day(world):
    action = services.action_create(
        scope=scope_for(world.charge_a),
        plie_id=world.plie_a.pk,
        type="visite",
        intitule="Visite",
        date=D(2026, 5, 1),
    )
    with pytest.raises(ValidationError, match="jour de l'action"):
        services.action_emarger(scope=scope_for(world.charge_a), action=action, presents=[])


def test_an_employer_of_another_plie_is_refused(world):
    with pytest.raises(ValidationError):
        services.action_create(
            scope=scope_for(world.charge_a),
            plie_id=world.plie_a.pk,
            type="forum",
            intitule="Forum",
            date=D(2026, 4, 1),
            employeurs=[EmployeurFactory(plie=world.plie_b)],
        )
    assert not ActionEntreprise.objects.exists()


def test_a_referent_records_no_action(world):
    with pytest.raises(PermissionDenied):
        services.action_create(
            scope=scope_for(world.referent_a),
            plie_id=world.plie_a.pk,
            type="forum",
            intitule="F",
            date=D(2026, 4, 1),
        )


class TestPages:
    def test_list_query_count_and_plie_b(self, client, world, action, django_assert_num_queries):
        services.action_inviter(
            scope=scope_for(world.charge_a), action=action, participant=en_parcours(world.plie_a, "Léa")
        )
        client.force_login(world.charge_a)
        # session, user, scope (memberships), the actions with their counts
        with django_assert_num_queries(4):
            response = client.get(reverse("entreprises:action_list"))
        assert [a.nb_inscrits for a in response.context["actions"]] == [1]
        client.force_login(world.referent_b)
        assert list(client.get(reverse("entreprises:action_list")).context["actions"]) == []
        assert client.get(reverse("entreprises:action_detail", args=[action.pk])).status_code == 404

    def test_create_invite_and_sign_in_the_page(self, client, world):
        employeur = EmployeurFactory(plie=world.plie_a)
        lea = en_parcours(world.plie_a, "Léa")
        client.force_login(world.charge_a)
        response = client.post(
            reverse("entreprises:action_create"),
            {"plie": world.plie_a.pk, "type": "job_dating", "intitule": "Job dating", "date": "10/04/2026",
             "employeurs": [employeur.pk]},
        )  # fmt: skip
        action = ActionEntreprise.objects.get()
        assert response.url == reverse("entreprises:action_detail", args=[action.pk])
        detail = reverse("entreprises:action_detail", args=[action.pk])
        client.post(detail, {"inviter": "1", "participant": lea.pk})
        client.post(detail, {"emarger": "", "present": [lea.pk]})
        assert PresenceAction.objects.get().present is True

    def test_a_referent_reads_the_sheet_but_does_not_sign(self, client, world, action):
        client.force_login(world.referent_a)
        assert client.get(reverse("entreprises:action_detail", args=[action.pk])).status_code == 200
        assert (
            client.post(reverse("entreprises:action_detail", args=[action.pk]), {"emarger": ""}).status_code
            == 403
        )
