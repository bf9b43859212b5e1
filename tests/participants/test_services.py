import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.models import HistoricalRecords

from participants import services
from participants.models import Frein, Participant, SituationEntree
from participants.permissions import can_edit_participant, can_view_sensitive_data, creatable_plie_ids
from plie.core.enums import StructureKind
from plie.core.scoping import scope_for
from tests.factories import (
    FreinFactory,
    ParticipantFactory,
    SituationEntreeFactory,
    UserFactory,
)

D = datetime.date


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False)


def identity(**overrides):
    data = {
        "nom": "Dupont",
        "prenom": "Marie",
        "sexe": "F",
        "date_naissance": D(1985, 3, 14),
        "code_postal": "69008",
        "commune": "Lyon",
        "telephone": "06.12.34.56.78",
        "email": "marie.dupont@exemple.fr",
    }
    return {**data, **overrides}


def errors_of(excinfo):
    return {field: [e.message for e in errors] for field, errors in excinfo.value.error_dict.items()}


# --- who may change a dossier (participants.permissions) ---------------------------------


@pytest.mark.parametrize(
    ("persona", "in_a", "in_b"),
    [
        ("referent_a", True, False),
        ("animateur_a", True, False),
        ("admin_a", True, False),
        ("gestionnaire_a", False, False),
        ("direction_a", False, False),
        ("referent_b", False, True),
        ("referent_operateur", False, False),  # an opérateur's référent: partner space only
        ("oi_user", False, False),  # direction over both: reads, never changes
        ("financeur", False, False),
        ("no_role", False, False),
    ],
)
def test_can_edit(world, persona, in_a, in_b):
    user = getattr(world, persona)
    assert can_edit_participant(scope_for(user), ParticipantFactory(plie=world.plie_a)) is in_a
    assert can_edit_participant(scope_for(user), ParticipantFactory(plie=world.plie_b)) is in_b
    assert (world.plie_a.pk in creatable_plie_ids(scope_for(user))) is in_a


def test_can_edit_for_the_platform_operator_and_nobody_else(world):
    participant = ParticipantFactory(plie=world.plie_c)
    assert can_edit_participant(scope_for(UserFactory(is_superuser=True, is_staff=True)), participant)
    assert not can_edit_participant(scope_for(UserFactory(is_active=False)), participant)
    assert not any(
        can_edit_participant(scope_for(getattr(world, p)), participant)
        for p in ("referent_a", "oi_user", "admin_a")
    )


@pytest.mark.parametrize(
    ("persona", "sensitive"),
    [
        ("referent_a", True),
        ("animateur_a", True),
        ("admin_a", False),
        ("gestionnaire_a", False),
        ("direction_a", False),
        ("referent_b", False),
    ],
)
def test_can_see_sensitive(world, persona, sensitive):
    assert (
        can_view_sensitive_data(scope_for(getattr(world, persona)), ParticipantFactory(plie=world.plie_a))
        is sensitive
    )


# --- participant_create / participant_update ---------------------------------------------


