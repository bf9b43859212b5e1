"""« Ma file active »: the référent's parcours with their last contact, next appointment,
current étape and alerts; filters, sort, who may open whose; a constant number of queries."""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from parcours.enums import StatutParcours, TypeAlerte
from parcours.models import Alerte, Entretien, Etape, ParametresPlie, Parcours
from parcours.selectors import WorkspaceFilters, file_active
from participants.models import Participant
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory, UserFactory, user_with_role
from tests.parcours.factories import EtapeFactory, ParcoursFactory, TypeEtapeFactory

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
TODAY = D(2026, 6, 15)
URL = "/parcours/ma-file-active/"


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 8, 30, tzinfo=PARIS), tick=False)


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


def follow(world, nom, prenom="Anne", *, referent=None, **fields):
    participant = ParticipantFactory(plie=world.plie_a, nom=nom, prenom=prenom)
    return ParcoursFactory(
        participant=participant, en_parcours=True, referent=referent or world.referent_a, **fields
    )


def alerte(parcours, type_, **fields):
    return Alerte.objects.create(
        plie=parcours.plie, parcours=parcours, type=type_, computed_on=TODAY, **fields
    )


@pytest.fixture
def file(world):
    """The file active of the référent of PLIE A, and what must not be in it."""
    lefevre = follow(
        world, "Lefèvre", "Hélène", dernier_contact=D(2026, 6, 10), prochain_rdv=at(D(2026, 6, 22), 14)
    )
    Entretien.objects.create(
        parcours=lefevre, date=D(2026, 6, 10), prochain_rdv=at(D(2026, 6, 22), 14), referent=world.referent_a
    )
    formation = TypeEtapeFactory(libelle="Formation qualifiante CACES", categorie="formation_qualifiante")
    EtapeFactory(parcours=lefevre, type=formation, date_debut=D(2026, 5, 4))
    EtapeFactory(parcours=lefevre, type=TypeEtapeFactory(libelle="Mobilisation"), date_debut=D(2026, 3, 2),
                 date_fin=D(2026, 4, 30))  # fmt: skip
    EtapeFactory(
        parcours=lefevre, type=TypeEtapeFactory(libelle="Immersion à venir"), date_debut=D(2026, 7, 1)
    )
    martin = follow(world, "Martin", "Paul", status=StatutParcours.SUSPENDU, dernier_contact=D(2026, 4, 1))
    alerte(martin, TypeAlerte.SANS_CONTACT, detail="75 jours sans contact")
    alerte(martin, TypeAlerte.FIN_SUSPENSION, echeance=D(2026, 6, 20))
    bernard = follow(world, "Bernard", "Zoé", status=StatutParcours.EN_SUIVI_EMPLOI)
    alerte(bernard, TypeAlerte.SORTIE_VALIDABLE)
    # not in the file active: another référent's, a candidate, an exited parcours, PLIE B
    follow(world, "Autre", referent=user_with_role("referent", world.plie_a))
    ParcoursFactory(
        participant=ParticipantFactory(plie=world.plie_a, nom="Candidat"), referent=world.referent_a
    )
    ParcoursFactory(
        participant=ParticipantFactory(plie=world.plie_a, nom="Sorti"), sorti=True, referent=world.referent_a
    )
    return {"lefevre": lefevre, "martin": martin, "bernard": bernard}


def names(response):
    return [p.participant.nom for p in response.context["rows"]]


class TestWhatTheReferentSees:
    def test_the_rows(self, client, world, file):
        client.force_login(world.referent_a)
        response = client.get(URL)
        assert response.status_code == 200
        assert names(response) == ["Bernard", "Lefèvre", "Martin"]
        lefevre = file["lefevre"]
        assertContains(response, "Ma file active</h1>", html=False)
        assertContains(response, reverse("participants:participant_detail", args=[lefevre.participant_id]))
        assertContains(response, reverse("parcours:parcours_detail", args=[lefevre.pk]))
        row = response.context["rows"][1]
        assert row.etape_courante.type.libelle == "Formation qualifiante CACES"
        assert row.jours_sans_contact == 5
        assertContains(response, "10/06/2026")
        assertContains(response, "il y a 5 jours")
        assertContains(response, "22/06/2026 à 14h00")
        assertContains(response, reverse("parcours:entretien_ics", args=[row.rdv_entretien_id]))
        assertContains(response, "Aucun contact")  # Bernard
        assertContains(response, "Pas de contact depuis trop longtemps")
        assertContains(response, "Fin de suspension proche (20/06/2026)")
        assertContains(response, "Sortie en emploi validable")
        assertContains(response, "En suivi dans l&#x27;emploi")
        assertContains(response, "Suspendu")
        entretien_url = reverse("parcours:entretien_create", args=[lefevre.pk])
        assertContains(response, f"{entretien_url}?next=/parcours/ma-file-active/")
        for absent in ("AUTRE", "CANDIDAT", "SORTI"):
            assertNotContains(response, absent)

    def test_days_since_contact_beyond_the_plie_setting_stand_out(self, client, world, file):
        ParametresPlie.objects.create(plie=world.plie_a, jours_sans_contact=60)
        client.force_login(world.referent_a)
        response = client.get(URL)
        martin = next(p for p in response.context["rows"] if p.participant.nom == "Martin")
        assert (martin.jours_sans_contact, martin.seuil_sans_contact) == (75, 60)
        assertContains(response, "il y a 75 jours")

    def test_navigation_entry_second_for_the_referent(self, client, world):
        client.force_login(world.referent_a)
        labels = [entry["label"] for entry in client.get(URL).context["nav_entries"]]
        assert labels[:2] == ["Accueil", "Ma file active"]

    def test_an_empty_file(self, client, world):
        client.force_login(world.referent_a)
        assertContains(client.get(URL), "Aucun parcours en cours dans votre file active.")


