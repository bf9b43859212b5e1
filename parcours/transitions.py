"""The parcours' state machine: the one place that says which status may follow which.

::

    candidat ──admis──▶ en_parcours ◀──▶ suspendu
       │                  │   ▲             │
       │ refusé,          ▼   │ emploi      │
       │ réorienté   suivi_emploi perdu     │
       ▼                  │                 │
    non_admis             └──▶ sorti ◀──────┘   (from en_parcours, suspendu or suivi_emploi)

- « ajourné » is no transition: the candidate stays ``candidat`` (with a date to re-present);
- a ``sorti`` parcours is read-only, except for an **administrateur** of its PLIE who gives the
  reason (recorded in the history as ``_change_reason``); the only way back is ``en_parcours``
  (an exit recorded by mistake).

:func:`transition` checks the move against :data:`TRANSITIONS` and its guard, then sets the
status and the history's author and reason. It does not save: the services of
:mod:`parcours.services` do, under their optimistic lock, so that nothing is half-saved.
Each guard raises :class:`TransitionError` with a French message, per field where a date is at
fault; the date rules are plain functions (``*_date_errors``) the services reuse for their forms.
"""

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from parcours.enums import StatutParcours as S
from parcours.permissions import can_edit_closed_parcours
from plie.core.dates import format_date


class TransitionError(ValidationError):
    """An impossible change of status. A ``ValidationError``: a form shows it as is, on the
    fields it names (``error_dict``) or above the form."""


def _add(errors, field, message):
    errors.setdefault(field, []).append(message)


# --- date rules ----------------------------------------------------------------------------


def admission_date_errors(*, date_orientation, date_commission, date_entree, date_signature_contrat):
    """Entrée ≥ commission ≥ orientation; the contrat d'engagement is signed at or after the
    commission. Returns ``{field: [messages]}`` (empty when coherent)."""
    errors = {}
    if date_entree is None:
        _add(errors, "date_entree", "La date d'entrée est obligatoire pour une admission.")
    if date_signature_contrat is None:
        _add(
            errors, "date_signature_contrat", "La date de signature du contrat d'engagement est obligatoire."
        )
    if date_commission is None:
        _add(errors, "date_commission", "L'admission se décide en commission : la date de commission manque.")
        return errors
    if date_orientation and date_commission < date_orientation:
        _add(
            errors,
            "date_commission",
            f"La commission du {format_date(date_commission)} précède l'orientation du "
            f"{format_date(date_orientation)}.",
        )
    if date_entree and date_entree < date_commission:
        _add(
            errors,
            "date_entree",
            "La date d'entrée doit être postérieure ou égale à la commission du "
            f"{format_date(date_commission)}.",
        )
    if date_signature_contrat and date_signature_contrat < date_commission:
        _add(
            errors,
            "date_signature_contrat",
            "Le contrat d'engagement ne peut pas être signé avant la commission du "
            f"{format_date(date_commission)}.",
        )
    return errors


def derniere_etape_debut(parcours, today=None):
    """The start of the parcours' latest étape already begun on ``today`` (default: today) and
    not cancelled (``None`` without one); one query. Planned étapes (starting later) do not
    hold an exit back: recording the exit cancels them (``parcours.services.sortie_record``)."""
    if parcours.pk is None:
        return None
    today = today or timezone.localdate()
    etapes = parcours.etapes.filter(annulee=False, date_debut__lte=today)
    return etapes.aggregate(debut=Max("date_debut"))["debut"]


def sortie_date_errors(parcours, date_sortie, *, field="date_sortie"):
    """An exit on or after the entry and the start of the latest étape already begun and not
    cancelled (:func:`derniere_etape_debut`)."""
    errors = {}
    if date_sortie is None:
        _add(errors, field, "La date de sortie est obligatoire.")
        return errors
    if parcours.date_entree and date_sortie < parcours.date_entree:
        _add(
            errors,
            field,
            f"La sortie doit suivre l'entrée dans le PLIE (le {format_date(parcours.date_entree)}).",
        )
    derniere = derniere_etape_debut(parcours)
    if derniere and date_sortie < derniere:
        _add(
            errors,
            field,
            f"La sortie ne peut pas précéder le début de la dernière étape (le {format_date(derniere)}).",
        )
    return errors


def in_parcours_date_errors(parcours, day, *, field, label):
    """An event of the accompaniment (suspension, change of référent…) on or after the entry."""
    errors = {}
    if day is None:
        _add(errors, field, f"{label} est obligatoire.")
    elif parcours.date_entree and day < parcours.date_entree:
        _add(
            errors,
            field,
            f"{label} ne peut pas précéder l'entrée dans le PLIE (le {format_date(parcours.date_entree)}).",
        )
    return errors


# --- guards -------------------------------------------------------------------------------


def _raise(errors):
    if errors:
        raise TransitionError(errors)


def _guard_admission(parcours, *, scope, reason, day):
    if parcours.referent_id is None:
        raise TransitionError({"referent": ["Le référent de parcours est obligatoire pour une admission."]})
    _raise(
        admission_date_errors(
            date_orientation=parcours.date_orientation,
            date_commission=parcours.date_commission,
            date_entree=parcours.date_entree,
            date_signature_contrat=parcours.date_signature_contrat,
        )
    )


