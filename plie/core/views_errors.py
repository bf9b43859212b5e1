"""The error pages, in French and in the app's frame (``templates/400.html``, ``403.html``,
``403_csrf.html``, ``404.html``, ``500.html``), wired in ``plie/urls.py`` (``handler400`` …) and
``CSRF_FAILURE_VIEW``.

Django's own messages (``Http404("No Operation matches…")``, the CSRF reason) are never shown:
they are English and say nothing a user can act on. The 500 page is rendered without the request
nor the database (the failure may be theirs), and falls back to a plain French text if even its
template fails."""

import logging

from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

FALLBACK_500 = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
    "<title>Erreur du serveur — PLIE</title></head>"
    "<body><h1>Une erreur est survenue de notre côté</h1>"
    "<p>Réessayez dans quelques minutes ; si l'erreur se répète, prévenez l'administrateur de votre PLIE.</p>"
    '<p><a href="/">Revenir à l\'accueil</a></p></body></html>'
)


def _render(request, template_name, response_class):
    return response_class(loader.render_to_string(template_name, request=request))


@requires_csrf_token
def bad_request(request, exception=None):
    return _render(request, "400.html", HttpResponseBadRequest)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _render(request, "403.html", HttpResponseForbidden)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, "404.html", HttpResponseNotFound)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: the form's token was missing or stale."""
    return _render(request, "403_csrf.html", HttpResponseForbidden)


def server_error(request=None):
    """No request context, no database: ``500.html`` uses no variable."""
    try:
        content = loader.render_to_string("500.html")
    except Exception:
        logger.exception("La page d'erreur 500 n'a pas pu être rendue.")
        content = FALLBACK_500
    return HttpResponseServerError(content)
