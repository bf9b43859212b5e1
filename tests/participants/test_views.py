import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from participants.models import Frein, Participant, SituationEntree
from tests.factories import (
    DocumentFactory,
    FreinFactory,
    ParticipantFactory,
    SituationEntreeFactory,
    user_with_role,
)

D = datetime.date
TODAY = D(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False)


def identity(**overrides):
    """What the identity form posts for a complete, plausible participant."""
    data = {
        "nom": "Dupont",
        "prenom": "Marie",
        "nom_naissance": "",
        "sexe": "F",
        "date_naissance": "14/03/1985",
        "commune_naissance": "Lyon",
        "code_commune_naissance": "69123",
        "nationalite": "fr",
        "adresse": "3 rue des Lilas",
        "code_postal": "69008",
        "commune": "Lyon",
        "qpv": "False",
        "telephone": "0612345678",
        "telephone_fixe": "",
        "email": "marie.dupont@exemple.fr",
        "contact_tiers": "",
        "situation_familiale": "",
        "enfants_a_charge": "",
        "identifiant_france_travail": "",
        "numero_caf": "",
    }
    return {**data, **overrides}


def answers(**overrides):
    """What the questionnaire posts when every question is answered."""
    data = {
        "date_entree": "05/01/2026",
        "date_questionnaire": "05/01/2026",
        "statut_emploi": "non",
        "en_formation": "False",
        "recherche_emploi": "True",
        "duree_recherche_mois": "14",
        "niveau_formation": "2b",
        "handicap_reconnu": "True",
        "minima_sociaux": "True",
        "beneficiaire_rsa": "True",
        "sans_domicile": "non",
        "parent_ne_etranger": "nsp",
        "menage_sans_emploi": "True",
        "menage_enfants": "False",
        "menage_monoparental": "False",
    }
    return {**data, **overrides}


def complete_participant(plie, **fields):
    """A participant whose identity and contacts answer the FSE questionnaire."""
    base = {
        "code_commune_naissance": "69123",
        "adresse": "3 rue des Lilas",
        "code_postal": "69008",
        "commune": "Lyon",
        "telephone": "06 12 34 56 78",
    }
    return ParticipantFactory(plie=plie, **{**base, **fields})


@pytest.fixture
def dossier(world):
    """Hélène Lefèvre of PLIE A: questionnaire complete (RSA, DELD, recognised disability),
    a mobility frein, a health frein (sensitive), a lifted housing frein, two documents."""
    participant = complete_participant(
        world.plie_a, nom="Lefèvre", prenom="Hélène", date_naissance=D(1979, 4, 2), commune="Vénissieux"
    )
    SituationEntreeFactory(participant=participant, complete=True, handicap_reconnu=True)
    FreinFactory(participant=participant, type="mobilite", precision="Pas de permis")
    FreinFactory(participant=participant, type="sante", precision="Suivi en cours")
    FreinFactory(participant=participant, type="logement", leve=True)
    DocumentFactory(participant=participant, nom_original="carte-identite.pdf")
    DocumentFactory(participant=participant, rqth=True)
    return participant


def url(name, *args):
    return reverse(f"participants:{name}", args=args)


# --- list and search ---------------------------------------------------------------------


