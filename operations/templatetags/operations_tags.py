"""Template tags that let pages of upstream apps (parcours) link to the operations' proofs
without importing operations from Python (imports go participants ← parcours ← operations)."""

from django import template

from operations.permissions import can_control

register = template.Library()


@register.simple_tag
def peut_attester(user, plie_id):
    """``user`` may print attestations and other proofs of the PLIE ``plie_id``."""
    return can_control(user, plie_id)


@register.simple_tag
def operations_a_inscrire(user, parcours, today=None):
    """The operations in progress of the parcours' PLIE in which ``user`` may enrol its participant
    and where the participant has no open enrolment yet: ``[(operation, url)]``. One query, none
    when the user does not manage the PLIE's operations or the parcours is not under way."""
    from django.db.models import Exists, OuterRef
    from django.urls import reverse
    from django.utils import timezone

    from operations.models import Inscription, Operation
    from operations.permissions import can_manage

    if not parcours.date_entree or parcours.date_sortie or not can_manage(user, parcours.plie_id):
        return []
    today = today or timezone.localdate()
    deja = Inscription.objects.filter(
        operation=OuterRef("pk"), participant_id=parcours.participant_id, date_sortie__isnull=True
    )
    operations = (
        Operation.objects.filter(plie_id=parcours.plie_id)
        .en_cours(today)
        .exclude(Exists(deja))
        .order_by("code")
    )
    base = "?parcours=" + str(parcours.pk)
    return [
        (operation, reverse("operations:inscription_create", args=[operation.pk]) + base)
        for operation in operations
    ]


@register.simple_tag
def peut_remplir(user, inscription):
    """``user`` may fill the entry questionnaire and the exit data of ``inscription`` (its PLIE's
    managers, or the participant's référent). No query when ``operation`` and ``parcours`` are
    fetched with the enrolment."""
    from operations.permissions import can_fill

    return can_fill(user, inscription)
