from django import template

from participants import documents

register = template.Library()


@register.filter
def taille(octets):
    """A size in octets as users read it: « 850 octets », « 12 Ko », « 1,5 Mo »."""
    return documents.human_size(octets or 0)
