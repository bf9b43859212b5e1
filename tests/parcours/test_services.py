"""Services of the candidature, the commission, suspensions, référent changes and exits: who may
act, each decision's required fields, date coherence per field, nothing half-saved, and the
optimistic lock refusing the second of two concurrent edits."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection

from parcours import services
from parcours.enums import (
    CategorieSortie,
    MotifSuspension,
    ObjetPassage,
    StatutCommission,
    StatutParcours,
    TypeDecision,
)
from parcours.models import AffectationReferent, Decision, Parcours, Sortie, Suspension, TypeSortie
from parcours.services import ConflictError
from parcours.transitions import TransitionError
from plie.core.enums import Role, StructureKind
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory, StructureFactory, user_with_role
from tests.parcours.factories import (
    CommissionFactory,
    ContratFactory,
    EtapeFactory,
    ParcoursFactory,
    SortieFactory,
    SuspensionFactory,
    TypeEtapeFactory,
    TypeSortieFactory,
)

D = datetime.date
TODAY = D(2026, 6, 15)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def prescripteur(world):
    structure = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="France Travail Lyon Est")
    structure.plies.add(world.plie_a)
    return structure


@pytest.fixture
def commission(world):
    return CommissionFactory(plie=world.plie_a, date=D(2026, 6, 11), membres="Mme Martin, PLIE A")


def messages_of(raised):
    return raised.value.message_dict


def candidat(world, **fields):
    return ParcoursFactory(participant__plie=world.plie_a, referent=world.referent_a, **fields)


def en_parcours(world, **fields):
    parcours = ParcoursFactory(participant__plie=world.plie_a, en_parcours=True, **fields)
    parcours.referent = fields.get("referent", world.referent_a)
    parcours.save()
    AffectationReferent.objects.create(
        parcours=parcours, referent=parcours.referent, date_debut=parcours.date_entree
    )
    return parcours


def on_agenda(commission, parcours, objet=ObjetPassage.CANDIDATURE):
    return Decision.objects.create(commission=commission, parcours=parcours, objet=objet)


# --- candidature ------------------------------------------------------------------------------


class TestCandidature:
    def test_it_records_orientation_and_diagnostic(self, world, prescripteur):
        participant = ParticipantFactory(plie=world.plie_a, nom="Lefèvre")
        parcours = services.candidature_create(
            scope=scope_for(world.referent_a),
            participant=participant,
            prescripteur=prescripteur,
            date_orientation=D(2026, 6, 1),
            motif_orientation="  Demande d'accompagnement renforcé ",
            projet="Aide-soignante",
            freins_diagnostic="Mobilité",
            distance_emploi="eloignee",
            referent=world.referent_a,
        )
        assert parcours.status == StatutParcours.CANDIDAT
        assert parcours.plie == world.plie_a
        assert parcours.motif_orientation == "Demande d'accompagnement renforcé"
        assert parcours.version == 1
        assert parcours.history.get().history_user == world.referent_a

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "direction_a", "referent_b", "financeur"])
    def test_only_who_follows_the_plie_may(self, world, prescripteur, persona):
        participant = ParticipantFactory(plie=world.plie_a)
        with pytest.raises(PermissionDenied):
            services.candidature_create(
                scope=scope_for(getattr(world, persona)),
                participant=participant,
                prescripteur=prescripteur,
                date_orientation=D(2026, 6, 1),
            )

    def test_errors_per_field(self, world):
        other_prescripteur = StructureFactory(kind=StructureKind.PRESCRIPTEUR)
        other_prescripteur.plies.add(world.plie_b)
        participant = ParticipantFactory(plie=world.plie_a)
        with pytest.raises(ValidationError) as raised:
            services.candidature_create(
                scope=scope_for(world.animateur_a),
                participant=participant,
                prescripteur=other_prescripteur,
                date_orientation=D(2026, 6, 16),
                distance_emploi="loin",
                referent=world.referent_b,
            )
        assert messages_of(raised) == {
            "prescripteur": ["Ce prescripteur n'est pas partenaire du PLIE."],
            "date_orientation": ["La date d'orientation ne peut pas être dans le futur."],
            "distance_emploi": ["Choisissez une distance à l'emploi de la liste."],
            "referent": ["Cette personne n'est pas référent de parcours du PLIE."],
        }
        assert not Parcours.objects.exists()

    def test_one_open_parcours_per_participant(self, world, prescripteur):
        parcours = en_parcours(world)
        with pytest.raises(ValidationError) as raised:
            services.candidature_create(
                scope=scope_for(world.referent_a),
                participant=parcours.participant,
                prescripteur=prescripteur,
                date_orientation=D(2026, 6, 1),
            )
        assert (
            "a déjà un parcours ouvert (statut « En parcours »)" in messages_of(raised)[NON_FIELD_ERRORS][0]
        )
        # after an exit, a new candidature is possible (the old parcours is kept)
        Parcours.objects.filter(pk=parcours.pk).update(status=StatutParcours.SORTI, date_sortie=D(2026, 5, 1))
        services.candidature_create(
            scope=scope_for(world.referent_a),
            participant=parcours.participant,
            prescripteur=prescripteur,
            date_orientation=D(2026, 6, 1),
        )
        assert parcours.participant.parcours.count() == 2

    def test_a_referent_of_a_partner_operateur_counts(self, world):
        operateur_b_referent = world.referent_operateur  # employed by an opérateur partner of PLIE B
        assert list(services.referents_of(world.plie_b.pk)) == sorted(
            [world.referent_b, operateur_b_referent], key=lambda u: (u.last_name, u.first_name, u.email)
        )
        assert operateur_b_referent not in services.referents_of(world.plie_a.pk)


# --- commission and agenda --------------------------------------------------------------------


class TestCommission:
    @pytest.mark.parametrize("persona", ["referent_a", "gestionnaire_a", "direction_a", "animateur_a"])
    def test_who_creates_sessions(self, world, persona):
        user = getattr(world, persona)
        if persona == "animateur_a":
            commission = services.commission_create(
                scope=scope_for(user), plie=world.plie_a, date=D(2026, 7, 2), lieu="Mairie"
            )
            assert commission.status == StatutCommission.PREVUE
        else:
            with pytest.raises(PermissionDenied):
                services.commission_create(scope=scope_for(user), plie=world.plie_a, date=D(2026, 7, 2))

    def test_animateur_of_a_may_not_run_plie_b(self, world):
        with pytest.raises(PermissionDenied):
            services.commission_create(
                scope=scope_for(world.animateur_a), plie=world.plie_b, date=D(2026, 7, 2)
            )

    def test_agenda_takes_candidatures_and_exits(self, world, commission):
        first, second = candidat(world), candidat(world)
        sortant = en_parcours(world)
        SortieFactory(parcours=sortant, type=TypeSortieFactory(plie=world.plie_a), date_sortie=D(2026, 6, 1))
        decisions = services.commission_add_to_agenda(
            scope=scope_for(world.animateur_a),
            commission=commission,
            candidatures=[first, second],
            sorties=[sortant],
        )
        assert [(d.parcours, d.objet) for d in decisions] == [
            (first, ObjetPassage.CANDIDATURE),
            (second, ObjetPassage.CANDIDATURE),
            (sortant, ObjetPassage.VALIDATION_SORTIE),
        ]
        assert list(services.candidatures_a_presenter(world.plie_a.pk)) == []

    def test_agenda_refuses_what_does_not_belong(self, world, commission):
        other_plie = ParcoursFactory(participant__plie=world.plie_b)
        not_a_candidate = en_parcours(world)
        already = candidat(world)
        on_agenda(CommissionFactory(plie=world.plie_a, date=D(2026, 7, 9)), already)
        without_exit = en_parcours(world)
        with pytest.raises(ValidationError) as raised:
            services.commission_add_to_agenda(
                scope=scope_for(world.animateur_a),
                commission=commission,
                candidatures=[other_plie, not_a_candidate, already],
                sorties=[without_exit],
            )
        errors = messages_of(raised)
        assert errors["candidatures"] == [
            f"{other_plie.participant} relève d'un autre PLIE : dossier refusé.",
            f"{not_a_candidate.participant} n'est pas candidat (statut « En parcours »).",
            f"{already.participant} est déjà inscrit à la commission du 09/07/2026.",
        ]
        assert errors["sorties"] == [
            f"{without_exit.participant} n'a pas de sortie en attente de validation."
        ]
        assert not commission.decisions.exists()

    def test_a_closed_session_does_not_change(self, world, commission):
        commission.status = StatutCommission.TENUE
        commission.save()
        with pytest.raises(ValidationError, match="est close"):
            services.commission_add_to_agenda(
                scope=scope_for(world.animateur_a), commission=commission, candidatures=[candidat(world)]
            )

    def test_close_needs_every_dossier_decided(self, world, commission):
        with pytest.raises(ValidationError, match="L'ordre du jour est vide"):
            services.commission_close(scope=scope_for(world.animateur_a), commission=commission)
        decision = on_agenda(commission, candidat(world))
        on_agenda(commission, candidat(world))
        with pytest.raises(ValidationError, match="2 dossiers sans décision"):
            services.commission_close(scope=scope_for(world.animateur_a), commission=commission)
        services.commission_remove_from_agenda(
            scope=scope_for(world.animateur_a), decision=commission.decisions.last()
        )
        decision.decision = TypeDecision.AJOURNE
        decision.save()
        commission = services.commission_close(scope=scope_for(world.animateur_a), commission=commission)
        assert commission.status == StatutCommission.TENUE

    def test_a_session_to_come_is_not_closed(self, world):
        commission = CommissionFactory(plie=world.plie_a, date=D(2026, 6, 16))
        on_agenda(commission, candidat(world))
        with pytest.raises(ValidationError, match="n'a pas encore eu lieu"):
            services.commission_close(scope=scope_for(world.animateur_a), commission=commission)

    def test_update_and_delete(self, world, commission):
        services.commission_update(
            scope=scope_for(world.animateur_a),
            commission=commission,
            date=D(2026, 6, 12),
            lieu="Mairie",
            membres="A\nB",
        )
        commission.refresh_from_db()
        assert (commission.date, commission.lieu, commission.membres) == (D(2026, 6, 12), "Mairie", "A\nB")
        decision = on_agenda(commission, candidat(world))
        decision.decision = TypeDecision.AJOURNE
        decision.save()
        with pytest.raises(ValidationError) as raised:
            services.commission_update(
                scope=scope_for(world.animateur_a), commission=commission, date=D(2026, 6, 13)
            )
        assert "date" in messages_of(raised)
        with pytest.raises(ValidationError, match="ne peut plus être supprimée"):
            services.commission_delete(scope=scope_for(world.animateur_a), commission=commission)
        decision.delete()
        services.commission_delete(scope=scope_for(world.animateur_a), commission=commission)
        assert not type(commission).objects.exists()


# --- decisions --------------------------------------------------------------------------------


def record(decision, user, **values):
    values.setdefault("version", decision.parcours.version)
    return services.decision_record(scope=scope_for(user), decision=decision, **values)


class TestDecision:
    def test_admis_opens_the_parcours(self, world, commission):
        parcours = candidat(world, date_orientation=D(2026, 5, 20))
        decision = on_agenda(commission, parcours)
        record(
            decision,
            world.animateur_a,
            type_decision=TypeDecision.ADMIS,
            motif="Projet clair, motivation",
            date_entree=D(2026, 6, 15),
            referent=world.referent_a,
            date_signature_contrat=D(2026, 6, 15),
        )
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.EN_PARCOURS
        assert (parcours.date_commission, parcours.date_entree, parcours.date_signature_contrat) == (
            D(2026, 6, 11),
            D(2026, 6, 15),
            D(2026, 6, 15),
        )
        assert parcours.referent == world.referent_a
        assert parcours.version == 2
        affectation = parcours.affectations.get()
        assert (affectation.referent, affectation.date_debut, affectation.date_fin) == (
            world.referent_a,
            D(2026, 6, 15),
            None,
        )
        decision.refresh_from_db()
        assert decision.decision == TypeDecision.ADMIS
        assert decision.decided_by == world.animateur_a
        latest = parcours.history.latest()
        assert latest.history_user == world.animateur_a
        assert latest.history_change_reason == "Commission du 11/06/2026 : admis"

    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            (
                {"type_decision": TypeDecision.ADMIS},
                {
                    "referent": ["Choisissez le référent de parcours."],
                    "date_entree": ["La date d'entrée est obligatoire pour une admission."],
                    "date_signature_contrat": [
                        "La date de signature du contrat d'engagement est obligatoire."
                    ],
                },
            ),
            (
                {"type_decision": TypeDecision.AJOURNE},
                {"date_representation": ["Indiquez quand représenter la candidature."]},
            ),
            (
                {"type_decision": TypeDecision.AJOURNE, "date_representation": D(2026, 6, 11)},
                {"date_representation": ["La date de représentation doit suivre la commission."]},
            ),
            (
                {"type_decision": TypeDecision.REFUSE, "motif": "  "},
                {"motif": ["Le motif est obligatoire pour ce type de décision."]},
            ),
            (
                {"type_decision": TypeDecision.REORIENTE},
                {"structure_reorientation": ["Indiquez vers quelle structure la personne est réorientée."]},
            ),
            (
                {"type_decision": TypeDecision.SORTIE_VALIDEE},
                {"decision": ["Pour candidature, la décision est : admis, ajourné, refusé, réorienté."]},
            ),
        ],
    )
    def test_each_kind_requires_its_fields(self, world, commission, values, expected):
        parcours = candidat(world)
        decision = on_agenda(commission, parcours)
        with pytest.raises(ValidationError) as raised:
            record(decision, world.animateur_a, **values)
        assert messages_of(raised) == expected
        parcours.refresh_from_db()
        decision.refresh_from_db()
        assert (parcours.status, parcours.version, decision.decision) == (StatutParcours.CANDIDAT, 1, "")

    def test_admission_dates_are_coherent(self, world, commission):
        parcours = candidat(world, date_orientation=D(2026, 6, 12))
        decision = on_agenda(commission, parcours)
        with pytest.raises(ValidationError) as raised:
            record(
                decision,
                world.animateur_a,
                type_decision=TypeDecision.ADMIS,
                referent=world.referent_a,
                date_entree=D(2026, 6, 10),
                date_signature_contrat=D(2026, 6, 9),
            )
        assert messages_of(raised) == {
            NON_FIELD_ERRORS: ["La commission du 11/06/2026 précède l'orientation du 12/06/2026."],
            "date_entree": ["La date d'entrée doit être postérieure ou égale à la commission du 11/06/2026."],
            "date_signature_contrat": [
                "Le contrat d'engagement ne peut pas être signé avant la commission du 11/06/2026."
            ],
        }
        assert not AffectationReferent.objects.exists()

    def test_the_referent_must_work_for_the_plie(self, world, commission):
        decision = on_agenda(commission, candidat(world))
        with pytest.raises(ValidationError) as raised:
            record(
                decision,
                world.animateur_a,
                type_decision=TypeDecision.ADMIS,
                referent=world.referent_b,
                date_entree=D(2026, 6, 12),
                date_signature_contrat=D(2026, 6, 12),
            )
        assert messages_of(raised) == {"referent": ["Cette personne n'est pas référent de parcours du PLIE."]}

    def test_ajourne_keeps_the_candidature(self, world, commission):
        parcours = candidat(world)
        record(
            on_agenda(commission, parcours),
            world.animateur_a,
            type_decision=TypeDecision.AJOURNE,
            date_representation=D(2026, 9, 10),
            motif="Projet à préciser",
        )
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.CANDIDAT
        assert parcours.date_representation == D(2026, 9, 10)
        services.commission_close(scope=scope_for(world.animateur_a), commission=commission)
        # it can be presented again to a later session
        assert list(services.candidatures_a_presenter(world.plie_a.pk)) == [parcours]

    @pytest.mark.parametrize("kind", [TypeDecision.REFUSE, TypeDecision.REORIENTE])
    def test_refuse_and_reoriente_close_the_candidature(self, world, commission, kind):
        mission_locale = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="Mission locale")
        mission_locale.plies.add(world.plie_a)
        parcours = candidat(world)
        decision = record(
            on_agenda(commission, parcours),
            world.animateur_a,
            type_decision=kind,
            motif="Relève d'un autre dispositif",
            structure_reorientation=mission_locale,
        )
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.NON_ADMIS
        assert decision.structure_reorientation == (
            mission_locale if kind == TypeDecision.REORIENTE else None
        )

    def test_reorientation_choices(self, world):
        partner = StructureFactory(kind=StructureKind.OPERATEUR, nom="ACI Les Jardins")
        partner.plies.add(world.plie_a)
        unrelated = StructureFactory(kind=StructureKind.OPERATEUR, nom="Sans lien")
        choices = list(services.reorientation_structures_of(world.plie_a.pk))
        assert partner in choices and world.plie_b in choices and world.plie_c in choices
        assert unrelated not in choices and world.plie_a not in choices and world.oi not in choices

    def test_only_animation_and_administrateur_decide(self, world, commission):
        decision = on_agenda(commission, candidat(world))
        for persona in ("referent_a", "gestionnaire_a", "direction_a", "referent_b"):
            with pytest.raises(PermissionDenied):
                record(decision, getattr(world, persona), type_decision=TypeDecision.AJOURNE)

    def test_a_decision_is_recorded_once_after_the_session_date(self, world):
        later = CommissionFactory(plie=world.plie_a, date=D(2026, 6, 16))
        decision = on_agenda(later, candidat(world))
        with pytest.raises(ValidationError, match="n'a pas encore eu lieu"):
            record(decision, world.animateur_a, type_decision=TypeDecision.REFUSE, motif="x")
        later.date = TODAY
        later.save()
        record(decision, world.animateur_a, type_decision=TypeDecision.REFUSE, motif="Hors critères")
        with pytest.raises(ValidationError, match="Décision déjà enregistrée : Refusé"):
            record(decision, world.animateur_a, type_decision=TypeDecision.ADMIS)

    def test_exit_decisions(self, world, commission):
        parcours = en_parcours(world)
        type_sortie = TypeSortieFactory(
            plie=world.plie_a,
            code="TEST_COMMISSION",
            libelle="Sortie validée en commission",
            categorie=CategorieSortie.POSITIVE_AUTRE,
            commission_requise=True,
        )
        sortie = SortieFactory(parcours=parcours, type=type_sortie, date_sortie=D(2026, 6, 1))
        decision = on_agenda(commission, parcours, ObjetPassage.VALIDATION_SORTIE)
        with pytest.raises(ValidationError) as raised:
            record(decision, world.animateur_a, type_decision=TypeDecision.SORTIE_NON_VALIDEE)
        assert messages_of(raised) == {"motif": ["Le motif est obligatoire pour ce type de décision."]}
        with pytest.raises(ValidationError) as raised:
            record(decision, world.animateur_a, type_decision=TypeDecision.ADMIS)
        assert "decision" in messages_of(raised)
        record(
            decision, world.animateur_a, type_decision=TypeDecision.SORTIE_VALIDEE, motif="Parcours abouti"
        )
        parcours.refresh_from_db()
        sortie.refresh_from_db()
        assert parcours.status == StatutParcours.SORTI
        assert parcours.date_sortie == D(2026, 6, 1)
        assert (sortie.validee, sortie.date_validation, sortie.validee_par) == (
            True,
            D(2026, 6, 11),
            world.animateur_a,
        )

    def test_exit_not_validated_stays_proposed(self, world, commission):
        parcours = en_parcours(world)
        type_sortie = TypeSortieFactory(plie=world.plie_a, code="X", libelle="X", commission_requise=True)
        sortie = SortieFactory(parcours=parcours, type=type_sortie, date_sortie=D(2026, 6, 1))
        decision = on_agenda(commission, parcours, ObjetPassage.VALIDATION_SORTIE)
        record(
            decision,
            world.animateur_a,
            type_decision=TypeDecision.SORTIE_NON_VALIDEE,
            motif="Pièces manquantes",
        )
        parcours.refresh_from_db()
        sortie.refresh_from_db()
        assert parcours.status == StatutParcours.EN_PARCOURS
        assert sortie.validee is False


# --- optimistic locking -----------------------------------------------------------------------


class TestOptimisticLocking:
    def test_two_concurrent_edits(self, world):
        """Two people open the same parcours (version 1); the first saves, the second is refused
        with who changed it and when, and nothing of theirs is saved."""
        parcours = en_parcours(world)
        other_referent = user_with_role(Role.REFERENT, world.plie_a, first_name="Paul", last_name="Durand")
        seen_by_referent = Parcours.objects.get(pk=parcours.pk)
        seen_by_animateur = Parcours.objects.get(pk=parcours.pk)
        world.animateur_a.first_name, world.animateur_a.last_name = "Anne", "Animatrice"
        world.animateur_a.save()

        services.referent_change(
            scope=scope_for(world.animateur_a),
            parcours=seen_by_animateur,
            version=seen_by_animateur.version,
            referent=other_referent,
            date=D(2026, 6, 1),
        )
        with pytest.raises(ConflictError) as raised:
            services.suspension_start(
                scope=scope_for(world.referent_a),
                parcours=seen_by_referent,
                version=seen_by_referent.version,
                motif=MotifSuspension.SANTE,
                date_debut=D(2026, 6, 10),
            )
        assert raised.value.message == (
            "Ce parcours a été modifié par Anne Animatrice le 15/06/2026 à 10:00 : rechargez la page."
        )
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.EN_PARCOURS
        assert parcours.version == 2
        assert not Suspension.objects.exists()

    def test_a_decision_on_a_parcours_changed_meanwhile(self, world, commission):
        parcours = candidat(world)
        decision = on_agenda(commission, parcours)
        stale_version = parcours.version
        services.referent_change(
            scope=scope_for(world.animateur_a),
            parcours=parcours,
            version=stale_version,
            referent=user_with_role(Role.REFERENT, world.plie_a),
            date=TODAY,
        )
        with pytest.raises(ConflictError, match="rechargez la page"):
            services.decision_record(
                scope=scope_for(world.animateur_a),
                decision=decision,
                version=stale_version,
                type_decision=TypeDecision.REFUSE,
                motif="x",
            )
        decision.refresh_from_db()
        assert decision.decision == ""

    @pytest.mark.parametrize("version", [None, "", "abc", 0, 3])
    def test_a_missing_or_wrong_version_is_a_conflict(self, world, version):
        parcours = en_parcours(world)
        with pytest.raises(ConflictError):
            services.suspension_start(
                scope=scope_for(world.referent_a),
                parcours=parcours,
                version=version,
                motif="sante",
                date_debut=TODAY,
            )


# --- suspensions ------------------------------------------------------------------------------


class TestSuspension:
    def test_start_and_end(self, world):
        parcours = en_parcours(world)
        suspension = services.suspension_start(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            version=1,
            motif=MotifSuspension.SANTE,
            date_debut=D(2026, 5, 4),
            date_fin=D(2026, 8, 3),
        )
        parcours.refresh_from_db()
        assert (parcours.status, parcours.version) == (StatutParcours.SUSPENDU, 2)
        assert services.suspension_en_cours(parcours) == suspension
        services.suspension_end(
            scope=scope_for(world.referent_a), suspension=suspension, version=2, date_fin=D(2026, 6, 12)
        )
        parcours.refresh_from_db()
        suspension.refresh_from_db()
        assert (parcours.status, suspension.date_fin) == (StatutParcours.EN_PARCOURS, D(2026, 6, 12))
        assert services.suspension_en_cours(parcours) is None

    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            ({"motif": ""}, {"motif": ["Choisissez le motif de la suspension."]}),
            (
                {"date_debut": D(2026, 2, 1)},
                {
                    "date_debut": [
                        "Le début de la suspension ne peut pas précéder l'entrée dans le PLIE "
                        "(le 02/02/2026)."
                    ]
                },
            ),
            (
                {"date_debut": D(2026, 6, 16)},
                {"date_debut": ["Le début de la suspension ne peut pas être dans le futur."]},
            ),
            (
                {"date_fin": D(2026, 4, 30)},
                {"date_fin": ["La fin prévue doit suivre le début de la suspension."]},
            ),
            (
                {"motif": MotifSuspension.INCARCERATION, "date_fin": D(2026, 8, 2)},
                {
                    "date_fin": [
                        "Une incarcération de plus de 3 mois n'est pas une suspension : "
                        "enregistrez une sortie."
                    ]
                },
            ),
        ],
    )
    def test_errors_per_field(self, world, values, expected):
        parcours = en_parcours(world)
        data = {"motif": MotifSuspension.SANTE, "date_debut": D(2026, 5, 1), "date_fin": None, **values}
        with pytest.raises(ValidationError) as raised:
            services.suspension_start(scope=scope_for(world.referent_a), parcours=parcours, version=1, **data)
        assert messages_of(raised) == expected
        assert not Suspension.objects.exists()

    def test_incarceration_of_exactly_three_months(self, world):
        parcours = en_parcours(world)
        services.suspension_start(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            version=1,
            motif=MotifSuspension.INCARCERATION,
            date_debut=D(2026, 3, 31),
            date_fin=D(2026, 6, 30),
        )

    def test_suspensions_do_not_overlap(self, world):
        parcours = en_parcours(world)
        SuspensionFactory(parcours=parcours, date_debut=D(2026, 3, 1), date_fin=D(2026, 4, 15))
        with pytest.raises(ValidationError) as raised:
            services.suspension_start(
                scope=scope_for(world.referent_a),
                parcours=parcours,
                version=1,
                motif="sante",
                date_debut=D(2026, 4, 10),
            )
        assert messages_of(raised) == {"date_debut": ["Chevauche la suspension du 01/03/2026 au 15/04/2026."]}

    def test_a_candidate_is_not_suspended(self, world):
        parcours = candidat(world)
        with pytest.raises(TransitionError, match="Le candidat doit d'abord être admis"):
            services.suspension_start(
                scope=scope_for(world.referent_a),
                parcours=parcours,
                version=1,
                motif="sante",
                date_debut=D(2026, 6, 1),
            )

    def test_end_before_start(self, world):
        parcours = en_parcours(world, status=StatutParcours.SUSPENDU)
        suspension = SuspensionFactory(parcours=parcours, date_debut=D(2026, 5, 1))
        with pytest.raises(ValidationError) as raised:
            services.suspension_end(
                scope=scope_for(world.referent_a), suspension=suspension, version=1, date_fin=D(2026, 4, 30)
            )
        assert messages_of(raised) == {
            "date_fin": ["La fin doit suivre le début de la suspension (le 01/05/2026)."]
        }

    def test_only_the_current_suspension_ends(self, world):
        parcours = en_parcours(world)
        old = SuspensionFactory(parcours=parcours, date_debut=D(2026, 3, 1), date_fin=D(2026, 3, 31))
        with pytest.raises(ValidationError, match="n'est pas en cours"):
            services.suspension_end(
                scope=scope_for(world.referent_a), suspension=old, version=1, date_fin=D(2026, 4, 1)
            )

    def test_gestionnaire_reads_only(self, world):
        with pytest.raises(PermissionDenied):
            services.suspension_start(
                scope=scope_for(world.gestionnaire_a),
                parcours=en_parcours(world),
                version=1,
                motif="sante",
                date_debut=TODAY,
            )


# --- référent ---------------------------------------------------------------------------------


class TestReferentChange:
    def test_history_keeps_who_followed_when(self, world):
        parcours = en_parcours(world)
        paul = user_with_role(Role.REFERENT, world.plie_a, first_name="Paul")
        lea = user_with_role(Role.REFERENT, world.plie_a, first_name="Léa")
        services.referent_change(
            scope=scope_for(world.animateur_a),
            parcours=parcours,
            version=1,
            referent=paul,
            date=D(2026, 4, 1),
            motif="Congé",
        )
        # the current référent hands over
        services.referent_change(
            scope=scope_for(paul), parcours=parcours, version=2, referent=lea, date=D(2026, 6, 1)
        )
        rows = list(
            parcours.affectations.order_by("date_debut").values_list("referent", "date_debut", "date_fin")
        )
        assert rows == [
            (world.referent_a.pk, D(2026, 2, 2), D(2026, 3, 31)),
            (paul.pk, D(2026, 4, 1), D(2026, 5, 31)),
            (lea.pk, D(2026, 6, 1), None),
        ]
        parcours.refresh_from_db()
        assert (parcours.referent, parcours.version) == (lea, 3)

    def test_errors(self, world):
        parcours = en_parcours(world)
        with pytest.raises(ValidationError) as raised:
            services.referent_change(
                scope=scope_for(world.animateur_a),
                parcours=parcours,
                version=1,
                referent=world.referent_a,
                date=D(2026, 2, 2),
            )
        assert messages_of(raised) == {
            "referent": [f"{world.referent_a} suit déjà ce parcours."],
            "date": ["Le changement doit suivre le début du suivi actuel (le 02/02/2026)."],
        }
        with pytest.raises(ValidationError) as raised:
            services.referent_change(
                scope=scope_for(world.animateur_a),
                parcours=parcours,
                version=1,
                referent=world.referent_b,
                date=D(2026, 1, 1),
            )
        assert messages_of(raised)["referent"] == ["Cette personne n'est pas référent de parcours du PLIE."]
        assert "ne peut pas précéder l'entrée" in messages_of(raised)["date"][0]

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "direction_a", "referent_b"])
    def test_who_may_not(self, world, persona):
        parcours = en_parcours(world)
        with pytest.raises(PermissionDenied):
            services.referent_change(
                scope=scope_for(getattr(world, persona)),
                parcours=parcours,
                version=1,
                referent=world.referent_a,
                date=TODAY,
            )

    def test_another_referent_may_not_take_a_participant(self, world):
        parcours = en_parcours(world)
        other = user_with_role(Role.REFERENT, world.plie_a)
        with pytest.raises(PermissionDenied):
            services.referent_change(
                scope=scope_for(other), parcours=parcours, version=1, referent=other, date=TODAY
            )

    def test_a_candidate_gets_a_proposed_referent(self, world):
        parcours = candidat(world)
        paul = user_with_role(Role.REFERENT, world.plie_a)
        services.referent_change(
            scope=scope_for(world.animateur_a), parcours=parcours, version=1, referent=paul, date=None
        )
        parcours.refresh_from_db()
        assert parcours.referent == paul
        assert not parcours.affectations.exists()

    def test_a_closed_parcours_only_by_an_administrateur_with_a_reason(self, world):
        parcours = en_parcours(world, status=StatutParcours.SORTI, date_sortie=D(2026, 5, 31))
        paul = user_with_role(Role.REFERENT, world.plie_a)
        with pytest.raises(ValidationError, match="seul un administrateur"):
            services.referent_change(
                scope=scope_for(world.animateur_a),
                parcours=parcours,
                version=1,
                referent=paul,
                date=D(2026, 4, 1),
                motif="x",
            )
        with pytest.raises(ValidationError) as raised:
            services.referent_change(
                scope=scope_for(world.admin_a),
                parcours=parcours,
                version=1,
                referent=paul,
                date=D(2026, 4, 1),
            )
        assert messages_of(raised) == {"motif": ["Indiquez le motif de la modification d'un parcours clos."]}
        services.referent_change(
            scope=scope_for(world.admin_a),
            parcours=parcours,
            version=1,
            referent=paul,
            date=D(2026, 4, 1),
            motif="Rectification : Paul suivait la personne depuis avril",
        )
        assert parcours.history.latest().history_change_reason.startswith("Rectification")


# --- sorties ----------------------------------------------------------------------------------


@pytest.fixture
def types_sortie(world):
    def make(code, **fields):
        return TypeSortieFactory(plie=world.plie_a, code=code, libelle=code.title(), **fields)

    return {
        "abandon": make("ABANDON", categorie=CategorieSortie.ABANDON),
        "cdi": make(
            "CDI", categorie=CategorieSortie.EMPLOI_DURABLE, criteres=[{"type": "duree_emploi", "mois": 6}]
        ),
        "commission": make(
            "TEST_COMMISSION", categorie=CategorieSortie.POSITIVE_AUTRE, commission_requise=True
        ),
        "inactive": make("ANCIEN", categorie=CategorieSortie.AUTRE, is_active=False),
    }


JUNE_FIRST = D(2026, 6, 1)


def record_sortie(world, parcours, type_sortie, date_sortie=JUNE_FIRST, **kwargs):
    kwargs["scope"] = scope_for(kwargs.pop("user", world.referent_a))
    kwargs.setdefault("version", parcours.version)
    return services.sortie_record(
        parcours=parcours, type_sortie=type_sortie, date_sortie=date_sortie, **kwargs
    )


class TestSortie:
    def test_an_exit_without_rule_is_validated_at_once(self, world, types_sortie):
        parcours = en_parcours(world)
        sortie = record_sortie(world, parcours, types_sortie["abandon"], commentaire="Ne vient plus")
        parcours.refresh_from_db()
        assert (sortie.validee, sortie.date_validation, sortie.validee_par) == (True, TODAY, world.referent_a)
        assert (parcours.status, parcours.date_sortie) == (StatutParcours.SORTI, D(2026, 6, 1))

    def test_a_job_exit_is_proposed_and_followed(self, world, types_sortie):
        parcours = en_parcours(world)
        sortie = record_sortie(world, parcours, types_sortie["cdi"])
        parcours.refresh_from_db()
        assert sortie.validee is False
        assert (parcours.status, parcours.date_sortie) == (StatutParcours.EN_SUIVI_EMPLOI, None)

    def test_an_exit_for_the_commission_waits(self, world, types_sortie):
        parcours = en_parcours(world)
        sortie = record_sortie(world, parcours, types_sortie["commission"])
        parcours.refresh_from_db()
        assert sortie.validee is False
        assert parcours.status == StatutParcours.EN_PARCOURS
        assert list(services.sorties_a_valider(world.plie_a.pk, TODAY)) == [parcours]
        with pytest.raises(ValidationError, match="se valide en commission"):
            services.sortie_validate(
                scope=scope_for(world.referent_a),
                sortie=sortie,
                version=parcours.version,
                date_validation=TODAY,
            )

    def test_errors_per_field(self, world, types_sortie):
        parcours = en_parcours(world)
        EtapeFactory(parcours=parcours, date_debut=D(2026, 5, 2))
        other = TypeSortieFactory(plie=world.plie_b, code="ABANDON")
        for type_sortie in (other, types_sortie["inactive"]):
            with pytest.raises(ValidationError) as raised:
                record_sortie(world, parcours, type_sortie, date_sortie=D(2026, 5, 1))
            assert messages_of(raised) == {
                "type": ["Ce type de sortie ne fait pas partie du référentiel actif du PLIE."],
                "date_sortie": [
                    "La sortie ne peut pas précéder le début de la dernière étape (le 02/05/2026)."
                ],
            }
        with pytest.raises(ValidationError) as raised:
            record_sortie(world, parcours, None, date_sortie=D(2026, 6, 16))
        assert messages_of(raised) == {
            "type": ["Choisissez le type de sortie."],
            "date_sortie": ["La date de sortie ne peut pas être dans le futur."],
        }
        assert not Sortie.objects.exists()

    def test_one_exit_at_a_time(self, world, types_sortie):
        parcours = en_parcours(world)
        record_sortie(world, parcours, types_sortie["commission"])
        parcours.refresh_from_db()
        with pytest.raises(ValidationError, match="est déjà enregistrée le 01/06/2026"):
            record_sortie(world, parcours, types_sortie["abandon"])

    def test_a_suspended_parcours_exits_but_is_not_followed_in_a_job(self, world, types_sortie):
        parcours = en_parcours(world, status=StatutParcours.SUSPENDU)
        with pytest.raises(ValidationError, match="Mettez d'abord fin à la suspension"):
            record_sortie(world, parcours, types_sortie["cdi"])
        assert not Sortie.objects.exists()
        record_sortie(world, parcours, types_sortie["abandon"])
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.SORTI

    def test_withdraw_when_the_job_is_lost(self, world, types_sortie, commission):
        parcours = en_parcours(world)
        sortie = record_sortie(world, parcours, types_sortie["cdi"])
        parcours.refresh_from_db()
        on_agenda(commission, parcours, ObjetPassage.VALIDATION_SORTIE)
        with pytest.raises(ValidationError) as raised:
            services.sortie_withdraw(
                scope=scope_for(world.referent_a), sortie=sortie, version=parcours.version, motif=""
            )
        assert messages_of(raised) == {"motif": ["Indiquez pourquoi la sortie est retirée (emploi perdu…)."]}
        services.sortie_withdraw(
            scope=scope_for(world.referent_a),
            sortie=sortie,
            version=parcours.version,
            motif="Fin de période d'essai",
        )
        parcours.refresh_from_db()
        assert parcours.status == StatutParcours.EN_PARCOURS
        assert not Sortie.objects.exists()
        assert not commission.decisions.exists()
        deleted = Sortie.history.filter(history_type="-").get()
        assert (deleted.history_user, deleted.history_change_reason) == (
            world.referent_a,
            "Fin de période d'essai",
        )

    def test_a_validated_exit_is_cancelled_only_by_an_administrateur(self, world, types_sortie):
        parcours = en_parcours(world)
        sortie = record_sortie(world, parcours, types_sortie["abandon"])
        parcours.refresh_from_db()
        with pytest.raises(PermissionDenied):
            services.sortie_cancel(
                scope=scope_for(world.referent_a), sortie=sortie, version=parcours.version, motif="Erreur"
            )
        with pytest.raises(ValidationError, match="Indiquez le motif"):
            services.sortie_cancel(
                scope=scope_for(world.admin_a), sortie=sortie, version=parcours.version, motif=""
            )
        with pytest.raises(ValidationError, match="ne se retire pas"):
            services.sortie_withdraw(
                scope=scope_for(world.admin_a), sortie=sortie, version=parcours.version, motif="x"
            )
        services.sortie_cancel(
            scope=scope_for(world.admin_a), sortie=sortie, version=parcours.version, motif="Saisie erronée"
        )
        parcours.refresh_from_db()
        assert (parcours.status, parcours.date_sortie) == (StatutParcours.EN_PARCOURS, None)
        assert parcours.history.latest().history_change_reason == "Saisie erronée"


class TestJobExitValidation:
    """A job exit is validated only once its rule is met (``parcours.sorties.date_validable``):
    a CDI from 01/04/2026 with the rule « 6 months in the job » becomes validable on 01/10/2026."""

    @pytest.fixture
    def in_job(self, world, types_sortie):
        parcours = en_parcours(world)
        etape = EtapeFactory(parcours=parcours, date_debut=D(2026, 4, 1), type=TypeEtapeFactory(emploi=True))
        ContratFactory(etape=etape, date_debut=D(2026, 4, 1))
        sortie = record_sortie(world, parcours, types_sortie["cdi"], date_sortie=D(2026, 4, 1))
        parcours.refresh_from_db()
        return parcours, sortie

    def test_never_before_the_rule_is_met(self, world, in_job, time_machine):
        parcours, sortie = in_job
        assert services.date_validable_of(sortie) == D(2026, 10, 1)
        time_machine.move_to(datetime.datetime(2026, 10, 2, 9, 0, tzinfo=PARIS), tick=False)
        with pytest.raises(ValidationError) as raised:
            services.sortie_validate(
                scope=scope_for(world.referent_a),
                sortie=sortie,
                version=parcours.version,
                date_validation=D(2026, 9, 30),
            )
        assert messages_of(raised) == {
            "date_validation": [
                "La règle de validation n'est remplie qu'à partir du 01/10/2026 : "
                "sortie non validable le 30/09/2026."
            ]
        }
        sortie.refresh_from_db()
        assert sortie.validee is False
        services.sortie_validate(
            scope=scope_for(world.referent_a),
            sortie=sortie,
            version=parcours.version,
            date_validation=D(2026, 10, 1),
        )
        parcours.refresh_from_db()
        sortie.refresh_from_db()
        assert (sortie.validee, sortie.date_validation) == (True, D(2026, 10, 1))
        assert (parcours.status, parcours.date_sortie) == (StatutParcours.SORTI, D(2026, 4, 1))

    def test_a_job_ended_too_early_never_validates(self, world, in_job, time_machine):
        parcours, sortie = in_job
        contrat = sortie.parcours.etapes.get().contrat
        contrat.date_fin = D(2026, 7, 31)
        contrat.save()
        assert services.date_validable_of(sortie) is None
        time_machine.move_to(datetime.datetime(2027, 1, 4, 9, 0, tzinfo=PARIS), tick=False)
        with pytest.raises(ValidationError) as raised:
            services.sortie_validate(
                scope=scope_for(world.referent_a),
                sortie=sortie,
                version=parcours.version,
                date_validation=D(2027, 1, 4),
            )
        assert messages_of(raised) == {
            "date_validation": [
                "La règle de validation de cette sortie n'est pas remplie par les contrats en cours depuis "
                "la sortie (le 01/04/2026)."
            ]
        }

    def test_nor_by_the_commission(self, world, in_job):
        parcours, sortie = in_job
        commission = CommissionFactory(plie=world.plie_a, date=D(2026, 6, 11))
        decision = on_agenda(commission, parcours, ObjetPassage.VALIDATION_SORTIE)
        with pytest.raises(ValidationError) as raised:
            record(decision, world.animateur_a, type_decision=TypeDecision.SORTIE_VALIDEE)
        assert "qu'à partir du 01/10/2026" in messages_of(raised)["decision"][0]
        sortie.refresh_from_db()
        assert sortie.validee is False


def test_the_commission_validates_an_aided_contract_once_its_rule_is_met(world, time_machine):
    """« Contrat aidé » (default referential, 004 l.439–446): 12 months with the employer at
    20 h a week at least, and the commission. 35 h a week from 02/02/2026: validable on
    02/02/2027 (the old rule's « or 1,200 h over 12 months » made it 30/09/2026, 8 months)."""
    parcours = en_parcours(world)
    contrat_aide = TypeSortie.objects.get(plie=world.plie_a, code="CONTRAT_AIDE")
    etape = EtapeFactory(parcours=parcours, date_debut=D(2026, 2, 2), type=TypeEtapeFactory(emploi=True))
    ContratFactory(etape=etape, date_debut=D(2026, 2, 2), type_contrat="contrat_aide", heures_hebdo=35)
    sortie = record_sortie(world, parcours, contrat_aide, date_sortie=D(2026, 6, 1))
    parcours.refresh_from_db()
    assert (parcours.status, sortie.validee) == (StatutParcours.EN_SUIVI_EMPLOI, False)
    validable = services.date_validable_of(sortie)
    assert validable == D(2027, 2, 2)
    assert services.sorties_a_valider(world.plie_a.pk, D(2027, 2, 1)) == []
    (offered,) = services.sorties_a_valider(world.plie_a.pk, D(2027, 2, 2))
    assert (offered, offered.validable_le) == (parcours, validable)

    time_machine.move_to(datetime.datetime(2027, 2, 3, 9, 0, tzinfo=PARIS), tick=False)
    with pytest.raises(ValidationError, match="se valide en commission"):
        services.sortie_validate(
            scope=scope_for(world.referent_a),
            sortie=sortie,
            version=parcours.version,
            date_validation=D(2027, 2, 2),
        )
    early = CommissionFactory(plie=world.plie_a, date=D(2027, 1, 28))
    decision = on_agenda(early, parcours, ObjetPassage.VALIDATION_SORTIE)
    with pytest.raises(ValidationError, match="qu'à partir du 02/02/2027"):
        record(decision, world.animateur_a, type_decision=TypeDecision.SORTIE_VALIDEE)
    decision.delete()
    held = CommissionFactory(plie=world.plie_a, date=D(2027, 2, 2))
    record(
        on_agenda(held, parcours, ObjetPassage.VALIDATION_SORTIE),
        world.animateur_a,
        type_decision="sortie_validee",
    )
    parcours.refresh_from_db()
    assert (parcours.status, parcours.date_sortie) == (StatutParcours.SORTI, D(2026, 6, 1))


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_on_postgresql(world):
    """Two requests save the same parcours at the same instant, both from version 1: the row lock
    makes the second wait for the first, then see the new version and refuse."""
    if connection.vendor != "postgresql":
        pytest.skip("le verrou de ligne (select_for_update) se teste sur PostgreSQL")
    parcours = en_parcours(world)
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(user, motif):
        try:
            barrier.wait(timeout=10)
            services.suspension_start(
                scope=scope_for(user), parcours=parcours, version=1, motif=motif, date_debut=D(2026, 6, 1)
            )
            outcomes.append("enregistré")
        except ConflictError:
            outcomes.append("conflit")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(world.referent_a, MotifSuspension.SANTE)),
        threading.Thread(target=edit, args=(world.animateur_a, MotifSuspension.FAMILLE)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflit", "enregistré"]
    assert Suspension.objects.count() == 1
    assert Parcours.objects.get(pk=parcours.pk).version == 2


class TestExitAndEtapes:
    """Issue #13, 9: an exit no longer gets stuck behind a planned étape; recording it ends the
    étapes in progress on its date and cancels those planned after it (kept in history)."""

    def test_a_planned_etape_no_longer_holds_the_exit_back(self, world, types_sortie):
        parcours = en_parcours(world)
        begun = EtapeFactory(
            parcours=parcours, type=TypeEtapeFactory(libelle="Atelier CV"), date_debut=D(2026, 5, 4)
        )
        planned = EtapeFactory(
            parcours=parcours,
            type=TypeEtapeFactory(libelle="Immersion"),
            date_debut=TODAY + datetime.timedelta(3),
        )
        ended = EtapeFactory(parcours=parcours, date_debut=D(2026, 3, 2), date_fin=D(2026, 3, 31))
        sortie = record_sortie(world, parcours, types_sortie["abandon"], date_sortie=TODAY)
        begun.refresh_from_db(), planned.refresh_from_db(), ended.refresh_from_db()
        assert (begun.date_fin, begun.annulee) == (TODAY, False)  # ended on the exit's date
        assert (planned.annulee, planned.date_annulation, planned.date_fin) == (True, TODAY, None)
        assert ended.date_fin == D(2026, 3, 31)  # already over: unchanged
        assert planned.history.latest().history_change_reason == "Sortie du 15/06/2026"
        assert (sortie.etapes_closes, sortie.etapes_annulees) == ([begun], [planned])
        from parcours.views_etat import etapes_message

        assert etapes_message(sortie) == (
            " Étapes : « Atelier CV » du 04/05/2026 se termine le 15/06/2026 ; « Immersion » du 18/06/2026, "
            "prévue après la sortie, est annulée."
        )

    def test_withdrawing_the_exit_reopens_its_etapes(self, world, types_sortie):
        """The job was lost: the étapes the exit ended or cancelled are back as they were; one
        edited since the exit keeps the person's edit."""
        parcours = en_parcours(world)
        begun = EtapeFactory(parcours=parcours, date_debut=D(2026, 5, 4))
        planned = EtapeFactory(parcours=parcours, date_debut=TODAY + datetime.timedelta(3))
        edited = EtapeFactory(parcours=parcours, date_debut=D(2026, 5, 11))
        ended = EtapeFactory(parcours=parcours, date_debut=D(2026, 3, 2), date_fin=D(2026, 3, 31))
        sortie = record_sortie(world, parcours, types_sortie["commission"], date_sortie=TODAY)
        edited.refresh_from_db()
        edited.date_fin = TODAY - datetime.timedelta(1)
        edited._change_reason = "Correction"
        edited.save()
        parcours.refresh_from_db()
        services.sortie_withdraw(
            scope=scope_for(world.referent_a),
            sortie=sortie,
            version=parcours.version,
            motif="Erreur de saisie",
        )
        for etape in (begun, planned, edited, ended):
            etape.refresh_from_db()
        assert (begun.date_fin, begun.annulee) == (None, False)
        assert (planned.annulee, planned.date_annulation, planned.date_fin) == (False, None, None)
        assert edited.date_fin == TODAY - datetime.timedelta(1)  # changed since the exit: kept
        assert ended.date_fin == D(2026, 3, 31)
        assert begun.history.latest().history_change_reason == "Sortie retirée : Erreur de saisie"
        assert begun.history.latest().history_user == world.referent_a

    def test_an_etape_begun_after_the_exit_still_refuses_it(self, world, types_sortie):
        parcours = en_parcours(world)
        EtapeFactory(parcours=parcours, date_debut=D(2026, 6, 10))
        with pytest.raises(ValidationError) as raised:
            record_sortie(world, parcours, types_sortie["abandon"], date_sortie=D(2026, 6, 5))
        assert messages_of(raised) == {
            "date_sortie": ["La sortie ne peut pas précéder le début de la dernière étape (le 10/06/2026)."]
        }
        assert not Sortie.objects.filter(parcours=parcours).exists()

    def test_a_cancelled_etape_is_ignored(self, world, types_sortie):
        parcours = en_parcours(world)
        EtapeFactory(
            parcours=parcours, date_debut=D(2026, 6, 10), annulee=True, date_annulation=D(2026, 6, 1)
        )
        record_sortie(world, parcours, types_sortie["abandon"], date_sortie=D(2026, 6, 5))
        assert Sortie.objects.filter(parcours=parcours).exists()

    def test_a_job_exit_keeps_its_job(self, world, types_sortie):
        """Under a rule that reads the jobs, the étapes carrying a contract are left as they are:
        the job goes on and validates the exit; other étapes end."""
        parcours = en_parcours(world)
        job = EtapeFactory(parcours=parcours, type=TypeEtapeFactory(emploi=True), date_debut=D(2026, 6, 1))
        ContratFactory(etape=job, date_debut=D(2026, 6, 1))
        atelier = EtapeFactory(parcours=parcours, date_debut=D(2026, 5, 4))
        sortie = record_sortie(world, parcours, types_sortie["cdi"], date_sortie=D(2026, 6, 1))
        job.refresh_from_db(), atelier.refresh_from_db()
        assert (job.date_fin, job.annulee) == (None, False)
        assert atelier.date_fin == D(2026, 6, 1)
        assert services.date_validable_of(sortie) == D(2026, 12, 1)
