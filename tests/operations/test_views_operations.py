import datetime

import pytest
import time_machine
from django.urls import reverse

from operations.models import Inscription, Operation
from plie.core.enums import Role
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory, SituationEntreeFactory, user_with_role
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import ParcoursFactory

D = datetime.date

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0), tick=False):
        yield


@pytest.fixture
def operation(world):
    return OperationFactory(plie=world.plie_a, code="ACC-2026", intitule="Accompagnement renforcé 2026")


@pytest.fixture
def inscription(operation, world):
    parcours = ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, participant__nom="Durand", en_parcours=True,
        referent=world.referent_a,
    )  # fmt: skip
    return InscriptionFactory(operation=operation, participant=parcours.participant, parcours=parcours)


def url(name, *args):
    return reverse(f"operations:{name}", args=args)


QUESTIONNAIRE = {
    "date_questionnaire": "03/02/2026",
    "statut_emploi": "non",
    "en_formation": "False",
    "recherche_emploi": "True",
    "duree_recherche_mois": "7",
    "niveau_formation": "2b",
    "handicap_reconnu": "False",
    "minima_sociaux": "True",
    "beneficiaire_rsa": "True",
    "sans_domicile": "non",
    "parent_ne_etranger": "non",
    "menage_sans_emploi": "True",
    "menage_enfants": "False",
    "menage_monoparental": "False",
}


class TestOperationList:
    def test_it_lists_the_operations_of_the_users_plie_with_counts(self, client, world, operation):
        InscriptionFactory.create_batch(2, operation=operation)
        OperationFactory(plie=world.plie_b, code="B-2026")
        OperationFactory(plie=world.plie_c, code="C-2026")
        client.force_login(world.gestionnaire_a)
        response = client.get(url("operation_list"))
        assert response.status_code == 200
        page = [(op.code, op.nb_inscriptions, op.nb_ouvertes) for op in response.context["page"]]
        assert page == [("ACC-2026", 2, 2)]
        assert response.context["may_create"]

    def test_plie_b_sees_only_its_own(self, client, world, operation):
        OperationFactory(plie=world.plie_b, code="B-2026")
        client.force_login(world.referent_b)
        response = client.get(url("operation_list"))
        assert [op.code for op in response.context["page"]] == ["B-2026"]
        assert not response.context["may_create"]

    def test_filters_by_year_and_plie(self, client, world, operation):
        OperationFactory(
            plie=world.plie_a, code="ACC-2025", date_debut=D(2025, 1, 1), date_fin=D(2025, 12, 31)
        )
        OperationFactory(plie=world.plie_b, code="B-2025", date_debut=D(2025, 1, 1), date_fin=D(2025, 12, 31))
        client.force_login(world.oi_user)
        response = client.get(url("operation_list"), {"annee": 2025, "plie": world.plie_a.code})
        assert [op.code for op in response.context["page"]] == ["ACC-2025"]
        response = client.get(url("operation_list"), {"annee": 2025})
        assert sorted(op.code for op in response.context["page"]) == ["ACC-2025", "B-2025"]

    def test_query_count_does_not_grow_with_operations(self, client, world, django_assert_num_queries):
        for year in range(2019, 2027):
            OperationFactory(plie=world.plie_a, date_debut=D(year, 1, 1), date_fin=D(year, 12, 31))
        client.force_login(world.gestionnaire_a)
        # session, user, scope (memberships), years, PLIE of the filter, count, page of operations
        with django_assert_num_queries(7):
            response = client.get(url("operation_list"))
        assert len(response.context["page"]) == 8


