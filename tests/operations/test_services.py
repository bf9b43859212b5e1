import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from operations import services
from operations.models import Inscription, Operation
from plie.core.enums import StructureKind
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory, SituationEntreeFactory, StructureFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import ParcoursFactory

D = datetime.date


def messages(error):
    return {field: list(msgs) for field, msgs in error.value.message_dict.items()}


@pytest.fixture
def operation(world):
    return OperationFactory(plie=world.plie_a, code="ACC-2026")


def operation_data(world, **overrides):
    data = {
        "code": "ACC-2027",
        "intitule": "Accompagnement renforcé 2027",
        "porteur": world.plie_a,
        "date_debut": D(2027, 1, 1),
        "date_fin": D(2027, 12, 31),
        "budget_total": Decimal("500000"),
        "budget_fse": Decimal("300000"),
        "objectif_sorties_positives": Decimal("50"),
    }
    data.update(overrides)
    return data


class TestOperationSave:
    def test_it_creates_an_operation(self, world):
        operation = services.operation_save(
            scope=scope_for(world.gestionnaire_a), plie=world.plie_a, **operation_data(world)
        )
        assert operation.pk and operation.plie == world.plie_a and operation.porteur == world.plie_a

    def test_an_operateur_partner_may_carry_it(self, world):
        operateur = StructureFactory(kind=StructureKind.OPERATEUR, nom="ACI")
        operateur.plies.add(world.plie_a)
        operation = services.operation_save(
            scope=scope_for(world.gestionnaire_a),
            plie=world.plie_a,
            **operation_data(world, porteur=operateur),
        )
        assert operation.porteur == operateur

    @pytest.mark.parametrize(
        "overrides, field, message",
        [
            ({"code": "ACC-2026"}, "code",
             "Le code « ACC-2026 » est déjà utilisé par une opération du PLIE."),
            ({"date_fin": D(2026, 12, 31)}, "date_fin",
             "La date de fin ne peut pas précéder la date de début."),
            ({"objectif_sorties_positives": Decimal("120")}, "objectif_sorties_positives",
             "Un objectif en pourcentage est compris entre 0 et 100."),
            ({"budget_fse": Decimal("600000")}, "budget_fse",
             "La part FSE ne peut pas dépasser le budget total."),
            ({"intitule": " "}, "intitule", "L'intitulé de l'opération est obligatoire."),
        ],
    )  # fmt: skip
    def test_it_refuses_bad_input(self, world, operation, overrides, field, message):
        with pytest.raises(ValidationError) as error:
            services.operation_save(
                scope=scope_for(world.gestionnaire_a), plie=world.plie_a, **operation_data(world, **overrides)
            )
        assert message in messages(error)[field]

    def test_the_porteur_is_the_plie_or_one_of_its_operateurs(self, world):
        # world.operateur is a partner of PLIE B, not A
        with pytest.raises(ValidationError) as error:
            services.operation_save(
                scope=scope_for(world.gestionnaire_a),
                plie=world.plie_a,
                **operation_data(world, porteur=world.operateur),
            )
        assert messages(error)["porteur"] == [
            "Le porteur doit être le PLIE lui-même ou un opérateur partenaire du PLIE."
        ]

    def test_the_same_code_is_fine_in_another_plie(self, world, operation):
        other = services.operation_save(
            scope=scope_for(world.admin_a),
            operation=OperationFactory(plie=world.plie_a),
            code="X",
            intitule="Y",
        )
        assert other.code == "X"
        assert OperationFactory(plie=world.plie_b, code="ACC-2026").pk

    @pytest.mark.parametrize("persona", ["direction_a", "referent_a", "oi_user", "financeur", "referent_b"])
    def test_read_only_roles_may_not_save(self, world, persona):
        with pytest.raises(PermissionDenied):
            services.operation_save(
                scope=scope_for(getattr(world, persona)), plie=world.plie_a, **operation_data(world)
            )
        assert not Operation.objects.exists()


