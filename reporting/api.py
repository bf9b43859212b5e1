"""The bilan over the REST API: ``GET /api/v1/plie/CODE/bilan/AAAA/`` (registered in ``plie/api.py``).

Scoped by ``scope_for(request.user).plie_ids``: a PLIE the user may not see the figures of is a 404 (as
if it did not exist). Aggregates only, so a financeur partner of the PLIE may read it, with small
counts « < 5 » and référents anonymised (``reporting.confidentialite.pour_scope``).

A closed period (``reporting.clotures``) is served from its stored version, the latest or
``?version=N`` (a version never closed is a 404), with a ``"cloture"`` key saying which."""

from django.http import Http404
from rest_framework.decorators import api_view
from rest_framework.response import Response

from plie.core.scoping import scope_for
from reporting import clotures, mensuel
from reporting.confidentialite import pour_scope
from reporting.models import Cloture
from reporting.selectors import plie_visible

ANNEE_MIN, ANNEE_MAX = 2000, 2100


def _version(request):
    texte = request.query_params.get("version", "")
    if texte and not texte.isdigit():
        raise Http404
    return int(texte) if texte else None


def _servi(plie, rapport, periode, request):
    try:
        rapport, _ = clotures.rapport_servi(plie, rapport, periode, version=_version(request))
    except clotures.VersionInconnue:
        raise Http404 from None
    return rapport


@api_view(["GET"])
def bilan_annuel_api(request, code, annee):
    scope = scope_for(request.user)
    plie = plie_visible(scope, code)
    if plie is None or not ANNEE_MIN <= annee <= ANNEE_MAX:
        raise Http404
    return Response(
        pour_scope(_servi(plie, Cloture.Rapport.BILAN, f"{annee:04d}", request), scope, [plie.pk])
    )


@api_view(["GET"])
def reporting_mensuel_api(request, code, mois):
    """``GET /api/v1/plie/CODE/mensuel/AAAA-MM/``: the monthly reporting (``reporting.mensuel``).
    A PLIE out of scope or a malformed month is a 404; a month not begun yet a 400 with the
    reason; the current month comes with ``"statut": "provisoire"``."""
    scope = scope_for(request.user)
    plie = plie_visible(scope, code)
    try:
        annee, numero = mensuel.lire_mois(mois)
    except mensuel.MoisInvalide:
        raise Http404 from None
    if plie is None:
        raise Http404
    try:
        rapport = _servi(plie, Cloture.Rapport.MENSUEL, clotures.periode_texte_mois(annee, numero), request)
    except mensuel.MoisInvalide as exc:
        return Response({"detail": str(exc)}, status=400)
    return Response(pour_scope(rapport, scope, [plie.pk]))
