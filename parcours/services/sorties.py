"""Exits: recording one (the étapes in progress end, the planned ones are cancelled), validating
it once its rule is met (docs/domaine.md §5), withdrawing or cancelling it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parcours import sorties
from parcours.enums import (
    ObjetPassage,
    StatutCommission,
    StatutParcours,
)
from parcours.models import (
    Decision,
    Sortie,
)
from parcours.permissions import (
    can_cancel_sortie,
    can_follow_parcours,
)
from parcours.services.common import (
    _add,
    _lock,
    _merge,
    _not_future,
    _raise,
    _require,
    _save,
    _transition,
    types_sortie_of,
)
from parcours.transitions import (
    check_writable,
    sortie_date_errors,
)
from plie.core.dates import format_date


def regle_label(type_sortie):
    """The validation rule of an exit type, in French (shown when choosing and validating)."""
    parts = []
    if type_sortie.criteres:
        parts.append(sorties.criteres_label(type_sortie.criteres))
    if type_sortie.commission_requise:
        parts.append("validation en commission")
    if not parts:
        return "Validée dès l'enregistrement."
    text = " ; ".join(parts)
    return text[0].upper() + text[1:] + "."


def date_validable_of(sortie):
    """From when ``sortie`` may be validated under its rule: the first day from its own date on
    which the rule is met by the contracts going on since (``None``: never with the contracts
    recorded); see :func:`parcours.sorties.date_validable`."""
    if not sortie.type.criteres:
        return sortie.date_sortie
    contrats = sorties.contrats_of(sortie.parcours)
    return sorties.date_validable(contrats, sortie.type.criteres, depuis=sortie.date_sortie)


def sortie_regle_errors(parcours, sortie, day):
    """Why ``sortie`` cannot be validated on ``day`` under its type's rule (``[]`` when it can):
    a job exit only once :func:`parcours.sorties.date_validable` is reached."""
    if not sortie.type.criteres:
        return []
    sortie.parcours = parcours
    validable = date_validable_of(sortie)
    if validable is None:
        return [
            "La règle de validation de cette sortie n'est pas remplie par les contrats en cours depuis "
            f"la sortie (le {format_date(sortie.date_sortie)})."
        ]
    if validable > day:
        return [
            f"La règle de validation n'est remplie qu'à partir du {format_date(validable)} : "
            f"sortie non validable le {format_date(day)}."
        ]
    return []


def _validate_sortie(parcours, sortie, *, scope, date_validation, reason=""):
    sortie.validee = True
    sortie.date_validation = date_validation
    sortie.validee_par = scope.user
    sortie._history_user = scope.user
    sortie.save()
    parcours.date_sortie = sortie.date_sortie
    parcours.sortie = sortie
    _transition(parcours, StatutParcours.SORTI, scope=scope, reason=reason or "Sortie validée")
    _save(parcours, scope=scope)


def _locked_sortie(sortie):
    return Sortie.objects.select_for_update().select_related("type").get(pk=sortie.pk)


def etapes_close_at_exit(parcours, date_sortie, *, scope, type_sortie):
    """What recording an exit dated ``date_sortie`` does to the parcours' étapes: those in
    progress on that date (begun, no actual end) end on it, those planned after it are
    cancelled (kept in the history). Under a rule that reads the jobs, the étapes carrying a
    contract are left as they are: the job goes on and is what validates the exit. Returns
    ``(closed, cancelled)``, the étapes changed."""
    from parcours.models import Etape

    etapes = Etape.objects.filter(parcours=parcours, annulee=False).select_related("type")
    if sorties.est_regle_emploi(type_sortie.criteres):
        etapes = etapes.filter(contrat__isnull=True)
    reason = f"Sortie du {format_date(date_sortie)}"
    closed, cancelled = [], []
    for etape in etapes.order_by("date_debut", "pk"):
        if etape.date_debut > date_sortie:
            etape.annulee = True
            etape.date_annulation = timezone.localdate()
            cancelled.append(etape)
        elif etape.date_fin is None:
            etape.date_fin = date_sortie
            closed.append(etape)
        else:
            continue
        etape._history_user = scope.user
        etape._change_reason = reason
        etape.save()
    return closed, cancelled


def etapes_reopen_at_withdraw(parcours, sortie, *, scope, motif):
    """Undo what recording ``sortie`` did to the étapes (:func:`etapes_close_at_exit`) when the
    exit is withdrawn: an étape whose latest change is still the exit's (« Sortie du … ») gets
    back its end date and its cancellation as they were just before. An étape edited since is
    left as the person made it. Returns the étapes restored."""
    from parcours.models import Etape

    reason = f"Sortie du {format_date(sortie.date_sortie)}"
    latest_two = {}
    history = Etape.history.filter(parcours_id=parcours.pk).order_by("id", "-history_date", "-history_id")
    for record in history.only("id", "date_fin", "annulee", "date_annulation", "history_change_reason"):
        records = latest_two.setdefault(record.id, [])
        if len(records) < 2:
            records.append(record)
    to_restore = {
        pk: records[1]
        for pk, records in latest_two.items()
        if len(records) == 2 and records[0].history_change_reason == reason
    }
    restored = []
    for etape in Etape.objects.filter(pk__in=to_restore).order_by("date_debut", "pk"):
        before = to_restore[etape.pk]
        etape.date_fin, etape.annulee, etape.date_annulation = (
            before.date_fin,
            before.annulee,
            before.date_annulation,
        )
        etape._history_user = scope.user
        etape._change_reason = f"Sortie retirée : {motif}"
        etape.save()
        restored.append(etape)
    return restored


@transaction.atomic
def sortie_record(*, scope, parcours, version, type_sortie, date_sortie, commentaire=""):
    """Record the exit of a parcours with a type of the PLIE's exit referential.

    - a type with validation criteria (a job, a training, a business): the exit is **proposed**
      (``validee=False``) and the parcours goes into suivi dans l'emploi until the rule is met;
    - a type that needs the commission: proposed, awaiting a session;
    - otherwise the exit is validated at once and the parcours closes (``sorti``).

    The étapes in progress end on the exit's date and those planned after it are cancelled
    (:func:`etapes_close_at_exit`); the returned exit carries them as ``etapes_closes`` and
    ``etapes_annulees`` for the message."""
    _require(can_follow_parcours(scope, parcours.plie_id))
    parcours = _lock(parcours, version)
    check_writable(parcours, scope=scope)
    existing = Sortie.objects.filter(parcours=parcours).first()
    if existing is not None:
        raise ValidationError(
            f"Une sortie ({existing.type}) est déjà enregistrée le {format_date(existing.date_sortie)} : "
            "validez-la ou retirez-la d'abord."
        )
    if parcours.status not in (StatutParcours.EN_PARCOURS, StatutParcours.SUSPENDU):
        raise ValidationError(
            f"Pas de sortie pour un parcours au statut « {parcours.get_status_display()} »."
        )
    errors = {}
    if type_sortie is None:
        _add(errors, "type", "Choisissez le type de sortie.")
    elif not types_sortie_of(parcours.plie_id).filter(pk=type_sortie.pk).exists():
        _add(errors, "type", "Ce type de sortie ne fait pas partie du référentiel actif du PLIE.")
    _merge(errors, sortie_date_errors(parcours, date_sortie))
    _not_future(errors, "date_sortie", date_sortie, "La date de sortie")
    _raise(errors)
    closed, cancelled = etapes_close_at_exit(parcours, date_sortie, scope=scope, type_sortie=type_sortie)
    sortie = Sortie(
        parcours=parcours, type=type_sortie, date_sortie=date_sortie, commentaire=commentaire.strip()
    )
    sortie._history_user = scope.user
    sortie.save()
    sortie.etapes_closes, sortie.etapes_annulees = closed, cancelled
    if type_sortie.criteres:
        _transition(parcours, StatutParcours.EN_SUIVI_EMPLOI, scope=scope, day=date_sortie)
        _save(parcours, scope=scope)
    elif not type_sortie.commission_requise:
        _validate_sortie(parcours, sortie, scope=scope, date_validation=timezone.localdate())
    else:
        _save(parcours, scope=scope)  # the file changed: an exit awaits the commission
    return sortie


@transaction.atomic
def sortie_validate(*, scope, sortie, version, date_validation):
    """Validate a proposed exit outside the commission, once its rule is met on
    ``date_validation`` (``parcours.sorties.date_validable``). An exit that needs the
    commission is validated by a decision of a session (:func:`decision_record`)."""
    _require(can_follow_parcours(scope, sortie.parcours.plie_id))
    parcours = _lock(sortie.parcours, version)
    check_writable(parcours, scope=scope)
    sortie = _locked_sortie(sortie)
    if sortie.validee:
        raise ValidationError(f"Cette sortie est déjà validée (le {format_date(sortie.date_validation)}).")
    if sortie.type.commission_requise:
        raise ValidationError(
            "Cette sortie se valide en commission : inscrivez-la à l'ordre du jour d'une session."
        )
    errors = {}
    if date_validation is None:
        _add(errors, "date_validation", "La date de validation est obligatoire.")
    else:
        _not_future(errors, "date_validation", date_validation, "La date de validation")
        if date_validation < sortie.date_sortie:
            _add(
                errors,
                "date_validation",
                f"La validation ne peut pas précéder la sortie (le {format_date(sortie.date_sortie)}).",
            )
        for message in sortie_regle_errors(parcours, sortie, date_validation):
            _add(errors, "date_validation", message)
    _raise(errors)
    _validate_sortie(parcours, sortie, scope=scope, date_validation=date_validation)
    return sortie


@transaction.atomic
def sortie_withdraw(*, scope, sortie, version, motif):
    """Withdraw a proposed exit (the job was lost, the proposal was wrong): the parcours goes
    back ``en_parcours``, the étapes the exit ended or cancelled are as they were before it
    (:func:`etapes_reopen_at_withdraw`); the history keeps the withdrawn exit and the reason."""
    _require(can_follow_parcours(scope, sortie.parcours.plie_id))
    parcours = _lock(sortie.parcours, version)
    sortie = _locked_sortie(sortie)
    if sortie.validee:
        raise ValidationError("Une sortie validée ne se retire pas.")
    check_writable(parcours, scope=scope)
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError({"motif": ["Indiquez pourquoi la sortie est retirée (emploi perdu…)."]})
    Decision.objects.filter(
        parcours=parcours,
        objet=ObjetPassage.VALIDATION_SORTIE,
        decision="",
        commission__status=StatutCommission.PREVUE,
    ).delete()
    if parcours.status == StatutParcours.EN_SUIVI_EMPLOI:
        _transition(parcours, StatutParcours.EN_PARCOURS, scope=scope, reason=motif)
    etapes_reopen_at_withdraw(parcours, sortie, scope=scope, motif=motif)
    parcours._change_reason = f"Sortie retirée : {motif}"
    sortie._history_user = scope.user
    sortie._change_reason = motif
    sortie.delete()
    _save(parcours, scope=scope)
    return parcours


@transaction.atomic
def sortie_cancel(*, scope, sortie, version, motif):
    """Cancel a validated exit recorded by mistake: only an administrateur of the PLIE, with the
    reason; the parcours reopens (``en_parcours``)."""
    _require(can_cancel_sortie(scope, sortie))
    parcours = _lock(sortie.parcours, version)
    sortie = _locked_sortie(sortie)
    motif = (motif or "").strip()
    check_writable(parcours, scope=scope, reason=motif)
    if not sortie.validee:
        raise ValidationError("Cette sortie n'est pas validée : retirez-la plutôt.")
    parcours.date_sortie = None
    sortie._history_user = scope.user
    sortie._change_reason = motif
    sortie.delete()
    _transition(parcours, StatutParcours.EN_PARCOURS, scope=scope, reason=motif)
    return _save(parcours, scope=scope)
