"""Links built for many rows at once."""

from django.urls import reverse

_SENTINEL = 2147483647


def url_par_pk(name, query=""):
    """A function ``pk -> url`` of the URL ``name`` (one argument) followed by ``query``:
    ``reverse()`` runs once, each row's id is put in place of a sentinel (boards of thousands of
    lines)."""
    template = reverse(name, args=[_SENTINEL]) + query
    return lambda pk: template.replace(str(_SENTINEL), str(pk))
