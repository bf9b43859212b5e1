"""The pages that change a parcours' state: candidature, suspension (start and end), exit
(record, validate, withdraw) and change of référent. Scoped (PLIE B and the financeur get 404),
read-only roles get 403, errors per field, and an outdated form (optimistic locking) is refused
with the French message and a « Recharger » link, nothing saved."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from parcours.enums import CategorieSortie, StatutParcours
from parcours.models import AffectationReferent, Parcours, Sortie, Suspension, TypeSortie
from plie.core.enums import Role, StructureKind
from tests.factories import ParticipantFactory, StructureFactory, user_with_role
from tests.parcours.factories import (
    ContratFactory,
    EtapeFactory,
    ParcoursFactory,
    SortieFactory,
    SuspensionFactory,
    TypeEtapeFactory,
)

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS), tick=False)


def url(name, *args):
    return reverse(f"parcours:{name}", args=args)


def en_parcours(world, **fields):
    parcours = ParcoursFactory(participant__plie=world.plie_a, en_parcours=True, **fields)
    parcours.referent = world.referent_a
    parcours.save()
    AffectationReferent.objects.create(
        parcours=parcours, referent=world.referent_a, date_debut=parcours.date_entree
    )
    return parcours


def type_sortie(world, code):
    return TypeSortie.objects.get(plie=world.plie_a, code=code)


# an OI membership reads aggregates only (plie.core.scoping): an outsider to the dossiers
OUTSIDERS = ["referent_b", "financeur", "referent_operateur", "no_role", "oi_user"]
READERS = ["gestionnaire_a", "direction_a"]


# --- candidature ------------------------------------------------------------------------------


class TestCandidatureCreate:
    @pytest.fixture
    def prescripteur(self, world):
        structure = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="CCAS de Bron")
        structure.plies.add(world.plie_a)
        return structure

    def test_form_and_post(self, client, world, prescripteur):
        participant = ParticipantFactory(plie=world.plie_a)
        client.force_login(world.referent_a)
        response = client.get(url("candidature_create", participant.pk))
        assertContains(response, "Proposer une candidature")
        assertContains(response, "CCAS de Bron")
        assert response.context["form"]["referent"].value() == str(world.referent_a.pk)  # proposed: themself
        response = client.post(
            url("candidature_create", participant.pk),
            {
                "prescripteur": prescripteur.pk,
                "date_orientation": "10/06/2026",
                "motif_orientation": "",
                "projet": "Cariste",
                "freins_diagnostic": "",
                "distance_emploi": "moyenne",
                "referent": world.referent_a.pk,
            },
        )
        parcours = participant.parcours.get()
        assertRedirects(response, url("parcours_detail", parcours.pk), fetch_redirect_response=False)
        assert (parcours.status, parcours.projet, parcours.distance_emploi) == (
            StatutParcours.CANDIDAT,
            "Cariste",
            "moyenne",
        )

    def test_errors_per_field(self, client, world, prescripteur):
        participant = ParticipantFactory(plie=world.plie_a)
        client.force_login(world.animateur_a)
        response = client.post(url("candidature_create", participant.pk), {"date_orientation": "16/06/2026"})
        assert response.context["form"].errors == {
            "prescripteur": ["Ce champ est obligatoire."],
        }
        response = client.post(
            url("candidature_create", participant.pk),
            {"prescripteur": prescripteur.pk, "date_orientation": "16/06/2026"},
        )
        assert response.context["form"].errors == {
            "date_orientation": ["La date d'orientation ne peut pas être dans le futur."]
        }
        assert not Parcours.objects.exists()

    def test_an_open_parcours_is_announced(self, client, world, prescripteur):
        parcours = en_parcours(world)
        client.force_login(world.referent_a)
        response = client.get(url("candidature_create", parcours.participant_id))
        assertContains(response, "a déjà un parcours ouvert (statut « En parcours »)")

    @pytest.mark.parametrize(
        ("persona", "status"), [*[(p, 404) for p in OUTSIDERS], *[(p, 403) for p in READERS]]
    )
    def test_scoping(self, client, world, persona, status):
        participant = ParticipantFactory(plie=world.plie_a)
        client.force_login(getattr(world, persona))
        assert client.get(url("candidature_create", participant.pk)).status_code == status
        assert client.post(url("candidature_create", participant.pk)).status_code == status


# --- scoping of every parcours page -------------------------------------------------------------


def parcours_pages(world):
    """Every page of this module for one parcours of PLIE A: (url name, object pk)."""
    suspendu = en_parcours(world, status=StatutParcours.SUSPENDU)
    suspension = SuspensionFactory(parcours=suspendu, date_debut=D(2026, 5, 1))
    sortant = en_parcours(world)
    sortie = SortieFactory(parcours=sortant, type=type_sortie(world, "CDI"), date_sortie=D(2026, 6, 1))
    parcours = en_parcours(world)
    return [
        ("suspension_create", parcours.pk),
        ("suspension_end", suspension.pk),
        ("sortie_create", parcours.pk),
        ("sortie_validate", sortie.pk),
        ("sortie_withdraw", sortie.pk),
        ("referent_change", parcours.pk),
    ]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_plie_b_and_the_financeur_get_404(client, world, persona):
    pages = parcours_pages(world)
    client.force_login(getattr(world, persona))
    for name, pk in pages:
        assert client.get(url(name, pk)).status_code == 404, name
        assert client.post(url(name, pk)).status_code == 404, name


@pytest.mark.parametrize("persona", READERS)
def test_readers_get_403(client, world, persona):
    pages = parcours_pages(world)
    client.force_login(getattr(world, persona))
    for name, pk in pages:
        assert client.get(url(name, pk)).status_code == 403, name
        assert client.post(url(name, pk)).status_code == 403, name


def test_anonymous_goes_to_login(client, world):
    for name, pk in parcours_pages(world):
        response = client.get(url(name, pk))
        assert response.status_code == 302 and response["Location"].startswith("/connexion/")


# --- suspension -------------------------------------------------------------------------------


class TestSuspension:
    def test_start_then_end(self, client, world):
        parcours = en_parcours(world)
        client.force_login(world.referent_a)
        response = client.get(url("suspension_create", parcours.pk))
        assertContains(response, "Suspendre le parcours")
        response = client.post(
            url("suspension_create", parcours.pk),
            {"version": 1, "motif": "sante", "date_debut": "01/06/2026", "date_fin": "31/08/2026"},
        )
        assertRedirects(response, url("parcours_detail", parcours.pk), fetch_redirect_response=False)
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.SUSPENDU
        suspension = Suspension.objects.get()
        response = client.get(url("suspension_end", suspension.pk))
        assertContains(response, "Suspension (santé) depuis le 01/06/2026, fin prévue le 31/08/2026.")
        response = client.post(url("suspension_end", suspension.pk), {"version": 2, "date_fin": "14/06/2026"})
        assert response.status_code == 302
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.EN_PARCOURS

    def test_errors_per_field(self, client, world):
        parcours = en_parcours(world)
        client.force_login(world.referent_a)
        response = client.post(
            url("suspension_create", parcours.pk),
            {"version": 1, "motif": "incarceration", "date_debut": "01/03/2026", "date_fin": "30/09/2026"},
        )
        assert response.status_code == 400
        assert response.context["form"].errors == {
            "date_fin": [
                "Une incarcération de plus de 3 mois n'est pas une suspension : enregistrez une sortie."
            ]
        }
        assertContains(response, "Le formulaire n'a pas été enregistré", status_code=400)

    def test_conflict(self, client, world):
        parcours = en_parcours(world)
        Parcours.objects.filter(pk=parcours.pk).update(version=2)
        client.force_login(world.referent_a)
        response = client.post(
            url("suspension_create", parcours.pk),
            {"version": 1, "motif": "sante", "date_debut": "01/06/2026"},
        )
        assert response.status_code == 409
        assertContains(response, "Ce parcours a été modifié par", status_code=409)
        assertContains(
            response, f'href="{url("suspension_create", parcours.pk)}">Recharger</a>', status_code=409
        )
        assert not Suspension.objects.exists()


# --- sorties ----------------------------------------------------------------------------------


class TestSortie:
    def test_the_form_shows_each_rule_in_french(self, client, world):
        parcours = en_parcours(world)
        TypeSortie.objects.filter(plie=world.plie_a, code="AUTRE").update(is_active=False)
        client.force_login(world.referent_a)
        response = client.get(url("sortie_create", parcours.pk))
        assertContains(
            response, "6 mois d&#x27;emploi sans interruption chez le même employeur (même agence)."
        )
        assertContains(
            response,
            "900 h sur les 9 derniers mois chez le même employeur (même agence) ou 6 mois d&#x27;emploi sans "
            "interruption chez le même employeur (même agence).",
        )
        assertContains(response, "12 mois d&#x27;emploi sans interruption à 20 h par semaine au moins")
        assertContains(response, "Validée dès l&#x27;enregistrement.")
        assertContains(response, "; validation en commission.")
        labels = [label for _, label in response.context["form"].fields["type"].choices]
        assert "Autre sortie" not in labels
        assert "Abandon" in labels

    def test_the_exit_types_are_grouped_by_category(self, client, world):
        parcours = en_parcours(world)
        client.force_login(world.referent_a)
        response = client.get(url("sortie_create", parcours.pk))
        groupes = response.context["groupes"]
        labels = dict(CategorieSortie.choices)
        # the categories in the domain's order (positive exits first), none empty
        order = [label for label in labels.values() if label in {g for g, _ in groupes}]
        assert [label for label, _ in groupes] == order
        assert all(rows for _, rows in groupes)
        for label, rows in groupes:
            assert {labels[type_sortie.categorie] for _, type_sortie, _ in rows} == {label}
        # every active exit type once, each radio in its group's fieldset with the group's legend
        shown = [type_sortie.pk for _, rows in groupes for _, type_sortie, _ in rows]
        active = TypeSortie.objects.filter(plie=world.plie_a, is_active=True)
        assert sorted(shown) == sorted(active.values_list("pk", flat=True))
        html = response.content.decode()
        assert html.count('<fieldset class="sortie-groupe') == len(groupes)
        for label, rows in groupes:
            start = html.index(f'<legend class="fs-6 fw-semibold mb-1">{escape(label)}</legend>')
            end = html.index("</fieldset>", start)
            for radio, _, _ in rows:
                assert f'id="{radio.id_for_label}"' in html[start:end]

    def test_immediate_exit(self, client, world):
        parcours = en_parcours(world)
        client.force_login(world.referent_a)
        response = client.post(
            url("sortie_create", parcours.pk),
            {"version": 1, "type": type_sortie(world, "DEMENAGEMENT").pk, "date_sortie": "12/06/2026"},
            follow=True,
        )
        assertContains(response, "enregistrée et validée : le parcours est clos.")
        parcours.refresh_from_db()
        assert (parcours.status, parcours.date_sortie) == (StatutParcours.SORTI, D(2026, 6, 12))

    def test_job_exit_then_validation(self, client, world, time_machine):
        parcours = en_parcours(world)
        etape = EtapeFactory(parcours=parcours, date_debut=D(2026, 3, 2), type=TypeEtapeFactory(emploi=True))
        ContratFactory(etape=etape, date_debut=D(2026, 3, 2))
        client.force_login(world.referent_a)
        response = client.post(
            url("sortie_create", parcours.pk),
            {"version": 1, "type": type_sortie(world, "CDI").pk, "date_sortie": "02/03/2026"},
        )
        assert response.status_code == 302
        sortie = Sortie.objects.get()
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.EN_SUIVI_EMPLOI
        response = client.get(url("sortie_validate", sortie.pk))
        assertContains(response, "à partir du 02/09/2026")
        # « Valider » is offered only from that date
        assertContains(response, "La règle de validation n'est remplie qu'à partir du 02/09/2026")
        assertNotContains(
            response, '<button type="submit" class="btn btn-primary">Valider la sortie</button>'
        )
        response = client.post(
            url("sortie_validate", sortie.pk), {"version": 2, "date_validation": "15/06/2026"}
        )
        assert response.status_code == 400
        assert response.context["form"].errors == {
            "date_validation": [
                "La règle de validation n'est remplie qu'à partir du 02/09/2026 : "
                "sortie non validable le 15/06/2026."
            ]
        }
        time_machine.move_to(datetime.datetime(2026, 9, 3, 10, 0, tzinfo=PARIS), tick=False)
        client.force_login(world.referent_a)  # the session of June has expired
        assertContains(client.get(url("sortie_validate", sortie.pk)), "Valider la sortie</button>")
        response = client.post(
            url("sortie_validate", sortie.pk), {"version": 2, "date_validation": "02/09/2026"}
        )
        assert response.status_code == 302
        parcours.refresh_from_db()
        assert (parcours.status, parcours.date_sortie) == (StatutParcours.SORTI, D(2026, 3, 2))

    def test_withdraw(self, client, world):
        parcours = en_parcours(world, status=StatutParcours.EN_SUIVI_EMPLOI)
        sortie = SortieFactory(parcours=parcours, type=type_sortie(world, "CDI"), date_sortie=D(2026, 6, 1))
        client.force_login(world.referent_a)
        response = client.post(url("sortie_withdraw", sortie.pk), {"version": 1, "motif": ""})
        assert response.context["form"].errors == {"motif": ["Ce champ est obligatoire."]}
        response = client.post(url("sortie_withdraw", sortie.pk), {"version": 1, "motif": "Emploi perdu"})
        assert response.status_code == 302
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.EN_PARCOURS
        assert not Sortie.objects.exists()

    def test_conflict(self, client, world):
        parcours = en_parcours(world)
        client.force_login(world.referent_a)
        page = client.get(url("sortie_create", parcours.pk))
        assert page.context["form"]["version"].value() == 1
        Parcours.objects.filter(pk=parcours.pk).update(version=2)
        response = client.post(
            url("sortie_create", parcours.pk),
            {"version": 1, "type": type_sortie(world, "ABANDON").pk, "date_sortie": "12/06/2026"},
        )
        assert response.status_code == 409
        assertContains(response, "rechargez la page", status_code=409)
        assert not Sortie.objects.exists()


# --- référent -----------------------------------------------------------------------------------


class TestReferentChange:
    def test_change_and_history(self, client, world):
        parcours = en_parcours(world)
        paul = user_with_role(Role.REFERENT, world.plie_a, first_name="Paul", last_name="Durand")
        client.force_login(world.animateur_a)
        response = client.get(url("referent_change", parcours.pk))
        choices = [label for _, label in response.context["form"].fields["referent"].choices]
        assert "Paul Durand" in choices
        assert world.referent_a.get_full_name() not in choices  # the current one
        assert world.referent_b.get_full_name() not in choices  # PLIE B
        response = client.post(
            url("referent_change", parcours.pk),
            {"version": 1, "referent": paul.pk, "date": "01/06/2026", "motif": "Réorganisation"},
            follow=True,
        )
        assertContains(response, "est désormais suivi par Paul Durand.")
        response = client.get(url("referent_change", parcours.pk))
        assertContains(response, "Réorganisation")
        assertContains(response, "31/05/2026")
        assertContains(response, "en cours")

    def test_a_referent_of_plie_b_is_not_a_choice(self, client, world):
        parcours = en_parcours(world)
        client.force_login(world.animateur_a)
        response = client.post(
            url("referent_change", parcours.pk),
            {"version": 1, "referent": world.referent_b.pk, "date": "01/06/2026"},
        )
        assert "referent" in response.context["form"].errors
        parcours.refresh_from_db()
        assert parcours.referent == world.referent_a

    def test_another_referent_may_not(self, client, world):
        parcours = en_parcours(world)
        client.force_login(user_with_role(Role.REFERENT, world.plie_a))
        assert client.get(url("referent_change", parcours.pk)).status_code == 403

    def test_a_closed_parcours_needs_an_administrateur_and_a_reason(self, client, world):
        parcours = en_parcours(world, status=StatutParcours.SORTI, date_sortie=D(2026, 5, 31))
        paul = user_with_role(Role.REFERENT, world.plie_a)
        client.force_login(world.animateur_a)
        response = client.post(
            url("referent_change", parcours.pk),
            {"version": 1, "referent": paul.pk, "date": "01/04/2026", "motif": "x"},
        )
        assertContains(response, "seul un administrateur du PLIE peut le modifier", status_code=400)
        client.force_login(world.admin_a)
        response = client.get(url("referent_change", parcours.pk))
        assert response.context["form"].fields["motif"].required
        response = client.post(
            url("referent_change", parcours.pk),
            {"version": 1, "referent": paul.pk, "date": "01/04/2026", "motif": "Rectification"},
        )
        assert response.status_code == 302


def test_change_referent_button_only_for_whoever_may_change_it(client, world):
    """« Changer de référent » (parcours.services.can_change_referent): animation, or the current
    référent handing over — not another référent of the PLIE, who would get a 403."""
    from tests.parcours.factories import ParcoursFactory

    parcours = ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a), en_parcours=True)
    url = reverse("parcours:parcours_detail", args=[parcours.pk])
    change_url = reverse("parcours:referent_change", args=[parcours.pk])
    client.force_login(world.referent_a)  # not this parcours' référent
    assert change_url not in client.get(url).content.decode()
    assert client.get(change_url).status_code == 403
    parcours.referent = world.referent_a
    parcours.save()
    assert change_url in client.get(url).content.decode()
    client.force_login(world.animateur_a)
    assert change_url in client.get(url).content.decode()