class TestOperationDetail:
    def test_it_shows_the_operation_and_its_enrolments(self, client, world, operation, inscription):
        client.force_login(world.gestionnaire_a)
        response = client.get(url("operation_detail", operation.pk))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Accompagnement renforcé 2026" in html and "du 01/01/2026 au 31/12/2026" in html
        assert "DURAND" in html and "à confirmer" in html
        assert url("inscription_questionnaire", inscription.pk) in html
        assert response.context["counts"] == {"total": 1, "ouvertes": 1, "sorties": 0, "confirmes": 0}
        (row,) = response.context["page"]
        assert row.fillable and row.manques > 0

    def test_links_to_the_other_pages_only_if_they_exist(self, client, world, operation):
        client.force_login(world.gestionnaire_a)
        response = client.get(url("operation_detail", operation.pk))
        for label, link in response.context["liens"]:
            assert link.startswith("/operations/") and label

    def test_plie_b_gets_a_404(self, client, world, operation):
        client.force_login(world.referent_b)
        assert client.get(url("operation_detail", operation.pk)).status_code == 404

    def test_financeur_sees_the_figures_not_the_participants(self, client, world, operation, inscription):
        client.force_login(world.financeur)
        response = client.get(url("operation_detail", operation.pk))
        assert response.status_code == 200
        assert "DURAND" not in response.content.decode()
        # 1 enrolment: « < 5 » for an aggregate reader (plie.core.confidentialite)
        assert response.context["counts"]["total"] == "< 5" and response.context["page"] is None

    def test_the_referent_fills_only_the_participants_they_follow(
        self, client, world, operation, inscription
    ):
        InscriptionFactory(operation=operation)  # somebody else's participant
        client.force_login(world.referent_a)
        response = client.get(url("operation_detail", operation.pk))
        fillable = {row.pk: row.fillable for row in response.context["page"]}
        assert fillable.pop(inscription.pk) is True and list(fillable.values()) == [False]
        assert not response.context["can_manage"]

    @pytest.mark.parametrize("count", [1, 12])
    def test_query_count_does_not_grow_with_enrolments(
        self, client, world, operation, count, django_assert_num_queries
    ):
        InscriptionFactory.create_batch(count, operation=operation)
        client.force_login(world.gestionnaire_a)
        # session, user, operation, scope (memberships), counts, page count, page of enrolments
        with django_assert_num_queries(7):
            response = client.get(url("operation_detail", operation.pk))
        assert len(response.context["page"]) == count


class TestOperationForms:
    def test_the_gestionnaire_creates_an_operation(self, client, world):
        client.force_login(world.gestionnaire_a)
        assert client.get(url("operation_create")).status_code == 200
        response = client.post(
            url("operation_create"),
            {
                "plie": world.plie_a.pk,
                "porteur": world.plie_a.pk,
                "code": "ACC-2027",
                "intitule": "Accompagnement 2027",
                "date_debut": "01/01/2027",
                "date_fin": "31/12/2027",
                "programme": "fse_plus_2021_2027",
                "nomenclature": "plie",
                "budget_total": "100000",
                "budget_fse": "60000",
                "pieces_requises": ["questionnaire", "identite"],
            },
        )
        operation = Operation.objects.get(code="ACC-2027")
        assert response.status_code == 302 and response.url == url("operation_detail", operation.pk)
        assert operation.pieces_requises == ["questionnaire", "identite"]

    def test_bad_input_is_shown_in_french(self, client, world, operation):
        client.force_login(world.gestionnaire_a)
        response = client.post(
            url("operation_update", operation.pk),
            {
                "porteur": world.plie_a.pk,
                "code": "ACC-2026",
                "intitule": "Accompagnement",
                "date_debut": "01/01/2026",
                "date_fin": "31/12/2026",
                "programme": "fse_plus_2021_2027",
                "nomenclature": "plie",
                "budget_total": "100",
                "budget_fse": "200",
            },
        )
        assert response.status_code == 200
        assert "La part FSE ne peut pas dépasser le budget total." in response.content.decode()

    @pytest.mark.parametrize("persona", ["direction_a", "oi_user", "referent_a"])
    def test_read_only_roles_get_a_403(self, client, world, operation, persona):
        client.force_login(getattr(world, persona))
        assert client.get(url("operation_create")).status_code == 403
        assert client.post(url("operation_update", operation.pk), {"code": "X"}).status_code == 403
        assert client.post(url("inscription_create", operation.pk), {}).status_code == 403

    def test_financeur_and_plie_b_get_a_404_on_update(self, client, world, operation):
        for persona in ("financeur", "referent_b"):
            client.force_login(getattr(world, persona))
            assert client.get(url("operation_update", operation.pk)).status_code in (403, 404)
        client.force_login(world.referent_b)
        assert client.get(url("operation_update", operation.pk)).status_code == 404


