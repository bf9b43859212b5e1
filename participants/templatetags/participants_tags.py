from django import template

from participants import documents, permissions

register = template.Library()


@register.simple_tag
def can_edit(user, participant):
    """``{% can_edit user participant as may_edit %}``: whether ``user`` may change
    ``participant``'s dossier, its documents included (``participants.permissions.can_edit``)."""
    return permissions.can_edit(user, participant)


@register.filter
def taille(octets):
    """A size in octets as users read it: « 850 octets », « 12 Ko », « 1,5 Mo »."""
    return documents.human_size(octets or 0)