class TestFiltersAndSort:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"status": "suspendu"}, ["Martin"]),
            ({"status": "suivi_emploi"}, ["Bernard"]),
            ({"alerte": "sans_contact"}, ["Martin"]),
            ({"alerte": "sortie_validable"}, ["Bernard"]),
            ({"alerte": "rdv_passe"}, []),
            ({"q": "lefevre"}, ["Lefèvre"]),  # without the accent
            ({"q": "HÉLÈNE lef"}, ["Lefèvre"]),
            ({"q": "inconnu"}, []),
            ({"sort": "nom"}, ["Bernard", "Lefèvre", "Martin"]),
            # oldest contact first, never contacted before everybody
            ({"sort": "dernier_contact"}, ["Bernard", "Martin", "Lefèvre"]),
            # soonest appointment first, none last
            ({"sort": "prochain_rdv"}, ["Lefèvre", "Bernard", "Martin"]),
            # unknown values are ignored
            ({"status": "sorti", "alerte": "x", "sort": "pk"}, ["Bernard", "Lefèvre", "Martin"]),
        ],
    )
    def test_filters(self, client, world, file, params, expected):
        client.force_login(world.referent_a)
        response = client.get(URL, params)
        assert response.status_code == 200
        assert names(response) == expected

    def test_filtered_to_nothing_says_so(self, client, world, file):
        client.force_login(world.referent_a)
        assertContains(client.get(URL, {"q": "inconnu"}), "Aucun parcours ne correspond à ces filtres.")


