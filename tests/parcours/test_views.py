"""The parcours page, the entretien form and the étape forms: scoping (PLIE B and the financeur
get 404, the gestionnaire reads only), French errors per field, counted queries, and the
entretien in the dossier's timeline at once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from parcours.enums import CategorieEtape, StatutParcours
from parcours.models import AffectationReferent, Contrat, Entretien, Etape, Parcours, Sortie, Suspension
from parcours.services import suivi
from participants import timeline
from plie.core import registry
from plie.core.enums import StructureKind
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory, StructureFactory, user_with_role
from tests.parcours.factories import (
    ContratFactory,
    EntretienFactory,
    EtapeFactory,
    ParcoursFactory,
    SortieFactory,
    SuspensionFactory,
    TypeEtapeFactory,
    TypeSortieFactory,
)

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS), tick=False)


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


def url(name, *args):
    return reverse(f"parcours:{name}", args=args)


@pytest.fixture
def parcours(world):
    participant = ParticipantFactory(plie=world.plie_a, nom="Lefèvre", prenom="Hélène")
    parcours = ParcoursFactory(participant=participant, en_parcours=True, referent=world.referent_a)
    AffectationReferent.objects.create(parcours=parcours, referent=world.referent_a, date_debut=D(2026, 2, 2))
    return parcours


@pytest.fixture
def full(world, parcours):
    """The parcours with étapes (one a job with its contract), entretiens, a suspension."""
    EtapeFactory(
        parcours=parcours, type=TypeEtapeFactory(libelle="Atelier mobilité"), date_debut=D(2026, 2, 16),
        date_fin=D(2026, 3, 13), resultat="Permis B obtenu",
    )  # fmt: skip
    emploi = TypeEtapeFactory(libelle="Emploi durable", categorie=CategorieEtape.EMPLOI_DURABLE)
    ContratFactory(etape=EtapeFactory(parcours=parcours, type=emploi, date_debut=D(2026, 4, 1)))
    for day in (D(2026, 3, 2), D(2026, 4, 6), D(2026, 6, 10)):
        suivi.entretien_record(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            date=day,
            sujets=["projet"],
            notes="Motivée, santé fragile.",
            prochain_rdv=at(day + datetime.timedelta(days=14), 14),
        )
    SuspensionFactory(parcours=parcours, date_debut=D(2026, 5, 1), date_fin=D(2026, 5, 20))
    parcours.refresh_from_db()
    return parcours


# --- the parcours page -----------------------------------------------------------------------


class TestParcoursDetail:
    def test_the_referent_sees_everything(self, client, world, full):
        client.force_login(world.referent_a)
        response = client.get(url("parcours_detail", full.pk))
        assert response.status_code == 200
        for text in (
            "Parcours de LEFÈVRE Hélène",
            "En parcours",
            str(world.referent_a),
            "02/02/2026",  # entry
            "Atelier mobilité",
            "Permis B obtenu",
            "Contrat : <strong>CDI</strong> chez Boulangerie du Centre, 35 h par semaine",
            "Motivée, santé fragile.",
            "Projet professionnel",
            "24/06/2026 à 14h00",  # next appointment
            "Du 01/05/2026 au 20/05/2026",
            "(Santé)",
            "Pas de sortie enregistrée.",
            "Entretiens (3)",
        ):
            assertContains(response, text)
        assertContains(response, url("entretien_create", full.pk))
        assertContains(response, url("etape_create", full.pk))
        assertContains(response, url("etape_update", full.etapes.first().pk))
        rdv = Entretien.objects.get(date=D(2026, 6, 10))
        assert response.context["rdv_entretien"] == rdv
        assertContains(response, url("entretien_ics", rdv.pk))
        # the other helper's actions, when its URLs exist
        for name in ("suspension_create", "sortie_create", "referent_change"):
            assertContains(response, url(name, full.pk))

    def test_the_gestionnaire_reads_without_notes_nor_actions(self, client, world, full):
        client.force_login(world.gestionnaire_a)
        response = client.get(url("parcours_detail", full.pk))
        assert response.status_code == 200
        assertContains(response, "Atelier mobilité")
        assertNotContains(response, "Motivée, santé fragile.")
        assertContains(response, "Notes réservées au référent et à l'animation.")
        assertNotContains(response, "(Santé)")
        for name in ("entretien_create", "etape_create", "suspension_create", "sortie_create"):
            assertNotContains(response, url(name, full.pk))

    def test_another_referent_of_the_plie_reads_only(self, client, world, full):
        client.force_login(user_with_role("referent", world.plie_a))
        response = client.get(url("parcours_detail", full.pk))
        assert response.status_code == 200
        assertNotContains(response, url("entretien_create", full.pk))

    @pytest.mark.parametrize("persona", ["referent_b", "financeur", "no_role", "referent_operateur"])
    def test_outside_the_scope_is_a_404(self, client, world, full, persona):
        client.force_login(getattr(world, persona))
        assert client.get(url("parcours_detail", full.pk)).status_code == 404

    def test_an_exit_awaiting_validation(self, client, world, parcours):
        """« Valider » is offered only from the day the rule is met (6 months in the job here):
        not without a contract, nor before, then on that day."""
        type_sortie = TypeSortieFactory(plie=world.plie_a, positive=True)
        Sortie.objects.create(parcours=parcours, type=type_sortie, date_sortie=D(2026, 6, 1))
        Parcours.objects.filter(pk=parcours.pk).update(status=StatutParcours.EN_SUIVI_EMPLOI)
        client.force_login(world.referent_a)
        response = client.get(url("parcours_detail", parcours.pk))
        assertContains(response, "<strong>CDI</strong> le 01/06/2026", html=False)
        assertContains(response, "En attente de validation")
        assertContains(response, "Règle non remplie par les contrats en cours depuis la sortie du 01/06/2026")
        assertNotContains(response, url("sortie_validate", parcours.sortie.pk))
        etape = EtapeFactory(parcours=parcours, type=TypeEtapeFactory(emploi=True), date_debut=D(2026, 6, 1))
        ContratFactory(etape=etape, employeur="Boulangerie Martin", date_debut=D(2026, 6, 1))
        response = client.get(url("parcours_detail", parcours.pk))
        assertContains(response, "Validable à partir du 01/12/2026")
        assertNotContains(response, url("sortie_validate", parcours.sortie.pk))
        Contrat.objects.filter(etape=etape).update(date_debut=D(2025, 12, 15))
        Etape.objects.filter(pk=etape.pk).update(date_debut=D(2025, 12, 15))
        response = client.get(url("parcours_detail", parcours.pk))
        assertContains(response, "Validable depuis le 15/06/2026")
        assertContains(response, url("sortie_validate", parcours.sortie.pk))

    def test_the_date_each_job_exit_would_be_validable(self, client, world, parcours):
        """As soon as a contract is recorded, before any exit: when an exit dated on its start
        would become validable under each job-exit type of the PLIE."""
        etape = EtapeFactory(parcours=parcours, type=TypeEtapeFactory(emploi=True), date_debut=D(2026, 3, 2))
        ContratFactory(
            etape=etape, employeur="Intérim Plus", type_contrat="interim", date_debut=D(2026, 3, 2)
        )
        client.force_login(world.referent_a)
        response = client.get(url("parcours_detail", parcours.pk))
        previsions = response.context["previsions"]
        assert previsions["depuis"] == D(2026, 3, 2) and not previsions["enregistree"]
        dates = {t.code: (day, atteinte) for t, day, atteinte in previsions["rows"]}
        assert dates["CDI"] == (D(2026, 9, 2), False)
        assert dates["INTERIM_6M"] == (D(2026, 8, 29), False)  # 900 h at 35 h: 180 days
        assert dates["CONTRAT_AIDE"] == (D(2027, 3, 2), False)
        assert "ABANDON" not in dates and "FORMATION_QUALIFIANTE" not in dates  # not job exits
        assertContains(response, "Pour une sortie datée du 02/03/2026 (début du dernier contrat)")
        assertContains(response, "à partir du 29/08/2026")

    def test_no_preview_without_a_job(self, client, world, parcours):
        client.force_login(world.referent_a)
        response = client.get(url("parcours_detail", parcours.pk))
        assert response.context["previsions"] is None
        assertNotContains(response, "Validation selon le type de sortie en emploi")

    def test_a_planned_etape_is_cancelled_from_the_page(self, client, world, parcours):
        planned = EtapeFactory(
            parcours=parcours, type=TypeEtapeFactory(libelle="Atelier CV"), date_debut=D(2026, 6, 18)
        )
        client.force_login(world.referent_a)
        response = client.get(url("parcours_detail", parcours.pk))
        cancel_url = reverse("parcours:etape_cancel", args=[planned.pk])
        assertContains(response, cancel_url)
        assert client.get(cancel_url).status_code == 405
        client.force_login(world.referent_b)
        assert client.post(cancel_url).status_code == 404
        client.force_login(world.referent_a)
        response = client.post(cancel_url, follow=True)
        assertContains(response, "Étape « Atelier CV » prévue le 18/06/2026 annulée")
        planned.refresh_from_db()
        assert (planned.annulee, planned.date_annulation) == (True, D(2026, 6, 15))
        assertContains(response, "annulée</span> le 15/06/2026")
        assertNotContains(response, cancel_url)
        assertNotContains(response, url("etape_update", planned.pk))

    def test_a_validated_exit_and_a_closed_parcours(self, client, world):
        sortie = SortieFactory(
            parcours=ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a), sorti=True),
            valide=True,
            date_sortie=D(2026, 5, 29),
        )
        Parcours.objects.filter(pk=sortie.parcours_id).update(date_sortie=D(2026, 5, 29))
        client.force_login(world.animateur_a)
        response = client.get(url("parcours_detail", sortie.parcours_id))
        assertContains(response, "Validée")
        # closed: no entretien nor étape for the animation (an administrateur may, with a reason)
        assertNotContains(response, url("entretien_create", sortie.parcours_id))
        client.force_login(world.admin_a)
        assertContains(
            client.get(url("parcours_detail", sortie.parcours_id)),
            url("entretien_create", sortie.parcours_id),
        )

    def test_the_current_suspension_ends_even_with_a_planned_end(self, client, world, parcours):
        ancienne = SuspensionFactory(parcours=parcours, date_debut=D(2026, 3, 2), date_fin=D(2026, 3, 20))
        courante = SuspensionFactory(parcours=parcours, date_debut=D(2026, 6, 1), date_fin=D(2026, 8, 31))
        Parcours.objects.filter(pk=parcours.pk).update(status=StatutParcours.SUSPENDU)
        client.force_login(world.referent_a)
        response = client.get(url("parcours_detail", parcours.pk))
        assert response.context["suspension_en_cours"] == courante
        assertContains(response, "Du 01/06/2026, fin prévue le 31/08/2026")
        assertContains(response, "Du 02/03/2026 au 20/03/2026")
        assertContains(response, url("suspension_end", courante.pk))
        assertContains(response, "Mettre fin à la suspension", count=1)
        assertNotContains(response, url("suspension_end", ancienne.pk))
        # the gestionnaire reads it without the action
        client.force_login(world.gestionnaire_a)
        assertNotContains(client.get(url("parcours_detail", parcours.pk)), "Mettre fin à la suspension")

    def test_an_exit_in_employment_can_be_withdrawn(self, client, world, parcours):
        type_sortie = TypeSortieFactory(plie=world.plie_a, positive=True)
        sortie = Sortie.objects.create(parcours=parcours, type=type_sortie, date_sortie=D(2026, 6, 1))
        Parcours.objects.filter(pk=parcours.pk).update(status=StatutParcours.EN_SUIVI_EMPLOI)
        parcours.refresh_from_db()
        withdraw_url = url("sortie_withdraw", sortie.pk)
        client.force_login(world.referent_a)
        response = client.get(url("parcours_detail", parcours.pk))
        assertContains(response, f'<form method="post" action="{withdraw_url}"')
        assertContains(response, f'<input type="hidden" name="version" value="{parcours.version}">')
        assertContains(response, "Retirer la sortie (emploi perdu)")
        # the form posts what the withdraw page expects (with the CSRF token checked)
        client.handler.enforce_csrf_checks = True
        token = response.context["csrf_token"]
        response = client.post(
            withdraw_url,
            {
                "csrfmiddlewaretoken": str(token),
                "version": parcours.version,
                "motif": "Fin de période d'essai",
            },
        )
        assertRedirects(response, url("parcours_detail", parcours.pk), fetch_redirect_response=False)
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.EN_PARCOURS
        assert not Sortie.objects.filter(pk=sortie.pk).exists()

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "direction_a"])
    def test_readers_do_not_get_the_withdraw_form(self, client, world, parcours, persona):
        sortie = SortieFactory(parcours=parcours, positive=True, date_sortie=D(2026, 6, 1))
        Parcours.objects.filter(pk=parcours.pk).update(status=StatutParcours.EN_SUIVI_EMPLOI)
        client.force_login(getattr(world, persona))
        response = client.get(url("parcours_detail", parcours.pk))
        assertContains(response, "En attente de validation")
        assertNotContains(response, url("sortie_withdraw", sortie.pk))

    @pytest.mark.parametrize(("persona", "sees_link"), [("gestionnaire_a", True), ("referent_a", False)])
    def test_etapes_link_to_their_attestation_for_those_who_control_proofs(
        self, client, world, parcours, persona, sees_link
    ):
        etape = EtapeFactory(parcours=parcours)
        client.force_login(getattr(world, persona))
        response = client.get(url("parcours_detail", parcours.pk))
        attestation = reverse("operations:attestation_etape", args=[etape.pk])
        if sees_link:
            assertContains(response, attestation)
            assert client.get(attestation)["Content-Type"] == "application/pdf"
        else:
            assertNotContains(response, attestation)

    def test_the_registered_dossier_panels_are_shown(self, client, world, parcours):
        """The apps above offer their actions through plie.core.registry's dossier panels
        (operations' enrolment: tests/operations/test_dossier.py); parcours imports none."""
        seen = []

        def panel(scope, panel_parcours, today):
            seen.append((scope.user_id, panel_parcours.pk, today))
            return {"template": "parcours/includes/form_errors.html", "form": forms.Form()}

        def nothing(scope, panel_parcours, today):
            return None

        registry.register_dossier_panel(panel)
        registry.register_dossier_panel(nothing)
        try:
            client.force_login(world.referent_a)
            response = client.get(url("parcours_detail", parcours.pk))
        finally:
            registry.DOSSIER_PANELS.unregister(panel)
            registry.DOSSIER_PANELS.unregister(nothing)
        assert seen == [(world.referent_a.pk, parcours.pk, D(2026, 6, 15))]
        assert [p["template"] for p in response.context["panels"]] == ["parcours/includes/form_errors.html"]

    @pytest.mark.parametrize("entretiens", [3, 60])
    def test_query_count_does_not_grow(self, client, world, parcours, entretiens, django_assert_num_queries):
        EntretienFactory.create_batch(entretiens, parcours=parcours)
        ContratFactory(etape=EtapeFactory(parcours=parcours, type=TypeEtapeFactory(emploi=True)))
        EtapeFactory.create_batch(5, parcours=parcours)
        SuspensionFactory.create_batch(2, parcours=parcours)
        client.force_login(world.referent_a)
        Parcours.objects.filter(pk=parcours.pk).update(prochain_rdv=at(D(2026, 6, 20)))
        EntretienFactory(parcours=parcours, date=D(2026, 6, 12), prochain_rdv=at(D(2026, 6, 20)))
        client.force_login(world.referent_a)
        # session, user, memberships; the parcours with its participant, PLIE, référent,
        # prescripteur and exit; the étapes with type, opérateur and contract; the count of
        # entretiens and their page (the next appointment's among them); the PLIE's active exit
        # types (a job is recorded: when an exit would be validable under each); the
        # suspensions, the affectations, the decisions, the access journal's row
        with django_assert_num_queries(12):
            response = client.get(url("parcours_detail", parcours.pk))
        assert len(response.context["page"].object_list) == min(entretiens + 1, 20)


# --- entretiens -------------------------------------------------------------------------------


def entretien_post(**overrides):
    data = {
        "date": "15/06/2026",
        "mode": "individuel",
        "duree_minutes": "45",
        "sujets": ["projet", "formation"],
        "notes": "Inscription à la formation CACES.",
        "rdv_date": "29/06/2026",
        "rdv_heure": "14h30",
    }
    return {**data, **overrides}


class TestEntretienCreate:
    def test_the_form_defaults_to_today(self, client, world, parcours):
        client.force_login(world.referent_a)
        response = client.get(url("entretien_create", parcours.pk), {"next": "/parcours/ma-file-active/"})
        assert response.status_code == 200
        assert response.context["form"].initial["date"] == D(2026, 6, 15)
        assertContains(response, 'value="15/06/2026"')
        assertContains(response, 'value="individuel"')
        assertContains(response, "Projet professionnel")
        assertContains(response, 'name="next" value="/parcours/ma-file-active/"')
        assertNotContains(response, "Motif de la modification")

    def test_logging_goes_back_where_it_came_from(self, client, world, parcours):
        client.force_login(world.referent_a)
        response = client.post(
            url("entretien_create", parcours.pk), entretien_post(next="/parcours/ma-file-active/?sort=nom")
        )
        assertRedirects(response, "/parcours/ma-file-active/?sort=nom", fetch_redirect_response=False)
        entretien = Entretien.objects.get()
        assert (entretien.date, entretien.duree_minutes, entretien.sujets) == (
            D(2026, 6, 15),
            45,
            ["projet", "formation"],
        )
        assert entretien.prochain_rdv == at(D(2026, 6, 29), 14) + datetime.timedelta(minutes=30)
        parcours.refresh_from_db()
        assert parcours.dernier_contact == D(2026, 6, 15)
        response = client.get(response["Location"])
        assertContains(
            response,
            "Entretien du 15/06/2026 noté pour LEFÈVRE Hélène. Prochain rendez-vous le 29/06/2026 à 14h30.",
        )

    def test_by_default_back_to_the_parcours_and_never_elsewhere(self, client, world, parcours):
        client.force_login(world.referent_a)
        response = client.post(
            url("entretien_create", parcours.pk), entretien_post(next="https://exemple.com/")
        )
        assertRedirects(response, url("parcours_detail", parcours.pk), fetch_redirect_response=False)

    def test_it_appears_at_once_in_the_dossier_timeline(self, client, world, parcours):
        client.force_login(world.referent_a)
        client.post(url("entretien_create", parcours.pk), entretien_post())
        response = client.get(reverse("participants:participant_detail", args=[parcours.participant_id]))
        events = response.context["events"]
        assert events[0].text == (
            "Entretien individuel du 15/06/2026 (45 min) : Projet professionnel, Formation. "
            "Prochain rendez-vous le 29/06/2026 à 14h30."
        )
        assert events[0].author == world.referent_a.get_full_name()
        assertContains(response, "Entretien individuel du 15/06/2026")

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"date": "16/06/2026"}, "date", "La date de l&#x27;entretien ne peut pas être dans le futur."),
            (
                {"date": "01/01/2026"},
                "date",
                "L&#x27;entretien ne peut pas précéder l&#x27;orientation (le 05/01/2026).",
            ),
            ({"date": "31/02/2026"}, "date", "Saisissez une date valide."),
            ({"rdv_heure": ""}, "rdv_heure", "Indiquez l&#x27;heure du rendez-vous."),
            ({"rdv_date": "", "rdv_heure": "9h"}, "rdv_date", "Indiquez la date du rendez-vous."),
            ({"rdv_heure": "25h"}, "rdv_heure", "Saisissez une heure au format hh:mm (par exemple 14:30)."),
            (
                {"rdv_date": "10/06/2026"},
                "rdv_date",
                "Le prochain rendez-vous doit suivre l&#x27;entretien (du 15/06/2026).",
            ),
            (
                {"duree_minutes": "0"},
                "duree_minutes",
                "Assurez-vous que cette valeur est supérieure ou égale à 1.",
            ),
            ({"mode": "pigeon"}, "mode", "Sélectionnez un choix valide."),
        ],
    )
    def test_errors_per_field_in_french(self, client, world, parcours, overrides, field, message):
        client.force_login(world.referent_a)
        response = client.post(url("entretien_create", parcours.pk), entretien_post(**overrides))
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assertContains(response, message)
        assertContains(response, "Rien n'a été enregistré")
        assert not Entretien.objects.exists()

    def test_an_administrateur_gives_the_reason_on_a_closed_parcours(self, client, world):
        sorti = ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a), sorti=True)
        client.force_login(world.admin_a)
        response = client.post(
            url("entretien_create", sorti.pk), entretien_post(date="01/06/2026", rdv_date="", rdv_heure="")
        )
        assertContains(response, "Indiquez le motif de la modification d&#x27;un parcours clos.")
        response = client.post(
            url("entretien_create", sorti.pk),
            entretien_post(date="01/06/2026", rdv_date="", rdv_heure="", motif="Saisie oubliée"),
        )
        assert response.status_code == 302
        assert Entretien.objects.get().history.get().history_change_reason == "Saisie oubliée"

    @pytest.mark.parametrize(("persona", "status"), [("gestionnaire_a", 403), ("direction_a", 403),
                                                      ("referent_b", 404), ("financeur", 404)])  # fmt: skip
    def test_who_may_not(self, client, world, parcours, persona, status):
        client.force_login(getattr(world, persona))
        assert client.get(url("entretien_create", parcours.pk)).status_code == status
        assert client.post(url("entretien_create", parcours.pk), entretien_post()).status_code == status
        assert not Entretien.objects.exists()

    def test_a_colleague_referent_may_not(self, client, world, parcours):
        client.force_login(user_with_role("referent", world.plie_a))
        assert client.post(url("entretien_create", parcours.pk), entretien_post()).status_code == 403

    def test_the_animation_may(self, client, world, parcours):
        client.force_login(world.animateur_a)
        assert client.post(url("entretien_create", parcours.pk), entretien_post()).status_code == 302
        assert Entretien.objects.get().referent == world.animateur_a