class TestParticipantList:
    def test_columns_and_fse_status(self, client, world):
        done = complete_participant(
            world.plie_a, nom="Alpha", prenom="Anne", date_naissance=D(1990, 5, 6), commune="Bron"
        )
        SituationEntreeFactory(participant=done, complete=True)
        started = complete_participant(world.plie_a, nom="Bravo")
        SituationEntreeFactory(participant=started, complete=True, niveau_formation="", sans_domicile="")
        ParticipantFactory(plie=world.plie_a, nom="Charlie")
        client.force_login(world.referent_a)
        response = client.get(url("participant_list"))
        assertContains(response, "ALPHA")
        assertContains(response, "06/05/1990")
        assertContains(response, "Bron")
        assertContains(response, "PLIE A")
        rows = {p.nom: p.manques_fse for p in response.context["page"]}
        assert rows["Alpha"] == 0
        assert rows["Bravo"] == 2
        # identity: commune of birth, address, postal code, commune, contact; questionnaire not started
        assert rows["Charlie"] == 6
        assertContains(response, "Complet")
        assertContains(response, "2 réponses manquantes")
        assertContains(response, url("participant_detail", done.pk))

    @pytest.mark.parametrize("count", [3, 60])
    def test_query_count_does_not_grow_with_participants(
        self, client, world, count, django_assert_num_queries
    ):
        for participant in ParticipantFactory.create_batch(count, plie=world.plie_a):
            SituationEntreeFactory(participant=participant, complete=True)
            SituationEntreeFactory(participant=participant, date_entree=D(2024, 2, 1))
        client.force_login(world.referent_a)
        # session, user, memberships, count, the page of participants with their PLIE,
        # their situations at entry (one prefetch for the whole page)
        with django_assert_num_queries(6):
            response = client.get(url("participant_list"))
        assert len(response.context["page"]) == min(count, 50)
        # the latest situation is the one judged: complete, though an older one is not
        assert {p.manques_fse for p in response.context["page"]} == {5}

    def test_search_box(self, client, world, django_assert_num_queries):
        helene = ParticipantFactory(plie=world.plie_a, nom="Lefèvre", prenom="Hélène")
        ParticipantFactory(plie=world.plie_a, nom="Martin", prenom="Paul")
        client.force_login(world.referent_a)
        posted = client.post(url("participant_list"), {"q": "lefebvre"})
        # post/redirect/get: the query stays in the session, never in a URL (access log, history)
        assert posted.status_code == 302
        assert posted["Location"] == url("participant_list")
        # session, user, memberships, count, the page (best matches first), their situations,
        # the access journal's row (the number of results, never the query)
        with django_assert_num_queries(7):
            response = client.get(url("participant_list"))
        assert list(response.context["page"]) == [helene]
        assert response.context["q"] == "lefebvre"
        assertContains(response, "1 résultat pour « lefebvre »")
        assertContains(response, 'value="lefebvre"')

    def test_pages_keep_the_search(self, client, world):
        ParticipantFactory.create_batch(55, plie=world.plie_a, nom="Durand")
        client.force_login(world.referent_a)
        response = client.post(url("participant_list"), {"q": "durand"}, follow=True)
        assertContains(response, "Page 1 sur 2")
        assertContains(response, 'href="?page=2"')
        assert client.get(url("participant_list"), {"page": 2}).context["q"] == "durand"

    def test_an_old_search_link_is_moved_out_of_the_url(self, client, world):
        client.force_login(world.referent_a)
        response = client.get(url("participant_list"), {"q": "durand"})
        assert response.status_code == 302 and "?" not in response["Location"]
        assert client.get(response["Location"]).context["q"] == "durand"
        cleared = client.post(url("participant_list"), {"q": ""}, follow=True)
        assert cleared.context["q"] == ""

    def test_referent_of_plie_b_never_sees_plie_a(self, client, world):
        ParticipantFactory(plie=world.plie_a, nom="Lefèvre", prenom="Hélène")
        other = ParticipantFactory(plie=world.plie_b, nom="Lefevre", prenom="Helene")
        client.force_login(world.referent_b)
        assert list(client.get(url("participant_list")).context["page"]) == [other]
        response = client.post(url("participant_list"), {"q": "lefevre"}, follow=True)
        assert list(response.context["page"]) == [other]
        assertNotContains(response, "PLIE A")

    def test_financeur_sees_no_one(self, client, world):
        ParticipantFactory.create_batch(2, plie=world.plie_a, nom="Alpha")
        client.force_login(world.financeur)
        response = client.post(url("participant_list"), {"q": "alpha"}, follow=True)
        assert len(response.context["page"]) == 0
        assertNotContains(response, "ALPHA")
        assertNotContains(response, "Nouveau participant")

    @pytest.mark.parametrize(
        ("persona", "shown"),
        [
            ("referent_a", True),
            ("animateur_a", True),
            ("admin_a", True),
            ("gestionnaire_a", False),
            ("direction_a", False),
        ],
    )
    def test_new_participant_button_for_who_may_create(self, client, world, persona, shown):
        client.force_login(getattr(world, persona))
        response = client.get(url("participant_list"))
        assert (url("participant_create") in response.content.decode()) is shown
        assert response.context["may_create"] is shown


# --- creation ----------------------------------------------------------------------------