def _guard_non_admission(parcours, *, scope, reason, day):
    if parcours.date_commission is None:
        raise TransitionError(
            "Un refus ou une réorientation se décide en commission : la date de commission manque."
        )


def _guard_in_parcours_event(label):
    def guard(parcours, *, scope, reason, day):
        _raise(in_parcours_date_errors(parcours, day, field="date", label=label))

    return guard


def _guard_sortie(parcours, *, scope, reason, day):
    sortie = getattr(parcours, "sortie", None) if parcours.pk else None
    if sortie is None or not sortie.validee:
        raise TransitionError("Le parcours ne peut être clos que par une sortie validée.")
    if parcours.date_sortie != sortie.date_sortie:
        raise TransitionError("La date de sortie du parcours doit être celle de la sortie validée.")
    _raise(sortie_date_errors(parcours, parcours.date_sortie))


def _guard_reopen(parcours, *, scope, reason, day):
    # Who and why were checked for every move out of « sorti » (see transition()).
    if parcours.date_sortie is not None:
        raise TransitionError("Annulez d'abord la sortie (la date de sortie est encore renseignée).")


def _no_guard(parcours, *, scope, reason, day):
    return None


# (from, to) -> guard(parcours, *, user, reason, day). Everything else is impossible.
TRANSITIONS = {
    (S.CANDIDAT, S.EN_PARCOURS): _guard_admission,
    (S.CANDIDAT, S.NON_ADMIS): _guard_non_admission,
    (S.EN_PARCOURS, S.SUSPENDU): _guard_in_parcours_event("Le début de la suspension"),
    (S.SUSPENDU, S.EN_PARCOURS): _guard_in_parcours_event("La fin de la suspension"),
    (S.EN_PARCOURS, S.EN_SUIVI_EMPLOI): _guard_in_parcours_event("La date de sortie proposée"),
    (S.EN_SUIVI_EMPLOI, S.EN_PARCOURS): _no_guard,
    (S.EN_PARCOURS, S.SORTI): _guard_sortie,
    (S.SUSPENDU, S.SORTI): _guard_sortie,
    (S.EN_SUIVI_EMPLOI, S.SORTI): _guard_sortie,
    (S.SORTI, S.EN_PARCOURS): _guard_reopen,
}

# Why a move is impossible, in the words of the users: keyed by (from, to), ``None`` for any.
FORBIDDEN_REASONS = {
    (None, S.CANDIDAT): "Un parcours ne redevient pas une candidature.",
    (S.CANDIDAT, None): "Le candidat doit d'abord être admis en commission.",
    (
        S.NON_ADMIS,
        None,
    ): "Une candidature refusée ou réorientée est close : présentez une nouvelle candidature.",
    (S.SUSPENDU, S.EN_SUIVI_EMPLOI): "Mettez d'abord fin à la suspension.",
    (S.EN_SUIVI_EMPLOI, S.SUSPENDU): "Retirez d'abord la sortie en emploi proposée.",
    (S.SORTI, None): "Un parcours clos ne peut être rouvert qu'en parcours, par un administrateur.",
    (None, S.NON_ADMIS): "Seule une candidature peut être refusée ou réorientée.",
}


def _forbidden_reason(from_status, to_status):
    for key in ((from_status, to_status), (None, to_status), (from_status, None)):
        if key in FORBIDDEN_REASONS:
            return FORBIDDEN_REASONS[key]
    return ""


def allowed_targets(status):
    """The statuses reachable from ``status`` (guards aside)."""
    return [to for (frm, to) in TRANSITIONS if frm == status]


def check_writable(parcours, *, scope, reason=""):
    """A ``sorti`` parcours is read-only, except for an administrateur of its PLIE who gives the
    reason of the change."""
    if parcours.status != S.SORTI:
        return
    if not can_edit_closed_parcours(scope, parcours.plie_id):
        sortie = f" le {format_date(parcours.date_sortie)}" if parcours.date_sortie else ""
        raise TransitionError(
            f"Ce parcours est clos (sorti{sortie}) : seul un administrateur du PLIE peut le modifier."
        )
    if not (reason or "").strip():
        raise TransitionError({"reason": ["Indiquez le motif de la modification d'un parcours clos."]})


def transition(parcours, to_status, *, scope, reason="", day=None):
    """Move ``parcours`` to ``to_status``: check the move and its guard, then set the status and
    the history's author and reason. **Does not save** (the calling service does).

    ``day`` is the date of the event for the guards that check one (the start or end of a
    suspension, the proposed exit date). Raises :class:`TransitionError`, leaving the parcours
    untouched."""
    from_status = parcours.status
    label_from, label_to = S(from_status).label, S(to_status).label
    if from_status == to_status:
        raise TransitionError(f"Le parcours est déjà au statut « {label_to} ».")
    guard = TRANSITIONS.get((from_status, to_status))
    if guard is None:
        reason_text = _forbidden_reason(from_status, to_status)
        raise TransitionError(
            f"Passage impossible du statut « {label_from} » au statut « {label_to} »."
            + (f" {reason_text}" if reason_text else "")
        )
    check_writable(parcours, scope=scope, reason=reason)
    guard(parcours, scope=scope, reason=reason, day=day)
    parcours.status = to_status
    parcours._history_user = scope.user
    if reason:
        parcours._change_reason = reason
    return parcours