class TestInscrire:
    def test_it_prefills_the_questionnaire_from_the_situation_at_entry(self, world, operation):
        participant = ParticipantFactory(plie=world.plie_a)
        SituationEntreeFactory(participant=participant, date_entree=D(2025, 5, 1), complete=True)
        parcours = ParcoursFactory(participant=participant, plie=world.plie_a, en_parcours=True)
        inscription = services.inscrire(
            operation, participant, D(2026, 2, 2), scope=scope_for(world.gestionnaire_a)
        )
        assert inscription.parcours == parcours
        assert inscription.statut_emploi == "non" and inscription.beneficiaire_rsa is True
        assert inscription.duree_recherche_mois == 14
        assert inscription.questionnaire_confirme_le is None and inscription.date_questionnaire is None

    def test_without_situation_the_questionnaire_stays_empty(self, world, operation):
        participant = ParticipantFactory(plie=world.plie_a)
        inscription = services.inscrire(
            operation, participant, D(2026, 1, 1), scope=scope_for(world.animateur_a)
        )
        assert inscription.statut_emploi == "" and inscription.handicap_reconnu is None

    @pytest.mark.parametrize("day", [D(2025, 12, 31), D(2027, 1, 1)])
    def test_it_refuses_an_entry_outside_the_period(self, world, operation, day):
        participant = ParticipantFactory(plie=world.plie_a)
        with pytest.raises(ValidationError) as error:
            services.inscrire(operation, participant, day, scope=scope_for(world.gestionnaire_a))
        assert messages(error)["date_entree"] == [
            f"La date d'entrée ({day:%d/%m/%Y}) est en dehors de la période de l'opération "
            "(du 01/01/2026 au 31/12/2026)."
        ]

    def test_it_refuses_a_second_open_enrolment(self, world, operation):
        first = InscriptionFactory(operation=operation)
        with pytest.raises(ValidationError) as error:
            services.inscrire(
                operation, first.participant, D(2026, 3, 1), scope=scope_for(world.gestionnaire_a)
            )
        assert messages(error)["participant"] == [
            f"{first.participant} est déjà inscrit(e) dans cette opération depuis le 02/02/2026 "
            "(inscription ouverte)."
        ]

    def test_a_re_entry_reopens_the_one_enrolment(self, world, operation):
        first = InscriptionFactory(operation=operation, complete=True, sortie=True)  # 02/02 -> 30/09
        with pytest.raises(ValidationError) as error:
            services.inscrire(
                operation, first.participant, D(2026, 9, 29), scope=scope_for(world.gestionnaire_a)
            )
        assert "ne peut pas la précéder" in messages(error)["date_entree"][0]
        again = services.inscrire(
            operation, first.participant, D(2026, 10, 1), scope=scope_for(world.gestionnaire_a)
        )
        # one participant, one record per operation: the same row, re-opened
        assert again.pk == first.pk
        assert Inscription.objects.filter(operation=operation, participant=first.participant).count() == 1
        again.refresh_from_db()
        # the first entry and its questionnaire are kept; the exit is cleared, to record at the final exit
        assert (again.date_entree, again.statut_emploi, again.date_questionnaire) == (
            D(2026, 2, 2),
            "non",
            D(2026, 2, 2),
        )
        assert again.date_sortie is None and again.sortie_renseignee_le is None
        assert again.sortie_statut_emploi == "" and again.sortie_qualification is None
        assert again.history.first().history_change_reason == "Retour dans l'opération"
        # the indicators count the participant once
        from operations.indicateurs_fse import indicateurs_fse

        figures = indicateurs_fse(
            Inscription.objects.filter(operation=operation), D(2026, 1, 1), D(2026, 12, 31)
        )
        assert figures["entree"]["participants"] == 1

    def test_the_database_holds_one_enrolment_per_participant_and_operation(self, world, operation):
        from django.db import IntegrityError, transaction

        first = InscriptionFactory(operation=operation, sortie=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            InscriptionFactory(operation=operation, participant=first.participant, date_entree=D(2026, 10, 1))

    def test_it_refuses_a_participant_of_another_plie(self, world, operation):
        participant = ParticipantFactory(plie=world.plie_b)
        with pytest.raises(ValidationError) as error:
            services.inscrire(operation, participant, D(2026, 3, 1), scope=scope_for(world.gestionnaire_a))
        assert messages(error)["participant"] == [f"{participant} ne relève pas du PLIE de l'opération."]

    @pytest.mark.parametrize("persona", ["direction_a", "referent_a", "oi_user", "financeur", "referent_b"])
    def test_read_only_roles_may_not_enrol(self, world, operation, persona):
        with pytest.raises(PermissionDenied):
            services.inscrire(
                operation,
                ParticipantFactory(plie=world.plie_a),
                D(2026, 3, 1),
                scope=scope_for(getattr(world, persona)),
            )

    def test_inscrire_parcours_enters_on_the_later_of_both_starts(self, world, operation):
        parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True)
        parcours.date_entree = D(2025, 6, 1)
        inscription = services.inscrire_parcours(parcours, operation, scope_for(world.gestionnaire_a))
        assert inscription.date_entree == D(2026, 1, 1) and inscription.parcours == parcours

    def test_inscrire_parcours_refuses_a_candidate(self, world, operation):
        parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a)
        with pytest.raises(ValidationError) as error:
            services.inscrire_parcours(parcours, operation, scope_for(world.gestionnaire_a))
        assert "seule une personne entrée peut être inscrite" in messages(error)["parcours"][0]