class TestParticipantCreate:
    def test_referent_creates_a_participant(self, client, world):
        client.force_login(world.referent_a)
        form = client.get(url("participant_create")).context["form"]
        assert form["plie"].value() == world.plie_a.pk  # the only PLIE: preselected
        response = client.post(
            url("participant_create"), {"plie": world.plie_a.pk, **identity(telephone="+33 6 12 34 56 78")}
        )
        participant = Participant.objects.get()
        assertRedirects(response, url("participant_detail", participant.pk))
        assert participant.plie == world.plie_a
        assert participant.created_by == world.referent_a
        assert participant.telephone == "06 12 34 56 78"  # stored normalised
        assert participant.history.get().history_user == world.referent_a

    def test_the_form_is_accessible(self, client, world):
        client.force_login(world.referent_a)
        response = client.post(
            url("participant_create"), {"plie": world.plie_a.pk, **identity(code_postal="123")}
        )
        assertContains(response, '<legend class="form-label fs-6 mb-1">Sexe', html=False)
        assertContains(response, 'for="id_nom"')
        assertContains(response, 'aria-describedby="id_code_postal_erreur"')
        assertContains(response, 'id="id_code_postal_erreur"')

    def test_a_user_of_two_plie_chooses_one_of_them_only(self, client, world):
        both = user_with_role("referent", world.plie_a)
        user_with_role("referent", world.plie_b, email="x@exemple.fr")  # someone else
        from plie.core.models import Membership

        Membership.objects.create(user=both, structure=world.plie_b, role="referent")
        client.force_login(both)
        form = client.get(url("participant_create")).context["form"]
        assert form["plie"].value() is None
        assert set(form.fields["plie"].queryset) == {world.plie_a, world.plie_b}
        response = client.post(url("participant_create"), {"plie": world.plie_c.pk, **identity()})
        assert "plie" in response.context["form"].errors
        response = client.post(url("participant_create"), {"plie": world.plie_b.pk, **identity()})
        assert Participant.objects.get().plie == world.plie_b

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "direction_a", "financeur", "oi_user", "no_role"])
    def test_who_may_not_create_gets_403(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.get(url("participant_create")).status_code == 403
        assert (
            client.post(url("participant_create"), {"plie": world.plie_a.pk, **identity()}).status_code == 403
        )
        assert not Participant.objects.exists()

    def test_errors_are_per_field_and_in_french(self, client, world):
        client.force_login(world.referent_a)
        data = identity(
            nom="",
            code_postal="6900",
            code_commune_naissance="ABC",
            telephone="12 34",
            email="marie@",
            date_naissance="31/02/1985",
        )
        response = client.post(url("participant_create"), {"plie": world.plie_a.pk, **data})
        errors = response.context["form"].errors
        assert errors["nom"] == ["Ce champ est obligatoire."]
        assert errors["code_postal"] == ["Le code postal doit comporter 5 chiffres."]
        assert errors["code_commune_naissance"] == [
            "Le code de la commune de naissance doit comporter 5 caractères (99999 si né à l'étranger)."
        ]
        assert errors["telephone"] == [
            "Numéro de téléphone invalide : 10 chiffres commençant par 0 attendus (ex. 06 12 34 56 78)."
        ]
        assert errors["email"] == ["Saisissez une adresse e-mail valide."]
        assert errors["date_naissance"] == ["Saisissez une date valide."]
        assertContains(response, "Le formulaire n'a pas été enregistré")
        assert not Participant.objects.exists()

    def test_birth_date_in_the_future_is_refused(self, client, world):
        client.force_login(world.referent_a)
        response = client.post(
            url("participant_create"), {"plie": world.plie_a.pk, **identity(date_naissance="16/06/2026")}
        )
        assert response.context["form"].errors["date_naissance"] == [
            "La date de naissance ne peut pas être future."
        ]

    def test_an_unusual_age_is_created_once_confirmed(self, client, world):
        client.force_login(world.referent_a)
        data = {"plie": world.plie_a.pk, **identity(date_naissance="02/01/2012")}
        response = client.post(url("participant_create"), data)
        assertContains(response, "Âge à l&#x27;entrée peu plausible (14 ans)")
        assertContains(response, "Je confirme cette date de naissance")
        assert not Participant.objects.exists()
        # the box appears only with the warning
        assertNotContains(client.get(url("participant_create")), "Je confirme cette date de naissance")
        response = client.post(url("participant_create"), {**data, "confirme_age": "on"})
        assertRedirects(response, url("participant_detail", Participant.objects.get().pk))

    def test_likely_duplicate_in_the_same_plie(self, client, world):
        existing = ParticipantFactory(
            plie=world.plie_a, nom="Lefèvre", prenom="Hélène", date_naissance=D(1979, 4, 2)
        )
        client.force_login(world.referent_a)
        data = {
            "plie": world.plie_a.pk,
            **identity(nom="LEFEVRE", prenom="helene", date_naissance="02/04/1979"),
        }
        response = client.post(url("participant_create"), data)
        assert response.status_code == 200
        assertContains(response, "Cette personne a peut-être déjà un dossier")
        assertContains(response, f'href="{url("participant_detail", existing.pk)}">Ouvrir ce dossier')
        assertContains(response, "Il ne s&#x27;agit pas de la même personne")
        assert Participant.objects.count() == 1
        # the user says it is someone else: created
        response = client.post(url("participant_create"), {**data, "pas_un_doublon": "on"})
        created = Participant.objects.exclude(pk=existing.pk).get()
        assertRedirects(response, url("participant_detail", created.pk))

    def test_a_duplicate_in_another_plie_of_the_oi_shows_no_personal_data(self, client, world):
        other = ParticipantFactory(
            plie=world.plie_b,
            nom="Lefèvre",
            prenom="Hélène",
            nom_naissance="Garnier",
            date_naissance=D(1979, 4, 2),
            telephone="07 99 88 77 66",
        )
        client.force_login(world.referent_a)
        data = {
            "plie": world.plie_a.pk,
            **identity(nom="Lefevre", prenom="Helene", date_naissance="02/04/1979"),
        }
        response = client.post(url("participant_create"), data)
        # no name, no PLIE: only « ask the animation » (no existence oracle across the OI)
        assertContains(response, "Un dossier existe peut-être ailleurs dans l'OI : demandez à l'animation")
        assertNotContains(response, "PLIE B")
        assertNotContains(response, "Ouvrir ce dossier")
        assertNotContains(response, url("participant_detail", other.pk))
        assertNotContains(response, "07 99 88 77 66")
        assertNotContains(response, "GARNIER")
        assertNotContains(response, "Garnier")
        assert response.context["doublons_visibles"] == []
        assert Participant.objects.count() == 1

    def test_a_duplicate_in_another_oi_is_not_looked_for(self, client, world):
        ParticipantFactory(plie=world.plie_c, nom="Dupont", prenom="Marie", date_naissance=D(1985, 3, 14))
        client.force_login(world.referent_a)
        response = client.post(url("participant_create"), {"plie": world.plie_a.pk, **identity()})
        assert response.status_code == 302


# --- the dossier -------------------------------------------------------------------------


class TestParticipantDetail:
    def test_shows_the_dossier_at_a_glance(self, client, world, dossier, django_assert_num_queries):
        client.force_login(world.referent_a)
        # session, user, memberships, the participant with its PLIE, its situations, the freins,
        # the documents with who uploaded them, the parcours with their référent (parcours block),
        # the timeline: one query per source (participant, situations, freins, documents history,
        # the parcours app's 7 sources, the entreprises app's mises en relation, the operations
        # app's enrolments history), the enrolments with their operation (operations block), the
        # access journal's row
        with django_assert_num_queries(23):
            response = client.get(url("participant_detail", dossier.pk))
        content = response.content.decode()
        for text in ("LEFÈVRE Hélène", "02/04/1979", "Vénissieux", "06 12 34 56 78", "PLIE A"):
            assert text in content
        assert response.context["category_labels"] == ["Senior (≥ 45 ans)", "DELD", "BRSA", "TH / BOETH"]
        assertContains(response, "Aucun parcours pour l'instant.")
        assertContains(response, "Dont bénéficiaire du RSA")
        assertContains(response, "Pas de permis")  # mobility
        assertContains(response, "Suivi en cours")  # health: the référent sees it
        assertContains(response, "levé le 02/03/2026")
        assertContains(response, "carte-identite.pdf")
        assertContains(response, "Notification RQTH.pdf")
        assertContains(response, "Complet")
        assert ("Q3. Reconnaissance officielle d'un handicap (RQTH, BOETH…)", "Oui") in response.context[
            "situation_rows"
        ]
        assertContains(response, url("participant_update", dossier.pk))
        assertContains(response, url("frein_lift", Frein.objects.get(type="mobilite").pk))
        assertContains(response, url("fiche_pdf", dossier.pk))
        assertContains(response, "Frein identifié : Santé")

    def test_the_query_count_does_not_grow_with_the_dossier(
        self, client, world, dossier, django_assert_num_queries
    ):
        for _ in range(10):
            FreinFactory(participant=dossier)
            DocumentFactory(participant=dossier)
        SituationEntreeFactory(participant=dossier, date_entree=D(2023, 1, 2))
        client.force_login(world.referent_a)
        with django_assert_num_queries(23):  # as above: independent of the number of rows
            client.get(url("participant_detail", dossier.pk))

    def test_gestionnaire_reads_without_sensitive_data(self, client, world, dossier):
        client.force_login(world.gestionnaire_a)
        response = client.get(url("participant_detail", dossier.pk))
        assert response.status_code == 200
        assertContains(response, "Pas de permis")
        assertNotContains(response, "Suivi en cours")
        assertNotContains(response, "Santé")
        assertNotContains(response, "Notification RQTH.pdf")
        assertNotContains(response, "TH / BOETH")
        assert response.context["category_labels"] == ["Senior (≥ 45 ans)", "DELD", "BRSA"]
        assert (
            "Q3. Reconnaissance officielle d'un handicap (RQTH, BOETH…)",
            "Renseigné",
        ) in response.context["situation_rows"]
        # read only: no link to change anything
        for name in ("participant_update", "situation_update", "frein_create"):
            assertNotContains(response, url(name, dossier.pk))
        assertNotContains(response, url("frein_lift", Frein.objects.get(type="mobilite").pk))

    def test_direction_reads_without_sensitive_data(self, client, world, dossier):
        client.force_login(world.direction_a)
        response = client.get(url("participant_detail", dossier.pk))
        assertNotContains(response, "Suivi en cours")
        assert "TH / BOETH" not in response.context["category_labels"]

    @pytest.mark.parametrize("persona", ["referent_b", "financeur", "no_role", "referent_operateur"])
    def test_outside_the_scope_is_404(self, client, world, dossier, persona):
        client.force_login(getattr(world, persona))
        assert client.get(url("participant_detail", dossier.pk)).status_code == 404

    def test_missing_answers_link_to_where_they_are_answered(self, client, world):
        participant = ParticipantFactory(plie=world.plie_a, commune="Lyon", telephone="06 12 34 56 78")
        SituationEntreeFactory(participant=participant, complete=True, statut_emploi="")
        client.force_login(world.referent_a)
        response = client.get(url("participant_detail", participant.pk))
        manques = {m["message"]: m["url"] for m in response.context["manques"]}
        assert manques["Adresse à l'entrée : réponse manquante."] == url(
            "participant_update", participant.pk
        ) + ("#id_adresse")
        assert (
            manques["Q1. Statut sur le marché du travail : réponse manquante."]
            == url("situation_update", participant.pk) + "#id_statut_emploi_0"
        )
        assertContains(response, "4 réponses manquantes")

    def test_without_questionnaire(self, client, world):
        participant = ParticipantFactory(plie=world.plie_a)
        client.force_login(world.gestionnaire_a)
        response = client.get(url("participant_detail", participant.pk))
        assertContains(response, "Questionnaire d&#x27;entrée : non commencé.")
        assert all(m["url"] == "" for m in response.context["manques"])  # read only: no links


# --- identity and contacts ---------------------------------------------------------------


class TestParticipantUpdate:
    def test_referent_changes_the_contacts(self, client, world, dossier):
        client.force_login(world.referent_a)
        form = client.get(url("participant_update", dossier.pk)).context["form"]
        assert form["date_naissance"].value() == D(1979, 4, 2)
        assertContains(client.get(url("participant_update", dossier.pk)), 'value="02/04/1979"')
        data = identity(
            nom="Lefèvre",
            prenom="Hélène",
            date_naissance="02/04/1979",
            commune="Lyon 8e",
            telephone="0033 7 11 22 33 44",
        )
        response = client.post(url("participant_update", dossier.pk), data)
        assertRedirects(response, url("participant_detail", dossier.pk))
        dossier.refresh_from_db()
        assert (dossier.commune, dossier.telephone) == ("Lyon 8e", "07 11 22 33 44")
        assert dossier.history.latest().history_user == world.referent_a

    def test_same_validation_as_creation(self, client, world, dossier):
        client.force_login(world.referent_a)
        response = client.post(
            url("participant_update", dossier.pk), identity(code_postal="ABCDE", telephone="06")
        )
        assert set(response.context["form"].errors) == {"code_postal", "telephone"}
        dossier.refresh_from_db()
        assert dossier.code_postal == "69008"

    def test_changing_the_identity_runs_the_duplicate_check_again(self, client, world):
        other = ParticipantFactory(
            plie=world.plie_a, nom="Lefèvre", prenom="Hélène", date_naissance=D(1979, 4, 2)
        )
        dossier = ParticipantFactory(
            plie=world.plie_a, nom="Lefevre", prenom="Elena", date_naissance=D(1980, 1, 1)
        )
        client.force_login(world.referent_a)
        data = identity(nom="Lefebvre", prenom="Hélène", date_naissance="02/04/1979")
        response = client.post(url("participant_update", dossier.pk), data)
        assert response.status_code == 200
        assert response.context["doublons_visibles"] == [other]
        assertContains(response, "poursuivez le suivi dans le dossier existant")
        dossier.refresh_from_db()
        assert dossier.date_naissance == D(1980, 1, 1)  # nothing saved
        response = client.post(url("participant_update", dossier.pk), {**data, "pas_un_doublon": "on"})
        assertRedirects(response, url("participant_detail", dossier.pk))
        dossier.refresh_from_db()
        assert (dossier.nom, dossier.date_naissance) == ("Lefebvre", D(1979, 4, 2))

    def test_changing_only_the_contacts_does_not_look_for_duplicates(self, client, world):
        ParticipantFactory(plie=world.plie_a, nom="Martin", prenom="Léa", date_naissance=D(1990, 5, 5))
        dossier = ParticipantFactory(
            plie=world.plie_a, nom="Martin", prenom="Lea", date_naissance=D(1990, 5, 5)
        )
        client.force_login(world.referent_a)
        data = identity(nom="Martin", prenom="Lea", date_naissance="05/05/1990", telephone="0611223344")
        assertRedirects(
            client.post(url("participant_update", dossier.pk), data), url("participant_detail", dossier.pk)
        )

    def test_the_age_is_checked_again_only_when_the_birth_date_changes(self, client, world):
        participant = ParticipantFactory(plie=world.plie_a, date_naissance=D(1940, 1, 1))  # confirmed once
        SituationEntreeFactory(participant=participant, date_entree=D(2026, 1, 5))
        client.force_login(world.referent_a)
        data = identity(nom=participant.nom, prenom=participant.prenom, date_naissance="01/01/1940")
        assert client.post(url("participant_update", participant.pk), data).status_code == 302
        response = client.post(
            url("participant_update", participant.pk), {**data, "date_naissance": "01/01/2011"}
        )
        # the age at the entry date (05/01/2026), not today
        assert response.context["form"].errors["date_naissance"] == [
            "Âge à l'entrée peu plausible (15 ans) : vérifiez la date de naissance ou confirmez "
            "(attendu entre 16 et 80 ans)."
        ]

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("gestionnaire_a", 403), ("direction_a", 403), ("referent_b", 404), ("financeur", 404)],
    )
    def test_who_may_not_change(self, client, world, dossier, persona, status):
        client.force_login(getattr(world, persona))
        assert client.get(url("participant_update", dossier.pk)).status_code == status
        assert client.post(url("participant_update", dossier.pk), identity()).status_code == status
        dossier.refresh_from_db()
        assert dossier.nom == "Lefèvre"


