"""The employer side's pages: who sees what (PLIE B sees nothing: 404), the forms, query counts."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from entreprises.enums import StatutMiseEnRelation
from entreprises.models import Employeur, MiseEnRelation
from parcours.models import Contrat
from tests.entreprises.factories import (
    ContactFactory,
    EchangeFactory,
    EmployeurFactory,
    MiseEnRelationFactory,
    OffreFactory,
)
from tests.parcours.factories import ParcoursFactory, TypeEtapeFactory

D = datetime.date


def url(name, *args):
    return reverse(f"entreprises:{name}", args=args)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def offre(world):
    return OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a, employeur__nom="Bati Sud")


@pytest.fixture
def mise(world, offre):
    return MiseEnRelationFactory(
        offre=offre,
        parcours=ParcoursFactory(
            plie=world.plie_a,
            participant__plie=world.plie_a,
            participant__nom="Martin",
            en_parcours=True,
            referent=world.referent_a,
        ),
    )


class TestScoping:
    """Every list, detail and form of PLIE A: PLIE B's référent gets a 404 or an empty list."""

    @pytest.mark.parametrize(
        "name",
        [
            "employeur_detail",
            "employeur_update",
            "contact_create",
            "echange_create",
            "offre_create",
        ],
    )
    def test_employer_pages_of_plie_a_are_404_for_plie_b(self, client, world, offre, name):
        client.force_login(world.referent_b)
        assert client.get(url(name, offre.employeur_id)).status_code == 404

    @pytest.mark.parametrize("name", ["offre_detail", "offre_update", "mise_en_relation_create"])
    def test_offer_pages_of_plie_a_are_404_for_plie_b(self, client, world, offre, name):
        client.force_login(world.referent_b)
        assert client.get(url(name, offre.pk)).status_code == 404

    @pytest.mark.parametrize("name", ["mise_en_relation_resultat", "mise_en_relation_embauche"])
    def test_mise_pages_of_plie_a_are_404_for_plie_b(self, client, world, mise, name):
        client.force_login(world.referent_b)
        assert client.get(url(name, mise.pk)).status_code == 404

    def test_lists_of_plie_b_show_nothing_of_plie_a(self, client, world, offre):
        client.force_login(world.referent_b)
        assert list(client.get(url("employeur_list")).context["page"]) == []
        assert list(client.get(url("offre_list")).context["page"]) == []

    def test_offers_for_a_parcours_of_plie_a_are_404_for_plie_b(self, client, world, mise):
        client.force_login(world.referent_b)
        assert client.get(url("offres_pour_parcours", mise.parcours_id)).status_code == 404

    @pytest.mark.parametrize("persona", ["financeur", "no_role"])
    def test_no_employer_side_no_list(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.get(url("employeur_list")).status_code == 404

    def test_a_referent_reads_but_does_not_edit_employers(self, client, world, offre):
        client.force_login(world.referent_a)
        assert client.get(url("employeur_detail", offre.employeur_id)).status_code == 200
        assert client.get(url("employeur_update", offre.employeur_id)).status_code == 403


class TestEmployeurPages:
    def test_list_filters(self, client, world):
        EmployeurFactory(plie=world.plie_a, nom="Bati Sud", secteur="btp")
        EmployeurFactory(plie=world.plie_a, nom="Propreté Plus", secteur="proprete")
        client.force_login(world.charge_a)
        response = client.get(url("employeur_list"), {"secteur": "proprete"})
        assert [e.nom for e in response.context["page"]] == ["Propreté Plus"]
        response = client.get(url("employeur_list"), {"q": "bati"})
        assert [e.nom for e in response.context["page"]] == ["Bati Sud"]

    @pytest.mark.parametrize("count", [1, 15])
    def test_list_query_count(self, client, world, count, django_assert_num_queries):
        for employeur in EmployeurFactory.create_batch(count, plie=world.plie_a):
            OffreFactory(employeur=employeur, plie=world.plie_a)
            EchangeFactory(employeur=employeur)
        client.force_login(world.charge_a)
        # session, user, scope (memberships), count, page of employers (offers and exchanges counted)
        with django_assert_num_queries(5):
            response = client.get(url("employeur_list"))
        assert len(response.context["page"]) == count

    def test_detail_shows_contacts_exchanges_offers(self, client, world, offre):
        ContactFactory(employeur=offre.employeur, nom="Durand")
        EchangeFactory(employeur=offre.employeur, compte_rendu="Visite du chantier")
        client.force_login(world.charge_a)
        html = client.get(url("employeur_detail", offre.employeur_id)).content.decode()
        assert "Durand" in html and "Visite du chantier" in html and "Maçon VRD" in html

    def test_create_with_a_wrong_siret_shows_a_french_message(self, client, world):
        client.force_login(world.charge_a)
        response = client.post(
            url("employeur_create"), {"plie": world.plie_a.pk, "siret": "73282932000075", "nom": "X"}
        )
        assert response.status_code == 200
        assert "La clé de ce SIRET n&#x27;est pas valide" in response.content.decode()
        assert not Employeur.objects.exists()

    def test_create_then_edit(self, client, world):
        client.force_login(world.charge_a)
        response = client.post(
            url("employeur_create"), {"plie": world.plie_a.pk, "siret": "73282932000074", "nom": "Bati Sud"}
        )
        employeur = Employeur.objects.get()
        assert response.url == url("employeur_detail", employeur.pk)
        client.post(
            url("employeur_update", employeur.pk), {"siret": "73282932000074", "nom": "Bati Sud Ouest"}
        )
        employeur.refresh_from_db()
        assert employeur.nom == "Bati Sud Ouest"

    def test_contact_and_exchange(self, client, world):
        employeur = EmployeurFactory(plie=world.plie_a)
        client.force_login(world.charge_a)
        client.post(url("contact_create", employeur.pk), {"nom": "Durand", "prenom": "Claire"})
        contact = employeur.contacts.get()
        client.post(
            url("echange_create", employeur.pk),
            {
                "type": "visite",
                "date": "14/04/2026",
                "contact": contact.pk,
                "compte_rendu": "Besoin de 3 maçons",
            },
        )
        assert employeur.echanges.get().contact == contact


class TestOffrePages:
    @pytest.mark.parametrize("count", [1, 15])
    def test_list_query_count(self, client, world, count, django_assert_num_queries):
        for offre in OffreFactory.create_batch(count, plie=world.plie_a, employeur__plie=world.plie_a):
            MiseEnRelationFactory(offre=offre)
        client.force_login(world.referent_a)
        # session, user, scope (memberships), count, page of offers (employer joined, mises
        # counted), the référent's participants in parcours
        with django_assert_num_queries(6):
            response = client.get(url("offre_list"))
        assert len(response.context["page"]) == count

    def test_the_chargee_records_an_offer(self, client, world):
        employeur = EmployeurFactory(plie=world.plie_a)
        client.force_login(world.charge_a)
        data = {
            "intitule": "Agent d'entretien",
            "code_rome": "k2204",
            "type_contrat": "cdd",
            "heures_hebdo": "24",
            "lieu": "Agen",
            "date_publication": "14/04/2026",
            "postes": "2",
            "status": "ouverte",
        }
        response = client.post(url("offre_create", employeur.pk), data)
        offre = employeur.offres.get()
        assert response.url == url("offre_detail", offre.pk)
        assert offre.code_rome == "K2204"

    def test_a_referent_proposes_then_hires(self, client, world, offre):
        parcours = ParcoursFactory(
            plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
        )
        client.force_login(world.referent_a)
        form = client.get(url("mise_en_relation_create", offre.pk)).context["form"]
        assert list(form.fields["participant"].queryset) == [parcours.participant]
        client.post(url("mise_en_relation_create", offre.pk), {"participant": parcours.participant.pk})
        mise = MiseEnRelation.objects.get()
        type_etape = TypeEtapeFactory(emploi=True)
        response = client.post(
            url("mise_en_relation_embauche", mise.pk),
            {"type_etape": type_etape.pk, "date_debut": "20/04/2026"},
        )
        assert response.status_code == 302
        mise.refresh_from_db()
        assert mise.status == StatutMiseEnRelation.RETENU
        assert Contrat.objects.get().etape.parcours == parcours

    def test_proposing_on_a_closed_offer_shows_the_reason(self, client, world, offre):
        parcours = ParcoursFactory(
            plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
        )
        offre.status = "fermee"
        offre.save()
        client.force_login(world.referent_a)
        response = client.post(
            url("mise_en_relation_create", offre.pk), {"participant": parcours.participant.pk}
        )
        assert "Cette offre est fermée" in response.content.decode()
        assert not MiseEnRelation.objects.exists()

    def test_the_chargee_sees_the_participants_put_forward(self, client, world, mise):
        client.force_login(world.charge_a)
        html = client.get(url("offre_detail", mise.offre_id)).content.decode()
        assert "MARTIN" in html
        assert "Embauche" not in html  # the hire is the parcours' writers'

    def test_non_retenu_needs_its_reason(self, client, world, mise):
        client.force_login(world.charge_a)
        response = client.post(
            url("mise_en_relation_resultat", mise.pk), {"status": "non_retenu", "date_resultat": "15/04/2026"}
        )
        assert "Indiquez le motif" in response.content.decode()
        mise.refresh_from_db()
        assert mise.status == StatutMiseEnRelation.PROPOSEE

    def test_the_offer_list_links_a_referent_to_the_offers_that_fit(self, client, world, mise):
        client.force_login(world.referent_a)
        response = client.get(url("offre_list"))
        assert url("offres_pour_parcours", mise.parcours_id) in response.content.decode()

    def test_offers_that_fit_a_participant(self, client, world, mise):
        OffreFactory(
            plie=world.plie_a, employeur__plie=world.plie_a, intitule="Agent d'entretien", code_rome="K2204"
        )
        client.force_login(world.referent_a)
        response = client.get(url("offres_pour_parcours", mise.parcours_id), {"rome": "K2204"})
        assert [o.intitule for o in response.context["offres"]] == ["Agent d'entretien"]


def test_the_chargee_has_her_home_and_menu(client, world):
    client.force_login(world.charge_a)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert "Chargé(e) de relations entreprises" in html
    assert url("employeur_list") in html and url("offre_list") in html
    assert reverse("participants:participant_list") not in html  # no dossier