class TestInscriptionCreate:
    def test_enrol_from_the_parcours_page(self, client, world, operation):
        parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
        SituationEntreeFactory(participant=parcours.participant, date_entree=D(2026, 2, 2), complete=True)
        client.force_login(world.gestionnaire_a)
        response = client.get(url("inscription_create", operation.pk), {"parcours": parcours.pk})
        assert response.status_code == 200 and response.context["form"].initial["parcours"] == parcours.pk
        response = client.post(url("inscription_create", operation.pk), {"parcours": parcours.pk})
        inscription = Inscription.objects.get()
        assert response.url == url("inscription_questionnaire", inscription.pk)
        assert inscription.date_entree == D(2026, 2, 2) and inscription.statut_emploi == "non"

    def test_an_entry_outside_the_period_is_refused(self, client, world, operation):
        parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
        client.force_login(world.gestionnaire_a)
        response = client.post(
            url("inscription_create", operation.pk), {"parcours": parcours.pk, "date_entree": "15/01/2027"}
        )
        assert response.status_code == 200
        assert "est en dehors de la période de l&#x27;opération" in response.content.decode()
        assert not Inscription.objects.exists()

    def test_a_re_entry_reopens_the_enrolment_and_says_so(self, client, world, operation):
        parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
        premiere = InscriptionFactory(
            operation=operation, participant=parcours.participant, complete=True, sortie=True
        )
        client.force_login(world.gestionnaire_a)
        response = client.post(
            url("inscription_create", operation.pk),
            {"parcours": parcours.pk, "date_entree": "02/11/2026"},
            follow=True,
        )
        assert Inscription.objects.get().pk == premiere.pk  # one record, re-opened
        assert "revient dans l&#x27;opération : son inscription du 02/02/2026 est rouverte" in (
            response.content.decode()
        )

    def test_a_parcours_of_another_plie_is_a_404(self, client, world, operation):
        parcours = ParcoursFactory(plie=world.plie_b, participant__plie=world.plie_b, en_parcours=True)
        client.force_login(world.gestionnaire_a)
        assert (
            client.get(url("inscription_create", operation.pk), {"parcours": parcours.pk}).status_code == 404
        )


class TestQuestionnaire:
    def test_the_referent_confirms_and_goes_back_to_next(self, client, world, inscription):
        client.force_login(world.referent_a)
        response = client.get(url("inscription_questionnaire", inscription.pk))
        assert response.status_code == 200 and response.context["manques"]
        response = client.post(
            url("inscription_questionnaire", inscription.pk), {**QUESTIONNAIRE, "next": "/participants/"}
        )
        assert response.status_code == 302 and response.url == "/participants/"
        inscription.refresh_from_db()
        assert inscription.questionnaire_confirme_le == D(2026, 11, 20)
        assert inscription.questionnaire_confirme_par == world.referent_a

    def test_an_unsafe_next_goes_to_the_operation(self, client, world, inscription):
        client.force_login(world.gestionnaire_a)
        response = client.post(
            url("inscription_questionnaire", inscription.pk),
            {**QUESTIONNAIRE, "next": "https://evil.example/"},
        )
        assert response.url == url("operation_detail", inscription.operation_id)

    def test_a_questionnaire_before_the_entry_is_refused(self, client, world, inscription):
        client.force_login(world.gestionnaire_a)
        response = client.post(
            url("inscription_questionnaire", inscription.pk),
            {**QUESTIONNAIRE, "date_questionnaire": "01/02/2026"},
        )
        assert response.status_code == 200
        assert "La date d&#x27;entrée ne peut pas être postérieure à la date du questionnaire" in (
            response.content.decode()
        )

    @pytest.mark.parametrize(
        "persona, status", [("financeur", 404), ("referent_b", 404), ("direction_a", 403)]
    )
    def test_who_may_not(self, client, world, inscription, persona, status):
        client.force_login(getattr(world, persona))
        assert (
            client.post(url("inscription_questionnaire", inscription.pk), QUESTIONNAIRE).status_code == status
        )
        assert client.get(url("inscription_sortie", inscription.pk)).status_code == status
        inscription.refresh_from_db()
        assert inscription.questionnaire_confirme_le is None


