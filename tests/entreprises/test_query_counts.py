"""The employer side's lists inside a page (an employer's contacts, exchanges and offers, the
participants put forward on an offer, the offers that fit a participant, the participants placed
on a market, an action's attendance sheet, the due six-month follow-ups, a convention's page):
each in a fixed number of queries, whatever its length (1 row, then 8)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from entreprises.models import ActionEntreprise, PresenceAction, SuiviSixMois
from tests.entreprises.factories import (
    ContactFactory,
    ConventionFactory,
    EchangeFactory,
    EmployeurFactory,
    HeuresMoisFactory,
    MarcheFactory,
    MiseEnRelationFactory,
    OffreFactory,
    PlacementFactory,
)
from tests.parcours.factories import ParcoursFactory

D = datetime.date
SIZES = [1, 8]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


def suivi_parcours(world, **kwargs):
    return ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, referent=world.referent_a, **kwargs
    )


@pytest.mark.parametrize("n", SIZES)
def test_employer_detail(client, world, n, django_assert_num_queries):
    employeur = EmployeurFactory(plie=world.plie_a)
    for _ in range(n):
        EchangeFactory(employeur=employeur, contact=ContactFactory(employeur=employeur))
        OffreFactory(plie=world.plie_a, employeur=employeur)
        ConventionFactory(plie=world.plie_a, employeur=employeur, partenaire="", type_partenaire="siae")
    client.force_login(world.charge_a)
    # session, user, scope (memberships), the employer with its PLIE, its contacts, its exchanges
    # (contact and author joined), its offers, its conventions
    with django_assert_num_queries(8):
        response = client.get(reverse("entreprises:employeur_detail", args=[employeur.pk]))
    assert len(response.context["echanges"]) == n == len(response.context["offres"])
    assert len(response.context["conventions"]) == n


@pytest.mark.parametrize("n", SIZES)
def test_offer_detail_with_the_participants_put_forward(client, world, n, django_assert_num_queries):
    offre = OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a)
    for _ in range(n):
        MiseEnRelationFactory(offre=offre, parcours=suivi_parcours(world, en_parcours=True))
    client.force_login(world.referent_a)
    # session, user, scope (memberships), the offer with its employer and PLIE, the mises en
    # relation (participant, parcours, author joined)
    with django_assert_num_queries(5):
        response = client.get(reverse("entreprises:offre_detail", args=[offre.pk]))
    assert len(response.context["mises"]) == n


@pytest.mark.parametrize("n", SIZES)
def test_the_offers_that_fit_a_participant(client, world, n, django_assert_num_queries):
    parcours = suivi_parcours(world, en_parcours=True)
    OffreFactory.create_batch(n, plie=world.plie_a, employeur__plie=world.plie_a)
    client.force_login(world.referent_a)
    # session, user, scope (memberships), the parcours with its participant, the open offers
    # (employer joined)
    with django_assert_num_queries(5):
        response = client.get(reverse("entreprises:offres_pour_parcours", args=[parcours.pk]))
    assert len(response.context["offres"]) == n


@pytest.mark.parametrize("n", SIZES)
def test_market_detail_with_its_placements(client, world, n, django_assert_num_queries):
    marche = MarcheFactory(plie=world.plie_a)
    for _ in range(n):
        HeuresMoisFactory(placement=PlacementFactory(marche=marche, participant__plie=world.plie_a))
    client.force_login(world.charge_a)
    # session, user, scope (memberships), the market with its attributaire and PLIE, the
    # placements (participant joined), their hours (one prefetch)
    with django_assert_num_queries(6):
        response = client.get(reverse("entreprises:marche_detail", args=[marche.pk]))
    assert len(response.context["placements"]) == n


@pytest.mark.parametrize("n", SIZES)
def test_an_actions_attendance_sheet(client, world, n, django_assert_num_queries):
    action = ActionEntreprise.objects.create(
        plie=world.plie_a, type="job_dating", intitule="Job dating", date=D(2026, 4, 1)
    )
    action.employeurs.add(EmployeurFactory(plie=world.plie_a))
    for _ in range(n):
        parcours = suivi_parcours(world, en_parcours=True)
        PresenceAction.objects.create(action=action, participant=parcours.participant, present=True)
    client.force_login(world.charge_a)
    # session, user, scope (memberships), the action, its employers, the attendance sheet
    # (participant joined), the participants that may be invited (the form's choices)
    with django_assert_num_queries(7):
        response = client.get(reverse("entreprises:action_detail", args=[action.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_the_due_follow_ups(client, world, n, django_assert_num_queries):
    for i in range(n):
        parcours = suivi_parcours(
            world,
            sorti=True,
            date_entree=D(2024, 1, 1),
            date_sortie=D(2025, 8, 31) - datetime.timedelta(days=i),
        )
        if i % 2:
            SuiviSixMois.objects.create(parcours=parcours, situation="emploi", date_releve=D(2026, 3, 1))
    client.force_login(world.gestionnaire_a)
    # session, user, scope (memberships), the exits due with participant, référent and follow-up
    with django_assert_num_queries(4):
        response = client.get(reverse("entreprises:suivi_list"))
    assert len(response.context["page"].object_list) == n - n // 2  # the ones not recorded
    # the recorded ones, on their own tab: the same query
    with django_assert_num_queries(4):
        response = client.get(reverse("entreprises:suivi_list"), {"etat": "fait"})
    assert len(response.context["page"].object_list) == n // 2


@pytest.mark.parametrize("n", SIZES)
def test_a_convention_page(client, world, n, django_assert_num_queries):
    conventions = ConventionFactory.create_batch(n, plie=world.plie_a, avec_employeur=True)
    client.force_login(world.referent_a)
    # session, user, scope (memberships), the convention with its employer and PLIE
    with django_assert_num_queries(4):
        response = client.get(reverse("entreprises:convention_detail", args=[conventions[-1].pk]))
    assert response.context["convention"] == conventions[-1]
