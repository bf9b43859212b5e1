"""Suspensions of a parcours and changes of its référent."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from parcours.enums import (
    MotifSuspension,
    StatutParcours,
)
from parcours.models import (
    AffectationReferent,
    Suspension,
)
from parcours.permissions import (
    can_change_referent,
    can_follow_parcours,
)
from parcours.services.common import (
    INCARCERATION_MAX_MOIS,
    _add,
    _lock,
    _merge,
    _not_future,
    _raise,
    _require,
    _save,
    _transition,
    referents_of,
)
from parcours.sorties import add_months
from parcours.transitions import (
    TransitionError,
    check_writable,
    in_parcours_date_errors,
)
from plie.core.dates import format_date


@transaction.atomic
def suspension_start(*, scope, parcours, version, motif, date_debut, date_fin=None):
    """Suspend a parcours (health, family, incarceration of less than 3 months); ``date_fin``
    is the planned end, if known. A suspended parcours is not an exit."""
    _require(can_follow_parcours(scope, parcours.plie_id))
    parcours = _lock(parcours, version)
    check_writable(parcours, scope=scope)
    errors = {}
    if motif not in MotifSuspension.values:
        _add(errors, "motif", "Choisissez le motif de la suspension.")
    _merge(
        errors,
        in_parcours_date_errors(parcours, date_debut, field="date_debut", label="Le début de la suspension"),
    )
    _not_future(errors, "date_debut", date_debut, "Le début de la suspension")
    if date_debut and date_fin:
        if date_fin < date_debut:
            _add(errors, "date_fin", "La fin prévue doit suivre le début de la suspension.")
        elif motif == MotifSuspension.INCARCERATION and date_fin > add_months(
            date_debut, INCARCERATION_MAX_MOIS
        ):
            _add(
                errors,
                "date_fin",
                "Une incarcération de plus de 3 mois n'est pas une suspension : enregistrez une sortie.",
            )
    if date_debut:
        previous = parcours.suspensions.filter(date_fin__gte=date_debut).first()
        if previous is not None:
            _add(
                errors,
                "date_debut",
                f"Chevauche la suspension du {format_date(previous.date_debut)} au "
                f"{format_date(previous.date_fin)}.",
            )
    _raise(errors)
    _transition(parcours, StatutParcours.SUSPENDU, scope=scope, day=date_debut)
    suspension = Suspension(parcours=parcours, motif=motif, date_debut=date_debut, date_fin=date_fin)
    suspension._history_user = scope.user
    suspension.save()
    _save(parcours, scope=scope)
    return suspension


def suspension_en_cours(parcours):
    """The current suspension of a suspended parcours (its latest), else ``None``."""
    if parcours.status != StatutParcours.SUSPENDU:
        return None
    return parcours.suspensions.order_by("-date_debut", "-pk").first()


@transaction.atomic
def suspension_end(*, scope, suspension, version, date_fin):
    """End the current suspension: the accompaniment resumes (``en_parcours``)."""
    _require(can_follow_parcours(scope, suspension.parcours.plie_id))
    parcours = _lock(suspension.parcours, version)
    check_writable(parcours, scope=scope)
    suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
    current = suspension_en_cours(parcours)
    if current is None or current.pk != suspension.pk:
        raise ValidationError("Cette suspension n'est pas en cours.")
    errors = {}
    if date_fin is None:
        _add(errors, "date_fin", "La date de fin de la suspension est obligatoire.")
    elif date_fin < suspension.date_debut:
        _add(
            errors,
            "date_fin",
            f"La fin doit suivre le début de la suspension (le {format_date(suspension.date_debut)}).",
        )
    _not_future(errors, "date_fin", date_fin, "La fin de la suspension")
    _raise(errors)
    _transition(parcours, StatutParcours.EN_PARCOURS, scope=scope, day=date_fin)
    suspension.date_fin = date_fin
    suspension._history_user = scope.user
    suspension.save()
    _save(parcours, scope=scope)
    return suspension


@transaction.atomic
def referent_change(*, scope, parcours, version, referent, date, motif=""):
    """Hand the parcours over to another référent on ``date``: the current
    :class:`AffectationReferent` ends the day before, the next one starts on ``date``, so the
    history keeps who followed the participant when. On a closed parcours, only an
    administrateur, with ``motif`` as the reason."""
    parcours = _lock(parcours, version)
    _require(can_change_referent(scope, parcours))  # on the current référent, not the one displayed
    motif = (motif or "").strip()
    try:
        check_writable(parcours, scope=scope, reason=motif)
    except TransitionError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError({"motif": error.messages}) from error
        raise
    errors = {}
    if referent is None:
        _add(errors, "referent", "Choisissez le nouveau référent.")
    elif referent.pk == parcours.referent_id:
        _add(errors, "referent", f"{referent} suit déjà ce parcours.")
    elif not referents_of(parcours.plie_id).filter(pk=referent.pk).exists():
        _add(errors, "referent", "Cette personne n'est pas référent de parcours du PLIE.")
    if parcours.status in (StatutParcours.CANDIDAT, StatutParcours.NON_ADMIS):
        if parcours.status == StatutParcours.NON_ADMIS:
            _add(errors, NON_FIELD_ERRORS, "Cette candidature est close.")
        _raise(errors)
        parcours.referent = referent  # the référent proposed for the candidature
        parcours._change_reason = motif
        return _save(parcours, scope=scope)
    current = parcours.affectations.filter(date_fin__isnull=True).order_by("-date_debut", "-pk").first()
    _merge(errors, in_parcours_date_errors(parcours, date, field="date", label="La date du changement"))
    _not_future(errors, "date", date, "La date du changement")
    if parcours.date_sortie and date and date > parcours.date_sortie:
        _add(errors, "date", f"Le parcours est clos depuis le {format_date(parcours.date_sortie)}.")
    if current is not None and date and date <= current.date_debut:
        _add(
            errors,
            "date",
            f"Le changement doit suivre le début du suivi actuel (le {format_date(current.date_debut)}).",
        )
    _raise(errors)
    if current is not None:
        current.date_fin = date - datetime.timedelta(days=1)
        current.save(update_fields=["date_fin"])
    AffectationReferent.objects.create(
        parcours=parcours, referent=referent, date_debut=date, motif=motif, created_by=scope.user
    )
    parcours.referent = referent
    parcours._change_reason = motif or "Changement de référent"
    return _save(parcours, scope=scope)