# --- étapes -----------------------------------------------------------------------------------


@pytest.fixture
def referentiel(world):
    operateur = StructureFactory(kind=StructureKind.OPERATEUR, nom="AFPA Vénissieux")
    operateur.plies.add(world.plie_a)
    return {
        "operateur": operateur,
        "formation": TypeEtapeFactory(code="formation", libelle="Formation qualifiante",
                                      categorie=CategorieEtape.FORMATION_QUALIFIANTE),
        "aci": TypeEtapeFactory(code="aci", libelle="Contrat en ACI", categorie=CategorieEtape.SIAE),
        "propre_b": TypeEtapeFactory(plie=world.plie_b, code="b", libelle="Type du PLIE B"),
    }  # fmt: skip


def etape_post(type_etape, **overrides):
    data = {
        "type": type_etape.pk,
        "operateur": "",
        "date_debut": "01/04/2026",
        "date_fin_prevue": "",
        "date_fin": "",
        "resultat": "",
        "contrat_employeur": "",
        "contrat_siret": "",
        "contrat_type_contrat": "",
        "contrat_heures_hebdo": "",
        "contrat_date_debut": "",
        "contrat_date_fin_prevue": "",
        "contrat_date_fin": "",
    }
    return {**data, **overrides}


class TestEtapeForms:
    def test_the_form_offers_the_plie_s_referential(self, client, world, parcours, referentiel):
        client.force_login(world.referent_a)
        response = client.get(url("etape_create", parcours.pk))
        assert response.status_code == 200
        types = list(response.context["form"].fields["type"].queryset)
        assert referentiel["formation"] in types
        assert referentiel["propre_b"] not in types
        assert list(response.context["form"].fields["operateur"].queryset) == [referentiel["operateur"]]
        assert str(referentiel["aci"].pk) in response.context["types_emploi"]
        assert str(referentiel["formation"].pk) not in response.context["types_emploi"]
        assertContains(response, "Contrat de travail")

    def test_a_training_with_its_operateur(self, client, world, parcours, referentiel):
        client.force_login(world.referent_a)
        data = etape_post(
            referentiel["formation"], operateur=referentiel["operateur"].pk, date_fin_prevue="30/09/2026"
        )
        response = client.post(url("etape_create", parcours.pk), data)
        assertRedirects(response, url("parcours_detail", parcours.pk), fetch_redirect_response=False)
        etape = Etape.objects.get()
        assert (etape.operateur, etape.date_fin_prevue) == (referentiel["operateur"], D(2026, 9, 30))

    def test_a_job_with_its_contract(self, client, world, parcours, referentiel):
        client.force_login(world.referent_a)
        data = etape_post(
            referentiel["aci"], contrat_employeur="Régie de quartier", contrat_type_contrat="iae",
            contrat_heures_hebdo="26,5", contrat_date_fin_prevue="31/03/2027",
        )  # fmt: skip
        response = client.post(url("etape_create", parcours.pk), data)
        assert response.status_code == 302
        contract = Contrat.objects.get()
        assert (contract.employeur, str(contract.heures_hebdo), contract.date_debut) == (
            "Régie de quartier",
            "26.5",
            D(2026, 4, 1),
        )
        response = client.get(url("parcours_detail", parcours.pk))
        assertContains(response, "26,5 h par semaine")

    def test_a_job_without_its_contract_saves_nothing(self, client, world, parcours, referentiel):
        client.force_login(world.referent_a)
        response = client.post(url("etape_create", parcours.pk), etape_post(referentiel["aci"]))
        assert response.status_code == 200
        assertContains(
            response, "Une étape d&#x27;emploi se saisit avec son contrat : l&#x27;employeur manque."
        )
        assert "contrat_employeur" in response.context["form"].errors
        assert not Etape.objects.exists()

    def test_dates_per_field(self, client, world, parcours, referentiel):
        client.force_login(world.referent_a)
        response = client.post(
            url("etape_create", parcours.pk),
            etape_post(referentiel["formation"], date_debut="01/02/2026", date_fin_prevue="15/01/2026"),
        )
        errors = response.context["form"].errors
        assert errors["date_debut"] == [
            "Le début de l'étape ne peut pas précéder l'entrée dans le PLIE (le 02/02/2026)."
        ]
        assert "La fin prévue doit suivre le début de l'étape (le 01/02/2026)." in errors["date_fin_prevue"]
        assert not Etape.objects.exists()

    def test_a_type_of_another_plie_is_refused(self, client, world, parcours, referentiel):
        client.force_login(world.referent_a)
        response = client.post(url("etape_create", parcours.pk), etape_post(referentiel["propre_b"]))
        assert "type" in response.context["form"].errors

    def test_update_with_the_fingerprint(self, client, world, parcours, referentiel):
        etape = suivi.etape_add(
            scope=scope_for(world.referent_a), parcours=parcours, type=referentiel["aci"],
            date_debut=D(2026, 4, 1),
            contrat={"employeur": "Régie", "type_contrat": "iae", "heures_hebdo": 26},
        )  # fmt: skip
        client.force_login(world.referent_a)
        response = client.get(url("etape_update", etape.pk))
        form = response.context["form"]
        assert form.initial["contrat_employeur"] == "Régie"
        fingerprint = form.initial["fingerprint"]
        data = etape_post(
            referentiel["aci"], date_fin="12/06/2026", resultat="Fin de contrat", contrat_employeur="Régie",
            contrat_type_contrat="iae", contrat_heures_hebdo="26", contrat_date_fin="12/06/2026",
            fingerprint=fingerprint,
        )  # fmt: skip
        assert client.post(url("etape_update", etape.pk), data).status_code == 302
        assert Contrat.objects.get().date_fin == D(2026, 6, 12)
        # the same (now stale) form posted again: refused
        response = client.post(url("etape_update", etape.pk), {**data, "resultat": "Autre"})
        assertContains(response, "modifiée par quelqu&#x27;un d&#x27;autre entre-temps")
        assert Etape.objects.get().resultat == "Fin de contrat"

    @pytest.mark.parametrize(
        ("persona", "status"), [("gestionnaire_a", 403), ("referent_b", 404), ("financeur", 404)]
    )
    def test_who_may_not(self, client, world, parcours, referentiel, persona, status):
        etape = EtapeFactory(parcours=parcours, type=referentiel["formation"])
        client.force_login(getattr(world, persona))
        assert client.get(url("etape_create", parcours.pk)).status_code == status
        assert (
            client.post(url("etape_create", parcours.pk), etape_post(referentiel["formation"])).status_code
            == status
        )
        assert client.get(url("etape_update", etape.pk)).status_code == status
        assert Etape.objects.count() == 1