class TestWhoMayOpenWhose:
    def test_animation_picks_a_referent_of_its_plie(self, client, world, file):
        client.force_login(world.animateur_a)
        response = client.get(URL)
        assert response.status_code == 200
        assert names(response) == []  # the animateur follows nobody
        choices = dict(response.context["form"].fields["referent"].choices)
        assert str(world.referent_a) in choices.values()
        assert str(world.referent_b) not in choices.values()
        response = client.get(URL, {"referent": world.referent_a.pk})
        assert names(response) == ["Bernard", "Lefèvre", "Martin"]
        assertContains(response, f"File active de {world.referent_a}")
        # and may log an entretien for them
        assertContains(response, reverse("parcours:entretien_create", args=[file["lefevre"].pk]))

    def test_administrateur_too(self, client, world, file):
        client.force_login(world.admin_a)
        assert names(client.get(URL, {"referent": world.referent_a.pk})) == ["Bernard", "Lefèvre", "Martin"]

    def test_a_referent_of_another_plie_is_a_404(self, client, world, file):
        client.force_login(world.animateur_a)
        assert client.get(URL, {"referent": world.referent_b.pk}).status_code == 404

    def test_a_referent_cannot_open_a_colleague_s_file(self, client, world, file):
        colleague = user_with_role("referent", world.plie_a)
        follow(world, "Collègue", referent=colleague)
        client.force_login(world.referent_a)
        assert client.get(URL, {"referent": colleague.pk}).status_code == 404
        assert names(client.get(URL, {"referent": world.referent_a.pk})) == ["Bernard", "Lefèvre", "Martin"]
        assert names(client.get(URL, {"referent": "moi"})) == ["Bernard", "Lefèvre", "Martin"]

    def test_the_referent_of_plie_b_sees_only_theirs(self, client, world, file):
        follow(world, "Bravo", referent=world.referent_b)  # followed by B but a participant of A
        mine = ParcoursFactory(
            participant=ParticipantFactory(plie=world.plie_b, nom="Beta"),
            en_parcours=True,
            referent=world.referent_b,
        )
        client.force_login(world.referent_b)
        response = client.get(URL)
        assert [p.pk for p in response.context["rows"]] == [mine.pk]

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "direction_a", "financeur", "no_role"])
    def test_others_may_not(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.get(URL).status_code == 403

    def test_anonymous_goes_to_the_login(self, client, db):
        response = client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")


def build_file(world, count, entretiens_per_parcours, alertes=True):
    """``count`` parcours of the référent of PLIE A with their entretiens, étapes and alerts,
    written with bulk_create (no history)."""
    rng = random.Random(count)
    participants = Participant.objects.bulk_create(
        [
            Participant(plie=world.plie_a, nom=f"Nom{i:03d}", prenom="Prénom", sexe="F",
                        date_naissance=D(1980, 1, 1), search_text=f"nom{i:03d} prenom")
            for i in range(count)
        ]
    )  # fmt: skip
    statuses = [StatutParcours.EN_PARCOURS, StatutParcours.SUSPENDU, StatutParcours.EN_SUIVI_EMPLOI]
    parcours = Parcours.objects.bulk_create(
        [
            Parcours(participant=p, plie=world.plie_a, referent=world.referent_a, status=statuses[i % 3],
                     date_orientation=D(2024, 1, 5), date_entree=D(2024, 2, 1),
                     dernier_contact=D(2026, 6, 1) - datetime.timedelta(days=rng.randint(0, 90)),
                     prochain_rdv=at(D(2026, 6, 16) + datetime.timedelta(days=rng.randint(0, 30))))
            for i, p in enumerate(participants)
        ]
    )  # fmt: skip
    Entretien.objects.bulk_create(
        [
            Entretien(parcours=p, date=D(2024, 2, 1) + datetime.timedelta(days=10 * j),
                      referent=world.referent_a, sujets=["projet"], notes="Point d'étape.")
            for p in parcours
            for j in range(entretiens_per_parcours)
        ],
        batch_size=1000,
    )  # fmt: skip
    type_etape = TypeEtapeFactory(libelle="Mobilisation")
    Etape.objects.bulk_create(
        [Etape(parcours=p, type=type_etape, date_debut=D(2026, 1, 5)) for p in parcours]
        + [
            Etape(parcours=p, type=type_etape, date_debut=D(2025, 1, 5), date_fin=D(2025, 6, 1))
            for p in parcours
        ]
    )
    if alertes:
        Alerte.objects.bulk_create(
            [Alerte(plie=world.plie_a, parcours=p, type=TypeAlerte.SANS_CONTACT, computed_on=TODAY)
             for p in parcours]
            + [Alerte(plie=world.plie_a, parcours=p, type=TypeAlerte.PARCOURS_LONG, computed_on=TODAY)
               for p in parcours[::2]]
        )  # fmt: skip
    # noise: another référent's file
    other = UserFactory()
    Parcours.objects.bulk_create(
        [Parcours(participant=p, plie=world.plie_a, referent=other, status=StatutParcours.EN_PARCOURS)
         for p in participants[:10]]
    )  # fmt: skip
    return parcours


class TestQueryCount:
    @pytest.mark.parametrize(("count", "entretiens"), [(3, 2), (100, 50)])
    def test_constant_whatever_the_file_and_its_history(
        self, client, world, count, entretiens, django_assert_num_queries
    ):
        build_file(world, count, entretiens)
        assert Entretien.objects.count() == count * entretiens  # 5,000 for 100 participants
        client.force_login(world.referent_a)
        # session, user, memberships (scope); the parcours with their participant, PLIE and
        # settings, and the entretien of the next appointment (a subquery); the current
        # étapes (one prefetch); the alerts (one prefetch)
        with django_assert_num_queries(6):
            response = client.get(URL, {"sort": "dernier_contact"})
        assert len(response.context["rows"]) == count
        assert all(row.etape_courante is not None for row in response.context["rows"])

    @pytest.mark.parametrize("count", [3, 100])
    def test_constant_for_the_animation_too(self, client, world, count, django_assert_num_queries):
        build_file(world, count, 5)
        client.force_login(world.animateur_a)
        # session, user, memberships; the référents of the PLIE (for the picker); the parcours,
        # the current étapes, the alerts
        with django_assert_num_queries(7):
            response = client.get(
                URL, {"referent": world.referent_a.pk, "alerte": "sans_contact", "q": "nom"}
            )
        assert len(response.context["rows"]) == count


def test_file_active_selector_without_referent(world):
    assert file_active(scope_for(world.animateur_a), None, WorkspaceFilters(), today=TODAY) == []