# --- the FSE entry questionnaire ---------------------------------------------------------


class TestSituation:
    def test_the_questions_and_codes_of_the_fse_questionnaire(self, client, world):
        participant = complete_participant(world.plie_a)
        client.force_login(world.referent_a)
        response = client.get(url("situation_update", participant.pk))
        for text in (
            "Q1. Occupe un emploi ?",
            "1a. Oui, travailleur indépendant, chef d&#x27;entreprise",
            "1d. Oui, emploi aidé (y compris IAE)",
            "1e. En formation, en stage ou en école ?",
            "1g. Depuis combien de mois ?",
            "2c. Bac, CAP, BEP, post-secondaire non supérieur (CITE 3-4)",
            "Q3. Reconnaissance officielle d&#x27;un handicap (RQTH, BOETH…)",
            "Dont bénéficiaire du RSA",
            "Q5. Sans domicile fixe ou exclusion du logement",
            "Ne souhaite pas répondre / ne sait pas",
            "Ménage d&#x27;un seul adulte avec enfants à charge",
            "Non renseigné",
            "<legend",
            'data-show-if="statut_emploi=non"',
        ):
            assertContains(response, text)
        assertContains(response, "Questionnaire d&#x27;entrée : non commencé.")
        assert response.context["form"]["date_questionnaire"].value() == TODAY

    def test_a_complete_questionnaire(self, client, world):
        participant = complete_participant(world.plie_a)
        client.force_login(world.referent_a)
        response = client.post(url("situation_update", participant.pk), answers())
        assertRedirects(response, url("participant_detail", participant.pk))
        situation = SituationEntree.objects.get()
        assert (situation.statut_emploi, situation.duree_recherche_mois, situation.handicap_reconnu) == (
            "non",
            14,
            True,
        )
        assert situation.menage_enfants is False
        assert situation.history.get().history_user == world.referent_a

    def test_a_partial_questionnaire_is_a_draft(self, client, world):
        participant = complete_participant(world.plie_a)
        client.force_login(world.referent_a)
        data = answers(niveau_formation="", handicap_reconnu="", menage_monoparental="")
        response = client.post(url("situation_update", participant.pk), data, follow=True)
        assertRedirects(response, url("situation_update", participant.pk))
        assertContains(response, "Il reste 3 réponses à compléter.")
        assertContains(response, "Q2. Niveau de formation : réponse manquante.")
        situation = SituationEntree.objects.get()
        assert situation.handicap_reconnu is None
        assert situation.niveau_formation == ""

    def test_questions_1e_to_1g_are_cleared_for_a_person_in_employment(self, client, world):
        participant = complete_participant(world.plie_a)
        client.force_login(world.referent_a)
        client.post(url("situation_update", participant.pk), answers(statut_emploi="1c"))
        situation = SituationEntree.objects.get()
        assert (situation.en_formation, situation.recherche_emploi, situation.duree_recherche_mois) == (
            None,
        ) * 3

    def test_edits_the_latest_situation(self, client, world):
        participant = complete_participant(world.plie_a)
        SituationEntreeFactory(participant=participant, date_entree=D(2023, 3, 1))
        latest = SituationEntreeFactory(participant=participant, date_entree=D(2026, 1, 5))
        client.force_login(world.referent_a)
        assert client.get(url("situation_update", participant.pk)).context["situation"] == latest
        client.post(url("situation_update", participant.pk), answers(niveau_formation="2d"))
        latest.refresh_from_db()
        assert latest.niveau_formation == "2d"
        assert SituationEntree.objects.count() == 2

    def test_a_new_entry(self, client, world):
        participant = complete_participant(world.plie_a)
        SituationEntreeFactory(participant=participant, complete=True, date_entree=D(2023, 3, 1))
        client.force_login(world.referent_a)
        response = client.post(
            url("situation_create", participant.pk),
            answers(date_entree="02/03/2026", date_questionnaire="02/03/2026"),
        )
        assertRedirects(response, url("participant_detail", participant.pk))
        assert participant.situation_entree.date_entree == D(2026, 3, 2)
        assert SituationEntree.objects.count() == 2
        response = client.post(
            url("situation_create", participant.pk), answers(date_entree="02/03/2026", date_questionnaire="")
        )
        assert response.context["form"].errors["date_entree"] == [
            "Une situation à l'entrée du 02/03/2026 existe déjà pour ce participant."
        ]

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            (
                {"date_entree": "16/06/2026", "date_questionnaire": ""},
                "date_entree",
                "La date d'entrée ne peut pas être future.",
            ),
            (
                {"date_entree": "10/01/2026"},
                "date_entree",
                "La date d'entrée ne peut pas être postérieure à la date du questionnaire.",
            ),
            ({"date_entree": ""}, "date_entree", "Ce champ est obligatoire."),
            (
                {"date_questionnaire": "20/06/2026"},
                "date_questionnaire",
                "La date du questionnaire ne peut pas être future.",
            ),
            (
                {"duree_recherche_mois": "-2"},
                "duree_recherche_mois",
                "Assurez-vous que cette valeur est supérieure ou égale à 0.",
            ),
            (
                {"duree_recherche_mois": "700"},
                "duree_recherche_mois",
                "Durée peu plausible : 600 mois au plus.",
            ),
            (
                {"minima_sociaux": "False"},
                "beneficiaire_rsa",
                "Le RSA est un minimum social : répondez « Oui » à la question 4 ou « Non » ici.",
            ),
            (
                {"menage_monoparental": "True"},
                "menage_monoparental",
                "Un ménage d'un seul adulte avec enfants à charge a des enfants à charge.",
            ),
            (
                {"statut_emploi": "1z"},
                "statut_emploi",
                "Sélectionnez un choix valide. 1z n’en fait pas partie.",
            ),
        ],
    )
    def test_errors_per_field(self, client, world, data, field, message):
        participant = complete_participant(world.plie_a)
        client.force_login(world.referent_a)
        response = client.post(url("situation_update", participant.pk), answers(**data))
        assert response.status_code == 200
        assert response.context["form"].errors[field] == [message]
        assertContains(response, f'id="id_{field}_erreur"')
        assert not SituationEntree.objects.exists()

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("gestionnaire_a", 403), ("direction_a", 403), ("referent_b", 404), ("financeur", 404)],
    )
    def test_who_may_not_change(self, client, world, dossier, persona, status):
        client.force_login(getattr(world, persona))
        for name in ("situation_update", "situation_create"):
            assert client.get(url(name, dossier.pk)).status_code == status
            assert client.post(url(name, dossier.pk), answers(niveau_formation="2d")).status_code == status
        assert dossier.situation_entree.niveau_formation == "2b"