# --- the dossier's timeline -------------------------------------------------------------------


def test_the_parcours_events_in_the_timeline(world, full):
    Suspension.objects.all().delete()  # created by a factory: no history author
    suivi.etape_add(
        scope=scope_for(world.referent_a), parcours=full, type=TypeEtapeFactory(libelle="Immersion PMSMP"),
        date_debut=D(2026, 6, 1), operateur=None,
    )  # fmt: skip
    texts = [event.text for event in timeline.timeline(full.participant, scope=scope_for(world.referent_a))]
    assert "Étape ajoutée : Immersion PMSMP (à partir du 01/06/2026)." in texts
    entretien = "Entretien individuel du 10/06/2026 : Projet professionnel."
    assert f"{entretien} Prochain rendez-vous le 24/06/2026 à 14h00." in texts
    assert (
        f"Orientation vers le PLIE enregistrée (le 05/01/2026). Référent proposé : {world.referent_a}."
        in texts
    )
    kinds = {event.kind for event in timeline.timeline(full.participant, scope=scope_for(world.referent_a))}
    assert {"entretien", "etape", "contrat", "parcours", "suspension"} <= kinds


# --- the dossier's « parcours » block (templates/parcours/includes/parcours_block.html) -------


def render_block(rf, user, participant, *, can_edit=True):
    from django.template.loader import render_to_string

    request = rf.get(f"/participants/{participant.pk}/")
    request.user = user
    context = {
        "participant": participant,
        "parcours_list": list(participant.parcours.select_related("referent").order_by("-pk")),
        "can_edit": can_edit,
    }
    return render_to_string("parcours/includes/parcours_block.html", context, request=request)


