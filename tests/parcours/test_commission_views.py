"""The commission pages: the list of sessions, a session with its agenda and one decision form
per dossier (with or without htmx), closing, the agenda and PV PDFs; scoped on every view, the
queries of the session page pinned, the whole workflow end to end."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from parcours.enums import ObjetPassage, StatutCommission, StatutParcours, TypeDecision
from parcours.models import AffectationReferent, Commission, Decision, Parcours
from plie.core.enums import StructureKind
from tests.factories import ParticipantFactory, StructureFactory
from tests.parcours.factories import CommissionFactory, ParcoursFactory, SortieFactory, TypeSortieFactory

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS), tick=False)


def url(name, *args):
    return reverse(f"parcours:{name}", args=args)


@pytest.fixture
def prescripteur(world):
    structure = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="France Travail Lyon Est")
    structure.plies.add(world.plie_a)
    return structure


@pytest.fixture
def session(world):
    return CommissionFactory(plie=world.plie_a, date=D(2026, 6, 11), lieu="Salle du conseil")


def candidat(world, prescripteur=None, **fields):
    return ParcoursFactory(
        participant__plie=world.plie_a,
        referent=world.referent_a,
        prescripteur=prescripteur,
        date_orientation=D(2026, 5, 20),
        **fields,
    )


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


READERS = ["animateur_a", "admin_a", "gestionnaire_a", "direction_a", "referent_a"]
# an OI membership reads aggregates only (plie.core.scoping)
OUTSIDERS = ["referent_b", "financeur", "referent_operateur", "no_role", "oi_user"]


# --- list ---------------------------------------------------------------------------------


class TestCommissionList:
    def test_upcoming_and_past(self, client, world):
        CommissionFactory(plie=world.plie_a, date=D(2026, 7, 2), lieu="Mairie annexe")
        past = CommissionFactory(plie=world.plie_a, date=D(2026, 3, 5), status=StatutCommission.TENUE)
        CommissionFactory(plie=world.plie_b, date=D(2026, 7, 3), lieu="Chez PLIE B")
        client.force_login(world.animateur_a)
        response = client.get(url("commission_list"))
        assertContains(response, "Commission du 02/07/2026")
        assertContains(response, "Mairie annexe")
        assertContains(response, "Commission du 05/03/2026")
        assertContains(response, url("commission_pv_pdf", past.pk))
        assertNotContains(response, "Chez PLIE B")
        assertContains(response, url("commission_create"))

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "direction_a", "referent_a"])
    def test_readers_do_not_create(self, client, world, persona):
        client.force_login(getattr(world, persona))
        response = client.get(url("commission_list"))
        assert response.status_code == 200
        assertNotContains(response, url("commission_create"))

    @pytest.mark.parametrize("persona", ["financeur", "no_role"])
    def test_no_personal_data_no_list(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.get(url("commission_list")).status_code == 404

    def test_plie_b_sees_nothing_of_a(self, client, world):
        CommissionFactory(plie=world.plie_a, date=D(2026, 7, 2), lieu="Mairie annexe")
        client.force_login(world.referent_b)
        response = client.get(url("commission_list"))
        assertNotContains(response, "Mairie annexe")
        assertContains(response, "Aucune session programmée.")

    @pytest.mark.parametrize("count", [2, 30])
    def test_query_count_does_not_grow(self, client, world, count, django_assert_num_queries):
        for index in range(count):
            commission = CommissionFactory(
                plie=world.plie_a, date=D(2026, 1, 1) + datetime.timedelta(days=index), status="tenue"
            )
            Decision.objects.create(commission=commission, parcours=candidat(world), objet="candidature")
        CommissionFactory(plie=world.plie_a, date=D(2026, 7, 2))
        client.force_login(world.animateur_a)
        # session, user, memberships; the sessions to come (with their counts); the count of the
        # past ones and their page
        with django_assert_num_queries(6):
            response = client.get(url("commission_list"))
        assert len(response.context["page"]) == min(count, 20)

    def test_navigation_entry(self, client, world):
        client.force_login(world.animateur_a)
        labels = [entry["label"] for entry in client.get(reverse("home")).context["nav_entries"]]
        assert "Commissions" in labels
        client.force_login(world.referent_a)
        labels = [entry["label"] for entry in client.get(reverse("home")).context["nav_entries"]]
        assert "Commissions" not in labels


# --- create -------------------------------------------------------------------------------


class TestCommissionCreate:
    def test_the_animateur_plans_a_session(self, client, world):
        client.force_login(world.animateur_a)
        response = client.get(url("commission_create"))
        assertContains(response, "Nouvelle session")
        response = client.post(
            url("commission_create"),
            {"plie": world.plie_a.pk, "date": "02/07/2026", "lieu": "Mairie", "membres": "Mme A\nM. B"},
        )
        commission = Commission.objects.get()
        assertRedirects(response, url("commission_detail", commission.pk))
        assert (commission.plie, commission.date, commission.membres) == (
            world.plie_a,
            D(2026, 7, 2),
            "Mme A\nM. B",
        )

    def test_errors_per_field(self, client, world):
        client.force_login(world.animateur_a)
        response = client.post(url("commission_create"), {"plie": world.plie_a.pk, "date": "31/02/2026"})
        assert response.status_code == 200
        assert "date" in response.context["form"].errors
        assert not Commission.objects.exists()

    def test_another_plie_is_not_a_choice(self, client, world):
        client.force_login(world.animateur_a)
        client.post(url("commission_create"), {"plie": world.plie_b.pk, "date": "02/07/2026"})
        assert not Commission.objects.exists()

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("referent_a", 403), ("gestionnaire_a", 403), ("financeur", 404), ("no_role", 404)],
    )
    def test_others_may_not(self, client, world, persona, status):
        client.force_login(getattr(world, persona))
        assert client.get(url("commission_create")).status_code == status


# --- the session page ---------------------------------------------------------------------


class TestCommissionDetail:
    def test_the_animateur_sees_the_agenda_forms(self, client, world, session, prescripteur):
        on_agenda = candidat(world, prescripteur, projet="Cariste")
        pending = candidat(world, prescripteur)
        Decision.objects.create(commission=session, parcours=on_agenda, objet=ObjetPassage.CANDIDATURE)
        client.force_login(world.animateur_a)
        response = client.get(url("commission_detail", session.pk))
        assertContains(response, "Commission du 11/06/2026")
        assertContains(response, str(on_agenda.participant))
        assertContains(response, "Cariste")
        assertContains(response, "France Travail Lyon Est")
        assertContains(response, url("decision_record", session.decisions.get().pk))
        assertContains(response, "Enregistrer la décision")
        assertContains(response, f'value="{pending.pk}"')  # pending candidature to add
        assertContains(response, "Clore la session")
        assertContains(response, url("commission_agenda_pdf", session.pk))

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "direction_a", "referent_a"])
    def test_readers_read(self, client, world, session, persona):
        Decision.objects.create(commission=session, parcours=candidat(world), objet=ObjetPassage.CANDIDATURE)
        client.force_login(getattr(world, persona))
        response = client.get(url("commission_detail", session.pk))
        assert response.status_code == 200
        assertNotContains(response, "Enregistrer la décision")
        assertNotContains(response, "Clore la session")
        assertContains(response, "À décider en séance.")

    @pytest.mark.parametrize("persona", OUTSIDERS)
    def test_outsiders_get_404_everywhere(self, client, world, session, persona):
        decision = Decision.objects.create(commission=session, parcours=candidat(world), objet="candidature")
        client.force_login(getattr(world, persona))
        for name, arg, method in [
            ("commission_detail", session.pk, "get"),
            ("commission_agenda_pdf", session.pk, "get"),
            ("commission_pv_pdf", session.pk, "get"),
            ("decision_record", decision.pk, "get"),
            ("decision_record", decision.pk, "post"),
            ("commission_agenda_add", session.pk, "post"),
            ("commission_agenda_remove", decision.pk, "post"),
            ("commission_close", session.pk, "post"),
            ("commission_update", session.pk, "post"),
            ("commission_delete", session.pk, "post"),
        ]:
            response = getattr(client, method)(url(name, arg))
            assert response.status_code == 404, (name, method)

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "direction_a", "referent_a"])
    def test_readers_may_not_write(self, client, world, session, persona):
        decision = Decision.objects.create(commission=session, parcours=candidat(world), objet="candidature")
        client.force_login(getattr(world, persona))
        for name, arg in [
            ("decision_record", decision.pk),
            ("commission_agenda_add", session.pk),
            ("commission_agenda_remove", decision.pk),
            ("commission_close", session.pk),
            ("commission_delete", session.pk),
        ]:
            assert client.post(url(name, arg)).status_code == 403, name

    @pytest.mark.parametrize("count", [2, 12])
    def test_query_count_is_pinned(self, client, world, session, count, django_assert_num_queries):
        exit_type = TypeSortieFactory(
            plie=world.plie_a, code="TEST_COMMISSION", libelle="Autre", commission_requise=True
        )
        for index in range(count):
            parcours = candidat(world, StructureFactory(kind=StructureKind.PRESCRIPTEUR))
            Decision.objects.create(commission=session, parcours=parcours, objet=ObjetPassage.CANDIDATURE)
            candidat(world)  # pending, offered for the agenda
            sortant = ParcoursFactory(participant__plie=world.plie_a, en_parcours=True)
            SortieFactory(parcours=sortant, type=exit_type, date_sortie=D(2026, 6, 1))
            if index % 2:
                Decision.objects.create(
                    commission=session, parcours=sortant, objet=ObjetPassage.VALIDATION_SORTIE
                )
        decided = session.decisions.first()
        decided.decision, decided.motif = TypeDecision.AJOURNE, "À revoir"
        decided.save()
        client.force_login(world.animateur_a)
        # session, user, memberships, the commission, its agenda (dossiers with participant,
        # référent, prescripteur, exit and its type), the PLIE's référents and the
        # reorientation structures for the forms, the pending candidatures and exits
        with django_assert_num_queries(9):
            response = client.get(url("commission_detail", session.pk))
        assert len(response.context["dossiers"]) == count + count // 2

    def test_update_and_delete_the_session(self, client, world, session):
        client.force_login(world.animateur_a)
        response = client.post(
            url("commission_update", session.pk), {"date": "12/06/2026", "lieu": "Mairie", "membres": "Mme A"}
        )
        assertRedirects(response, url("commission_detail", session.pk))
        session.refresh_from_db()
        assert (session.date, session.lieu) == (D(2026, 6, 12), "Mairie")
        response = client.post(url("commission_delete", session.pk))
        assertRedirects(response, url("commission_list"))
        assert not Commission.objects.exists()


class TestAgenda:
    def test_add_and_remove(self, client, world, session):
        first, second = candidat(world), candidat(world)
        exit_type = TypeSortieFactory(
            plie=world.plie_a, code="TEST_COMMISSION", libelle="Autre", commission_requise=True
        )
        sortant = ParcoursFactory(participant__plie=world.plie_a, en_parcours=True)
        SortieFactory(parcours=sortant, type=exit_type, date_sortie=D(2026, 6, 1))
        client.force_login(world.animateur_a)
        response = client.post(
            url("commission_agenda_add", session.pk),
            {"candidatures": [first.pk, second.pk], "sorties": [sortant.pk]},
        )
        assertRedirects(response, url("commission_detail", session.pk), fetch_redirect_response=False)
        assert set(session.decisions.values_list("parcours", "objet")) == {
            (first.pk, "candidature"),
            (second.pk, "candidature"),
            (sortant.pk, "validation_sortie"),
        }
        response = client.get(url("commission_detail", session.pk))
        assertContains(response, "3 dossiers inscrits à l&#x27;ordre du jour.")
        decision = session.decisions.get(parcours=second)
        client.post(url("commission_agenda_remove", decision.pk))
        assert session.decisions.count() == 2

    def test_a_dossier_of_plie_b_is_refused(self, client, world, session):
        of_b = ParcoursFactory(participant__plie=world.plie_b)
        client.force_login(world.animateur_a)
        response = client.post(
            url("commission_agenda_add", session.pk), {"candidatures": [of_b.pk]}, follow=True
        )
        assert not session.decisions.exists()
        assertContains(response, "Sélectionnez un choix valide")

    def test_nothing_chosen(self, client, world, session):
        candidat(world)
        client.force_login(world.animateur_a)
        response = client.post(url("commission_agenda_add", session.pk), {}, follow=True)
        assertContains(response, "Cochez au moins un dossier")


# --- decisions ----------------------------------------------------------------------------


def admis_data(dossier, **overrides):
    """What the decision form of ``dossier`` (a Decision) posts for an admission."""
    prefix = f"d{dossier.pk}-"
    data = {
        "version": dossier.parcours.version,
        "decision": "admis",
        "date_entree": "15/06/2026",
        "referent": dossier.parcours.referent_id,
        "date_signature_contrat": "15/06/2026",
        "date_representation": "",
        "structure_reorientation": "",
        "motif": "Projet validé",
        **overrides,
    }
    return {prefix + key: value for key, value in data.items()}


class TestDecisionRecord:
    def test_without_javascript(self, client, world, session):
        decision = Decision.objects.create(commission=session, parcours=candidat(world), objet="candidature")
        client.force_login(world.animateur_a)
        response = client.get(url("decision_record", decision.pk))
        assertContains(response, "Décision de la commission")
        response = client.post(url("decision_record", decision.pk), admis_data(decision))
        assertRedirects(
            response,
            url("commission_detail", session.pk) + f"#dossier-{decision.pk}",
            fetch_redirect_response=False,
        )
        parcours = Parcours.objects.get(pk=decision.parcours_id)
        assert parcours.status == StatutParcours.EN_PARCOURS
        assert parcours.date_entree == D(2026, 6, 15)
        response = client.get(url("commission_detail", session.pk))
        assertContains(response, "Décision enregistrée pour")
        assertContains(response, "Entrée le 15/06/2026")

    def test_with_htmx_the_card_is_swapped(self, client, world, session):
        decision = Decision.objects.create(commission=session, parcours=candidat(world), objet="candidature")
        client.force_login(world.animateur_a)
        response = client.post(
            url("decision_record", decision.pk), admis_data(decision), headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert response.templates[0].name == "parcours/commission_dossier.html"
        assertContains(response, f'id="dossier-{decision.pk}"')
        assertContains(response, '<strong class="decision-value">Admis</strong>', html=False)
        assertNotContains(response, "<html")

    def test_with_htmx_the_session_panel_follows_each_decision(self, client, world, session):
        first, second = (
            Decision.objects.create(commission=session, parcours=candidat(world), objet="candidature")
            for _ in range(2)
        )
        client.force_login(world.animateur_a)
        page = client.get(url("commission_detail", session.pk))
        assertContains(page, "2 dossiers à décider avant de clore la session.")
        assertContains(page, "Supprimer la session")
        assertNotContains(page, "hx-swap-oob")

        response = client.post(
            url("decision_record", first.pk), admis_data(first), headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        # the card, then the session's panel swapped out of band: one dossier left, and a session
        # with a decision may no longer be deleted
        assert html.index(f'id="dossier-{first.pk}"') < html.index('id="commission-cloture"')
        assertContains(response, 'id="commission-cloture" aria-labelledby="titre-clore" hx-swap-oob="true"')
        assertContains(response, "1 dossier à décider avant de clore la session.")
        assertNotContains(response, "Supprimer la session")
        assertContains(response, url("commission_close", session.pk))

        response = client.post(
            url("decision_record", second.pk), admis_data(second), headers={"HX-Request": "true"}
        )
        assertContains(response, "Toutes les décisions sont enregistrées")
        # what the reloaded page says is what the panel said
        page = client.get(url("commission_detail", session.pk))
        assertContains(page, "Toutes les décisions sont enregistrées")
        assertNotContains(page, "Supprimer la session")

    def test_a_refused_htmx_decision_leaves_the_panel_alone(self, client, world, session):
        decision = Decision.objects.create(commission=session, parcours=candidat(world), objet="candidature")
        client.force_login(world.animateur_a)
        data = admis_data(decision, decision="refuse", motif="")
        response = client.post(url("decision_record", decision.pk), data, headers={"HX-Request": "true"})
        assertContains(response, "Le motif est obligatoire")
        assertNotContains(response, "hx-swap-oob")
        assertNotContains(response, 'id="commission-cloture"')

    def test_the_decision_form_shows_its_work_and_names_the_result(self, client, world, session):
        decision = Decision.objects.create(commission=session, parcours=candidat(world), objet="candidature")
        client.force_login(world.animateur_a)
        page = client.get(url("commission_detail", session.pk))
        # the button is disabled while htmx posts, an indicator says so
        assertContains(page, "hx-disabled-elt=\"find button[type='submit']\"")
        assertContains(page, "Enregistrement en cours…")
        response = client.post(
            url("decision_record", decision.pk), admis_data(decision), headers={"HX-Request": "true"}
        )
        # where static/js/forms.js may put the focus: the result, the session's state
        assertContains(response, f'id="dossier-{decision.pk}-resultat" tabindex="-1"')
        # from the admitted person's card to her parcours (where her FSE enrolment is offered)
        assertContains(response, reverse("parcours:parcours_detail", args=[decision.parcours_id]))
        assertContains(response, 'id="commission-cloture-etat" tabindex="-1"')

    def test_errors_come_back_on_the_fields(self, client, world, session):
        decision = Decision.objects.create(commission=session, parcours=candidat(world), objet="candidature")
        client.force_login(world.animateur_a)
        data = admis_data(decision, decision="refuse", motif="")
        response = client.post(url("decision_record", decision.pk), data)
        assert response.status_code == 400
        assert response.context["form"].errors == {
            "motif": ["Le motif est obligatoire pour ce type de décision."]
        }
        response = client.post(url("decision_record", decision.pk), data, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assertContains(response, "Le motif est obligatoire pour ce type de décision.")
        assertContains(response, 'aria-invalid="true"')
        decision.refresh_from_db()
        assert decision.decision == ""

    def test_admission_dates_per_field(self, client, world, session):
        decision = Decision.objects.create(commission=session, parcours=candidat(world), objet="candidature")
        client.force_login(world.animateur_a)
        response = client.post(
            url("decision_record", decision.pk), admis_data(decision, date_entree="10/06/2026")
        )
        assert response.context["form"].errors == {
            "date_entree": ["La date d'entrée doit être postérieure ou égale à la commission du 11/06/2026."]
        }

    def test_conflict_shows_a_reload_link_and_saves_nothing(self, client, world, session):
        parcours = candidat(world)
        decision = Decision.objects.create(commission=session, parcours=parcours, objet="candidature")
        data = admis_data(decision)
        Parcours.objects.filter(pk=parcours.pk).update(version=2)  # someone saved meanwhile
        client.force_login(world.animateur_a)
        response = client.post(url("decision_record", decision.pk), data)
        assert response.status_code == 409
        assertContains(response, "Ce parcours a été modifié par", status_code=409)
        assertContains(response, "rechargez la page", status_code=409)
        assertContains(
            response, f'href="{url("commission_detail", session.pk)}">Recharger</a>', status_code=409
        )
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.CANDIDAT
        assert not AffectationReferent.objects.exists()
        response = client.post(url("decision_record", decision.pk), data, headers={"HX-Request": "true"})
        assertContains(response, "Recharger")

    def test_an_exit_validation_form_offers_exit_decisions(self, client, world, session):
        exit_type = TypeSortieFactory(
            plie=world.plie_a, code="TEST_COMMISSION", libelle="Autre positive", commission_requise=True
        )
        sortant = ParcoursFactory(participant__plie=world.plie_a, en_parcours=True)
        SortieFactory(parcours=sortant, type=exit_type, date_sortie=D(2026, 6, 1))
        decision = Decision.objects.create(commission=session, parcours=sortant, objet="validation_sortie")
        client.force_login(world.animateur_a)
        response = client.get(url("decision_record", decision.pk))
        assert [value for value, _ in response.context["form"].fields["decision"].choices] == [
            "sortie_validee",
            "sortie_non_validee",
        ]
        assertContains(response, "Autre positive le 01/06/2026")
        assertContains(response, "Validation en commission.")
        response = client.post(
            url("decision_record", decision.pk),
            {f"d{decision.pk}-version": sortant.version, f"d{decision.pk}-decision": "sortie_validee"},
        )
        assert response.status_code == 302
        sortant.refresh_from_db()
        assert sortant.status == StatutParcours.SORTI

    def test_a_decided_dossier_or_closed_session_redirects(self, client, world, session):
        decision = Decision.objects.create(
            commission=session, parcours=candidat(world), objet="candidature", decision="ajourne"
        )
        client.force_login(world.animateur_a)
        response = client.get(url("decision_record", decision.pk))
        assert response.status_code == 302


class TestCloseAndPdfs:
    def test_close_and_print(self, client, world, session):
        decision = Decision.objects.create(commission=session, parcours=candidat(world), objet="candidature")
        client.force_login(world.animateur_a)
        response = client.post(url("commission_close", session.pk), follow=True)
        assertContains(response, "1 dossier sans décision")
        response = client.get(url("commission_pv_pdf", session.pk), follow=True)
        assertContains(response, "Le procès-verbal est disponible une fois la session close.")
        agenda = client.get(url("commission_agenda_pdf", session.pk))
        assert agenda["Content-Type"] == "application/pdf"
        assert agenda["Cache-Control"] == "private, no-store"
        assert (
            agenda["Content-Disposition"] == 'attachment; filename="ordre-du-jour-commission-2026-06-11.pdf"'
        )
        assert str(decision.parcours.participant) in pdf_text(agenda.content)
        client.post(url("decision_record", decision.pk), admis_data(decision, motif="Projet réaliste"))
        response = client.post(url("commission_close", session.pk), follow=True)
        assertContains(response, "close : le procès-verbal est disponible.")
        session.refresh_from_db()
        assert session.status == StatutCommission.TENUE
        text = pdf_text(client.get(url("commission_pv_pdf", session.pk)).content)
        assert "Admis" in text and "Projet réaliste" in text

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "direction_a"])
    def test_readers_download_the_pv(self, client, world, persona):
        session = CommissionFactory(plie=world.plie_a, date=D(2026, 6, 11), status=StatutCommission.TENUE)
        client.force_login(getattr(world, persona))
        assert client.get(url("commission_pv_pdf", session.pk))["Content-Type"] == "application/pdf"


# --- the whole workflow ---------------------------------------------------------------------


def test_commission_workflow_end_to_end(client, world, prescripteur):
    """Candidature → session → agenda → decision « admis » → parcours opened with its référent
    and entry date → PV whose text, read back, holds the decision."""
    participant = ParticipantFactory(plie=world.plie_a, nom="Lefèvre", prenom="Hélène")
    client.force_login(world.referent_a)
    response = client.post(
        url("candidature_create", participant.pk),
        {
            "prescripteur": prescripteur.pk,
            "date_orientation": "02/06/2026",
            "motif_orientation": "Orientation RSA",
            "projet": "Agent de propreté",
            "freins_diagnostic": "Mobilité",
            "distance_emploi": "eloignee",
            "referent": world.referent_a.pk,
        },
    )
    assert response.status_code == 302
    parcours = participant.parcours.get()
    assert parcours.status == StatutParcours.CANDIDAT

    client.force_login(world.animateur_a)
    client.post(
        url("commission_create"),
        {
            "plie": world.plie_a.pk,
            "date": "15/06/2026",
            "lieu": "Salle du conseil",
            "membres": "Mme Martin (PLIE)",
        },
    )
    commission = Commission.objects.get()
    client.post(url("commission_agenda_add", commission.pk), {"candidatures": [parcours.pk]})
    decision = commission.decisions.get()
    response = client.post(url("decision_record", decision.pk), admis_data(decision, motif="Projet cohérent"))
    assert response.status_code == 302
    client.post(url("commission_close", commission.pk))

    parcours.refresh_from_db()
    assert parcours.status == StatutParcours.EN_PARCOURS
    assert (parcours.date_commission, parcours.date_entree, parcours.date_signature_contrat) == (
        D(2026, 6, 15),
        D(2026, 6, 15),
        D(2026, 6, 15),
    )
    assert parcours.referent == world.referent_a
    assert parcours.affectations.get().referent == world.referent_a

    response = client.get(url("commission_pv_pdf", commission.pk))
    text = pdf_text(response.content)
    assert "LEFÈVRE Hélène" in text
    assert "Admis" in text
    assert "Projet cohérent" in text
    assert "Entrée le 15/06/2026" in text
    assert response["Content-Disposition"] == 'attachment; filename="pv-commission-2026-06-15.pdf"'
