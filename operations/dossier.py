"""The operations' panel on the parcours page (a dossier panel, see :mod:`plie.core.registry`),
registered by ``OperationsConfig.ready()``: once the commission has admitted a person, the dossier
offers to enrol her in the PLIE's current FSE operation in one click.

Parcours knows nothing of operations (imports go participants ← parcours ← … ← operations): the
parcours page only renders the panels registered with it."""

from django.db.models import Exists
from django.urls import reverse

from operations.models import Inscription, Operation
from operations.permissions import can_manage_operations


def operations_proposees(parcours, today):
    """The operations in progress on ``today`` of the parcours' PLIE, when its participant has no
    open enrolment in any operation: ``[]`` when she is already enrolled (one query)."""
    ouvertes = Inscription.objects.filter(participant_id=parcours.participant_id, date_sortie__isnull=True)
    operations = list(
        Operation.objects.filter(plie_id=parcours.plie_id)
        .en_cours(today)
        .annotate(deja_inscrit=Exists(ouvertes))
        .order_by("code", "pk")
    )
    if not operations or operations[0].deja_inscrit:
        return []
    return operations


def inscription_fse(scope, parcours, today):
    """« Inscrire dans l'opération FSE »: for whoever may enrol participants in the PLIE's
    operations (:func:`~operations.permissions.can_manage_operations`), on a parcours under way
    (admitted, not left) whose participant is in no operation: one button when exactly one
    operation is in progress, a choice when several, nothing when none. No query when the scope
    may not enrol or the parcours is not under way, one otherwise."""
    if parcours.date_entree is None or parcours.date_sortie is not None:
        return None
    if not can_manage_operations(scope, parcours.plie_id):
        return None
    operations = operations_proposees(parcours, today)
    if not operations:
        return None
    return {
        "template": "operations/includes/dossier_inscription.html",
        "parcours": parcours,
        "operations": operations,
        "action_url": reverse("operations:inscription_parcours", args=[parcours.pk]),
        "formulaire_url": reverse("operations:inscription_create", args=[operations[0].pk])
        + f"?parcours={parcours.pk}",
    }