class TestParcoursBlock:
    def test_the_current_parcours(self, rf, world, full):
        html = render_block(rf, world.referent_a, full.participant)
        assert "En parcours" in html
        assert str(world.referent_a) in html
        assert "02/02/2026" in html  # entry
        assert "10/06/2026" in html  # last contact
        assert "24/06/2026 à 14h00" in html  # next appointment
        assert url("parcours_detail", full.pk) in html
        assert f"{url('entretien_create', full.pk)}?next=/participants/{full.participant_id}/" in html
        assert "Nouvelle candidature" not in html

    def test_others_see_it_without_the_entretien_button(self, rf, world, full):
        html = render_block(rf, world.gestionnaire_a, full.participant, can_edit=False)
        assert url("parcours_detail", full.pk) in html
        assert url("entretien_create", full.pk) not in html

    def test_no_parcours_yet(self, rf, world):
        participant = ParticipantFactory(plie=world.plie_a)
        html = render_block(rf, world.referent_a, participant)
        assert "Aucun parcours pour l'instant." in html
        assert reverse("parcours:candidature_create", args=[participant.pk]) in html

    def test_a_former_parcours_and_a_new_candidature(self, rf, world):
        participant = ParticipantFactory(plie=world.plie_a)
        ancien = ParcoursFactory(participant=participant, sorti=True, referent=world.referent_a)
        html = render_block(rf, world.referent_a, participant)
        assert "Sorti" in html
        assert "Nouvelle candidature" in html
        nouveau = ParcoursFactory(participant=participant, referent=world.referent_a)
        html = render_block(rf, world.referent_a, participant)
        assert "Candidat" in html
        assert "Parcours précédents" in html
        assert url("parcours_detail", ancien.pk) in html
        assert url("parcours_detail", nouveau.pk) in html