class TestSortie:
    def test_it_records_the_exit_and_its_data(self, client, world, inscription):
        client.force_login(world.referent_a)
        response = client.post(
            url("inscription_sortie", inscription.pk),
            {
                "date_sortie": "30/10/2026",
                "sortie_anticipee": "False",
                "sortie_statut_emploi": "1b",
                "sortie_en_formation": "False",
                "sortie_recherche_emploi": "False",
                "sortie_qualification": "True",
            },
        )
        assert response.status_code == 302
        inscription.refresh_from_db()
        assert inscription.date_sortie == D(2026, 10, 30) and inscription.sortie_renseignee_le == D(
            2026, 11, 20
        )

    def test_an_exit_before_the_entry_is_refused(self, client, world, inscription):
        client.force_login(world.gestionnaire_a)
        response = client.post(url("inscription_sortie", inscription.pk), {"date_sortie": "01/01/2026"})
        assert response.status_code == 200
        assert "La date de sortie ne peut pas précéder la date d&#x27;entrée (02/02/2026)." in (
            response.content.decode()
        )


class TestReport:
    def test_preview_then_confirm(self, client, world, operation, inscription):
        cible = OperationFactory(
            plie=world.plie_a, code="ACC-2027", date_debut=D(2027, 1, 1), date_fin=D(2027, 12, 31)
        )
        OperationFactory(plie=world.plie_b, date_debut=D(2027, 1, 1), date_fin=D(2027, 12, 31))  # not offered
        client.force_login(world.gestionnaire_a)
        response = client.get(url("operation_report", operation.pk), {"cible": cible.pk})
        assert response.status_code == 200 and response.context["a_reporter"] == 1
        assert list(response.context["form"].fields["cible"].queryset) == [cible]
        response = client.post(url("operation_report", operation.pk), {"cible": cible.pk, "confirmer": "1"})
        assert response.url == url("operation_detail", cible.pk)
        assert cible.inscriptions.get().report_de == inscription

    def test_direction_gets_a_403(self, client, world, operation):
        client.force_login(world.direction_a)
        assert client.post(url("operation_report", operation.pk), {}).status_code == 403


class TestParticipantDossier:
    def test_the_dossier_lists_the_enrolments_and_the_timeline_shows_them(self, client, world, operation):
        participant = ParticipantFactory(plie=world.plie_a)
        from operations import services

        services.inscrire(operation, participant, D(2026, 3, 1), scope=scope_for(world.gestionnaire_a))
        client.force_login(world.referent_a)
        response = client.get(reverse("participants:participant_detail", args=[participant.pk]))
        html = response.content.decode()
        assert "Opérations FSE" in html and "ACC-2026" in html and "entrée le 01/03/2026" in html
        assert "Inscrit(e) dans l&#x27;opération ACC-2026 (entrée le 01/03/2026)." in html

    @pytest.mark.parametrize(
        ("persona", "links"), [("referent_a", True), ("gestionnaire_a", True), ("direction_a", False)]
    )
    def test_the_dossier_links_to_the_enrolment_forms_for_who_may_fill_them(
        self, client, world, inscription, persona, links
    ):
        dossier = reverse("participants:participant_detail", args=[inscription.participant_id])
        client.force_login(getattr(world, persona))
        html = client.get(dossier).content.decode()
        questionnaire = reverse("operations:inscription_questionnaire", args=[inscription.pk])
        sortie = reverse("operations:inscription_sortie", args=[inscription.pk])
        assert (f'href="{questionnaire}?next={dossier}"' in html) is links
        assert (f'href="{sortie}?next={dossier}"' in html) is links
        if links:
            assert client.get(questionnaire, {"next": dossier}).status_code == 200

    def test_a_referent_does_not_get_the_links_for_a_participant_someone_else_follows(
        self, client, world, inscription
    ):
        other = user_with_role(Role.REFERENT, world.plie_a, email="autre.referent@exemple.fr")
        client.force_login(other)
        html = client.get(
            reverse("participants:participant_detail", args=[inscription.participant_id])
        ).content
        assert reverse("operations:inscription_questionnaire", args=[inscription.pk]).encode() not in html


def test_an_end_before_the_start_is_refused_in_french(client, world, operation):
    client.force_login(world.gestionnaire_a)
    response = client.post(
        url("operation_update", operation.pk),
        {
            "porteur": world.plie_a.pk,
            "code": "ACC-2026",
            "intitule": "Accompagnement",
            "date_debut": "01/01/2026",
            "date_fin": "31/12/2025",
            "programme": "fse_plus_2021_2027",
            "nomenclature": "plie",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "La date de fin ne peut pas précéder la date de début." in html
    assert "violated" not in html and "viol" not in html