class TestParticipantCreate:
    def test_creates_with_normalised_phone_and_author(self, world):
        participant = services.participant_create(
            scope=scope_for(world.referent_a), plie=world.plie_a, **identity()
        )
        assert participant.pk is not None
        assert participant.telephone == "06 12 34 56 78"
        assert participant.telephone_digits == "0612345678"
        assert participant.created_by == world.referent_a
        assert participant.history.get().history_user == world.referent_a

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "direction_a", "referent_b", "financeur"])
    def test_refused_to_who_may_not_create_there(self, world, persona):
        with pytest.raises(PermissionDenied):
            services.participant_create(
                scope=scope_for(getattr(world, persona)), plie=world.plie_a, **identity()
            )
        assert not Participant.objects.exists()

    def test_only_in_a_plie(self, world):
        with pytest.raises(PermissionDenied):
            services.participant_create(scope=scope_for(world.referent_a), plie=world.oi, **identity())
        assert world.operateur.kind == StructureKind.OPERATEUR
        with pytest.raises(PermissionDenied):
            services.participant_create(
                scope=scope_for(world.referent_operateur), plie=world.operateur, **identity()
            )

    def test_errors_per_field(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.participant_create(
                scope=scope_for(world.referent_a),
                plie=world.plie_a,
                **identity(
                    nom="", code_postal="6900", telephone="0012", email="x@", code_commune_naissance="1"
                ),
            )
        assert set(errors_of(excinfo)) == {
            "nom",
            "code_postal",
            "telephone",
            "email",
            "code_commune_naissance",
        }
        assert not Participant.objects.exists()

    def test_unknown_fields_are_a_programming_error(self, world):
        with pytest.raises(TypeError):
            services.participant_create(
                scope=scope_for(world.referent_a), plie=world.plie_a, nir="1850369123456", **identity()
            )

    @pytest.mark.parametrize(("birth", "age"), [(D(2010, 6, 16), 15), (D(1945, 6, 14), 81)])
    def test_an_implausible_age_must_be_confirmed(self, world, birth, age):
        with pytest.raises(ValidationError) as excinfo:
            services.participant_create(
                scope=scope_for(world.referent_a), plie=world.plie_a, **identity(date_naissance=birth)
            )
        (error,) = excinfo.value.error_dict["date_naissance"]
        assert error.code == services.AGE_A_CONFIRMER
        assert f"({age} ans)" in error.message
        participant = services.participant_create(
            scope=scope_for(world.referent_a),
            plie=world.plie_a,
            age_confirme=True,
            **identity(date_naissance=birth),
        )
        assert participant.date_naissance == birth

    @pytest.mark.parametrize("birth", [D(2010, 6, 15), D(1946, 6, 15)])
    def test_ages_16_and_80_are_plausible(self, world, birth):
        services.participant_create(
            scope=scope_for(world.referent_a), plie=world.plie_a, **identity(date_naissance=birth)
        )

    def test_a_future_birth_date_cannot_be_confirmed(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.participant_create(
                scope=scope_for(world.referent_a),
                plie=world.plie_a,
                age_confirme=True,
                **identity(date_naissance=D(2026, 7, 1)),
            )
        assert errors_of(excinfo) == {"date_naissance": ["La date de naissance ne peut pas être future."]}

    def test_likely_duplicates_stop_the_creation_unless_set_aside(self, world):
        same_plie = ParticipantFactory(
            plie=world.plie_a, nom="DUPONT", prenom="Marie Claire", date_naissance=D(1985, 3, 14)
        )
        other_plie = ParticipantFactory(
            plie=world.plie_b,
            nom="Martin",
            prenom="Marie",
            nom_naissance="Dupont",
            date_naissance=D(1985, 3, 14),
        )
        ParticipantFactory(plie=world.plie_c, nom="Dupont", prenom="Marie", date_naissance=D(1985, 3, 14))
        with pytest.raises(services.DoublonsProbables) as excinfo:
            services.participant_create(scope=scope_for(world.referent_a), plie=world.plie_a, **identity())
        assert set(excinfo.value.doublons) == {same_plie, other_plie}
        assert Participant.objects.count() == 3
        services.participant_create(
            scope=scope_for(world.referent_a), plie=world.plie_a, doublons_ecartes=True, **identity()
        )
        assert Participant.objects.count() == 4

    def test_nothing_is_half_saved(self, world, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("history table unavailable")

        monkeypatch.setattr(HistoricalRecords, "create_historical_record", broken)
        with pytest.raises(RuntimeError):
            services.participant_create(scope=scope_for(world.referent_a), plie=world.plie_a, **identity())
        assert not Participant.objects.exists()


class TestParticipantUpdate:
    def test_changes_and_normalises(self, world):
        participant = ParticipantFactory(plie=world.plie_a)
        services.participant_update(
            scope=scope_for(world.animateur_a),
            participant=participant,
            telephone="+32 470 12 34 56",
            commune="Namur",
        )
        participant.refresh_from_db()
        assert (participant.telephone, participant.commune) == ("+32470123456", "Namur")
        assert participant.history.latest().history_user == world.animateur_a

    def test_refused_to_gestionnaire(self, world):
        participant = ParticipantFactory(plie=world.plie_a)
        with pytest.raises(PermissionDenied):
            services.participant_update(
                scope=scope_for(world.gestionnaire_a), participant=participant, commune="Lyon"
            )

    def test_the_age_is_checked_at_the_entry_date_only_when_the_birth_date_changes(self, world):
        participant = ParticipantFactory(plie=world.plie_a, date_naissance=D(1940, 1, 1))
        SituationEntreeFactory(participant=participant, date_entree=D(2025, 1, 6))
        services.participant_update(
            scope=scope_for(world.referent_a), participant=participant, commune="Bron"
        )
        # 16 on the entry date (06/01/2025) though 15 would be wrong today: plausible
        services.participant_update(
            scope=scope_for(world.referent_a), participant=participant, date_naissance=D(2009, 1, 5)
        )
        with pytest.raises(ValidationError) as excinfo:
            services.participant_update(
                scope=scope_for(world.referent_a), participant=participant, date_naissance=D(2009, 1, 7)
            )
        assert "(15 ans)" in errors_of(excinfo)["date_naissance"][0]
        participant.refresh_from_db()
        assert participant.date_naissance == D(2009, 1, 5)


# --- situation_save ----------------------------------------------------------------------


def complete_answers(**overrides):
    data = {
        "date_entree": D(2026, 1, 5),
        "date_questionnaire": D(2026, 1, 5),
        "statut_emploi": "non",
        "en_formation": False,
        "recherche_emploi": True,
        "duree_recherche_mois": 14,
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
    return {**data, **overrides}


class TestSituationSave:
    def test_saves_a_new_situation_then_changes_it(self, world):
        participant = ParticipantFactory(plie=world.plie_a)
        situation = services.situation_save(
            scope=scope_for(world.referent_a),
            participant=participant,
            date_entree=D(2026, 1, 5),
            statut_emploi="non",
        )
        assert situation.history.get().history_user == world.referent_a
        services.situation_save(
            scope=scope_for(world.referent_a),
            participant=participant,
            situation=situation,
            **complete_answers(),
        )
        situation.refresh_from_db()
        assert (situation.niveau_formation, situation.menage_monoparental) == ("2b", True)
        assert SituationEntree.objects.count() == 1

    @pytest.mark.parametrize("statut", ["1a", "1b", "1c", "1d"])
    def test_1e_to_1g_only_for_a_person_without_a_job(self, world, statut):
        situation = services.situation_save(
            scope=scope_for(world.referent_a),
            participant=ParticipantFactory(plie=world.plie_a),
            **complete_answers(statut_emploi=statut),
        )
        assert (situation.en_formation, situation.recherche_emploi, situation.duree_recherche_mois) == (
            None,
        ) * 3

    def test_1g_only_for_a_person_seeking_a_job(self, world):
        situation = services.situation_save(
            scope=scope_for(world.referent_a),
            participant=ParticipantFactory(plie=world.plie_a),
            **complete_answers(recherche_emploi=False, duree_recherche_mois=3),
        )
        assert situation.duree_recherche_mois is None

    @pytest.mark.parametrize(
        ("answers", "field"),
        [
            ({"date_entree": D(2026, 6, 16), "date_questionnaire": None}, "date_entree"),
            ({"date_entree": D(2026, 1, 6)}, "date_entree"),  # after the questionnaire
            ({"date_questionnaire": D(2026, 6, 16)}, "date_questionnaire"),
            ({"duree_recherche_mois": 601}, "duree_recherche_mois"),
            ({"minima_sociaux": False}, "beneficiaire_rsa"),
            ({"menage_enfants": False}, "menage_monoparental"),
            ({"niveau_formation": "3a"}, "niveau_formation"),
        ],
    )
    def test_refuses_what_cannot_be(self, world, answers, field):
        participant = ParticipantFactory(plie=world.plie_a)
        with pytest.raises(ValidationError) as excinfo:
            services.situation_save(
                scope=scope_for(world.referent_a), participant=participant, **complete_answers(**answers)
            )
        assert list(errors_of(excinfo)) == [field]
        assert not SituationEntree.objects.exists()

    def test_one_situation_per_entry_date(self, world):
        participant = ParticipantFactory(plie=world.plie_a)
        SituationEntreeFactory(participant=participant, date_entree=D(2026, 1, 5))
        SituationEntreeFactory(date_entree=D(2026, 2, 2))  # someone else: no conflict
        with pytest.raises(ValidationError) as excinfo:
            services.situation_save(
                scope=scope_for(world.referent_a), participant=participant, date_entree=D(2026, 1, 5)
            )
        assert errors_of(excinfo) == {
            "date_entree": ["Une situation à l'entrée du 05/01/2026 existe déjà pour ce participant."]
        }
        services.situation_save(
            scope=scope_for(world.referent_a), participant=participant, date_entree=D(2026, 2, 2)
        )

    def test_refused_to_gestionnaire_and_to_another_plie(self, world):
        participant = ParticipantFactory(plie=world.plie_a)
        for user in (world.gestionnaire_a, world.referent_b):
            with pytest.raises(PermissionDenied):
                services.situation_save(
                    scope=scope_for(user), participant=participant, date_entree=D(2026, 1, 5)
                )

    def test_a_situation_of_someone_else(self, world):
        participant = ParticipantFactory(plie=world.plie_a)
        other = SituationEntreeFactory(participant=ParticipantFactory(plie=world.plie_a))
        with pytest.raises(ValueError):
            services.situation_save(
                scope=scope_for(world.referent_a),
                participant=participant,
                situation=other,
                statut_emploi="1a",
            )


# --- freins ------------------------------------------------------------------------------


class TestFreins:
    def test_add_and_lift(self, world):
        participant = ParticipantFactory(plie=world.plie_a)
        frein = services.frein_add(
            scope=scope_for(world.referent_a),
            participant=participant,
            type="sante",
            date_identification=D(2026, 2, 1),
        )
        assert not frein.leve
        services.frein_lift(scope=scope_for(world.referent_a), frein=frein)
        frein.refresh_from_db()
        assert frein.date_levee == D(2026, 6, 15)
        assert [h.history_user for h in frein.history.all()] == [world.referent_a] * 2
        assert list(Frein.objects.leves()) == [frein]

    def test_sensitive_types_need_the_right_to_see_them(self, world):
        participant = ParticipantFactory(plie=world.plie_a)
        assert "sante" not in dict(services.frein_types_for(scope_for(world.admin_a), participant))
        with pytest.raises(ValidationError) as excinfo:
            services.frein_add(
                scope=scope_for(world.admin_a),
                participant=participant,
                type="justice",
                date_identification=D(2026, 2, 1),
            )
        assert errors_of(excinfo) == {"type": ["Ce type de frein n'est pas disponible."]}
        sensitive = FreinFactory(participant=participant, type="sante")
        with pytest.raises(PermissionDenied):
            services.frein_lift(scope=scope_for(world.admin_a), frein=sensitive)

    def test_refused_to_gestionnaire(self, world):
        frein = FreinFactory(participant=ParticipantFactory(plie=world.plie_a))
        with pytest.raises(PermissionDenied):
            services.frein_add(
                scope=scope_for(world.gestionnaire_a),
                participant=frein.participant,
                type="mobilite",
                date_identification=D(2026, 2, 1),
            )
        with pytest.raises(PermissionDenied):
            services.frein_lift(scope=scope_for(world.gestionnaire_a), frein=frein)

    @pytest.mark.parametrize(
        ("date_levee", "message"),
        [
            (D(2026, 1, 4), "Un frein ne peut pas être levé avant d'avoir été identifié (le 05/01/2026)."),
            (D(2026, 6, 16), "La date de levée ne peut pas être future."),
        ],
    )
    def test_lift_dates(self, world, date_levee, message):
        frein = FreinFactory(participant=ParticipantFactory(plie=world.plie_a))
        with pytest.raises(ValidationError) as excinfo:
            services.frein_lift(scope=scope_for(world.referent_a), frein=frein, date_levee=date_levee)
        assert errors_of(excinfo) == {"date_levee": [message]}
        services.frein_lift(
            scope=scope_for(world.referent_a), frein=frein, date_levee=D(2026, 1, 5)
        )  # the same day: fine

    def test_identified_in_the_future(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.frein_add(
                scope=scope_for(world.referent_a),
                participant=ParticipantFactory(plie=world.plie_a),
                type="budget",
                date_identification=D(2026, 6, 16),
            )
        assert list(errors_of(excinfo)) == ["date_identification"]