ANSWERS = {
    "statut_emploi": "non",
    "en_formation": False,
    "recherche_emploi": True,
    "duree_recherche_mois": 8,
    "niveau_formation": "2b",
    "handicap_reconnu": False,
    "minima_sociaux": True,
    "beneficiaire_rsa": True,
    "sans_domicile": "non",
    "parent_ne_etranger": "oui",
    "menage_sans_emploi": True,
    "menage_enfants": True,
    "menage_monoparental": True,
}


class TestConfirmerQuestionnaire:
    # the animation records every answer, Q3 included (plie.core.scoping's disability rule)
    def test_it_saves_and_confirms(self, world, operation):
        inscription = InscriptionFactory(operation=operation)
        services.confirmer_questionnaire(
            inscription,
            {**ANSWERS, "date_questionnaire": D(2026, 2, 5)},
            scope=scope_for(world.animateur_a),
            day=D(2026, 2, 6),
        )
        inscription.refresh_from_db()
        assert inscription.questionnaire_confirme_le == D(2026, 2, 6)
        assert inscription.questionnaire_confirme_par == world.animateur_a
        assert inscription.parent_ne_etranger == "oui" and inscription.duree_recherche_mois == 8

    def test_it_refuses_an_entry_after_the_questionnaire(self, world, operation):
        inscription = InscriptionFactory(operation=operation)
        with pytest.raises(ValidationError) as error:
            services.confirmer_questionnaire(
                inscription, {**ANSWERS, "date_questionnaire": D(2026, 2, 1)},
                scope=scope_for(world.animateur_a), day=D(2026, 2, 6),
            )  # fmt: skip
        assert messages(error)["date_questionnaire"] == [
            "La date d'entrée ne peut pas être postérieure à la date du questionnaire (entrée le 02/02/2026)."
        ]
        inscription.refresh_from_db()
        assert inscription.questionnaire_confirme_le is None

    def test_it_clears_questions_1e_to_1g_for_a_person_in_employment(self, world, operation):
        inscription = InscriptionFactory(operation=operation)
        services.confirmer_questionnaire(
            inscription,
            {**ANSWERS, "statut_emploi": "1c", "date_questionnaire": D(2026, 2, 2)},
            scope=scope_for(world.animateur_a),
            day=D(2026, 2, 2),
        )
        assert inscription.recherche_emploi is None and inscription.duree_recherche_mois is None

    def test_it_refuses_incoherent_answers(self, world, operation):
        inscription = InscriptionFactory(operation=operation)
        with pytest.raises(ValidationError) as error:
            services.confirmer_questionnaire(
                inscription,
                {**ANSWERS, "minima_sociaux": False, "menage_enfants": False, "date_questionnaire": None},
                scope=scope_for(world.animateur_a),
                day=D(2026, 2, 6),
            )
        assert set(messages(error)) == {"beneficiaire_rsa", "menage_monoparental", "date_questionnaire"}

    def test_the_participants_referent_may_confirm_another_referent_may_not(self, world, operation):
        parcours = ParcoursFactory(
            plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
        )
        inscription = InscriptionFactory(
            operation=operation, participant=parcours.participant, parcours=parcours
        )
        data = {**ANSWERS, "date_questionnaire": D(2026, 2, 2)}
        services.confirmer_questionnaire(
            inscription, data, scope=scope_for(world.referent_a), day=D(2026, 2, 2)
        )
        assert inscription.questionnaire_confirme_par == world.referent_a
        for persona in ("direction_a", "referent_b", "financeur"):
            with pytest.raises(PermissionDenied):
                services.confirmer_questionnaire(
                    inscription, data, scope=scope_for(getattr(world, persona)), day=D(2026, 2, 2)
                )


