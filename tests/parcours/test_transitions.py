"""The parcours' state machine: every pair of statuses is either allowed (with its guard met) or
refused with a French message, and a refused move leaves the parcours untouched."""

import datetime
import itertools

import pytest

from parcours.enums import StatutParcours as S
from parcours.models import Parcours
from parcours.transitions import (
    TRANSITIONS,
    TransitionError,
    admission_date_errors,
    allowed_targets,
    check_writable,
    sortie_date_errors,
    transition,
)
from plie.core.scoping import scope_for
from tests.parcours.factories import EtapeFactory, ParcoursFactory, SortieFactory, TypeSortieFactory

D = datetime.date

ALLOWED = {
    (S.CANDIDAT, S.EN_PARCOURS),
    (S.CANDIDAT, S.NON_ADMIS),
    (S.EN_PARCOURS, S.SUSPENDU),
    (S.SUSPENDU, S.EN_PARCOURS),
    (S.EN_PARCOURS, S.EN_SUIVI_EMPLOI),
    (S.EN_SUIVI_EMPLOI, S.EN_PARCOURS),
    (S.EN_PARCOURS, S.SORTI),
    (S.SUSPENDU, S.SORTI),
    (S.EN_SUIVI_EMPLOI, S.SORTI),
    (S.SORTI, S.EN_PARCOURS),
}
ALL_PAIRS = list(itertools.product(S.values, S.values))


def test_the_table_is_the_documented_one():
    assert set(TRANSITIONS) == ALLOWED
    assert allowed_targets(S.CANDIDAT) == [S.EN_PARCOURS, S.NON_ADMIS]
    assert allowed_targets(S.NON_ADMIS) == []
    assert allowed_targets(S.SORTI) == [S.EN_PARCOURS]


def ready(world, from_status, to_status):
    """A parcours of PLIE A in ``from_status`` that meets the guard of the move to ``to_status``."""
    fields = {
        "participant__plie": world.plie_a,
        "status": from_status,
        "date_orientation": D(2026, 1, 5),
        "date_commission": D(2026, 1, 28),
        "date_entree": D(2026, 2, 2),
        "date_signature_contrat": D(2026, 2, 2),
        "referent": world.referent_a,
    }
    if from_status == S.SORTI:
        fields["date_sortie"] = None  # being reopened by an administrateur: the exit was cancelled
    parcours = ParcoursFactory(**fields)
    if to_status == S.SORTI:
        sortie = SortieFactory(parcours=parcours, date_sortie=D(2026, 9, 30), valide=True)
        parcours.date_sortie = sortie.date_sortie
    return parcours


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_every_pair_of_statuses(world, from_status, to_status):
    parcours = ready(world, from_status, to_status)
    # the administrateur with a reason: only the table and the guards may refuse
    user, reason = world.admin_a, "Correction d'une saisie erronée"
    if (from_status, to_status) in ALLOWED:
        transition(parcours, to_status, scope=scope_for(user), reason=reason, day=D(2026, 5, 4))
        assert parcours.status == to_status
        assert parcours._history_user == user
    else:
        with pytest.raises(TransitionError) as raised:
            transition(parcours, to_status, scope=scope_for(user), reason=reason, day=D(2026, 5, 4))
        assert parcours.status == from_status
        message = " ".join(raised.value.messages)
        if from_status == to_status:
            assert "déjà au statut" in message
        else:
            assert f"Passage impossible du statut « {S(from_status).label} »" in message
    # transition() never saves: the calling service does
    assert Parcours.objects.get(pk=parcours.pk).status == from_status


@pytest.mark.parametrize(
    ("from_status", "to_status", "expected"),
    [
        (S.CANDIDAT, S.SORTI, "Le candidat doit d'abord être admis en commission."),
        (S.CANDIDAT, S.SUSPENDU, "Le candidat doit d'abord être admis en commission."),
        (S.EN_PARCOURS, S.CANDIDAT, "Un parcours ne redevient pas une candidature."),
        (S.NON_ADMIS, S.EN_PARCOURS, "présentez une nouvelle candidature"),
        (S.SUSPENDU, S.EN_SUIVI_EMPLOI, "Mettez d'abord fin à la suspension."),
        (S.EN_SUIVI_EMPLOI, S.SUSPENDU, "Retirez d'abord la sortie en emploi proposée."),
        (S.SORTI, S.SUSPENDU, "ne peut être rouvert qu'en parcours, par un administrateur"),
        (S.EN_PARCOURS, S.NON_ADMIS, "Seule une candidature peut être refusée ou réorientée."),
    ],
)
def test_forbidden_moves_say_why(world, from_status, to_status, expected):
    parcours = ready(world, from_status, to_status)
    with pytest.raises(TransitionError, match=expected):
        transition(parcours, to_status, scope=scope_for(world.admin_a), reason="motif")


