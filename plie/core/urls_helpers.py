"""Links built by views: many rows at once, and the way back after a form (not a URLconf: that
is :mod:`plie.core.urls`)."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# An id no row has: reverse() runs once with it, then each row's id takes its place.
_SENTINEL = 2147483647


def url_par_pk(name, query=""):
    """A function ``pk -> url`` of the URL ``name`` (one argument) followed by ``query``:
    ``reverse()`` runs once, each row's id is put in place of a sentinel (boards of thousands of
    lines)."""
    before, after = reverse(name, args=[_SENTINEL]).split(str(_SENTINEL), 1)
    return lambda pk: f"{before}{pk}{after}{query}"


def next_param(request):
    """The ``next`` page asked for (a POSTed form's, else the query string's), unchecked: to
    carry it along in a form. Redirect only through :func:`safe_next_url`."""
    return request.POST.get("next") or request.GET.get("next") or ""


def safe_next_url(request, default):
    """Where to go back after a form: ``next`` when it is a page of this site, else ``default``."""
    target = next_param(request)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