DONNEES_SORTIE = {
    "sortie_anticipee": False,
    "sortie_statut_emploi": "non",
    "sortie_en_formation": False,
    "sortie_recherche_emploi": True,
    "sortie_qualification": False,
}


class TestSortir:
    def test_it_records_the_exit_and_its_data(self, world, operation):
        inscription = InscriptionFactory(operation=operation)
        services.sortir(
            inscription,
            D(2026, 6, 30),
            scope=scope_for(world.gestionnaire_a),
            day=D(2026, 7, 10),
            sortie_anticipee=False,
            sortie_statut_emploi="1b",
            sortie_en_formation=False,
            sortie_recherche_emploi=False,
            sortie_qualification=True,
        )
        inscription.refresh_from_db()
        assert inscription.date_sortie == D(2026, 6, 30)
        assert inscription.sortie_renseignee_le == D(2026, 7, 10) and inscription.sortie_qualification is True

    def test_exit_without_data_leaves_the_data_date_empty_then_fills_it(self, world, operation):
        inscription = InscriptionFactory(operation=operation)
        services.sortir(
            inscription, D(2026, 6, 30), scope=scope_for(world.gestionnaire_a), day=D(2026, 6, 30)
        )
        assert inscription.sortie_renseignee_le is None
        services.sortir(
            inscription,
            D(2026, 6, 30),
            scope=scope_for(world.gestionnaire_a),
            day=D(2026, 7, 29),
            **DONNEES_SORTIE,
        )
        assert inscription.sortie_renseignee_le == D(2026, 7, 29)

    def test_the_exit_data_is_complete_or_absent(self, world, operation):
        """A partly filled exit block is rejected by Ma Démarche FSE: refused here, each missing
        answer named, nothing saved."""
        inscription = InscriptionFactory(operation=operation)
        with pytest.raises(ValidationError) as error:
            services.sortir(
                inscription,
                D(2026, 6, 30),
                scope=scope_for(world.gestionnaire_a),
                day=D(2026, 7, 1),
                sortie_statut_emploi="non",
            )
        assert set(messages(error)) == {
            "sortie_anticipee",
            "sortie_en_formation",
            "sortie_recherche_emploi",
            "sortie_qualification",
        }
        inscription.refresh_from_db()
        assert inscription.date_sortie is None

    @pytest.mark.parametrize(
        "day, message",
        [
            (D(2026, 2, 1), "La date de sortie ne peut pas précéder la date d'entrée (02/02/2026)."),
            (D(2027, 1, 1), "La date de sortie ne peut pas être après la fin de l'opération (31/12/2026)."),
        ],
    )
    def test_it_refuses_bad_dates(self, world, operation, day, message):
        inscription = InscriptionFactory(operation=operation)
        with pytest.raises(ValidationError) as error:
            services.sortir(inscription, day, scope=scope_for(world.gestionnaire_a), day=D(2027, 2, 1))
        assert messages(error)["date_sortie"] == [message]
        inscription.refresh_from_db()
        assert inscription.date_sortie is None

    def test_exit_on_the_entry_day_is_fine(self, world, operation):
        inscription = InscriptionFactory(operation=operation)
        services.sortir(inscription, D(2026, 2, 2), scope=scope_for(world.gestionnaire_a), day=D(2026, 2, 2))
        assert inscription.date_sortie == D(2026, 2, 2)


