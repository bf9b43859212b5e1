"""The bilan over the REST API: ``GET /api/v1/plie/CODE/bilan/AAAA/`` (registered in ``plie/api.py``).

Scoped by ``scope_for(user).plie_ids``: a PLIE the user may not see the figures of is a 404 (as
if it did not exist). Aggregates only, so a financeur partner of the PLIE may read it."""

from django.http import Http404
from rest_framework.decorators import api_view
from rest_framework.response import Response

from reporting.bilan import bilan_annuel
from reporting.selectors import plie_visible

ANNEE_MIN, ANNEE_MAX = 2000, 2100


@api_view(["GET"])
def bilan_annuel_api(request, code, annee):
    plie = plie_visible(request.user, code)
    if plie is None or not ANNEE_MIN <= annee <= ANNEE_MAX:
        raise Http404
    return Response(bilan_annuel(plie, annee))
