"""Template tags that let pages of upstream apps (parcours) offer the operations' actions without
importing operations from Python (imports go participants ← parcours ← operations). Who may do
what is read with ``{% can "operations.<verb>_<noun>" obj %}`` (``plie/core/templatetags``)."""

from django import template
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from operations.models import Inscription, Operation
from operations.permissions import can_manage_operations
from plie.core.templatetags.permissions import context_scope

register = template.Library()


@register.simple_tag(takes_context=True)
def operations_a_inscrire(context, parcours, today=None):
    """The operations in progress of the parcours' PLIE in which the request's scope may enrol its
    participant and where the participant has no open enrolment yet: ``[(operation, url)]``.
    One query, none when the scope does not manage the PLIE's operations or the parcours is not
    under way."""
    scope = context_scope(context)
    if not parcours.date_entree or parcours.date_sortie or not can_manage_operations(scope, parcours.plie_id):
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
