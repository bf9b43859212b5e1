"""What every write on a parcours shares: optimistic locking (:class:`ConflictError`, ``_lock``,
``_save``), French errors per field, the PLIE's referentials read by the forms."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone

from parcours.enums import (
    StatutParcours,
)
from parcours.models import (
    Parcours,
    TypeSortie,
)
from parcours.transitions import (
    TransitionError,
    transition,
)
from plie.core.enums import Role, StructureKind
from plie.core.models import Membership, Structure, User

# Parcours still open: a participant has at most one of them.
STATUTS_OUVERTS = (
    StatutParcours.CANDIDAT,
    StatutParcours.EN_PARCOURS,
    StatutParcours.SUSPENDU,
    StatutParcours.EN_SUIVI_EMPLOI,
)


INCARCERATION_MAX_MOIS = 3


class ConflictError(Exception):
    """The parcours changed since the user's form was built (optimistic locking)."""

    def __init__(self, parcours):
        self.parcours = parcours
        record = (
            parcours.history.select_related("history_user").order_by("-history_date", "-history_id").first()
        )
        if record is not None and record.history_user is not None:
            who = record.history_user.get_full_name() or record.history_user.email
        else:
            who = "un autre utilisateur"
        when = timezone.localtime(record.history_date) if record is not None else timezone.localtime()
        self.message = f"Ce parcours a été modifié par {who} le {when:%d/%m/%Y à %H:%M} : rechargez la page."
        super().__init__(self.message)


def _require(allowed):
    if not allowed:
        raise PermissionDenied


def referents_of(plie_id):
    """Active référents working for the PLIE: members of the PLIE itself or of an opérateur
    partner of it (employing référents); never a prescripteur's staff, who orient people and
    follow nothing else (``plie.core.scoping``)."""
    memberships = Membership.objects.active().filter(
        Q(structure_id=plie_id) | Q(structure__plies=plie_id, structure__kind=StructureKind.OPERATEUR),
        role=Role.REFERENT,
    )
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by(
        "last_name", "first_name", "email"
    )


def prescripteurs_of(plie_id):
    return Structure.objects.filter(kind=StructureKind.PRESCRIPTEUR, plies=plie_id).order_by("nom")


def reorientation_structures_of(plie_id):
    """Where a candidate may be reoriented: a prescripteur or opérateur partner of the PLIE, or
    another PLIE."""
    partners = Q(kind__in=[StructureKind.PRESCRIPTEUR, StructureKind.OPERATEUR], plies=plie_id)
    other_plies = Q(kind=StructureKind.PLIE) & ~Q(pk=plie_id)
    return Structure.objects.filter(partners | other_plies).distinct().order_by("nom")


def types_sortie_of(plie_id):
    return TypeSortie.objects.filter(plie_id=plie_id, is_active=True).order_by("ordre", "libelle")


def _add(errors, field, message):
    errors.setdefault(field, []).append(message)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _merge(errors, more):
    for field, messages in more.items():
        errors.setdefault(field, []).extend(messages)


def _not_future(errors, field, day, label):
    if day and day > timezone.localdate():
        _add(errors, field, f"{label} ne peut pas être dans le futur.")


def _lock(parcours, version):
    """``parcours`` re-read and locked for this transaction; :class:`ConflictError` when its
    version is no longer ``version`` (the one the user's form was built from)."""
    current = (
        Parcours.objects.select_for_update(of=("self",))
        .select_related("participant", "plie")
        .get(pk=parcours.pk)
    )
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = None
    if version != current.version:
        raise ConflictError(current)
    return current


def _save(parcours, *, scope):
    parcours.version += 1
    parcours._history_user = scope.user
    parcours.save()
    return parcours


def _transition_errors(error):
    """A guard's per-field errors, with the commission date (not a form field) above the form."""
    if not hasattr(error, "error_dict"):
        return error
    errors = {}
    for field, messages in error.message_dict.items():
        _merge(errors, {NON_FIELD_ERRORS if field == "date_commission" else field: messages})
    return ValidationError(errors)


def _transition(parcours, to_status, *, scope, reason="", day=None):
    try:
        transition(parcours, to_status, scope=scope, reason=reason, day=day)
    except TransitionError as error:
        raise _transition_errors(error) from error