def _save(instance, user, **fields):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance._history_user = user
    instance.save()
    return instance


def test_every_source_of_the_parcours_in_the_timeline(world, parcours, django_assert_num_queries):
    from parcours import timeline as parcours_timeline
    from parcours.models import Commission, Decision
    from tests.parcours.factories import TypeSortieFactory

    referent, animateur = world.referent_a, world.animateur_a
    commission = Commission.objects.create(plie=world.plie_a, date=D(2026, 1, 28))
    decision = _save(Decision(commission=commission, parcours=parcours, objet="candidature"), animateur)
    _save(decision, animateur, decision="admis")
    etape = suivi.etape_add(
        scope=scope_for(referent), parcours=parcours,
        type=TypeEtapeFactory(libelle="CDD boulangerie", emploi=True),
        date_debut=D(2026, 4, 1),
        contrat={"employeur": "Boulangerie", "type_contrat": "cdd", "heures_hebdo": 17.5,
                 "date_fin_prevue": D(2026, 9, 30)},
    )  # fmt: skip
    _save(etape.contrat, referent, date_fin=D(2026, 6, 12))
    _save(etape, referent, date_fin=D(2026, 6, 12), resultat="Fin anticipée")
    planned = EtapeFactory(
        parcours=parcours, type=TypeEtapeFactory(libelle="Atelier CV"), date_debut=D(2026, 6, 22)
    )
    suivi.etape_cancel(scope=scope_for(referent), etape=planned)
    suspension = _save(Suspension(parcours=parcours, motif="sante", date_debut=D(2026, 5, 1)), referent)
    _save(suspension, referent, date_fin=D(2026, 5, 20))
    sortie = _save(
        Sortie(
            parcours=parcours,
            type=TypeSortieFactory(plie=world.plie_a, positive=True),
            date_sortie=D(2026, 6, 1),
        ),
        referent,
    )
    _save(sortie, animateur, validee=True, date_validation=D(2026, 6, 10))
    colleague = user_with_role("referent", world.plie_a)
    _save(parcours, animateur, referent=colleague)

    sources = [
        parcours_timeline.parcours_events,
        parcours_timeline.decision_events,
        parcours_timeline.entretien_events,
        parcours_timeline.etape_events,
        parcours_timeline.contrat_events,
        parcours_timeline.suspension_events,
        parcours_timeline.sortie_events,
    ]
    assert all(source in registry.timeline_sources() for source in sources)  # registered
    participant = parcours.participant
    with django_assert_num_queries(7):  # one query per source
        events = timeline.timeline(participant, scope=scope_for(referent), sources=sources)
    texts = [event.text for event in events]
    for text in (
        "Inscrit à l'ordre du jour de la commission du 28/01/2026 (candidature).",
        "Commission du 28/01/2026 : admis.",
        "Étape ajoutée : CDD boulangerie (à partir du 01/04/2026).",
        "Contrat enregistré : CDD chez Boulangerie, 17,5 h par semaine, à partir du 01/04/2026.",
        "Fin du contrat chez Boulangerie le 12/06/2026.",
        "Étape terminée : CDD boulangerie (le 12/06/2026), résultat : Fin anticipée.",
        "Étape prévue annulée : Atelier CV (prévue le 22/06/2026).",
        "Parcours suspendu à partir du 01/05/2026 (santé).",
        "Fin de la suspension le 20/05/2026 : le parcours reprend.",
        "Sortie proposée : CDI (le 01/06/2026), en attente de validation.",
        "Sortie validée le 10/06/2026 : CDI (sortie du 01/06/2026).",
        f"Référent de parcours : {colleague}.",
    ):
        assert text in texts
    change = next(event for event in events if event.kind == "referent")
    assert change.author == animateur.get_full_name()
    # the gestionnaire reads the timeline without the reason of the suspension
    texts = [
        event.text
        for event in timeline.timeline(participant, scope=scope_for(world.gestionnaire_a), sources=sources)
    ]
    assert "Parcours suspendu à partir du 01/05/2026." in texts
    assert not any("santé" in text for text in texts)