# --- guards ---------------------------------------------------------------------------------


def candidat(world, **fields):
    base = {
        "participant__plie": world.plie_a,
        "date_orientation": D(2026, 1, 5),
        "date_commission": D(2026, 1, 28),
        "date_entree": D(2026, 2, 2),
        "date_signature_contrat": D(2026, 2, 2),
        "referent": world.referent_a,
    }
    return ParcoursFactory(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"referent": None}, "referent", "Le référent de parcours est obligatoire"),
        ({"date_entree": None}, "date_entree", "La date d'entrée est obligatoire"),
        ({"date_signature_contrat": None}, "date_signature_contrat", "contrat d'engagement est obligatoire"),
        ({"date_commission": None}, "date_commission", "la date de commission manque"),
        (
            {"date_entree": D(2026, 1, 27)},
            "date_entree",
            "postérieure ou égale à la commission du 28/01/2026",
        ),
        ({"date_commission": D(2026, 1, 4)}, "date_commission", "précède l'orientation du 05/01/2026"),
        ({"date_signature_contrat": D(2026, 1, 20)}, "date_signature_contrat", "avant la commission"),
    ],
)
def test_admission_guard_reports_per_field(world, fields, field, message):
    parcours = candidat(world, **fields)
    with pytest.raises(TransitionError) as raised:
        transition(parcours, S.EN_PARCOURS, scope=scope_for(world.animateur_a))
    assert message in " ".join(raised.value.message_dict[field])
    assert parcours.status == S.CANDIDAT


def test_admission_on_the_commission_day_is_coherent(world):
    parcours = candidat(world, date_orientation=D(2026, 1, 28), date_entree=D(2026, 1, 28))
    transition(parcours, S.EN_PARCOURS, scope=scope_for(world.animateur_a))
    assert parcours.status == S.EN_PARCOURS


def test_admission_date_rules_as_a_plain_function():
    ok = admission_date_errors(
        date_orientation=D(2026, 1, 5),
        date_commission=D(2026, 1, 28),
        date_entree=D(2026, 2, 2),
        date_signature_contrat=D(2026, 2, 2),
    )
    assert ok == {}
    errors = admission_date_errors(
        date_orientation=D(2026, 2, 1),
        date_commission=D(2026, 1, 28),
        date_entree=D(2026, 1, 1),
        date_signature_contrat=None,
    )
    assert set(errors) == {"date_commission", "date_entree", "date_signature_contrat"}


def test_refusal_needs_a_commission(world):
    parcours = candidat(world, date_commission=None)
    with pytest.raises(TransitionError, match="se décide en commission"):
        transition(parcours, S.NON_ADMIS, scope=scope_for(world.animateur_a))


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(S.EN_PARCOURS, S.SUSPENDU), (S.SUSPENDU, S.EN_PARCOURS), (S.EN_PARCOURS, S.EN_SUIVI_EMPLOI)],
)
def test_events_of_the_accompaniment_follow_the_entry(world, from_status, to_status):
    parcours = ParcoursFactory(participant__plie=world.plie_a, en_parcours=True, status=from_status)
    with pytest.raises(TransitionError, match="ne peut pas précéder l'entrée dans le PLIE"):
        transition(parcours, to_status, scope=scope_for(world.referent_a), day=D(2026, 2, 1))
    with pytest.raises(TransitionError, match="est obligatoire"):
        transition(parcours, to_status, scope=scope_for(world.referent_a), day=None)
    transition(parcours, to_status, scope=scope_for(world.referent_a), day=D(2026, 2, 2))
    assert parcours.status == to_status


def test_exit_needs_a_validated_sortie_at_the_same_date(world):
    parcours = ParcoursFactory(participant__plie=world.plie_a, en_parcours=True)
    with pytest.raises(TransitionError, match="que par une sortie validée"):
        transition(parcours, S.SORTI, scope=scope_for(world.referent_a))
    sortie = SortieFactory(parcours=parcours, date_sortie=D(2026, 6, 30))
    with pytest.raises(TransitionError, match="que par une sortie validée"):
        transition(parcours, S.SORTI, scope=scope_for(world.referent_a))
    sortie.validee = True
    sortie.save()
    parcours.refresh_from_db()
    parcours.date_sortie = D(2026, 6, 29)
    with pytest.raises(TransitionError, match="celle de la sortie validée"):
        transition(parcours, S.SORTI, scope=scope_for(world.referent_a))
    parcours.date_sortie = D(2026, 6, 30)
    transition(parcours, S.SORTI, scope=scope_for(world.referent_a))
    assert parcours.status == S.SORTI