class TestReporter:
    @pytest.fixture
    def cible(self, world):
        return OperationFactory(
            plie=world.plie_a, code="ACC-2027", date_debut=D(2027, 1, 1), date_fin=D(2027, 12, 31)
        )

    def test_it_carries_open_enrolments_into_next_year(self, world, operation, cible):
        ouverte = InscriptionFactory(
            operation=operation, complete=True, questionnaire_confirme_le=D(2026, 2, 2)
        )
        derniere = InscriptionFactory(operation=operation, date_entree=D(2026, 12, 31))  # entered on 31/12
        sortie = InscriptionFactory(operation=operation, date_sortie=D(2026, 12, 31))  # left on 31/12
        counts = services.reporter(operation, cible, scope=scope_for(world.gestionnaire_a))
        assert counts == {"reportees": 2, "deja_inscrites": 0}
        for source in (ouverte, derniere):
            source.refresh_from_db()
            assert source.date_sortie == D(2026, 12, 31)
            nouvelle = source.report
            assert nouvelle.operation == cible and nouvelle.date_entree == D(2027, 1, 1)
            assert nouvelle.questionnaire_confirme_le is None
        assert ouverte.report.statut_emploi == "non" and ouverte.report.duree_recherche_mois == 14
        assert not Inscription.objects.filter(report_de=sortie).exists()
        assert ouverte.history.first().history_user == world.gestionnaire_a

    def test_it_is_idempotent(self, world, operation, cible, django_assert_num_queries):
        InscriptionFactory.create_batch(3, operation=operation)
        assert services.reporter(operation, cible, scope=scope_for(world.gestionnaire_a))["reportees"] == 3
        assert services.reporter(operation, cible, scope=scope_for(world.gestionnaire_a)) == {
            "reportees": 0,
            "deja_inscrites": 0,
        }
        assert cible.inscriptions.count() == 3

    def test_a_participant_already_enrolled_in_the_target_is_only_closed(self, world, operation, cible):
        source = InscriptionFactory(operation=operation)
        InscriptionFactory(operation=cible, participant=source.participant, date_entree=D(2027, 1, 1))
        assert services.reporter(operation, cible, scope=scope_for(world.gestionnaire_a)) == {
            "reportees": 0,
            "deja_inscrites": 1,
        }
        source.refresh_from_db()
        assert source.date_sortie == D(2026, 12, 31)

    def test_it_runs_in_a_fixed_number_of_queries(self, world, operation, cible, django_assert_num_queries):
        InscriptionFactory.create_batch(12, operation=operation)
        # scope (memberships), savepoint, open rows locked, already in the target, already left the
        # target (locked, to re-open), close (update), their history, new enrolments (insert), their
        # history, release savepoint
        with django_assert_num_queries(10):
            services.reporter(operation, cible, scope=scope_for(world.gestionnaire_a))

    @pytest.mark.parametrize(
        "make, message",
        [
            (lambda w: OperationFactory(plie=w.plie_b, date_debut=D(2027, 1, 1), date_fin=D(2027, 12, 31)),
             "L'opération cible doit relever du même PLIE."),
            (lambda w: OperationFactory(plie=w.plie_a, date_debut=D(2026, 12, 31), date_fin=D(2027, 12, 31)),
             "L'opération cible doit commencer après la fin de l'opération source (31/12/2026)."),
        ],
    )  # fmt: skip
    def test_it_refuses_a_bad_target(self, world, operation, make, message):
        InscriptionFactory(operation=operation)
        with pytest.raises(ValidationError) as error:
            services.reporter(operation, make(world), scope=scope_for(world.gestionnaire_a))
        assert messages(error)["cible"] == [message]
        assert operation.inscriptions.get().date_sortie is None

    def test_read_only_roles_may_not_carry_over(self, world, operation, cible):
        with pytest.raises(PermissionDenied):
            services.reporter(operation, cible, scope=scope_for(world.direction_a))


def test_a_carry_over_reopens_an_enrolment_the_participant_already_left(world):
    """One record per participant and operation: carried into an operation they already left,
    the participant's enrolment there is re-opened, not doubled."""
    source = OperationFactory(plie=world.plie_a, date_debut=D(2026, 1, 1), date_fin=D(2026, 12, 31))
    cible = OperationFactory(plie=world.plie_a, date_debut=D(2027, 1, 1), date_fin=D(2027, 12, 31))
    ouverte = InscriptionFactory(operation=source)
    ancienne = InscriptionFactory(
        operation=cible, participant=ouverte.participant, date_entree=D(2027, 1, 1), date_sortie=D(2027, 1, 1)
    )
    services.reporter(source, cible, scope=scope_for(world.gestionnaire_a))
    ancienne.refresh_from_db()
    assert ancienne.date_sortie is None
    assert cible.inscriptions.filter(participant=ouverte.participant).count() == 1