# --- freins ------------------------------------------------------------------------------


class TestFreins:
    def test_referent_adds_a_frein(self, client, world, dossier):
        client.force_login(world.referent_a)
        form = client.get(url("frein_create", dossier.pk)).context["form"]
        assert "sante" in dict(form.fields["type"].choices)
        response = client.post(
            url("frein_create", dossier.pk),
            {
                "type": "garde_enfants",
                "precision": "Pas de place en crèche",
                "date_identification": "10/06/2026",
            },
        )
        assertRedirects(response, url("participant_detail", dossier.pk))
        frein = dossier.freins.get(type="garde_enfants")
        assert (frein.date_identification, frein.precision, frein.date_levee) == (
            D(2026, 6, 10),
            "Pas de place en crèche",
            None,
        )

    def test_sensitive_types_only_for_who_may_see_them(self, client, world, dossier):
        client.force_login(world.admin_a)  # may change the dossier, not see health or justice
        form = client.get(url("frein_create", dossier.pk)).context["form"]
        assert not {"sante", "justice"} & set(dict(form.fields["type"].choices))
        response = client.post(
            url("frein_create", dossier.pk), {"type": "sante", "date_identification": "10/06/2026"}
        )
        assert "type" in response.context["form"].errors
        assert dossier.freins.count() == 3

    def test_identification_date_not_in_the_future(self, client, world, dossier):
        client.force_login(world.referent_a)
        response = client.post(
            url("frein_create", dossier.pk), {"type": "numerique", "date_identification": "16/06/2026"}
        )
        assert response.context["form"].errors["date_identification"] == [
            "La date d'identification ne peut pas être future."
        ]

    def test_lift_today_by_default(self, client, world, dossier):
        frein = Frein.objects.get(type="mobilite")
        client.force_login(world.referent_a)
        response = client.post(url("frein_lift", frein.pk), {"date_levee": ""})
        assertRedirects(response, url("participant_detail", dossier.pk))
        frein.refresh_from_db()
        assert frein.date_levee == TODAY

    def test_lift_on_a_given_date(self, client, world, dossier):
        frein = Frein.objects.get(type="sante")
        client.force_login(world.animateur_a)
        client.post(url("frein_lift", frein.pk), {"date_levee": "01/06/2026"})
        frein.refresh_from_db()
        assert frein.date_levee == D(2026, 6, 1)

    @pytest.mark.parametrize(
        ("date_levee", "message"),
        [
            ("04/01/2026", "Un frein ne peut pas être levé avant d'avoir été identifié (le 05/01/2026)."),
            ("16/06/2026", "La date de levée ne peut pas être future."),
            ("32/01/2026", "Saisissez une date valide."),
        ],
    )
    def test_lift_errors(self, client, world, dossier, date_levee, message):
        frein = Frein.objects.get(type="mobilite")
        client.force_login(world.referent_a)
        response = client.post(url("frein_lift", frein.pk), {"date_levee": date_levee})
        assert response.context["form"].errors["date_levee"] == [message]
        frein.refresh_from_db()
        assert frein.date_levee is None

    def test_a_lifted_frein_stays_lifted(self, client, world, dossier):
        frein = Frein.objects.get(type="logement")
        client.force_login(world.referent_a)
        assertContains(client.get(url("frein_lift", frein.pk)), "Lever le frein « Logement »")
        response = client.post(url("frein_lift", frein.pk), {"date_levee": "10/06/2026"})
        assert response.context["form"].errors["date_levee"] == ["Ce frein est déjà levé (le 02/03/2026)."]

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("gestionnaire_a", 403), ("direction_a", 403), ("referent_b", 404), ("financeur", 404)],
    )
    def test_who_may_not_change(self, client, world, dossier, persona, status):
        frein = Frein.objects.get(type="mobilite")
        client.force_login(getattr(world, persona))
        assert client.get(url("frein_create", dossier.pk)).status_code == status
        data = {"type": "numerique", "date_identification": "10/06/2026"}
        assert client.post(url("frein_create", dossier.pk), data).status_code == status
        assert client.post(url("frein_lift", frein.pk), {"date_levee": ""}).status_code == status
        assert dossier.freins.count() == 3
        assert Frein.objects.get(pk=frein.pk).date_levee is None

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "admin_a"])
    def test_a_sensitive_frein_cannot_be_reached_without_the_right(self, client, world, dossier, persona):
        frein = Frein.objects.get(type="sante")
        client.force_login(getattr(world, persona))
        assert client.post(url("frein_lift", frein.pk), {"date_levee": ""}).status_code == 404