def test_exit_follows_the_last_etape_start(world):
    parcours = ParcoursFactory(participant__plie=world.plie_a, en_parcours=True)
    EtapeFactory(parcours=parcours, date_debut=D(2026, 3, 1))
    EtapeFactory(parcours=parcours, date_debut=D(2026, 7, 1))
    errors = sortie_date_errors(parcours, D(2026, 6, 30))
    assert errors == {
        "date_sortie": ["La sortie ne peut pas précéder le début de la dernière étape (le 01/07/2026)."]
    }
    assert sortie_date_errors(parcours, D(2026, 1, 30))["date_sortie"] == [
        "La sortie doit suivre l'entrée dans le PLIE (le 02/02/2026).",
        "La sortie ne peut pas précéder le début de la dernière étape (le 01/07/2026).",
    ]
    assert sortie_date_errors(parcours, D(2026, 7, 1)) == {}
    SortieFactory(parcours=parcours, date_sortie=D(2026, 6, 30), valide=True)
    parcours.date_sortie = D(2026, 6, 30)
    with pytest.raises(TransitionError) as raised:
        transition(parcours, S.SORTI, scope=scope_for(world.referent_a))
    assert "dernière étape" in raised.value.message_dict["date_sortie"][0]


# --- a closed parcours is read-only, except for an administrateur with a reason -------------


@pytest.mark.parametrize("persona", ["referent_a", "animateur_a", "gestionnaire_a", "referent_b"])
def test_a_closed_parcours_is_read_only_for_others(world, persona):
    parcours = ParcoursFactory(participant__plie=world.plie_a, sorti=True)
    with pytest.raises(TransitionError, match="seul un administrateur du PLIE peut le modifier"):
        check_writable(parcours, scope=scope_for(getattr(world, persona)), reason="Une raison")
    parcours.date_sortie = None
    with pytest.raises(TransitionError, match="seul un administrateur"):
        transition(parcours, S.EN_PARCOURS, scope=scope_for(getattr(world, persona)), reason="Une raison")


def test_an_administrateur_reopens_with_a_reason(world):
    parcours = ParcoursFactory(participant__plie=world.plie_a, sorti=True, date_sortie=None)
    with pytest.raises(TransitionError) as raised:
        transition(parcours, S.EN_PARCOURS, scope=scope_for(world.admin_a), reason="  ")
    assert raised.value.message_dict == {
        "reason": ["Indiquez le motif de la modification d'un parcours clos."]
    }
    transition(parcours, S.EN_PARCOURS, scope=scope_for(world.admin_a), reason="Sortie saisie par erreur")
    assert parcours.status == S.EN_PARCOURS
    assert parcours._change_reason == "Sortie saisie par erreur"


def test_the_administrateur_of_another_plie_may_not(world):
    other_admin_plie = ParcoursFactory(participant__plie=world.plie_b, sorti=True, date_sortie=None)
    with pytest.raises(TransitionError, match="seul un administrateur"):
        transition(other_admin_plie, S.EN_PARCOURS, scope=scope_for(world.admin_a), reason="Erreur")


def test_reopening_needs_the_exit_cancelled_first(world):
    parcours = ParcoursFactory(participant__plie=world.plie_a, sorti=True)
    SortieFactory(parcours=parcours, type=TypeSortieFactory(plie=world.plie_a), valide=True)
    with pytest.raises(TransitionError, match="Annulez d'abord la sortie"):
        transition(parcours, S.EN_PARCOURS, scope=scope_for(world.admin_a), reason="Erreur")


def test_only_begun_and_not_cancelled_etapes_bound_the_exit(world):
    """Planned étapes (starting after today) and cancelled ones do not hold an exit back."""
    from parcours.transitions import derniere_etape_debut

    parcours = ParcoursFactory(participant__plie=world.plie_a, en_parcours=True)
    EtapeFactory(parcours=parcours, date_debut=D(2026, 3, 1))
    EtapeFactory(parcours=parcours, date_debut=D(2026, 5, 4), annulee=True, date_annulation=D(2026, 5, 1))
    EtapeFactory(parcours=parcours, date_debut=D(2026, 6, 18))  # planned
    assert derniere_etape_debut(parcours, today=D(2026, 6, 15)) == D(2026, 3, 1)
    assert derniere_etape_debut(parcours, today=D(2026, 6, 18)) == D(2026, 6, 18)
